"""`[narrative]` in trial.toml: the user's own text for a report's sections, in Markdown, with
references to ledger figures (`{{ response.responders }}`), rendered by report.layout.narrative.

A section's text is given inline (`results = '''...'''`) or in a file beside trial.toml
(`results = "@narrative/results.md"`: a value starting with "@" names a file in the trial
folder). A section without text keeps the generated text.
"""
from __future__ import annotations

from .spec_section import Section

SECTIONS = ("study", "results", "toxicity", "next_steps", "dsmb_status",
            "abstract_background", "abstract_methods", "abstract_results", "abstract_conclusions")


class Narrative(Section):
    study: str | None = None
    results: str | None = None
    toxicity: str | None = None
    next_steps: str | None = None
    dsmb_status: str | None = None  # both DSMB reports' status section: open-safe figures only
    abstract_background: str | None = None
    abstract_methods: str | None = None
    abstract_results: str | None = None
    abstract_conclusions: str | None = None
