"""Conference abstracts: composed from the ledger and the spec, counted by a meeting's rule.

Pure: the ledger (as results.json holds it) and the spec in, an `Abstract` out. Methods
and Results are written from the spec and the ledger; Background and the Conclusions'
framing are the authors' text from the spec.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .collected import ABSTRACT_ADVERSE_EVENTS
from .formatting import DASH, month_year, number, percent, setting
from .mock import mocking
from .wording import plural
from ..inputs.spec import AbstractLimit, Spec


@dataclass(frozen=True)
class Rule:
    name: str
    max_chars: int
    count_spaces: bool
    count_title: bool
    count_headings: bool
    tables: int  # tables allowed
    figures: int  # figures allowed
    source: str  # where the rule is published

    def describe(self) -> str:
        counted = ["spaces counted" if self.count_spaces else "spaces not counted",
                   "title counted" if self.count_title else "title not counted",
                   "headings counted" if self.count_headings else "headings not counted"]
        return f"{self.name}: {', '.join(counted)}"


# Published rules; see docs/abstracts.md for the sources and what each meeting counts.
PRESETS = {
    "asco": Rule("ASCO Annual Meeting", 2000, count_spaces=False, count_title=True, count_headings=True,
                 tables=1, figures=0, source="ASCO Annual Meeting abstract submission FAQs (2017, 2018)"),
    "eha": Rule("EHA Congress", 3665, count_spaces=True, count_title=False, count_headings=True,
                tables=0, figures=1, source="EHA2024 abstract submission specifications"),
    "ash": Rule("ASH Annual Meeting", 3800, count_spaces=True, count_title=False, count_headings=True,
                tables=0, figures=0, source="ASH 2024 call for abstracts (no tables or figures); character limit "
                "not confirmed from a stored source: check the current call"),
    "custom": Rule("Custom rule", 0, count_spaces=True, count_title=False, count_headings=True,
                   tables=0, figures=0, source="the trial spec's [abstract.limit]"),
}


@dataclass(frozen=True)
class Section:
    """One part of the abstract, its block laid out: a heading and its text, or (the table)
    its rows. `id` is the block's (report.blocks.catalogue)."""
    heading: str
    text: str
    id: str = ""
    rows: tuple[tuple[str, str], ...] = ()  # (label, value): the table's rows
    head: tuple[str, str] = ()  # the table's header row


@dataclass(frozen=True)
class Abstract:
    title: str
    authors: tuple[tuple[str, int | None], ...]  # (name, number of the affiliation)
    affiliations: tuple[str, ...]
    parts: tuple[Section, ...]  # in the order the spec chose ([report.abstract] blocks)

    @property
    def sections(self) -> tuple[Section, ...]:
        """The parts that are text, in order."""
        return tuple(p for p in self.parts if not p.rows)

    @property
    def table(self) -> tuple[tuple[str, str], ...]:
        """The table's rows; empty without a table."""
        return next((p.rows for p in self.parts if p.rows), ())


def rule_for(meeting: str, limit: AbstractLimit, max_chars: int | None = None) -> Rule:
    """The preset with the spec's overrides, then the command line's --max-chars."""
    rule = replace(PRESETS[meeting], **{k: v for k, v in limit.model_dump().items() if v is not None})
    return replace(rule, max_chars=max_chars) if max_chars is not None else rule


def compose(ledger: dict, spec: Spec, blocks: tuple[str, ...] | None = None,
            written: dict[str, str] | None = None) -> Abstract:
    """The abstract with the parts `blocks` names, in that order (default: every part, as
    PARTS lists them); the table only where the spec asks for one (include_table). `written`:
    the user's text of a part by its id ([narrative] abstract_results, ...), in place of the
    generated or the spec's text."""
    affiliations = tuple(dict.fromkeys(a.affiliation for a in spec.trial.authors if a.affiliation))
    chosen = tuple(PARTS if blocks is None else blocks)
    parts = (_users(part, written or {}) for part in _parts(ledger, spec, chosen, set(written or ())))
    return Abstract(
        title=spec.abstract.title or spec.trial.title,
        authors=tuple(_author(a, affiliations) for a in spec.trial.authors),
        affiliations=affiliations,
        parts=tuple(p for p in parts if p is not None),
    )


