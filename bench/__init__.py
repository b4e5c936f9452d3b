"""`make bench`: measure CryoAudit at national scale on dedicated PostgreSQL databases.

Run ``python -m bench --help``. The orchestrator (bench.run) prepares one database
per cohort size, runs every measurement in a fresh worker process (bench.worker)
so that timings and memory do not leak between them, and writes one table to the
terminal and the same figures as JSON under bench/results/.
"""
