"""The CDISC pilot's published Table 14-2.01 (Summary of Demographic and Baseline
Characteristics, intent-to-treat population; /work/shared/data/cdiscpilot01/csr-table-14-2-01.txt)
reproduced from the pilot's ADSL by the `demographics` block and the spec in
tests/fixtures/adam/cdiscpilot01/trial.toml, figure by figure at the printed precision.

Where the published table and the data differ, the data are the truth. The differences:
- Race. The table prints Caucasian 75/72/71 (218), African Descent 8/6/9, Hispanic 3/6/3 and
  Other 0/0/1, p = 0.6477. ADSL's RACE has no Hispanic: the program took Hispanic from the
  ethnicity and counted those patients out of their race. The data give White 78/78/74 (230)
  (= Caucasian + Hispanic), Black or African American 8/6/9 (as African Descent), American
  Indian or Alaska Native 0/0/1 (as Other), and so another chi-square p-value (0.604).
- Baseline BMI group. The table prints <25 59/47/44 (150), although its BMI row counts 83
  patients with a BMI in the low dose arm: the program put the patient whose BMI is missing
  into <25 (SAS orders a missing value below every number; ADSL's BMIBLGR1 does the same).
  From BMIBL the data give <25 59/46/44 (149) and a Missing row 0/1/0, and p = 0.224 (0.2326).
Everything else equals the published table: every n, mean, SD, median, min, max, count,
percentage and p-value.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import report
from report.blocks.catalogue import BLOCKS
from report.blocks.block import Context
from report.layout.formatting import number

ROOT = Path(__file__).resolve().parents[1]
PILOT = ROOT / "tests" / "fixtures" / "adam" / "cdiscpilot01"
PUBLISHED = ROOT.parent / "shared" / "data" / "cdiscpilot01" / "csr-table-14-2-01.txt"
pytestmark = pytest.mark.needs("public-data")
COLUMNS = ("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose", "Total")

# Published: per column (placebo, low, high, total): n, mean, SD, median, min, max; then the p-value.
CONTINUOUS = {
    "AGE": ((86, 84, 84, 254), ("75.2", "75.7", "74.4", "75.1"), ("8.59", "8.29", "7.89", "8.25"),
            ("76.0", "77.5", "76.0", "77.0"), ("52.0", "51.0", "56.0", "51.0"), ("89.0", "88.0", "88.0", "89.0"), "0.5934"),
    "MMSETOT": ((86, 84, 84, 254), ("18.0", "17.9", "18.5", "18.1"), ("4.27", "4.22", "4.16", "4.21"),
                ("19.5", "18.0", "20.0", "19.0"), ("10.0", "10.0", "10.0", "10.0"), ("23.0", "24.0", "24.0", "24.0"), "0.5947"),
    "DURDIS": ((86, 84, 84, 254), ("42.7", "48.7", "40.5", "43.9"), ("30.24", "29.58", "24.69", "28.40"),
               ("35.3", "40.3", "36.0", "36.3"), ("7.2", "7.8", "2.2", "2.2"), ("183.1", "130.8", "135.0", "183.1"), "0.1530"),
    "EDUCLVL": ((86, 84, 84, 254), ("12.6", "13.2", "12.5", "12.8"), ("2.95", "4.15", "2.92", "3.38"),
                ("12.0", "12.0", "12.0", "12.0"), ("6.0", "3.0", "6.0", "3.0"), ("21.0", "24.0", "20.0", "24.0"), "0.3875"),
    "WEIGHTBL": ((86, 83, 84, 253), ("62.8", "67.3", "70.0", "66.6"), ("12.77", "14.12", "14.65", "14.13"),
                 ("60.6", "64.9", "69.2", "66.7"), ("34.0", "45.4", "41.7", "34.0"), ("86.2", "106.1", "108.0", "108.0"), "0.0030"),
    "HEIGHTBL": ((86, 84, 84, 254), ("162.6", "163.4", "165.8", "163.9"), ("11.52", "10.42", "10.13", "10.76"),
                 ("162.6", "162.6", "165.1", "162.9"), ("137.2", "135.9", "146.1", "135.9"),
                 ("185.4", "195.6", "190.5", "195.6"), "0.1262"),
    "BMIBL": ((86, 83, 84, 253), ("23.6", "25.1", "25.3", "24.7"), ("3.67", "4.27", "4.16", "4.09"),
              ("23.4", "24.3", "24.8", "24.2"), ("15.1", "17.7", "13.7", "13.7"), ("33.3", "40.1", "34.5", "40.1"), "0.0133"),
}
# Published: category -> counts (placebo, low, high, total) and whole percentages; then the p-value.
CATEGORICAL = {
    "AGEGR": ({"<65 yrs": ((14, 8, 11, 33), (16, 10, 13, 13)), "65-80 yrs": ((42, 47, 55, 144), (49, 56, 65, 57)),
               ">80 yrs": ((30, 29, 18, 77), (35, 35, 21, 30))}, "0.1439"),
    "SEX": ({"M": ((33, 34, 44, 111), (38, 40, 52, 44)), "F": ((53, 50, 40, 143), (62, 60, 48, 56))}, "0.1409"),
    "DURDSGR": ({"<12 months": ((5, 3, 4, 12), (6, 4, 5, 5)), ">=12 months": ((81, 81, 80, 242), (94, 96, 95, 95))},
                "0.7885"),
}
# Where the data differ (see the module's docstring): the published figures, then the data's.
RACE_PUBLISHED = {"Caucasian": (75, 72, 71, 218), "African Descent": (8, 6, 9, 23), "Hispanic": (3, 6, 3, 12),
                  "Other": (0, 0, 1, 1)}
BMI_GROUPS_PUBLISHED = {"<25": (59, 47, 44, 150), "25-<30": (21, 27, 28, 76), ">=30": (6, 10, 12, 28)}


@pytest.fixture(scope="module")
def ledger() -> dict:
    return report.analyze(report.load_trial(PILOT)).to_dict()


def _parts(ledger: dict, key: str) -> list[dict]:
    return [ledger["by_arm"][arm]["demographics"]["variables"][key] for arm in COLUMNS[:3]] + \
        [ledger["demographics"]["variables"][key]]


def test_the_population_is_the_intent_to_treat_population(ledger):
    assert ledger["arms"] == list(COLUMNS[:3])
    assert [ledger["by_arm"][a]["demographics"]["n"] for a in COLUMNS[:3]] + [ledger["demographics"]["n"]] == [86, 84, 84, 254]
    assert ledger["demographics"]["population"] == "itt"
    assert "(N=86)" in PUBLISHED.read_text() and "Population: Intent-to-Treat" in PUBLISHED.read_text()


@pytest.mark.parametrize("key", sorted(CONTINUOUS))
def test_continuous_variables_equal_the_published_table(ledger, key):
    ns, means, sds, medians, minima, maxima, p = CONTINUOUS[key]
    parts = _parts(ledger, key)
    assert tuple(v["n"] for v in parts) == ns
    assert tuple(number(v["description"]["mean"], 1) for v in parts) == means
    assert tuple(number(v["description"]["sd"], 2) for v in parts) == sds
    assert tuple(number(v["description"]["median"], 1) for v in parts) == medians
    assert tuple(number(v["description"]["min"], 1) for v in parts) == minima
    assert tuple(number(v["description"]["max"], 1) for v in parts) == maxima
    assert number(parts[-1]["comparison"]["p_value"], 4) == p
    assert parts[-1]["comparison"]["test"] == "anova"


@pytest.mark.parametrize("key", sorted(CATEGORICAL))
def test_categorical_variables_equal_the_published_table(ledger, key):
    categories, p = CATEGORICAL[key]
    parts = _parts(ledger, key)
    for level, (counts, percents) in categories.items():
        shares = [next(c["share"] for c in v["categories"] if c["level"] == level) for v in parts]
        assert tuple(s["count"] for s in shares) == counts, level
        assert tuple(int(number(s["proportion"] * 100, 0)) for s in shares) == percents, level
    assert [c["level"] for c in parts[-1]["categories"]] == list(categories)  # the published order
    assert number(parts[-1]["comparison"]["p_value"], 4) == p
    assert parts[-1]["comparison"]["test"] == "chisq"


def test_race_differs_from_the_published_table_as_the_data_say(ledger):
    parts = _parts(ledger, "RACE")
    counts = {c["level"]: tuple(next(x["share"]["count"] for x in v["categories"] if x["level"] == c["level"]) for v in parts)
              for c in parts[-1]["categories"]}
    white = tuple(a + b for a, b in zip(RACE_PUBLISHED["Caucasian"], RACE_PUBLISHED["Hispanic"]))
    assert counts == {"WHITE": white, "BLACK OR AFRICAN AMERICAN": RACE_PUBLISHED["African Descent"],
                      "AMERICAN INDIAN OR ALASKA NATIVE": RACE_PUBLISHED["Other"]}
    assert number(parts[-1]["comparison"]["p_value"], 4) != "0.6477"
    assert "Hispanic" in PUBLISHED.read_text()


def test_the_bmi_groups_differ_by_the_patient_without_a_bmi(ledger):
    parts = _parts(ledger, "BMIGR")
    counts = {c["level"]: tuple(next(x["share"]["count"] for x in v["categories"] if x["level"] == c["level"]) for v in parts)
              for c in parts[-1]["categories"]}
    published = dict(BMI_GROUPS_PUBLISHED)
    published["<25"] = (59, 46, 44, 149)  # the published 47 and 150 count the low-dose patient whose BMI is missing
    assert counts == published
    assert tuple(v["missing"]["count"] for v in parts) == (0, 1, 0, 1)
    assert number(parts[-1]["comparison"]["p_value"], 4) != "0.2326"


def test_the_table_prints_the_published_figures(ledger):
    view = BLOCKS["demographics"].view(ledger, Context("summary"))
    rows = {(r.label, r.cells[0]) for r in view.table.rows}
    assert ("Mean (SD)", "75.2 (8.59)") in rows and ("Min, Max", "34.0, 86.2") in rows
    assert view.table.columns == (*COLUMNS, "p-value")
    assert view.table.counts[:4] == ("N = 86", "N = 84", "N = 84", "N = 254")
    notes = " ".join(view.notes)
    assert "intent-to-treat population (N = 254)" in notes
    assert "one-way analysis of variance" in notes and "Pearson's chi-square test (no continuity correction)" in notes
    assert "type 7" in notes


def test_the_pdf_keeps_each_variable_whole_and_repeats_the_header(tmp_path):
    """The pilot's table runs over pages: every page of it starts with the column header, and
    a variable's heading is on the page of its last row."""
    from pypdf import PdfReader

    from conftest import run_cli

    folder = tmp_path / "pilot"
    folder.mkdir()
    text = (PILOT / "trial.toml").read_text(encoding="utf-8")
    data = (ROOT.parent / "shared" / "data" / "cdiscpilot01").resolve()
    text = text.replace('path = "../../../../../shared/data/cdiscpilot01"', f'path = "{data}"')
    text = text.replace("[report]\nae_min_percent = 5", '[report]\nae_min_percent = 5\n\n[report.summary]\n'
                        'blocks = ["masthead", "study", "demographics", "methods"]')
    (folder / "trial.toml").write_text(text, encoding="utf-8")
    result = run_cli("build", str(folder), "--out", str(tmp_path / "out"), "--format", "pdf")
    assert result.returncode == 0, result.stderr
    pdf = next((tmp_path / "out").rglob("summary.pdf"))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]
    table = [p for p in pages if "Xanomeline Low Dose" in p and "p-value" in p]
    assert len(table) >= 2  # the table runs over pages, its header on each
    text = " <<PAGE>> ".join(pages)
    region = text[text.index("Demographic and baseline characteristics, intent-to-treat population"):
                  text.index("Population: intent-to-treat population")]
    assert region.count("<<PAGE>>") >= 1
    ledger = report.analyze(report.load_trial(PILOT)).to_dict()
    for variable in ledger["demographics"]["variables"].values():
        last = "Min, Max" if variable["kind"] == "continuous" else variable["categories"][-1]["label"]
        if variable["missing"]["count"]:
            last = "Missing"
        start = region.index(variable["label"])
        end = region.index(last, start)
        assert "<<PAGE>>" not in region[start:end], f"{variable['label']} is split over pages"
