"""Benchmarks: generated events, the B2B benchmark's files, and the baselines' runs."""
