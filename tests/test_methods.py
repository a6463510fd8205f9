"""Methods chosen in the spec reach the ledger and the report's footnotes."""
import datetime as dt

import pytest

import report
from report.kinds.common import summary_figures
from report.kinds.kind import SUMMARY, laid_out
from report.render.render import Page, render_html

from conftest import MINIMAL_SPEC

SUBJECTS = [
    ["P1", "2016-01-01", "70", "F", "CR", "2016-02-01", "1", "negative", "", "2016-05-01", "2016-05-01"],
    ["P2", "2016-01-15", "71", "M", "NR", "", "", "", "", "2016-03-01", "2016-03-01"],
    ["P3", "2016-02-01", "72", "M", "CRi", "2016-03-01", "2", "", "2016-09-01", "", "2017-01-01"],
    ["P4", "2016-03-01", "73", "F", "NR", "", "", "", "", "", "2016-12-01"],
]
CHOSEN = MINIMAL_SPEC.replace(
    'responders = ["CR", "CRi"]',
    'responders = ["CR", "CRi"]\nproportion_ci = "wilson"\nkm_conf_type = "plain"\nconfidence = 0.9\n'
    'time_unit = "days"\nlandmarks = [30, 90]',
)


def test_chosen_methods_reach_the_ledger(make_trial):
    ledger = report.analyze(report.load_trial(make_trial(SUBJECTS, spec=CHOSEN))).to_dict()
    responders = ledger["response"]["responders"]
    assert (responders["ci_method"], responders["confidence"]) == ("wilson", 0.9)
    os_ = ledger["survival"]["os"]
    assert (os_["conf_type"], os_["confidence"], os_["time_unit"]) == ("plain", 0.9, "days")
    assert [lm["time"] for lm in os_["landmarks"]] == [30, 90]
    assert os_["landmarks"][1]["survival"] == pytest.approx(0.75)  # P2 died on day 60: 3 of 4 alive at day 90
    assert os_["max_time"] == (dt.date(2017, 1, 1) - dt.date(2016, 2, 1)).days


def test_footnotes_name_the_chosen_methods(make_trial):
    trial = report.load_trial(make_trial(SUBJECTS, spec=CHOSEN))
    ledger = report.analyze(trial).to_dict()
    page = Page(r=ledger, spec=trial.spec.model_dump(mode="json"), figures=summary_figures(ledger),
                generated_on=dt.date(2025, 1, 1), version="test", extra={"blocks": laid_out(SUMMARY, trial.spec, ledger)})
    html = render_html("summary.html.j2", page)
    assert "Proportions with Wilson score 90% confidence intervals" in html
    assert "on the linear (plain) scale" in html
    assert "Times in days." in html
    assert "Time-to-event endpoints (days)" in html