def _parts(ledger: dict, spec: Spec, chosen: tuple[str, ...], written: set[str]) -> list[Section | None]:
    """The parts chosen. Where the generated results and the table are both shown, the table holds
    the secondary outcomes and the text the primary, pointing to it: no number is given twice."""
    split = ({"abstract_results", "abstract_table"} <= set(chosen) and "abstract_results" not in written
             and _table_part(ledger, spec, primary=False) is not None)
    special = {"abstract_results": lambda: _results_part(ledger, spec, tabled=split),
               "abstract_table": lambda: _table_part(ledger, spec, primary=not split)}
    return [special[i]() if i in special else PARTS[i](ledger, spec) for i in chosen]


def _users(part: Section | None, written: dict[str, str]) -> Section | None:
    """The part with the user's text, where they wrote one (one paragraph: the abstract's parts are)."""
    if part is None or part.id not in written:
        return part
    return replace(part, text=" ".join(written[part.id].split()))


def _background(ledger: dict, spec: Spec) -> Section:
    return Section("Background", spec.abstract.background or spec.study.background, "abstract_background")


def _methods_part(ledger: dict, spec: Spec) -> Section:
    return Section("Methods", _methods(spec, ledger), "abstract_methods")


def _results_part(ledger: dict, spec: Spec, tabled: bool = False) -> Section:
    """The results in prose; `tabled`: the table holds the secondary outcomes (MRD, survival),
    to which the text points."""
    return Section("Results", _results(ledger, tabled), "abstract_results")


def _conclusions(ledger: dict, spec: Spec) -> Section:
    return Section("Conclusions", spec.abstract.conclusion, "abstract_conclusions")


def _table_part(ledger: dict, spec: Spec, primary: bool = True) -> Section | None:
    """The table where the spec asks for one; `primary`: with the primary outcome (response),
    which the results text gives otherwise."""
    rows = _table(ledger, primary) if spec.abstract.include_table else ()
    return Section("Table", "", "abstract_table", rows, TABLE_HEAD) if rows else None


TABLE_HEAD = ("Outcome", "Result")


# The abstract's parts by block id, in their default order (report.blocks.catalogue declares
# the same ids as blocks; [report.abstract] blocks chooses and orders them).
PARTS = {
    "abstract_background": _background,
    "abstract_methods": _methods_part,
    "abstract_results": _results_part,
    "abstract_conclusions": _conclusions,
    "abstract_table": _table_part,
}


def _author(author, affiliations: tuple[str, ...]) -> tuple[str, int | None]:
    return author.name, (affiliations.index(author.affiliation) + 1 if author.affiliation else None)


def _methods(spec: Spec, ledger: dict) -> str:
    study, trial = spec.study, spec.trial
    parts = [f"{trial.design or trial.phase}{f' ({trial.nct_id})' if trial.nct_id else ''}.",
             f"Eligible patients: {_lower_first(study.population)}"]
    parts += list(study.treatment)
    if study.cycle:
        parts.append(study.cycle)
    if study.endpoints:
        parts.append(study.endpoints)
    parts.append(_methods_statistics(ledger))
    return " ".join(p if p.endswith(".") else f"{p}." for p in parts)


def _methods_statistics(ledger: dict) -> str:
    m = ledger["methods"]
    confidence = number(m["confidence"] * 100, 0)
    return (f"Proportions are given with {m['proportion_ci_name']} {confidence}% CIs and survival was "
            f"estimated by the Kaplan-Meier method")


