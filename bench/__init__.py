"""Benchmarks: `make bench` runs every suite, prints a table and writes bench/results/latest.json.

Each suite module exposes run() -> list of {suite, measure, value, unit, target, ok}. Figures are
measured here, on this machine, against targets; tests never assert timings.
"""
