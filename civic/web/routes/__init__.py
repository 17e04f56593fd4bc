"""Route modules, one per domain: parse input → one service call → page, block or redirect."""
