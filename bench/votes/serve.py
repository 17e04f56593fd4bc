"""Serve an ASGI app with uvicorn[standard] (uvloop + httptools) in N processes on one port.

Two processes are two separate uvicorn servers, each with its own SO_REUSEPORT listening socket, not
`uvicorn --workers 2`: with --workers both share one accept socket and keep-alive connections pile onto
whichever worker accepts first (one took ~85% in STACK-NOTES), so the second core would sit idle.
With SO_REUSEPORT the kernel spreads the 64 connections over the listeners by hash.

Parent side: `with serving("civic.web.app:create_app", workers=2, env=…) as port: …`.
Child side:  `python -m bench.votes.serve APP PORT` (APP names a factory, as uvicorn --factory takes it).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(app: str, *, workers: int, env: dict[str, str], log_dir: Path) -> Iterator[int]:
    """Start `workers` server processes, wait until every one listens and answers /healthz, yield the
    port; stop them (only the processes started here) however the block ends."""
    port = free_port()
    procs: list[subprocess.Popen] = []
    logs = []
    try:
        for n in range(workers):
            log = (log_dir / f"server-{port}-{n}.log").open("w")
            logs.append(log)
            procs.append(subprocess.Popen([sys.executable, "-m", "bench.votes.serve", app, str(port)],
                                          cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE,
                                          stderr=log, text=True))
        for proc in procs:  # each prints "listening" once its socket is bound, before the app loads
            if proc.stdout.readline().strip() != "listening":
                raise RuntimeError(f"a server process did not start; see {log_dir}")
        _wait_healthy(port, procs)
        yield port
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for log in logs:
            log.close()


def _wait_healthy(port: int, procs: list[subprocess.Popen]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    # The kernel queues connections on every bound listener, so the app must be loaded in all of them:
    # ask often enough that each socket gets a probe (each probe lands on one listener by hash).
    answered = 0
    while answered < 4 * len(procs):
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a server process exited during start-up")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server on port {port} did not answer /healthz in {STARTUP_SECONDS} s")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(0.1)


def _child(app: str, port: int) -> None:
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(2048)
    print("listening", flush=True)
    # Access logging off for both the baseline and Civic: the bench measures the app, not log writes.
    config = uvicorn.Config(app, factory=True, loop="uvloop", http="httptools", lifespan="on",
                            access_log=False, log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    _child(sys.argv[1], int(sys.argv[2]))
