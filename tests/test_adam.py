"""ADaM input: the CDISC pilot's published tables and the random.cdisc.data trial against R."""
from pathlib import Path

import pytest

import report
from report import InputError

from conftest import run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "adam"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PILOT, RANDOM = FIXTURES / "cdiscpilot01", FIXTURES / "random-cdisc"

pytestmark = pytest.mark.needs("public-data")  # read in place beside the checkout (tests/needs.py)


@pytest.fixture(scope="module")
def pilot() -> dict:
    return report.analyze(report.load_trial(PILOT)).to_dict()


@pytest.fixture(scope="module")
def random_trial():
    return report.load_trial(RANDOM)


@pytest.mark.parametrize(
    ("arm", "patients", "n", "shown", "events", "mean_age"),
    [
        ("Placebo", 65, 86, "75.6%", 281, "75.2"),
        ("Xanomeline Low Dose", 77, 84, "91.7%", 412, "75.7"),
        ("Xanomeline High Dose", 76, 84, "90.5%", 433, "74.4"),
    ],
)
def test_pilot_reproduces_the_published_safety_table(pilot, arm, patients, n, shown, events, mean_age):
    from report.layout.formatting import number, percent

    block = pilot["by_arm"][arm]
    assert block["safety"]["n"] == n
    assert block["safety"]["any_event"]["subjects"] == patients
    assert percent(block["safety"]["any_event"]["proportion"], 1) == shown
    assert block["safety"]["any_event"]["events"] == events
    assert number(block["baseline"]["age"]["mean"]) == mean_age


def test_pilot_totals_and_shape(pilot):
    assert pilot["arms"] == ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]
    assert pilot["safety"]["any_event"] == {"subjects": 218, "proportion": 218 / 254, "events": 1126}
    assert pilot["methods"]["ae_grading"] == "severity"
    assert pilot["response"] is None and pilot["mrd"] is None
    assert set(pilot["survival"]) == {"ttde"}
    assert sum(b["survival"]["ttde"]["n"] for b in pilot["by_arm"].values()) == pilot["survival"]["ttde"]["n"]


def test_pilot_terms_sum_by_arm(pilot):
    total = {t["term"]: t["subjects"] for t in pilot["safety"]["terms"]}
    by_arm = {}
    for block in pilot["by_arm"].values():
        for t in block["safety"]["terms"]:
            by_arm[t["term"]] = by_arm.get(t["term"], 0) + t["subjects"]
    assert by_arm == total  # every patient is in one arm


def test_random_cdisc_response_and_endpoints(random_trial):
    ledger = report.analyze(random_trial).to_dict()
    assert ledger["arms"] == ["A: Drug X", "B: Placebo", "C: Combination"]
    assert set(ledger["survival"]) == {"os", "pfs"}
    assert ledger["endpoints"]["os"]["label"] == "Overall Survival"
    responders = ledger["response"]["responders"]
    assert responders["n"] == 400
    assert responders["count"] == sum(ledger["by_arm"][a]["response"]["responders"]["count"] for a in ledger["arms"])
    assert ledger["methods"]["ae_grading"] == "ctcae"
    assert ledger["comparisons"]["os"]["log_rank"]["df"] == 2
    assert [h["arm"] for h in ledger["comparisons"]["os"]["hazard_ratios"]] == ["B: Placebo", "C: Combination"]


@pytest.mark.needs("r")
def test_random_cdisc_survival_by_arm_equals_r(random_trial, tmp_path):
    from adam_vs_r import by_arm_differences

    ledger = report.analyze(random_trial).to_dict()
    lines, problems = by_arm_differences(random_trial, ledger, tmp_path)
    assert lines == 2 * 6 and problems == []
    assert ledger["comparisons"]["os"]["stratified_by"] == ["STRATA1", "STRATA2"]  # R stratified it too


def test_a_stratification_factor_the_data_lack_is_named(tmp_path):
    spec = (RANDOM / "trial.toml").read_text()
    spec = spec.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{SHARED / "random-cdisc"}"')
    (tmp_path / "trial.toml").write_text(spec.replace('strata = ["STRATA1", "STRATA2"]', 'strata = ["STRATA1", "STRAT9"]'))
    result = run_cli("analyze", str(tmp_path))
    assert result.returncode == 2
    assert "adsl.xpt" in result.stderr and "STRAT9" in result.stderr and "STRATA1" in result.stderr


