"""Scheduled work run by `civic jobs run-due` (cron or a systemd timer, every minute).

Each domain registers its due-work functions with `@due_job("name")`; a function takes
(engine, settings, now) and returns how many things it did (an int), or a JobReport when it has more
to say. Jobs must be idempotent: running twice, or on two machines at once, must not do anything twice.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from civic.clock import now as clock_now
from civic.settings import Settings

log = logging.getLogger("civic.jobs")


@dataclass(frozen=True)
class JobReport:
    """What a job did: a count, a one-line summary for the operator, and whether all went well."""

    done: int
    summary: str = ""
    ok: bool = True

    def __str__(self) -> str:
        return self.summary or str(self.done)


JobFn = Callable[[Engine, Settings, datetime], "int | JobReport"]
_REGISTRY: dict[str, JobFn] = {}

# Modules that register jobs; importing them fills the registry.
# Votes first: closing a vote notifies its roll, and that mail should go out in the same run. Contest backing
# settles before results are published (only funded entries are ranked).
JOB_MODULES = ["civic.votes.service", "civic.contests.backing", "civic.contests.results", "civic.notifications",
               "civic.mail"]


def due_job(name: str) -> Callable[[JobFn], JobFn]:
    """Register `fn` under `name` for `civic jobs run-due`."""
    def register(fn: JobFn) -> JobFn:
        _REGISTRY[name] = fn
        return fn

    return register


def registered() -> dict[str, JobFn]:
    """Every job, in JOB_MODULES order whatever order the modules happened to be imported in."""
    for module in JOB_MODULES:
        importlib.import_module(module)
    rank = {module: index for index, module in enumerate(JOB_MODULES)}
    return dict(sorted(_REGISTRY.items(), key=lambda item: rank.get(item[1].__module__, len(rank))))


class JobLine(str):
    """A report line (printed as is) that also says whether its job went well, so the CLI can set
    its exit status without parsing text."""

    ok: bool

    def __new__(cls, text: str, ok: bool = True) -> JobLine:
        line = super().__new__(cls, text)
        line.ok = ok
        return line


def run_due(engine: Engine, settings: Settings, now: datetime | None = None) -> Iterator[JobLine]:
    """Run every registered job once; yield one line of report per job.

    A job that raises is logged and reported, and the others still run: a broken mail server must
    not stop votes from closing on time.
    """
    now = now or clock_now()
    for name, fn in registered().items():
        try:
            result = fn(engine, settings, now)
        except Exception as exc:
            log.exception("job %s failed", name)
            yield JobLine(f"{name}: error: {type(exc).__name__}: {exc}", ok=False)
            continue
        ok = result.ok if isinstance(result, JobReport) else True
        yield JobLine(f"{name}: {result}", ok=ok)
