"""A small HTTP/1.1 keep-alive load generator on raw asyncio streams (wrk is not installed here).

It runs in its own process (`python -m bench.votes.loadgen`, the plan as JSON on stdin, the figures as
JSON on stdout) so that it never shares the server's event loop. It does share the machine's two cores
with the server, so every rate it reports is a lower bound: compare ratios taken in the same run.

Each client is one connection that sends its requests in turn, waiting for each answer (closed loop).
Redirects are not followed. An answer counts as an error unless it is 2xx/3xx, and a 3xx whose Location
starts with `bad_location` (e.g. /login: the session was not accepted) is an error too.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    measured: int  # good answers completed inside the measuring window
    rate: float  # measured / window seconds
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int  # over the whole run, warm-up included: any error is a finding
    total_ok: int  # good answers over the whole run (to check against rows written)
    statuses: dict[str, int]
    samples: list[str]  # the first few error answers, cut short


def run_load(port: int, clients: list[list[str]], *, seconds: float, warmup: float,
             bad_location: str | None = None) -> Result:
    """Drive the server on 127.0.0.1:port with one connection per entry of `clients`, each cycling
    through its raw requests; measure `seconds` after `warmup`."""
    plan = {"port": port, "clients": clients, "seconds": seconds, "warmup": warmup, "bad_location": bad_location}
    done = subprocess.run([sys.executable, "-m", "bench.votes.loadgen"], input=json.dumps(plan), cwd=ROOT,
                          capture_output=True, text=True, timeout=seconds + warmup + 120, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed: {done.stderr[-2000:]}")
    return Result(**json.loads(done.stdout))


def request(method: str, path: str, *, port: int, cookie: str | None = None, form: str | None = None,
            headers: dict[str, str] | None = None) -> str:
    """One raw HTTP/1.1 request (latin-1 text; form bodies here are ASCII)."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    body = form or ""
    if form is not None:
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    return "\r\n".join(lines) + "\r\n\r\n" + body


# --- the child process ---------------------------------------------------------------------------------

@dataclass
class _State:
    warm_until: float
    stop_at: float
    bad_location: bytes | None
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    total_ok: int = 0
    samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.samples) < 5:
            self.samples.append(what[:300])


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[bytes, bytes], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        body = b""
        while size := int((await reader.readuntil(b"\r\n"))[:-2], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
    else:
        body = await reader.readexactly(int(headers.get(b"content-length", b"0")))
    return status, headers, body


async def _client(port: int, requests: list[bytes], state: _State) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    try:
        while (started := time.perf_counter()) < state.stop_at:
            writer.write(requests[n % len(requests)])
            n += 1
            try:
                status, headers, body = await _read_response(reader)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                state.error(f"connection: {exc!r}")
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            finished = time.perf_counter()
            state.statuses[str(status)] += 1
            location = headers.get(b"location", b"")
            if not 200 <= status < 400 or (state.bad_location and location.startswith(state.bad_location)):
                text = "" if body[:15].lower().startswith(b"<!doctype") else " ".join(body[:200].decode("utf-8", "replace").split())
                state.error(f"{status} {location.decode('latin-1')} {text}".rstrip())  # an error page says nothing: see the server log
                # uvicorn drops the connection after an unhandled exception's 500: start a new one rather
                # than count the reset of the next request as a second error.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            else:
                state.total_ok += 1
                if started >= state.warm_until and finished <= state.stop_at:
                    state.latencies.append(finished - started)
            if headers.get(b"connection", b"").lower() == b"close":
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
    finally:
        writer.close()


async def _main(plan: dict) -> dict:
    start = time.perf_counter()
    state = _State(warm_until=start + plan["warmup"], stop_at=start + plan["warmup"] + plan["seconds"],
                   bad_location=plan["bad_location"].encode() if plan["bad_location"] else None)
    requests = [[r.encode("latin-1") for r in client] for client in plan["clients"]]
    await asyncio.wait_for(asyncio.gather(*(_client(plan["port"], r, state) for r in requests)),
                           timeout=plan["warmup"] + plan["seconds"] + 60)
    lat = sorted(state.latencies)

    def pct(q: float) -> float:
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else 0.0

    return {"measured": len(lat), "rate": round(len(lat) / plan["seconds"], 1), "p50_ms": pct(0.50),
            "p99_ms": pct(0.99), "max_ms": round(lat[-1] * 1000, 1) if lat else 0.0, "errors": state.errors,
            "total_ok": state.total_ok, "statuses": dict(state.statuses), "samples": state.samples}


if __name__ == "__main__":
    try:
        import uvloop  # the same loop the servers use; keeps the generator's own CPU share down
        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(_main(json.load(sys.stdin)))))
