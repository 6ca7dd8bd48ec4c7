"""Benchmarks: run with `python -m bench.summaries`; not part of the test suite."""
