"""Accounts, passwords, single sign-on, roles and permission predicates."""