def test_missing_dataset_variable_and_parameter_are_named(tmp_path):
    spec = (RANDOM / "trial.toml").read_text()
    spec = spec.replace('arm = "ARM"', 'arm = "ARMX"').replace('paramcd = "PFS"', 'paramcd = "PFSX"')
    spec = spec.replace('path = "../../../../../shared/data/random-cdisc"', f'path = "{SHARED / "random-cdisc"}"')
    (tmp_path / "trial.toml").write_text(spec)
    with pytest.raises(InputError) as caught:
        report.load_trial(tmp_path)
    found = [str(p) for p in caught.value.problems]
    assert "adsl.xpt, column ARMX: variable not found; the mapping [adam] arm expects it" in found
    with pytest.raises(InputError) as caught:
        report.load_trial(tmp_path, data=tmp_path)
    assert any("dataset ADSL not found: the mapping [adam] adsl expects adsl.xpt or adsl.sas7bdat" in str(p) for p in caught.value.problems)
    fixed = spec.replace('arm = "ARMX"', 'arm = "ARM"')
    (tmp_path / "trial.toml").write_text(fixed)
    with pytest.raises(InputError) as caught:
        report.load_trial(tmp_path)
    assert any("no records with PARAMCD 'PFSX'" in str(p) and "present: CRSD, EFS, OS, PFS, TNE" in str(p)
               for p in caught.value.problems)


def test_cli_analyze_with_data_override_and_exit_2():
    ok = run_cli("analyze", str(PILOT), "--data", str(SHARED / "cdiscpilot01"))
    assert ok.returncode == 0, ok.stderr
    assert '"Xanomeline Low Dose"' in ok.stdout
    bad = run_cli("analyze", str(PILOT), "--data", str(SHARED))
    assert bad.returncode == 2
    assert "dataset ADSL not found" in bad.stderr and "Traceback" not in bad.stderr


def test_cutoff_censors_given_times(random_trial):
    """An event or censoring dated after the cutoff is censored at it; earlier ones keep AVAL."""
    cutoff = "2020-06-30"
    early = report.load_trial(RANDOM, cutoff=cutoff)
    assert 0 < len(early.subjects) < len(random_trial.subjects)
    before = random_trial.time_to_event.set_index(["subject_id", "endpoint"])
    after = early.time_to_event.set_index(["subject_id", "endpoint"])
    enrolled = dict(zip(early.subjects["subject_id"], early.subjects["enrolled_on"]))
    late = after.index[[end > early.cutoff for end in before.loc[after.index, "end_on"]]]
    assert len(late) > 0
    for subject, endpoint in late:
        assert not after.loc[(subject, endpoint), "event"]
        assert after.loc[(subject, endpoint), "days"] == (early.cutoff - enrolled[subject]).days
    kept = after.index.difference(late)
    assert (after.loc[kept, "days"] == before.loc[kept, "days"]).all()


@pytest.mark.parametrize(("fixture", "arms"), [
    (PILOT, ["Placebo", "Xanomeline Low Dose", "Xanomeline High Dose"]),
    (RANDOM, ["A: Drug X", "B: Placebo", "C: Combination"]),
])
def test_full_report_builds_with_a_column_and_a_curve_per_arm(fixture, arms, tmp_path):
    import re

    from pypdf import PdfReader

    result = run_cli("build", str(fixture), "--out", str(tmp_path), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert result.returncode == 0, result.stderr
    paths = {Path(p).name: Path(p) for p in result.stdout.split()}
    html = paths["summary.html"].read_text()
    for arm in arms:
        assert html.count(f'<th colspan="1" class="arm">{arm}<br>') >= 3  # baseline, survival, safety tables
    assert len(re.findall(r'id="fig-km-[a-z]+-km-curve-\d"', html)) == len(arms) * (2 if fixture == RANDOM else 1)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(paths["summary.pdf"]).pages).split())
    if fixture == RANDOM:  # stratified by STRATA1 and STRATA2; responders compared between arms
        assert "Stratified log-rank test across arms" in text and "Hazard ratio, stratified (95% CI)" in text
        assert "stratified by STRATA1 and STRATA2" in text and "overall likelihood-ratio test p" in text
        assert "Difference in response rate" in text and "Odds ratio, Mantel-Haenszel (95% CI)" in text
    else:
        assert "Log-rank test across arms" in text and "Hazard ratio (95% CI)" in text
    assert "1 (reference)" in text
    if fixture == PILOT:
        assert "In the Placebo arm, 65 of 86 patients (76%) had at least one adverse event (281 events)" in text
        assert "Adverse events by system organ class and preferred term" in text
    else:
        assert "Best response by arm" in text and "Progression Free Survival" in text


@pytest.mark.parametrize(("term", "counts"), [
    # CDISC pilot CSR, table 14-5.01 (treatment-emergent AEs by preferred term): placebo, low, high
    ("APPLICATION SITE PRURITUS", (6, 22, 22)),
    ("APPLICATION SITE ERYTHEMA", (3, 12, 15)),
    ("PRURITUS", (8, 21, 26)),
])
def test_pilot_terms_equal_the_published_table(pilot, term, counts):
    found = tuple(
        next((t["subjects"] for t in pilot["by_arm"][arm]["safety"]["terms"] if t["term"] == term), 0)
        for arm in pilot["arms"]
    )
    assert found == counts
