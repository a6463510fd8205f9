"""ars.json of the CDISC pilot: every demographic figure of its published Table 14-2.01 and
every adverse-event figure of its Table 14-5.01 (page 1) is found through its analysis (block,
kind of analysis, variable, method), its operation and its groups (arm, category, organ class,
term), with the value the data give: the published figures, and where the data differ from
them, the data's (tests/test_demographics_pilot.py lists where and why).
"""
from __future__ import annotations

import pytest

from report.layout.formatting import number, percent_number
from test_ae_tables_pilot import ARMS, _p_matches, published_rows
from test_adam import PILOT
from test_ars import Event, read, summary_bundle
from test_demographics_pilot import BMI_GROUPS_PUBLISHED, CATEGORICAL, CONTINUOUS, RACE_PUBLISHED

pytestmark = pytest.mark.needs("public-data")
TOTAL = "Total"


@pytest.fixture(scope="module")
def event(tmp_path_factory) -> Event:
    """The pilot's ars.json, from its summary bundle."""
    return read(summary_bundle(PILOT, tmp_path_factory.mktemp("pilot")))


@pytest.mark.parametrize("key", sorted(CONTINUOUS))
def test_pilot_table_14_2_01_continuous_figures_are_found(event, key):
    ns, means, sds, medians, minima, maxima, p = CONTINUOUS[key]
    for i, column in enumerate((*ARMS, TOTAL)):
        arm = "" if column == TOTAL else column

        def value(stat):
            return event.value("demographics", "continuous", key, stat, arm)

        assert int(value("n")) == ns[i]
        for stat, published, digits in (("mean", means, 1), ("sd", sds, 2), ("median", medians, 1), ("min", minima, 1),
                                        ("max", maxima, 1)):
            assert number(value(stat), digits) == published[i], (column, stat)
    found = event.value("demographics", "comparison", key, "p.value", "anova", method="analysis of variance")
    assert number(found, 4) == p


CATEGORY_COLUMNS = {"AGEGR": "AGE", "SEX": "SEX", "DURDSGR": "DURDIS", "RACE": "RACE", "BMIGR": "BMIBL"}
# Where the data differ from the published table (tests/test_demographics_pilot.py): the data's counts.
DATA_COUNTS = {
    "RACE": {"WHITE": tuple(a + b for a, b in zip(RACE_PUBLISHED["Caucasian"], RACE_PUBLISHED["Hispanic"])),
             "BLACK OR AFRICAN AMERICAN": RACE_PUBLISHED["African Descent"],
             "AMERICAN INDIAN OR ALASKA NATIVE": RACE_PUBLISHED["Other"]},
    "BMIGR": {**BMI_GROUPS_PUBLISHED, "<25": (59, 46, 44, 149)},
}


@pytest.mark.parametrize("key", sorted(CATEGORICAL))
def test_pilot_table_14_2_01_categorical_figures_are_found(event, key):
    categories, p = CATEGORICAL[key]
    variable = CATEGORY_COLUMNS[key]
    for level, (counts, percents) in categories.items():
        for i, column in enumerate((*ARMS, TOTAL)):
            arm = "" if column == TOTAL else column
            assert int(event.value("demographics", "categorical", variable, "n", arm, level)) == counts[i]
            share = event.value("demographics", "categorical", variable, "p", arm, level)
            assert int(number(share * 100, 0)) == percents[i], (level, column)
    assert number(event.value("demographics", "comparison", variable, "p.value", "chisq", method="chi-square"), 4) == p


@pytest.mark.parametrize("key", sorted(DATA_COUNTS))
def test_pilot_table_14_2_01_figures_where_the_data_differ_are_the_datas(event, key):
    for level, counts in DATA_COUNTS[key].items():
        found = tuple(int(event.value("demographics", "categorical", CATEGORY_COLUMNS[key], "n", arm, level))
                      for arm in (*ARMS, ""))
        assert found == counts, level


def _ae_where(row: dict) -> tuple[str, str, tuple[str, ...]]:
    """(variable, its levels) of a published row in the ae_soc_pt block: the overall row, an organ class, a term."""
    if row["label"] == "ANY BODY SYSTEM":
        return "..ard_hierarchical_overall..", ()
    if row["label"] == row["soc"]:
        return "AEBODSYS", (row["soc"],)
    return "AEDECOD", (row["soc"], row["label"])


@pytest.mark.parametrize("row", published_rows(), ids=lambda row: row["label"])
def test_pilot_table_14_5_01_figures_are_found(event, row):
    variable, levels = _ae_where(row)
    for arm, published in zip(ARMS, row["counts"]):
        analyses = [a for a in event.analyses("ae_soc_pt", "hierarchical", variable)]
        present = [r for a in analyses for r in a["results"] if event.levels(r) == (arm, *levels)]
        if published == (0, None, 0) and not present:
            continue  # no patient of the arm had it: no row
        n = int(event.value("ae_soc_pt", "hierarchical", variable, "n", arm, *levels))
        p = event.value("ae_soc_pt", "hierarchical", variable, "p", arm, *levels)
        events = int(event.value("ae_soc_pt", "hierarchical", variable, "n_events", arm, *levels))
        assert (n, percent_number(p) if n else None, events) == published
    for column, arm in (("low", ARMS[1]), ("high", ARMS[2])):
        found = event.value("ae_soc_pt", "comparison", variable, "p.value", arm, *levels[-1:], method="Fisher")
        assert _p_matches(found, row["p"].get(column)), (column, found)
