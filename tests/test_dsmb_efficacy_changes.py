"""The closed DSMB report's efficacy changes since the previous closed report
(report.analysis.dsmb_efficacy, report.layout.dsmb_efficacy_views), read from the closed ledger
inside the previous version's closed report (report.render.encrypt.attached), and never in the
open report or its ledger (DESIGN section 9). The built bundles are checked in test_dsmb.py."""
import datetime as dt
import json
import re

import pytest

from report.analysis.dsmb_efficacy import efficacy_changes
from report.analysis.dsmb_ledger import open_keys
from report.analysis.ledger import ledger_json
from report.blocks.catalogue import BLOCKS
from report.blocks.ledger import results
from report.inputs.trial import load_trial
from report.kinds.dsmb import dsmb_ledgers
from report.kinds.kind import DSMB_CLOSED, DSMB_OPEN, laid_out
from report.layout.dsmb_efficacy_views import efficacy_changes_view
from report.render.encrypt import attached, encrypted_pdf, with_attachments

from conftest import EXAMPLE

EARLIER, LATER = "2017-07-31", "2018-07-31"
VERSION = "S1318/dsmb/2017-07-31-v1"


@pytest.fixture(scope="module")
def two_cutoffs():
    """The closed ledger as of EARLIER, and both DSMB ledgers as of LATER compared with it."""
    earlier = load_trial(EXAMPLE, cutoff=EARLIER)
    before = dsmb_ledgers(earlier, results(earlier), None).closed_ledger()
    later = load_trial(EXAMPLE, cutoff=LATER)
    computed = dsmb_ledgers(later, results(later), None, (ledger_json(before).encode("utf-8"), VERSION))
    return before, computed.closed_ledger(), computed.open_ledger()


def test_the_closed_ledger_holds_what_changed_since_the_previous_closed_ledger(two_cutoffs):
    before, now, _ = two_cutoffs
    c = now["efficacy_changes"]
    assert (c["source"], c["compared_with"], c["previous_cutoff"]) == ("archive", VERSION, EARLIER)
    (total,) = c["groups"]  # a single-arm trial: all patients only
    then, later = before["response"]["responders"], now["response"]["responders"]
    assert total["response"] == {"before": then["count"], "before_n": then["n"], "before_proportion": then["proportion"],
                                 "now": later["count"], "now_n": later["n"], "now_proportion": later["proportion"],
                                 "new": later["count"] - then["count"]}
    assert (total["response"]["before"], total["response"]["now"]) == (17, 19)
    assert [e["endpoint"] for e in total["endpoints"]] == list(now["survival"])
    for e in total["endpoints"]:
        old, new = before["survival"][e["endpoint"]], now["survival"][e["endpoint"]]
        assert (e["events_before"], e["events_now"], e["new_events"]) == (old["events"], new["events"],
                                                                          new["events"] - old["events"])
        assert (e["median_before"], e["median_now"]) == (old["median"]["estimate"], new["median"]["estimate"])
        assert [(lm["time"], lm["before"], lm["now"]) for lm in e["landmarks"]] == [
            (a["time"], a["survival"], b["survival"]) for a, b in zip(old["landmarks"], new["landmarks"], strict=True)]
    assert total["endpoints"][0]["new_events"] == 6  # deaths between the two cutoffs


def test_the_closed_report_lists_them_then_and_now(two_cutoffs):
    _, now, _ = two_cutoffs
    v = efficacy_changes_view(now, None)
    assert v.compared and (v.previous, v.now) == ("31 July 2017", "31 July 2018")
    assert v.sentence == ("Compared with the closed report as of 31 July 2017 (S1318/dsmb/2017-07-31-v1): 2 new "
                          "responses, 6 new deaths (Overall survival) and 1 new event (Disease-free survival).")
    (group,) = v.groups
    assert group.label == ""  # no arms: no heading row
    assert group.rows[:4] == (("Responders (CR or CRi)", "17 of 27 (63.0%)", "19 of 29 (65.5%)", "+2"),
                              ("Overall survival: deaths", "10", "16", "+6"),
                              ("Overall survival: median (months)", "17.6", "17.1", ""),
                              ("Overall survival at 6 months", "77.0%", "79.3%", ""))
    assert ("Disease-free survival: events", "9", "10", "+1") in group.rows
    assert v.note == ""  # every median reached, every landmark estimable, every measure in both reports


def test_the_open_ledger_and_page_show_no_efficacy_change(two_cutoffs):
    _, closed, open_ledger = two_cutoffs
    assert "efficacy_changes" in closed and "efficacy_changes" not in open_ledger
    text = json.dumps(open_ledger)
    assert not {"response", "survival", "efficacy_changes"} & set(open_ledger)
    assert not re.search(r'"(median_now|events_before|before_proportion|new_events)"', text)
    assert not BLOCKS["efficacy_changes"].open_safe
    assert "efficacy_changes" not in DSMB_OPEN.valid() and "efficacy_changes" in DSMB_CLOSED.blocks
    with pytest.raises(ValueError, match="efficacy_changes"):
        open_keys(["efficacy_changes"])  # no open-safe block may carry it into the open ledger
    spec = load_trial(EXAMPLE, cutoff=LATER).spec
    assert "efficacy_changes" not in [b.id for b in laid_out(DSMB_OPEN, spec, open_ledger) if b.partial]
    assert "efficacy_changes" in [b.id for b in laid_out(DSMB_CLOSED, spec, closed) if b.partial]


