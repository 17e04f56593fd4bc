"""The `civic` console script as an operator runs it: in a subprocess, with exit statuses that scripts trust."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from civic.cli import build_parser
from civic.jobs import registered


def _subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command path (`db`, `db upgrade`, …) read from the parser itself, so new ones are covered."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name)
                yield from _subcommands(sub, (*prefix, name))


COMMANDS = sorted(_subcommands(build_parser()))


def civic(*args: str, env: dict[str, str] | None = None, tmp_path=None) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CIVIC_")}
    environ.update({"CIVIC_SECRET_KEY": "test-secret-key-not-for-production"})
    if tmp_path is not None:
        environ.update({"CIVIC_VAR_DIR": str(tmp_path), "CIVIC_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"})
    environ.update(env or {})
    return subprocess.run([sys.executable, "-m", "civic", *args], capture_output=True, text=True, env=environ,
                          timeout=120, check=False)


def test_the_contracted_commands_exist():
    for path in [("db", "upgrade"), ("fixtures", "load"), ("users", "create"), ("register", "import"),
                 ("audit", "verify"), ("jobs", "run-due")]:
        assert path in COMMANDS, path


def test_civic_help_exits_0(tmp_path):
    result = civic("--help", tmp_path=tmp_path)
    assert result.returncode == 0
    assert "usage: civic" in result.stdout


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_subcommand_has_help(command, tmp_path):
    result = civic(*command, "--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"usage: civic {' '.join(command)}" in result.stdout
    assert result.stderr == ""


def test_jobs_run_due_prints_one_line_per_job(engine, database_url, tmp_path):
    result = civic("jobs", "run-due", env={"CIVIC_DATABASE_URL": database_url, "CIVIC_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    jobs = registered()
    assert [line.split(":", 1)[0] for line in lines] == list(jobs)
    assert "deliver_mail: 0 sent; CIVIC_SMTP_URL is not set, 0 left queued" in lines


@pytest.mark.parametrize("args", [
    ("no-such-command",),
    ("db",),
    ("jobs", "run-due", "--no-such-option"),
    ("fixtures", "load", "no-such-set"),
], ids=" ".join)
def test_a_bad_invocation_exits_2_with_a_one_line_error_and_no_traceback(args, tmp_path):
    result = civic(*args, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith(("usage:", " "))]
    assert len(errors) == 1 and errors[0].startswith("civic"), result.stderr
    assert result.stdout == ""
