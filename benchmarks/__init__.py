"""Parcours benchmarks: ``python -m benchmarks`` (``make bench``).

A generator builds a network at scale (30 organisations, 10,000 modules, 100,000 learners,
1,000,000 completions and the AI-referent pathway) in a database of its own, then the
benchmarks measure the catalogue search over HTTP and the evaluation of the pathway rule, on
SQLite and on a throwaway PostgreSQL server. See benchmarks/README.md.
"""
