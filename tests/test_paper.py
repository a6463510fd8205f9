"""`[report] paper`: the paper of every PDF and of the Word abstract, from the spec."""
from __future__ import annotations

import io
import shutil

import pikepdf
import pytest

from conftest import EXAMPLE, run_cli
from report import compose
from report.inputs.trial import load_trial

POINTS = {"A4": (595.28, 841.89), "Letter": (612.0, 792.0)}


def trial_with_paper(tmp_path, paper: str | None):
    folder = tmp_path / f"trial-{paper}"
    shutil.copytree(EXAMPLE, folder)
    if paper is not None:
        spec = folder / "trial.toml"
        spec.write_text(spec.read_text() + f'\n[report]\npaper = "{paper}"\n')
    return folder


def page_size(pdf: bytes) -> tuple[float, float]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        sizes = {tuple(round(float(v), 2) for v in page.mediabox[2:]) for page in document.pages}
    (size,) = sizes  # every page alike
    return size


@pytest.mark.parametrize("paper, expected", [(None, "A4"), ("A4", "A4"), ("Letter", "Letter")])
def test_every_page_of_the_summary_is_on_the_spec_paper(tmp_path, paper, expected):
    bundle = compose.build(load_trial(trial_with_paper(tmp_path, paper)), formats=("pdf",), out=tmp_path / "out")
    assert page_size((bundle.directory / "summary.pdf").read_bytes()) == pytest.approx(POINTS[expected], abs=0.01)


@pytest.mark.parametrize("paper, width_mm", [(None, 210.0), ("Letter", 215.9)])
def test_the_word_abstract_is_on_the_spec_paper(tmp_path, paper, width_mm):
    from docx import Document

    bundle = compose.build(load_trial(trial_with_paper(tmp_path, paper)), kind="abstract", formats=("docx",),
                           out=tmp_path / "out")
    section = Document(str(bundle.directory / "abstract.docx")).sections[0]
    assert section.page_width.mm == pytest.approx(width_mm, abs=0.05)


def test_an_unknown_paper_is_exit_2_naming_the_key(tmp_path):
    folder = trial_with_paper(tmp_path, "A5")
    result = run_cli("validate", str(folder))
    assert result.returncode == 2
    assert "report.paper" in result.stderr and "Traceback" not in result.stderr