def _results(ledger: dict, tabled: bool = False) -> str:
    sentences = [_enrollment(ledger)]
    if ledger["response"]:
        sentences += _response(ledger, mrd=not tabled)
    if ledger["survival"] and not tabled:
        sentences.append(_survival(ledger))
    if tabled:
        sentences.append(TABLE_POINTER)
    sentences += _toxicity(ledger)
    return " ".join(sentences)


TABLE_POINTER = "Secondary outcomes are given in the Table."


def _enrollment(ledger: dict) -> str:
    population, age = ledger["population"], ledger["baseline"]["age"]
    text = (f"Between {month_year(ledger['accrual']['first_enrolled_on'])} and "
            f"{month_year(ledger['accrual']['last_enrolled_on'])}, {population['enrolled']} patients were enrolled "
            f"and {population['evaluable']} {ledger['methods']['populations']['efficacy']}")
    if age and age["n"]:  # None: not collected
        text += f" (median age {number(age['median'], 0)} years; range, {number(age['minimum'], 0)}{DASH}{number(age['maximum'], 0)})"
    return text + "."


def _response(ledger: dict, mrd: bool = True) -> list[str]:
    response = ledger["response"]
    codes = " or ".join(response["responder_codes"])
    out = [f"{codes} was achieved by {_proportion_ci(response['responders'])}."]
    first = response["after_first_cycle"]
    if first and first["n"]:  # None: the cycle of response was not collected
        out.append(f"Of the {first['n']} responders, {first['count']} responded after the first cycle.")
    negative = ledger["mrd"] if mrd else None  # with a table, MRD is given there
    if negative and negative["negative"]["n"]:
        out.append(f"Among {negative['negative']['n']} responders with MRD data, {_proportion_ci(negative['negative'], of=False)} "
                   f"were MRD-negative.")
    return out


def _proportion_ci(p: dict, of: bool = True) -> str:
    """'19 of 29 patients (66%; 95% CI, 46%\u201382%)', or '12 (92%; ...)' with of=False."""
    level = number(p["confidence"] * 100, 0)
    count = f"{p['count']} of {p['n']} patients" if of else str(p["count"])
    return f"{count} ({percent(p['proportion'])}; {level}% CI, {_limits(p['ci_low'], p['ci_high'])})"


def _limits(low: float, high: float) -> str:
    """'46%\u201382%' (the reports' one dash, DESIGN section 6): a CI's limits as whole percentages,
    both to one decimal where a whole one would print a rounded 0% or 100% that is not exact
    ('63.9%\u201399.8%', never '64%\u201399.8%')."""
    def inexact(value: float) -> bool:
        whole = percent(value)
        return (whole == "100%" and value < 1) or (whole == "0%" and value > 0)

    digits = 1 if inexact(low) or inexact(high) else 0
    return f"{percent(low, digits)}{DASH}{percent(high, digits)}"


def _survival(ledger: dict) -> str:
    unit = ledger["methods"]["time_unit"]
    phrases = []
    for name, block in ledger["survival"].items():
        endpoint = ledger["endpoints"][name]
        rates = [lm for lm in block["landmarks"] if lm["survival"] is not None]
        if not rates:
            continue
        label = in_sentence(endpoint["label"])
        among = f" among {endpoint['population']}" if endpoint["population"] != "efficacy population" else ""
        values = " and ".join(f"{percent(lm['survival'])} at {setting(lm['time'], 0)} {unit}" for lm in rates)
        phrases.append(f"{label}{among} was {values}")
    first = next(iter(ledger["survival"].values()))
    lead = f"With a median follow-up of {number(first['median_followup'])} {unit}, " if first["median_followup"] else ""
    text = lead + "; ".join(phrases) + "."
    return text[0].upper() + text[1:]


