"""Domain errors: raised by services, turned into 4xx pages by the web layer, into exit 2 by the CLI.

`message` is an English msgid with %(name)s placeholders (mark it with `N_`), so that the web layer
can translate it first and fill in `params` after.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: Any):
        super().__init__(message % params if params else message)
        self.message = message
        self.field = field
        self.params = params

    def render(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        return text % self.params if self.params else text


class InvalidInput(DomainError):
    status_code = 400


class NotFound(DomainError):
    status_code = 404


class PermissionDenied(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class TooManyAttempts(DomainError):
    status_code = 429


class FileInputError(InvalidInput):
    """Bad input in a file: the CLI prints `FILE:LINE: message` (or `FILE: message`) and exits 2."""

    def __init__(self, path: str, line: int | None, message: str, **params):
        super().__init__(message, **params)
        self.path = path
        self.line = line

    def one_line(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.args[0]}"
