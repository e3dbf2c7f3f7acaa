"""Benchmarks of the credit-management backend (``make bench`` / ``python -m bench``).

Each sub-benchmark starts what it needs as real processes on 127.0.0.1, measures over HTTP,
prints a table, writes its figures as JSON under ``bench/results/`` (git-ignored) and stops
everything it started, within a few minutes.
"""
