"""Inputs beyond what a trial can have are refused (exit 2, naming the limit), and many
extra columns are read in time proportional to their cells (issue 13, item 10)."""
from __future__ import annotations

import shutil

import pytest
from conftest import MINIMAL_SPEC, SUBJECT_HEADER, run_cli
from corpus import Case, patient, subjects

from report.inputs.limits import MAX_ARMS
from report.inputs.tidy import read_tidy
from report.inputs.tidy_read import WIDE_COLUMNS


def no_traceback_nothing_written(result, tmp_path) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "Internal error" not in result.stderr, result.stderr
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("cutoff", ["9999-12-31", "0001-01-01", "1899-12-31", "2201-01-01"])
def test_a_cutoff_outside_1900_2200_is_refused(cutoff, tmp_path):
    folder = Case("good").write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--kind", "dsmb", "--no-encrypt", "--cutoff", cutoff,
                     "--out", str(tmp_path / "out"), cwd=tmp_path)
    no_traceback_nothing_written(result, tmp_path)
    assert f"  - --cutoff: {cutoff} is outside the years 1900-2200 (is the year mistyped?)" in result.stderr


@pytest.mark.parametrize("value", ["0", "-5", "100001", str(10**20)])
def test_max_chars_beyond_its_range_is_refused(value, tmp_path):
    result = run_cli("build", "--kind", "abstract", "--max-chars", value, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--max-chars'" in result.stderr, result.stderr
    assert "greater than or equal to 1" in result.stderr or "less than or equal to 100000" in result.stderr
    assert not (tmp_path / "out").exists()


SPEC_ABSURD = MINIMAL_SPEC + "landmarks = [1e300]\n\n[dsmb]\naccrual_rate = 1e300\n"


@pytest.mark.parametrize("kind", ["summary", "dsmb"])
@pytest.mark.parametrize("files, expected", [
    ({"trial.toml": SPEC_ABSURD}, ("analysis.landmarks: 1e+300 months is beyond 100 years", "dsmb.accrual_rate")),
    ({"subjects.csv": subjects(patient(), patient(subject_id="P2", enrolled_on="0001-01-01"))},
     ("subjects.csv, row 3, column enrolled_on: '0001-01-01' is outside the years 1900-2200",)),
    ({"trial.toml": MINIMAL_SPEC.replace('title = "A small test trial"', 'title = "T"\ndata_cutoff = 9999-12-31')},
     ("trial.data_cutoff: 9999-12-31 is outside the years 1900-2200",)),
], ids=["landmark_and_accrual_rate_1e300", "enrolled_in_year_1", "data_cutoff_9999"])
def test_absurd_values_stop_every_kind_before_anything_is_written(kind, files, expected, tmp_path):
    """These reached an internal error in the DSMB report (a year-1 enrollment, a 9999
    cutoff, an accrual rate of 1e300) or in every report (a landmark of 1e300)."""
    folder = Case("absurd", files).write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--kind", kind, "--no-encrypt", "--out", str(tmp_path / "out"), cwd=tmp_path)
    no_traceback_nothing_written(result, tmp_path)
    assert f"{len(expected)} problem{'s' if len(expected) > 1 else ''} found; nothing was written." in result.stderr
    assert all(any(e in line for line in result.stderr.splitlines()) for e in expected), result.stderr


def test_every_arm_a_report_lays_out_has_its_own_line_style():
    from report.layout.survival_figures import ARM_STYLES

    assert len({repr(sorted(style.items())) for style in ARM_STYLES[:MAX_ARMS]}) == MAX_ARMS


def ink_at_the_right_edge(pdf) -> list[int]:
    """Dark pixels in the rightmost 5% of each page (the margin is wider): text or rules
    that ran off the page's edge."""
    import subprocess

    import numpy as np
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "30", "-gray", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    pages = [np.asarray(Image.open(png)) for png in sorted(pdf.parent.glob(f"{pdf.stem}-*.png"))]
    return [int((page[:, int(page.shape[1] * 0.95):] < 200).sum()) for page in pages]


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
@pytest.mark.parametrize("kind", ["summary", "dsmb"])
def test_the_most_arms_lay_out_within_the_page(kind, tmp_path):
    rows = [patient(subject_id=f"P{i}", arm=f"Arm number {i % MAX_ARMS}", best_response="NR", response_on="",
                    response_cycle="", mrd="", died_on=f"2016-{2 + i % 10:02d}-15" if i % 3 else "",
                    last_contact_on=f"2016-{2 + i % 10:02d}-15" if i % 3 else "2017-01-01") for i in range(20 * MAX_ARMS)]
    folder = Case("arms", {"subjects.csv": subjects(*rows, header=[*SUBJECT_HEADER, "arm"])}).write(tmp_path / "trial")
    result = run_cli("build", str(folder), "--kind", kind, "--no-encrypt", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdfs = sorted((tmp_path / "out").rglob("*.pdf"))
    assert pdfs
    for pdf in pdfs:
        assert not any(ink_at_the_right_edge(pdf)), pdf.name


@pytest.mark.parametrize("extra", [3, WIDE_COLUMNS + 5])
def test_extra_columns_ride_along_as_stripped_text_whatever_their_number(extra, tmp_path):
    """Narrow files are read by pandas, wide ones by csv.reader: the same table either way."""
    names = [f"extra_{j}" for j in range(extra)]
    rows = [patient(subject_id=f"P{i}", **{n: (f" v{i}.{j} " if (i + j) % 3 else "") for j, n in enumerate(names)})
            for i in range(1, 4)]
    Case("wide", {"subjects.csv": subjects(*rows, header=[*SUBJECT_HEADER, *names])}).write(tmp_path)
    tables = read_tidy(tmp_path / "subjects.csv", tmp_path / "adverse_events.csv", responders=["CR"], categories=[])
    s = tables.subjects
    assert [c for c in s.columns if c.startswith("extra_")] == names
    assert s["extra_0"].tolist() == ["v1.0", "v2.0", None]
    assert s[names[-1]].tolist() == [f"v{i}.{extra - 1}" if (i + extra - 1) % 3 else None for i in range(1, 4)]
    assert s["age"].tolist() == [70.0] * 3 and s["subject_id"].tolist() == ["P1", "P2", "P3"]


@pytest.mark.parametrize("value", ["1e300", "nan"])
def test_a_watch_interval_beyond_an_hour_is_refused_before_building(value, tmp_path):
    folder = Case("good").write(tmp_path / "trial")
    result = run_cli("watch", str(folder), "--interval", value, "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for '--interval'" in result.stderr, result.stderr
    assert not (tmp_path / "out").exists()
