"""Stage 6, rendering: HTML from templates, PDF (WeasyPrint, a worker process), encryption, Word and
spreadsheets."""
