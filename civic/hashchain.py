"""Canonical JSON and the link hash shared by the audit log and ballot bulletin boards."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text (not \\u escapes)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link_hash(prev_hash: str, event: dict[str, Any]) -> str:
    """hash = sha256(prev_hash || canonical_json(event)), both as UTF-8 text."""
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()
