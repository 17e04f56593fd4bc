"""Venture-philanthropy grant tracking (公益创投)."""