def _toxicity(ledger: dict) -> list[str]:
    safety, out = ledger["safety"], []
    if safety["any_event"] is None:
        out.append(ABSTRACT_ADVERSE_EVENTS)
    leading = (safety["leading_grade_3_plus"] or [])[:5]
    if leading:
        high = "grade 3 or higher" if ledger["methods"]["ae_grading"] == "ctcae" else "severe"
        items = [f"{t['term'].lower()} ({t['subjects']} patients, {percent(t['proportion'])})" for t in leading]
        out.append(f"The most common {high} adverse events were {_series(items)}.")
    window, early = next(iter(safety["deaths"]["early"].items()), (None, None))
    if window is not None:
        out.append("No patient died" if early == 0 and not mocking() else f"Early deaths: {early} {plural(early, 'patient')} died")
        out[-1] += f" within {window} days of enrollment."
    return out


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _table(ledger: dict, primary: bool = True) -> tuple[tuple[str, str], ...]:
    """Response (where `primary`), MRD and the survival landmarks."""
    rows = []
    if ledger["response"] and primary:
        p = ledger["response"]["responders"]
        rows.append((" or ".join(ledger["response"]["responder_codes"]), f"{p['count']}/{p['n']} ({percent(p['proportion'])})"))
    if ledger["mrd"] and ledger["mrd"]["negative"]["n"]:
        p = ledger["mrd"]["negative"]
        rows.append(("MRD-negative, responders tested", f"{p['count']}/{p['n']} ({percent(p['proportion'])})"))
    for name, block in ledger["survival"].items():
        rates = [lm for lm in block["landmarks"] if lm["survival"] is not None]
        times = "/".join(setting(lm["time"], 0) for lm in rates)
        rows.append((f"{name.upper()} at {times} {ledger['methods']['time_unit']}", "/".join(percent(lm["survival"]) for lm in rates)))
    return tuple(rows)


def in_sentence(label: str) -> str:
    """A title-cased label as it reads inside a sentence: 'Progression-Free Survival' ->
    'progression-free survival'; acronyms ('OS', 'CR/CRi') keep their capitals."""
    return re.sub(r"\b[A-Z][a-z]+\b", lambda word: word.group().lower(), label)


def _lower_first(text: str) -> str:
    """'Adults aged 65' -> 'adults aged 65'; an acronym ('HIV-positive') stays as it is."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def as_text(abstract: Abstract) -> str:
    """The abstract as it would be pasted into a submission form."""
    lines = [abstract.title, "", ", ".join(f"{name}{mark or ''}" for name, mark in abstract.authors)]
    lines += [f"{i}. {a}" for i, a in enumerate(abstract.affiliations, start=1)]
    for part in abstract.parts:
        if part.rows:
            lines += ["", "Table.", " | ".join(part.head)] + [f"{label} | {value}" for label, value in part.rows]
        else:
            lines += ["", f"{part.heading}: {part.text}"]
    return "\n".join(lines) + "\n"


def counted(abstract: Abstract, rule: Rule) -> str:
    """The text a meeting counts under `rule` (authors and affiliations never count)."""
    parts = [abstract.title] if rule.count_title else []
    for part in abstract.parts:
        if part.rows:
            parts += [cell for row in (part.head, *part.rows) for cell in row]
        else:
            parts += [part.heading, part.text] if rule.count_headings else [part.text]
    text = " ".join(parts)
    return text if rule.count_spaces else re.sub(r"\s+", "", text)


def character_count(abstract: Abstract, rule: Rule) -> int:
    return len(counted(abstract, rule))


def part_counts(abstract: Abstract, rule: Rule) -> list[tuple[str, str, int]]:
    """(heading, block id, characters) of the title (where counted) and each part, as `rule`
    counts them, longest first: where to shorten an abstract over its limit."""
    def count(text: str) -> int:
        return len(text if rule.count_spaces else re.sub(r"\s+", "", text))

    counts = [("Title", "", count(abstract.title))] if rule.count_title else []
    for part in abstract.parts:
        text = " ".join(c for row in (part.head, *part.rows) for c in row) if part.rows else (
            f"{part.heading} {part.text}" if rule.count_headings else part.text)
        counts.append((part.heading, part.id, count(text)))
    return sorted(counts, key=lambda c: -c[2])
