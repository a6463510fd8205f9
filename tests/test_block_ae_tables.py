"""The adverse-event tables (report/blocks/tables/ae_overview.py, ae_soc_pt.py, ae_worst_grade.py,
aesi.py): counts on a tiny trial written here, checked against counts made by hand; "not
collected" rows; the input checks of action_taken; each block's ard rows against the ledger;
a summary that asks for them."""
from __future__ import annotations

import math
import re
import shutil

import pandas as pd
import pyreadstat
import pytest

import report
from report.blocks.catalogue import BLOCKS
from report.blocks.tables import ae_overview, ae_soc_pt, ae_worst_grade, aesi
from report.errors import InputError
from report.layout.collected import NOT_COLLECTED
from report.stats.fisher import fisher_p
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADAM_EXAMPLE = ROOT / "data" / "adam-example"
SPEC = """
[trial]
id = "T-AE"
title = "Three arms, one without a treated patient"

[study]
population = "Adults"
background = "Background."

[analysis]
responders = ["CR"]
arms = ["A", "B", "C"]

[analysis.adverse_events]
p_values = true

[[analysis.adverse_events.special_interest]]
name = "Gastrointestinal toxicity"
terms = ["nausea", "VOMITING", "Constipation"]
"""
SUBJECTS = ["subject_id", "arm", "enrolled_on", "treated", "best_response", "died_on", "last_contact_on"]
AE = ["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious", "action_taken", "fatal"]
GI, GEN, SKIN = "Gastrointestinal disorders", "General disorders", "Skin disorders"
# A: P1, P2 treated, P3 not; B: P4, P5 treated; C: P7 not treated (safety N = 0).
PATIENTS = [("P1", "A", "true"), ("P2", "A", "true"), ("P3", "A", "false"), ("P4", "B", "true"),
            ("P5", "B", "true"), ("P7", "C", "false")]
EVENTS = [
    ("P1", "Nausea", GI, 1, "possible", "false", "DOSE NOT CHANGED", "false"),
    ("P1", "Nausea", GI, 3, "unrelated", "true", "DRUG WITHDRAWN", "false"),
    ("P1", "Fever", GEN, 2, "", "false", "", "false"),
    ("P2", "Vomiting", GI, 5, "definite", "true", "dose reduced", "true"),
    ("P3", "Nausea", GI, 2, "possible", "false", "", "false"),  # not treated: not in the safety population
    ("P4", "Rash", SKIN, 4, "probable", "false", "Drug Interrupted", "false"),
    ("P4", "Nausea", GI, 2, "unlikely", "false", "NOT APPLICABLE", "false"),
    ("P7", "Fever", GEN, 1, "possible", "false", "", "false"),
]


