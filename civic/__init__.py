"""Civic: a participatory civic platform for urban neighbourhoods."""

__version__ = "0.1.0"
