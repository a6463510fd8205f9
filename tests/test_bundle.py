"""Bundles: written whole or not at all, never overwritten."""
import json

import pytest

from report.archive.bundle import next_version, write_bundle


def test_versions_count_up_and_never_overwrite(tmp_path):
    first = write_bundle(tmp_path, "2018-07-31", {"a.txt": b"one"}, {"kind": "test"})
    second = write_bundle(tmp_path, "2018-07-31", {"a.txt": b"two"}, {"kind": "test"})
    assert (first.name, second.name) == ("2018-07-31-v1", "2018-07-31-v2")
    assert (first / "a.txt").read_bytes() == b"one"
    assert next_version(tmp_path, "2018-07-31") == 3
    assert next_version(tmp_path, "2019-01-31") == 1


def test_manifest_lists_every_file_with_its_hash(tmp_path):
    folder = write_bundle(tmp_path, "c", {"a.txt": b"abc"}, {"kind": "test"})
    listed = json.loads((folder / "manifest.json").read_text())
    assert listed["kind"] == "test"
    assert listed["files"] == [{
        "path": "a.txt", "bytes": 3,
        "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    }]


def test_a_failed_write_leaves_nothing_behind(tmp_path):
    with pytest.raises(OSError):
        write_bundle(tmp_path, "c", {"good.txt": b"x", "missing/dir.txt": b"y"}, {})
    assert list(tmp_path.iterdir()) == []


def test_provenance_records_inputs_templates_and_software(tmp_path):
    from report.archive.store import input_entries
    from report.archive.bundle import software, template_hashes

    spec = tmp_path / "trial.toml"
    spec.write_text("x")
    assert input_entries([spec])[0]["sha256"] == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    assert {"weasyprint", "lifelines", "pandas", "matplotlib", "python"} <= set(software())
    names = {t["path"] for t in template_hashes()}
    assert {"summary.html.j2", "report.css", "partials/results.html.j2"} <= names