def write(folder: Path, events=EVENTS, header=AE, spec=SPEC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trial.toml").write_text(spec, encoding="utf-8")
    pd.DataFrame([(s, arm, "2020-01-01", treated, "NR", "", "2020-12-31") for s, arm, treated in PATIENTS],
                 columns=SUBJECTS).to_csv(folder / "subjects.csv", index=False)
    rows = [(e[0], e[1], e[2], e[3], "2020-02-01", *e[4:]) for e in events]
    full = pd.DataFrame(rows, columns=["subject_id", "term", "soc", "grade", "onset_on", "attribution", "serious",
                                       "action_taken", "fatal"])
    full[header].to_csv(folder / "adverse_events.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> dict:
    return report.analyze(report.load_trial(write(tmp_path_factory.mktemp("ae") / "trial"))).to_dict()


def part(ledger: dict, key: str, arm: str) -> dict:
    return ledger[key] if arm == "Total" else ledger["by_arm"][arm][key]


def share(count: int, n: int) -> dict:
    return {"count": count, "proportion": count / n if n else None}


# ------------------------------------------------------------------ counts made by hand

OVERVIEW = {  # field: (A, B, Total) patients
    "any_event": (2, 1, 3), "related": (2, 1, 3), "serious": (2, 0, 2), "grade_3_plus": (2, 1, 3),
    "grade_5": (1, 0, 1), "discontinuation": (1, 0, 1), "dose_modification": (1, 1, 2), "fatal": (1, 0, 1),
}


def test_the_overview_counts_patients_by_hand(ledger):
    for arm, n in (("A", 2), ("B", 2), ("C", 0), ("Total", 4)):
        got = part(ledger, "ae_overview", arm)
        assert got["n"] == n and got["grading"] == "ctcae"
        for field, counts in OVERVIEW.items():
            expected = {"A": counts[0], "B": counts[1], "C": 0, "Total": counts[2]}[arm]
            assert got[field]["subjects"] == expected, (arm, field)
            assert got[field]["proportion"] == (expected / n if n else None), (arm, field)
    assert [part(ledger, "ae_overview", a)["any_event"]["events"] for a in ("A", "B", "Total")] == [4, 2, 6]


def test_p_values_are_each_arm_against_the_reference_in_the_total_only(ledger):
    total = ledger["ae_overview"]
    for field, (a, b, _) in OVERVIEW.items():
        assert total[field]["p_values"] == {"B": fisher_p(b, 2, a, 2), "C": None}, field  # C: no patient to compare
    assert ledger["by_arm"]["A"]["ae_overview"]["any_event"]["p_values"] is None


def test_organ_classes_and_terms_by_incidence_by_hand(ledger):
    total = ledger["ae_soc_pt"]
    assert [(s["soc"], s["count"]["subjects"], s["count"]["events"]) for s in total["socs"]] == [
        (GI, 3, 4), (GEN, 1, 1), (SKIN, 1, 1)]  # GI first; then by name at one patient each
    assert [(t["term"], t["count"]["subjects"], t["count"]["events"]) for t in total["socs"][0]["terms"]] == [
        ("Nausea", 2, 3), ("Vomiting", 1, 1)]
    arm_b = ledger["by_arm"]["B"]["ae_soc_pt"]
    assert {s["soc"]: s["count"]["subjects"] for s in arm_b["socs"]} == {GI: 1, SKIN: 1}
    assert ledger["by_arm"]["C"]["ae_soc_pt"]["socs"] == []


def test_worst_grades_by_hand(ledger):
    def worst(p):
        return {k: v["count"] for k, v in p.items()}
    assert worst(ledger["by_arm"]["A"]["ae_worst_grade"]["any_event"]) == {"Any grade": 2, "Grade 3-4": 1, "Grade 5": 1}
    assert worst(ledger["by_arm"]["B"]["ae_worst_grade"]["any_event"]) == {"Any grade": 1, "Grade 3-4": 1, "Grade 5": 0}
    gi = ledger["ae_worst_grade"]["socs"][0]
    nausea = next(t for t in gi["terms"] if t["label"] == "Nausea")
    assert worst(nausea["worst"]) == {"Any grade": 2, "Grade 3-4": 1, "Grade 5": 0}  # P1 worst 3, P4 worst 2
    assert worst(gi["worst"]) == {"Any grade": 3, "Grade 3-4": 1, "Grade 5": 1}


def test_the_tables_of_one_group_share_its_events_and_no_other_group_sees_them(tmp_path):
    from report.analysis import adverse_events as ae
    from report.analysis.group import arm_group, total

    trial = report.load_trial(write(tmp_path / "trial"))
    whole, arm_a, arm_b = total(trial), arm_group(trial, "A", {}), arm_group(trial, "B", {})
    assert ae.events_of(whole).rows is ae.events_of(whole, compare=False).rows  # made once: its four AE tables share them
    assert [a for a, _ in ae.events_of(whole).arms] == ["A", "B", "C"] and ae.events_of(whole, compare=False).arms == ()
    assert {ae.events_of(g).n for g in (arm_a, arm_b)} == {2} and ae.events_of(whole).n == 4
    assert set(ae.events_of(arm_a).rows["subject_id"]).isdisjoint(ae.events_of(arm_b).rows["subject_id"])


def test_special_interest_groups_match_terms_in_any_case(ledger):
    (group,) = ledger["aesi"]["groups"]
    assert group["label"] == "Gastrointestinal toxicity"
    assert {k: v["count"] for k, v in group["worst"].items()} == {"Any grade": 3, "Grade 3-4": 1, "Grade 5": 1}
    assert [t["label"] for t in group["terms"]] == ["Nausea", "Vomiting", "Constipation"]  # the data's spelling
    assert group["terms"][2]["worst"]["Any grade"] == share(0, 4)  # a listed term nobody had


def test_special_interest_p_values_compare_patients_with_any_grade(ledger):
    (group,) = ledger["aesi"]["groups"]
    # the group: A P1 and P2 of 2, B P4 of 2; nausea: A P1, B P4; constipation: nobody; C has no treated patient
    assert group["p_values"] == {"B": _fisher_by_hand(1, 2, 2, 2), "C": None}
    assert [t["p_values"] for t in group["terms"]] == [{"B": _fisher_by_hand(1, 2, 1, 2), "C": None},
                                                      {"B": _fisher_by_hand(0, 2, 1, 2), "C": None},
                                                      {"B": _fisher_by_hand(0, 2, 0, 2), "C": None}]
    assert ledger["by_arm"]["A"]["aesi"]["groups"][0]["p_values"] is None
    laid = aesi.table(ledger).table
    assert laid.counts[-2:] == ("p vs A", "p vs A")
    rows = [(row.label, row.cells[4:]) for row in laid.rows]
    assert rows[0] == ("Gastrointestinal toxicity", ("1.000", "\u2014")) and rows[1] == ("Grade 3-4", ("", ""))
    stats = {(s.variable, s.variable_level, s.group2_level): s.stat for s in aesi.ard(ledger["aesi"], ledger)
             if s.stat_name == "p.value"}
    assert stats[("special_interest", "Gastrointestinal toxicity", "B")] == group["p_values"]["B"]
    assert stats[("term", "Vomiting", "C")] is None
    assert ledger["ae_worst_grade"]["socs"][0]["p_values"] is None  # AET04 compares no arms


# ------------------------------------------------------------------ the tables


def test_the_overview_table(ledger):
    laid = ae_overview.table(ledger).table
    assert laid.columns == ("A", "B", "C", "Total", "B", "C")
    assert laid.counts == ("N = 2", "N = 2", "N = 0", "N = 4", "p vs A", "p vs A")
    rows = {row.label: row.cells for row in laid.rows}
    assert rows["Any adverse event"] == ("2 (100.0%)", "1 (50.0%)", "-", "3 (75.0%)", "1.000", "\u2014")
    assert rows["Leading to dose modification or interruption"][:4] == ("1 (50.0%)", "1 (50.0%)", "-", "2 (50.0%)")
    assert rows["Serious adverse event"][1] == "0"


def test_p_value_headers_break_only_between_words(ledger):
    laid = ae_soc_pt.table(ledger).table
    for head, count in laid.heads[4:]:
        assert count == "p vs A" and " " in count  # two lines: the arm, then "p vs A"; the cell wraps at spaces only


def test_the_soc_table_prints_events_and_a_dash_for_an_empty_arm(ledger):
    laid = ae_soc_pt.table(ledger)
    rows = {row.label: row.cells for row in laid.table.rows}
    assert rows["Nausea"][:4] == ("1 (50.0%) [2]", "1 (50.0%) [1]", "-", "2 (50.0%) [3]")
    assert [row.label for row in laid.table.rows] == ["Any adverse event", GI, "Nausea", "Vomiting", GEN, "Fever",
                                                      SKIN, "Rash"]
    assert [[row.label for row in body] for body in laid.bodies][1] == [GI, "Nausea", "Vomiting"]
    assert "Fisher's exact test, two-sided, each arm against A" in laid.note


def test_the_worst_grade_table_has_a_row_per_grade_column(ledger):
    labels = [row.label for row in ae_worst_grade.table(ledger).table.rows]
    assert labels[:4] == ["Any adverse event", "Grade 3-4", "Grade 5", GI]
    # a term's grade rows that nobody in the total has are left out
    fever = labels.index("Fever")
    assert labels[fever - 3:fever + 2] == [GEN, "Grade 3-4", "Grade 5", "Fever", SKIN]


# ------------------------------------------------------------------ not collected


def test_columns_the_data_lack_are_not_collected_never_zero(tmp_path):
    folder = write(tmp_path / "t", header=AE[:7])  # no action_taken, no fatal
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    total = ledger["ae_overview"]
    assert total["discontinuation"] is None and total["dose_modification"] is None and total["fatal"] is None
    assert total["serious"]["subjects"] == 2
    rows = {row.label: row.cells for row in ae_overview.table(ledger).table.rows}
    assert set(rows["Leading to death"]) == {NOT_COLLECTED}
    assert set(rows["Leading to discontinuation of treatment"]) == {NOT_COLLECTED}


def test_no_adverse_event_file_is_not_collected(tmp_path):
    folder = write(tmp_path / "t")
    (folder / "adverse_events.csv").unlink()
    ledger = report.analyze(report.load_trial(folder)).to_dict()
    for key, block in (("ae_overview", ae_overview), ("ae_soc_pt", ae_soc_pt), ("ae_worst_grade", ae_worst_grade),
                       ("aesi", aesi)):
        assert ledger[key] is None
        assert [set(row.cells) for row in block.table(ledger).table.rows] == [{NOT_COLLECTED}]


def test_an_action_not_in_cdisc_terminology_is_an_input_problem_naming_every_cell(tmp_path):
    events = EVENTS[:1] + [("P1", "Fever", GEN, 2, "", "false", "stopped", "false"),
                           ("P4", "Rash", SKIN, 4, "", "false", "dose held", "false")]
    with pytest.raises(InputError) as caught:
        report.load_trial(write(tmp_path / "t", events=events))
    problems = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert problems == [("adverse_events.csv", 3, "action_taken"), ("adverse_events.csv", 4, "action_taken")]
    assert "DRUG WITHDRAWN" in caught.value.problems[0].message


def test_adam_aeacn_and_aesdth(tmp_path):
    data = tmp_path / "adam"
    shutil.copytree(ADAM_EXAMPLE, data)
    adae, _ = pyreadstat.read_xport(str(data / "adae.xpt"))
    adae["AEACN"] = ["DRUG WITHDRAWN" if i % 7 == 0 else "dose not changed" for i in range(len(adae))]
    adae["AESDTH"] = ["Y" if i % 50 == 0 else "N" for i in range(len(adae))]
    pyreadstat.write_xport(adae, str(data / "adae.xpt"), table_name="ADAE")
    trial = report.load_trial(data)
    ledger = report.analyze(trial).to_dict()
    safety = set(trial.subjects.loc[trial.subjects["safety"], "subject_id"])
    raw = adae[(adae["TRTEMFL"] == "Y") & adae["USUBJID"].isin(safety)]
    assert ledger["ae_overview"]["discontinuation"]["subjects"] == raw.loc[raw["AEACN"] == "DRUG WITHDRAWN", "USUBJID"].nunique()
    assert ledger["ae_overview"]["fatal"]["subjects"] == raw.loc[raw["AESDTH"] == "Y", "USUBJID"].nunique()
    assert ledger["ae_overview"]["dose_modification"]["subjects"] == 0
    adae.loc[3, "AEACN"] = "PAUSED"
    pyreadstat.write_xport(adae, str(data / "adae.xpt"), table_name="ADAE")
    with pytest.raises(InputError) as caught:
        report.load_trial(data)
    assert [(p.file, p.row, p.column) for p in caught.value.problems] == [("adae.xpt", 4, "AEACN")]


# ------------------------------------------------------------------ ard.csv rows


def _stats(block_id: str, ledger: dict):
    block = BLOCKS[block_id]
    return {arm: list(block.ard(part(ledger, block_id, arm), ledger)) for arm in ("A", "B", "C", "Total")}


def test_the_ard_rows_carry_the_ledger_numbers(ledger):
    for arm, stats in _stats("ae_soc_pt", ledger).items():
        p = part(ledger, "ae_soc_pt", arm)
        n = {(s.variable, s.variable_level, s.group2_level): s.stat for s in stats if s.stat_name == "n"}
        assert n[("..ard_hierarchical_overall..", "", "")] == p["any_event"]["subjects"]
        for soc in p["socs"]:
            assert n[("soc", soc["soc"], "")] == soc["count"]["subjects"]
            for term in soc["terms"]:
                assert n[("term", term["term"], soc["soc"])] == term["count"]["subjects"]
        assert {s.stat for s in stats if s.stat_name == "N"} <= {p["n"]}
        assert all(s.context == "hierarchical" for s in stats if s.stat_name != "p.value")
    total = _stats("ae_overview", ledger)["Total"]
    p_values = {(s.variable, s.group2_level): s.stat for s in total if s.stat_name == "p.value"}
    assert p_values[("any_event", "B")] == ledger["ae_overview"]["any_event"]["p_values"]["B"]
    assert p_values[("any_event", "C")] is None
    graded = _stats("ae_worst_grade", ledger)["A"]
    nausea = {s.variable_level: s.stat for s in graded if s.group2_level == "Nausea" and s.stat_name == "n"}
    assert nausea == {"Any grade": 1, "Grade 3-4": 1, "Grade 5": 0}
    special = _stats("aesi", ledger)["Total"]
    assert any(s.group2 == "special_interest" and s.variable_level == "Grade 5" and s.stat == 1 for s in special)


# ------------------------------------------------------------------ a trial asks for them


def test_a_summary_that_asks_for_them_shows_them_and_the_open_page_refuses_them(tmp_path):
    folder = write(tmp_path / "t", spec=SPEC + '\n[report.summary]\nblocks = ["masthead", "ae_overview", "aesi", '
                                               '"ae_soc_pt", "ae_worst_grade"]\n')
    bundle = report.build(report.load_trial(folder), kind="summary", formats=("html",), out=tmp_path / "out")
    html = next(p for p in bundle.files if p.suffix == ".html").read_text(encoding="utf-8")
    order = [html.index(f'id="{key}"') for key in ("ae_overview", "aesi", "ae_soc_pt", "ae_worst_grade")]
    assert order == sorted(order)
    section = html.split('<section id="ae_soc_pt">')[1].split("</section>")[0]
    assert section.count("<tbody>") == 4  # any event, then one body per organ class
    assert "<td>1 (50.0%) [2]</td>" in section and "p vs A" in section
    assert not any(BLOCKS[key].open_safe for key in ("ae_overview", "aesi", "ae_soc_pt", "ae_worst_grade"))


def test_the_special_interest_block_shows_only_where_the_spec_defines_groups(tmp_path, ledger):
    from report.blocks.block import Context
    assert aesi.shown(ledger, Context("summary", spec={"analysis": {"adverse_events": {"special_interest": [{}]}}}))
    folder = write(tmp_path / "t", spec=SPEC.split("[[analysis")[0])
    plain = report.analyze(report.load_trial(folder)).to_dict()
    assert plain["aesi"] is None and not aesi.shown(plain, Context("summary", spec={"analysis": {}}))


# ------------------------------------------------------------------ Fisher's exact test


def _fisher_by_hand(a: int, n_a: int, b: int, n_b: int) -> float:
    """Sum of the hypergeometric probabilities no larger than the observed table's (R's rule)."""
    k, total = a + b, n_a + n_b
    prob = {x: math.comb(n_a, x) * math.comb(n_b, k - x) / math.comb(total, k) for x in range(max(0, k - n_b), min(k, n_a) + 1)}
    return min(1.0, sum(p for p in prob.values() if p <= prob[a] * (1 + 1e-7)))


@pytest.mark.parametrize("table", [(65, 86, 77, 84), (2, 86, 7, 84), (0, 86, 1, 84), (3, 10, 7, 10), (5, 5, 0, 5),
                                   (0, 3, 0, 4), (12, 40, 12, 40)])
def test_fisher_p_equals_the_hypergeometric_sum(table):
    assert fisher_p(*table) == pytest.approx(_fisher_by_hand(*table), rel=1e-12, abs=1e-15)


def test_fisher_p_is_none_for_an_empty_group():
    assert fisher_p(0, 0, 3, 10) is None and fisher_p(3, 10, 0, 0) is None


# ------------------------------------------------------------------ pages of a long table


def _long_trial(folder: Path) -> dict[str, list[str]]:
    """Three arms, 240 patients, organ classes of 2 to 70 terms (one longer than a page)."""
    rng = __import__("random").Random(7)
    socs = {f"Organ class {i:02d}": [f"Term {i:02d}-{j:02d}" for j in range(n)]
            for i, n in enumerate([70, 3, 12, 25, 2, 8, 30, 5, 18, 4, 40, 6])}
    folder.mkdir()
    (folder / "trial.toml").write_text(SPEC.replace('arms = ["A", "B", "C"]', 'arms = ["A", "B", "C"]')
                                       .replace("[[analysis", "[report.summary]\nblocks = [\"ae_soc_pt\"]\n\n[[analysis", 1),
                                       encoding="utf-8")
    subjects = [(f"S{i:03d}", "ABC"[i % 3], "2020-01-01", "true", "NR", "", "2020-12-31") for i in range(240)]
    pd.DataFrame(subjects, columns=SUBJECTS).to_csv(folder / "subjects.csv", index=False)
    events = [(f"S{rng.randrange(240):03d}", term, soc, rng.randint(1, 5), "2020-02-01", "possible", "false", "", "false")
              for soc, terms in socs.items() for term in terms for _ in range(rng.randint(1, 4))]
    pd.DataFrame(events, columns=AE).to_csv(folder / "adverse_events.csv", index=False)
    return socs


def test_a_long_table_repeats_its_header_and_keeps_each_organ_class_on_one_page(tmp_path):
    """WeasyPrint, as the report renders it: the header on every page of the table, and an
    organ class that fits on a page printed whole on one (its rows are one <tbody>)."""
    import pypdf

    socs = _long_trial(tmp_path / "t")
    bundle = report.build(report.load_trial(tmp_path / "t"), kind="summary", formats=("pdf",), out=tmp_path / "out")
    pdf = next(p for p in bundle.files if p.suffix == ".pdf")
    pages = [page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages]
    assert len(pages) > 4
    table_pages = [i for i, text in enumerate(pages) if "Term " in text]
    assert all("p vs A" in pages[i] and "N = 80" in pages[i] for i in table_pages)

    def page_of(label: str) -> int:
        (found,) = [i for i, text in enumerate(pages) if re.search(rf"^{re.escape(label)}\b", text, re.M)]
        return found

    for soc, terms in socs.items():
        if len(terms) <= 30:
            assert {page_of(term) for term in terms} == {page_of(soc)}, soc
    assert len({page_of(term) for term in socs["Organ class 00"]}) > 1  # longer than a page: it breaks within


# ------------------------------------------------------------------ the spec section


@pytest.mark.parametrize("section, message", [
    ('[analysis.adverse_events]\np_values = "maybe"\n', "p_values"),
    ('[[analysis.adverse_events.special_interest]]\nname = "CRS"\nterms = []\n', "terms"),
    ('[[analysis.adverse_events.special_interest]]\nname = "CRS"\nterms = ["a", "A"]\n', "a term is listed twice"),
    ('[[analysis.adverse_events.special_interest]]\nname = "X"\nterms = ["a"]\n'
     '[[analysis.adverse_events.special_interest]]\nname = "x"\nterms = ["b"]\n', "named twice"),
    ('[analysis.adverse_events]\np_value = true\n', "p_value"),
])
def test_a_bad_adverse_event_section_is_refused_with_its_key_path(tmp_path, section, message):
    from report.inputs.spec import load_spec

    (tmp_path / "trial.toml").write_text(SPEC.split("[analysis.adverse_events]")[0] + section, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_spec(tmp_path)
    text = str(caught.value)
    assert "analysis.adverse_events" in text and message in text
