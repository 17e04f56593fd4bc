"""Scheduled work run by `civic jobs run-due` (cron or a systemd timer, every minute).

Each domain registers its due-work functions with `@due_job("name")`; a function takes
(engine, settings, now) and returns how many things it did. Jobs must be idempotent: running
twice, or on two machines at once, must not do anything twice.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import datetime

from sqlalchemy import Engine

from civic.clock import now as clock_now
from civic.settings import Settings

JobFn = Callable[[Engine, Settings, datetime], int]
_REGISTRY: dict[str, JobFn] = {}

# Modules that register jobs; importing them fills the registry.
JOB_MODULES = ["civic.notifications"]


def due_job(name: str) -> Callable[[JobFn], JobFn]:
    def register(fn: JobFn) -> JobFn:
        _REGISTRY[name] = fn
        return fn

    return register


def registered() -> dict[str, JobFn]:
    for module in JOB_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def run_due(engine: Engine, settings: Settings, now: datetime | None = None) -> Iterator[str]:
    """Run every registered job once; yield one line of report per job."""
    now = now or clock_now()
    for name, fn in registered().items():
        done = fn(engine, settings, now)
        yield f"{name}: {done}"