def test_the_open_page_refuses_the_block_when_the_spec_asks_for_it(tmp_path):
    from conftest import run_cli

    folder = tmp_path / "trial"
    folder.mkdir()
    for path in EXAMPLE.iterdir():
        if path.is_file():
            (folder / path.name).write_bytes(path.read_bytes())
    spec = (folder / "trial.toml").read_text()
    (folder / "trial.toml").write_text(spec + '\n[report.dsmb_open]\nblocks = ["title", "efficacy_changes"]\n')
    result = run_cli("validate", str(folder))
    assert result.returncode == 2 and "efficacy_changes" in result.stderr, result.stderr


def test_without_a_previous_version_or_its_ledger_nothing_is_compared():
    ledger = {"data_cutoff": "2018-07-31"}
    none = efficacy_changes(ledger, dt.date(2018, 6, 30), None)
    assert (none.source, none.groups, none.compared_with) == ("none", (), None)
    unreadable = efficacy_changes(ledger, dt.date(2018, 6, 30), (None, VERSION))
    assert (unreadable.source, unreadable.groups, unreadable.compared_with) == ("unreadable", (), VERSION)
    assert efficacy_changes(ledger, dt.date(2018, 6, 30), (b"not json", VERSION)).source == "unreadable"
    view = efficacy_changes_view({"data_cutoff": "2018-07-31", "efficacy_changes": {
        "previous_cutoff": "2018-06-30", "source": "none", "compared_with": None, "groups": []}}, None)
    assert not view.compared and view.groups == ()
    assert view.sentence == "No previous closed report to compare efficacy with: the archive holds none as of 30 June 2018."
    view = efficacy_changes_view({"data_cutoff": "2018-07-31", "efficacy_changes": {
        "previous_cutoff": "2018-06-30", "source": "unreadable", "compared_with": VERSION, "groups": []}}, None)
    assert view.sentence.startswith("No previous closed report to compare efficacy with: the closed report as of 30 "
                                    "June 2018 (S1318/dsmb/2017-07-31-v1) is archived, but its ledger does not open")


def survival(events: int, median: float | None, landmarks: list[tuple[float, float | None]]) -> dict:
    return {"events": events, "time_unit": "months", "median": {"estimate": median},
            "landmarks": [{"time": t, "survival": s} for t, s in landmarks]}


def response(count: int, n: int) -> dict:
    return {"responder_codes": ["CR"], "responders": {"count": count, "n": n, "proportion": count / n}}


def test_by_arm_with_an_endpoint_and_an_arm_new_since_the_previous_report():
    arm_a = {"response": response(3, 10), "survival": {"os": survival(2, None, [(12.0, 0.8)])}}
    before = {"data_cutoff": "2020-01-31", "arms": ["A"], "response": response(3, 10),
              "survival": {"os": survival(2, None, [(12.0, 0.8)])}, "by_arm": {"A": arm_a}}
    now = {"data_cutoff": "2020-02-29", "arms": ["A", "B"], "response": response(6, 16),
           "endpoints": {"os": {"label": "Overall survival"}, "pfs": {"label": "Progression-free survival"}},
           "survival": {"os": survival(5, 20.5, [(12.0, None)]), "pfs": survival(4, 9.0, [(12.0, 0.4)])},
           "by_arm": {"A": {"response": response(4, 11), "survival": {"os": survival(3, 20.5, [(12.0, 0.7)])}},
                      "B": {"response": response(2, 5), "survival": {"os": survival(2, None, [(12.0, 0.6)])}}}}
    c = efficacy_changes(now, dt.date(2020, 1, 31), (json.dumps(before).encode(), "v1"))
    assert [g.group for g in c.groups] == ["Total", "A", "B"]
    total, a, b = c.groups
    assert total.response.new == 3 and a.response.new == 1 and b.response is None  # B: no response then
    os_total, pfs = total.endpoints
    assert (os_total.new_events, os_total.median_before, os_total.median_now) == (3, None, 20.5)
    assert (pfs.events_before, pfs.new_events, pfs.landmarks[0].before) == (None, None, None)  # not in the report then
    assert b.endpoints[0].events_before is None
    from report.analysis.ledger import plain

    view = efficacy_changes_view({**now, "efficacy_changes": plain(c)}, None)
    assert [g.label for g in view.groups] == ["All patients", "A", "B"]
    assert view.caption == "Efficacy then and now by arm"
    rows = view.groups[0].rows
    assert ("Overall survival: median (months)", "NR", "20.5", "") in rows
    assert ("Overall survival at 12 months", "80.0%", "NE", "") in rows
    assert ("Progression-free survival: events", "\u2014", "4", "") in rows
    assert view.note == "NR: not reached; NE: not estimable; \u2014: not in the previous report."
    assert view.sentence.endswith("(v1), all patients: 3 new responses and 3 new deaths (Overall survival).")


def test_the_previous_closed_ledger_opens_only_with_the_password():
    from pypdf import PdfWriter
    import io

    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(72, 72)
    writer.write(out)
    ledger = b'{"data_cutoff": "2017-07-31"}'
    sealed = encrypted_pdf(out.getvalue(), "secret", {"results-closed.json": ledger})
    assert attached(sealed, "results-closed.json", "secret") == ledger
    assert attached(sealed, "results-closed.json", "another") is None
    assert attached(sealed, "results-closed.json", None) is None
    clear = with_attachments(out.getvalue(), {"results-closed.json": ledger})
    assert attached(clear, "results-closed.json", None) == ledger
    assert attached(clear, "other.json", None) is None
