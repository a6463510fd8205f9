"""Stage 1, inputs: the spec (trial.toml), tidy tables and ADaM datasets read and checked, arms,
the cutoff applied, derived populations: a loaded `Trial`."""
