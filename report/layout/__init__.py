"""Stage 4, layout: number formatting, wording, tables, figures and the abstract's text, from a ledger."""
