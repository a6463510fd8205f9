"""Stage 5, report kinds: summary, dsmb and abstract, each a job's files in memory from a ledger;
report.kinds.kind declares each kind (its pages, their ordered blocks, its formats)."""
