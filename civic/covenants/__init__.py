"""Micro-covenants (微公约): drafting clause by clause, amendments, comments and character-level diffs."""
