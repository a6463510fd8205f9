"""The report gallery (issue 19): docs/report-gallery.md shows every PNG of docs/gallery and no
other, each small; scripts/gallery.py builds every page of every report kind and abstract preset;
every test its defects table names exists, and every pair it names has both images."""
import ast
import re
import sys
from pathlib import Path

import pytest

from report.kinds.kind import KINDS
from report.layout.abstract import PRESETS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "report-gallery.md"
GALLERY = ROOT / "docs" / "gallery"
MAX_BYTES, MAX_TOTAL = 40_000, 8_000_000

sys.path.insert(0, str(ROOT / "scripts"))
import gallery  # noqa: E402
import gallery_defects  # noqa: E402


def referenced() -> set[Path]:
    return {(DOC.parent / path).resolve() for path in re.findall(r'(?:src|href)="([^"]+\.png)"', DOC.read_text())}


def test_every_png_shown_exists_and_every_png_is_shown():
    files = {p.resolve() for p in GALLERY.rglob("*.png")}
    shown = referenced()
    assert shown - files == set(), "shown but not in docs/gallery"
    assert files - shown == set(), "in docs/gallery but not shown"


def test_each_png_is_small_and_the_gallery_is_under_its_budget():
    sizes = {p.relative_to(GALLERY): p.stat().st_size for p in GALLERY.rglob("*.png")}
    assert {p: s for p, s in sizes.items() if s >= MAX_BYTES} == {}
    assert sum(sizes.values()) < MAX_TOTAL


def test_each_report_shows_consecutive_pages_from_the_first():
    _, reports = gallery.catalogue()
    for r in reports:
        numbers = sorted(int(p.stem.split("-")[1]) for p in (GALLERY / r.key).glob("page-*.png"))
        assert numbers and numbers == list(range(1, len(numbers) + 1)), r.key
        assert f"{len(numbers)} page{'s' * (len(numbers) != 1)}, built with" in DOC.read_text(), r.key


def test_the_script_builds_every_page_of_every_kind_and_every_abstract_preset():
    _, reports = gallery.catalogue()
    sheets = {sheet.name for kind in KINDS.values() for sheet in kind.sheets}
    assert {r.sheet for r in reports} == sheets
    assert {r.preset for r in reports if r.sheet == "abstract"} == set(PRESETS)
    for sheet in ("dsmb-open", "dsmb-closed"):  # at two cutoffs
        assert len({r.key for r in reports if r.sheet == sheet}) == 2
    assert len([r for r in reports if r.sheet == "summary"]) == 3  # S1318, random-cdisc, the CDISC pilot


def _tests_in(path: Path) -> set[str]:
    return {node.name for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.FunctionDef)}


def test_every_test_the_defects_table_names_exists():
    named = [e for _, _, evidence in gallery_defects.DEFECTS for e in evidence if "::" in e]
    assert named
    for test in named:
        file, name = test.split("::")
        assert (ROOT / file).is_file() and name in _tests_in(ROOT / file), test


def test_every_defect_has_evidence_and_every_pair_both_images():
    pairs = {p.name: p for p in gallery_defects.PAIRS}
    for area, defect, evidence in gallery_defects.DEFECTS:
        assert evidence, defect
        for e in evidence:
            assert "::" in e or e.startswith("pair:") or e == gallery_defects.IN_PROGRESS or e.startswith(("no test", "known:")), e
            if e.startswith("pair:"):
                assert e[5:] in pairs, e
    for name, pair in pairs.items():
        for side in ("before", "after"):
            assert (getattr(pair, side) is None) != (GALLERY / "before-after" / f"{name}-{side}.png").is_file(), (name, side)
    text = DOC.read_text()
    assert all(defect in text for _, defect, _ in gallery_defects.DEFECTS)


def test_a_crop_starts_on_the_first_page_holding_its_phrase():
    layout = [(100.0, [("Table", 10.0, 20.0), ("Accrual", 10.0, 20.0)]),
              (100.0, [("Accrual", 50.0, 55.0), ("by", 50.0, 55.0), ("quarter", 50.0, 60.0)])]
    assert gallery.locate(layout, "Accrual") == (1, 0.1, 0.2)
    assert gallery.locate(layout, "Accrual by quarter") == (2, 0.5, 0.6)
    with pytest.raises(LookupError):
        gallery.locate(layout, "Accrual by month")
