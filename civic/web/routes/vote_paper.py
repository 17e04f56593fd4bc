"""Staff work on an open vote: paper ballot batches (entered, confirmed by a second
staff member, conflicts resolved) and proxy mandates (recorded, revoked)."""

from __future__ import annotations

routes: list = []
