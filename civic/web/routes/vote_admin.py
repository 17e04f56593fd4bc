"""Scheduling votes (staff) and residents' proposals for votes."""

from __future__ import annotations

routes: list = []
