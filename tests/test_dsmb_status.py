"""The DSMB status section (issue 19): accrual stated from the data, a quarterly accrual table
whose sums are the monthly counts, whole expected patients, and a CONSORT diagram with each
exclusion boxed, reached by a horizontal arrow, its reasons listed."""
import datetime as dt

import pandas as pd

from report.analysis.dsmb import accrual, disposition
from report.blocks.block import Context
from report.layout.dsmb_views import status_view
from report.layout.figures import consort_figure
from svg_parse import texts


def subjects(dates: list[str], eligible=None, reasons=None) -> pd.DataFrame:
    n = len(dates)
    return pd.DataFrame({
        "subject_id": [f"P{i}" for i in range(n)], "enrolled_on": [dt.date.fromisoformat(d) for d in dates],
        "eligible": eligible or [True] * n, "treated": eligible or [True] * n, "efficacy": eligible or [True] * n,
        "off_study_on": [None] * n, "off_study_reason": [None] * n,
        "ineligible_reason": reasons or [None] * n,
    })


def test_quarters_sum_the_months_and_end_with_their_cumulative_counts():
    a = accrual(subjects(["2020-01-05", "2020-02-01", "2020-02-20", "2020-04-01", "2020-06-30", "2020-07-01"]),
                dt.date(2020, 8, 15), planned=10, start=dt.date(2020, 1, 1), rate=1.0)
    assert [(q.month, q.enrolled, q.cumulative) for q in a.quarters] == [
        ("2020-Q1", 3, 3), ("2020-Q2", 2, 5), ("2020-Q3", 1, 6)]
    months = {m.month: m for m in a.months}
    assert a.quarters[1].expected == months["2020-06"].expected
    assert sum(q.enrolled for q in a.quarters) == sum(m.enrolled for m in a.months) == 6


def ledger_for(enrolled: int, planned: int | None, expected: float | None) -> dict:
    months = [{"month": "2020-01", "enrolled": enrolled, "cumulative": enrolled, "expected": expected}]
    quarters = [{"month": "2020-Q1", "enrolled": enrolled, "cumulative": enrolled, "expected": expected}]
    return {"accrual": {"last_enrolled_on": "2020-01-20"},
            "dsmb": {"accrual": {"enrolled": enrolled, "planned": planned, "expected_by_cutoff": expected,
                                 "months": months, "quarters": quarters},
                     "disposition": {"treated": enrolled, "on_study": 2}}}


def test_accrual_is_stated_complete_or_open_from_the_data():
    spec = {"dsmb": {"accrual_rate": 2.0, "accrual_start": "2019-12-01"}}
    complete = status_view(ledger_for(31, 31, 31.0), Context("dsmb-open", True, spec))
    assert complete.conduct.startswith("Accrual is complete: 31 of the 31 planned patients were enrolled, the last on "
                                       "20 January 2020.")
    open_ = status_view(ledger_for(12, 40, 14.56), Context("dsmb-open", True, spec))
    assert open_.conduct.startswith("Accrual is open: 12 of the 40 planned patients had been enrolled by the cutoff; "
                                    "the accrual plan expected 15 by this date.")
    assert open_.quarters == (("2020 Q1", "12", "12", "15"),) and open_.expected
    unplanned = status_view(ledger_for(12, None, None), Context("dsmb-open", True, {}))
    assert unplanned.conduct.startswith("By the cutoff, 12 patients had been enrolled.")
    assert unplanned.quarters == (("2020 Q1", "12", "12", ""),) and not unplanned.expected


def test_the_consort_diagram_boxes_every_exclusion_with_its_reasons():
    d = disposition(subjects(["2020-01-05"] * 4, eligible=[True, True, False, False],
                             reasons=[None, None, "Wrong diagnosis on central review", None]))
    assert d.ineligible_reasons == {"Not recorded": 1, "Wrong diagnosis on central review": 1}
    svg = consort_figure({**d.__dict__, "off_study": {"Death": 1}})
    for gid in ("consort-ineligible", "consort-not-treated", "consort-off-study", "consort-on-study"):
        assert f'id="{gid}"' in svg  # a box (a rectangle patch) for each, never a bare list
    text = " ".join(texts(svg))
    assert "Ineligible, n = 2" in text and "Wrong diagnosis on central review: 1" in text and "Not recorded: 1" in text
    assert "Off study, n = 1" in text and "Death: 1" in text
