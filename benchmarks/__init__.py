"""Benchmarks that compare hotswap with the tools users would otherwise pick (``make bench``)."""
