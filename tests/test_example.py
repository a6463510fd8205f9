"""The bundled S1318 example reproduces the figures presented at ASH 2018 (s1318-facts.md)."""
import pytest

from report.layout.formatting import percent
from report.layout.tables import response_table, total_groups


def test_population(ledger):
    assert ledger["trial"]["id"] == "S1318"
    assert ledger["data_cutoff"] == "2018-07-31"
    assert ledger["population"]["enrolled"] == 31
    assert ledger["population"]["treated"] == 29
    assert ledger["population"]["evaluable"] == 29


def test_baseline_age(ledger):
    age = ledger["baseline"]["age"]
    assert age["median"] == 75
    assert 65 <= age["minimum"] and age["maximum"] <= 88


def test_response_19_of_29_with_exact_ci(ledger):
    p = ledger["response"]["responders"]
    assert (p["count"], p["n"]) == (19, 29)
    assert percent(p["proportion"]) == "66%"
    assert (percent(p["ci_low"], 1), percent(p["ci_high"], 1)) == ("45.7%", "82.1%")
    assert p["ci_method"] == "clopper-pearson"
    categories = ledger["response"]["categories"]
    assert categories["CR"]["count"] + categories["CRi"]["count"] == 19
    assert sum(c["count"] for c in categories.values()) == 29


def test_response_after_first_cycle(ledger):
    p = ledger["response"]["after_first_cycle"]
    assert (p["count"], p["n"]) == (18, 19)


def test_mrd_negativity_12_of_13(ledger):
    p = ledger["mrd"]["negative"]
    assert (p["count"], p["n"]) == (12, 13)
    assert percent(p["proportion"]) == "92%"
    assert (percent(p["ci_low"], 1), percent(p["ci_high"], 1)) == ("64.0%", "99.8%")


def test_mrd_negativity_among_all_evaluable_counts_the_untested_as_not_negative(ledger):
    p = ledger["mrd"]["negative_of_evaluable"]
    assert (p["count"], p["n"], p["proportion"]) == (12, 29, 12 / 29)  # 6 responders untested, 10 non-responders
    rows = {row.label: row.cells for row in response_table(total_groups(ledger), ledger).rows}
    assert rows["MRD-negative (of all evaluable)"][:2] == ("12", "41.4")


@pytest.mark.parametrize(
    ("endpoint", "exact", "shown"),
    [
        ("os", (23 / 29, 21 / 29 * 17 / 19), ("79%", "65%")),
        ("dfs", (13 / 19, 13 / 19 * 9 / 11), ("68%", "56%")),
    ],
)
def test_survival_landmarks(ledger, endpoint, exact, shown):
    block = ledger["survival"][endpoint]
    assert [lm["time"] for lm in block["landmarks"]] == [6, 12]
    rates = [lm["survival"] for lm in block["landmarks"]]
    assert rates == pytest.approx(exact, abs=1e-12)
    assert tuple(percent(r) for r in rates) == shown
    assert block["conf_type"] == "log-log" and block["time_unit"] == "months"


def test_dfs_is_among_responders(ledger):
    assert ledger["survival"]["dfs"]["n"] == 19


@pytest.mark.parametrize(
    ("term", "patients", "shown"),
    [
        ("Hyperglycemia", 4, "14%"),
        ("Dyspnea", 3, "10%"),
        ("Febrile neutropenia", 3, "10%"),
        ("Hypertension", 3, "10%"),
        ("Lung infection", 2, "7%"),
    ],
)
def test_published_toxicity_counts(ledger, term, patients, shown):
    row = next(t for t in ledger["safety"]["terms"] if t["term"] == term)
    assert row["subjects"] == patients
    assert percent(row["proportion"]) == shown
    assert sum(row["max_grade"].values()) == patients


def test_no_death_within_28_days(ledger):
    assert ledger["safety"]["n"] == 29
    assert ledger["safety"]["deaths"]["early"]["28"] == 0


def test_leading_grade_3_terms_are_the_published_five(ledger):
    leading = [t["term"] for t in ledger["safety"]["leading_grade_3_plus"]]
    assert leading == ["Hyperglycemia", "Dyspnea", "Febrile neutropenia", "Hypertension", "Lung infection"]
