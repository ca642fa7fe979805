"""Benchmarks: scripts that measure the services and write their figures under bench/results/."""
