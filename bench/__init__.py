"""Benchmarks of the client against the fake, with their references measured in the same run.

``python -m bench`` (``make bench``) prints a table and writes ``bench/results.json``.
"""
