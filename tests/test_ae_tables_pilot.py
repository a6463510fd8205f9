"""The CDISC pilot's Table 14-5.01, page 1 (treatment-emergent adverse events by system organ
class and preferred term, safety population, Fisher's exact p-values of placebo against each
dose), reproduced by the `ae_soc_pt` block from the pilot's ADAE: every count, percentage,
number of events and p-value at the precision the table prints.

The published page and the shared data agree on every figure. What differs is how they are
printed and ordered, not what they count:
- p-values: the CSR prints ">0.99" where ours is 1 (we print "1.000", DESIGN section 6: three
  decimals), flags p <= 0.15 with "*" (we do not), and leaves the cell empty where neither arm
  had the event (CARDIAC DISORDER, placebo vs low dose): R's fisher.test gives p = 1 for that
  table, and so do we.
- order: the CSR lists organ classes alphabetically and terms by the high-dose column; ours
  sorts both by the total column (then by name), as AET02 does. The test therefore matches
  rows by name.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import report
from report.blocks.tables.ae_soc_pt import table
from report.layout.formatting import percent_number

FIXTURE = Path(__file__).parent / "fixtures" / "adam" / "cdiscpilot01"
PUBLISHED = Path(__file__).resolve().parents[2] / "shared" / "data" / "cdiscpilot01" / "csr-table-14-5-01-page1.txt"
ARMS = ("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
CELL = re.compile(r"(\d+) \(\s*([\d.]+)%\) \[(\d+)\]|(?<![\d(\[])0(?![\d.%)\]])")
P_VALUE = re.compile(r">0\.99|\d\.\d{3}")
LOW_HIGH_BOUNDARY = 102  # the text column between the two p-value columns of the page

pytestmark = pytest.mark.needs("public-data")


def published_rows() -> list[dict]:
    """Each row of the page: label, organ class (or None for a term's own), (n, %, events) per arm,
    p-values by column ('low', 'high'); a label wrapped onto the next line joined again."""
    lines = PUBLISHED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("ANY BODY SYSTEM"))
    rows, soc = [], None
    for line in lines[start:]:
        if line.startswith("Note:"):
            break
        cells = list(CELL.finditer(line))
        if not cells:
            if line.strip() and rows:
                rows[-1]["label"] += " " + line.strip()
            continue
        label = line[:cells[0].start()]
        if not label.startswith(" ") and not label.startswith("ANY"):
            soc = label.strip()
        counts = [(0, None, 0) if m.group(1) is None else (int(m.group(1)), m.group(2), int(m.group(3)))
                  for m in cells[:3]]
        end = cells[2].end()
        p_values = {("low" if end + m.start() < LOW_HIGH_BOUNDARY else "high"): m.group(0)
                    for m in P_VALUE.finditer(line[end:])}
        rows.append({"label": label.strip(), "soc": soc, "counts": counts, "p": p_values})
    return rows


@pytest.fixture(scope="module")
def ledger() -> dict:
    return report.analyze(report.load_trial(FIXTURE)).to_dict()


def _count(part: dict, row: dict) -> dict | None:
    if row["label"] == "ANY BODY SYSTEM":
        return part["any_event"]
    soc = next((s for s in part["socs"] if s["soc"] == row["soc"]), None)
    if soc is None:
        return None
    if row["label"] == row["soc"]:
        return soc["count"]
    return next((t["count"] for t in soc["terms"] if t["term"] == row["label"]), None)


def _printed(count: dict | None) -> tuple[int, str | None, int]:
    if not count or not count["subjects"]:
        return (0, None, 0)
    return (count["subjects"], percent_number(count["proportion"]), count["events"])


def _p_matches(value: float, printed: str | None) -> bool:
    if printed is None:  # the CSR leaves it empty where neither arm had the event; R's fisher.test gives 1
        return value == 1.0
    if printed == ">0.99":
        return value > 0.99
    return f"{value:.3f}" == printed


def test_the_page_has_what_the_test_is_about():
    rows = published_rows()
    assert len(rows) == 15 and rows[0]["label"] == "ANY BODY SYSTEM" and rows[1]["label"] == "CARDIAC DISORDERS"
    assert "SUPRAVENTRICULAR EXTRASYSTOLES" in [r["label"] for r in rows]  # a wrapped label joined
    assert sum(len(r["p"]) for r in rows) == 29  # one p-value left empty


def test_the_safety_population_is_the_published_n(ledger):
    assert [ledger["by_arm"][arm]["ae_soc_pt"]["n"] for arm in ARMS] == [86, 84, 84]
    assert ledger["arms"] == list(ARMS)


@pytest.mark.parametrize("row", published_rows(), ids=lambda row: row["label"])
def test_every_count_percentage_and_number_of_events(ledger, row):
    got = [_printed(_count(ledger["by_arm"][arm]["ae_soc_pt"], row)) for arm in ARMS]
    assert got == row["counts"]


@pytest.mark.parametrize("row", published_rows(), ids=lambda row: row["label"])
def test_every_fishers_exact_p_value(ledger, row):
    values = _count(ledger["ae_soc_pt"], row)["p_values"]
    for column, arm in (("low", "Xanomeline Low Dose"), ("high", "Xanomeline High Dose")):
        assert _p_matches(values[arm], row["p"].get(column)), (column, values[arm], row["p"].get(column))


def test_the_laid_table_prints_them(ledger):
    laid = table(ledger)
    rows = {row.label: row.cells for row in laid.table.rows}
    assert rows["Any adverse event"] == ("65 (75.6%) [281]", "77 (91.7%) [412]", "76 (90.5%) [433]",
                                         "218 (85.8%) [1126]", "0.007", "0.014")
    assert rows["SINUS BRADYCARDIA"] == ("2 (2.3%) [2]", "7 (8.3%) [10]", "8 (9.5%) [12]", "17 (6.7%) [24]",
                                         "0.097", "0.056")
    assert laid.table.counts[-2:] == ("p vs Placebo", "p vs Placebo")
    assert "Fisher's exact test, two-sided, each arm against Placebo" in laid.note


def _ordered(rows) -> bool:
    """Most patients in the Total column first, ties alphabetically (report.layout.ae_order)."""
    keys = [(-int(row.cells[3].split(" ")[0]), row.label.casefold()) for row in rows]
    return keys == sorted(keys)


def test_the_laid_table_orders_by_incidence_in_the_total(ledger):
    laid = table(ledger)
    bands = laid.bodies[1:]  # after "Any adverse event"
    assert len(bands) > 5
    assert _ordered([band[0] for band in bands])
    assert all(_ordered(band[1:]) for band in bands)
    assert [band[0].label for band in bands] != sorted(band[0].label for band in bands)  # not the CSR's order
