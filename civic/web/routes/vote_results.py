"""A closed vote's printable result certificate."""

from __future__ import annotations

routes: list = []
