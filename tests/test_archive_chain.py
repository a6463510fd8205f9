"""The archive is tamper-evident: a hash chain across every version, and a head kept outside it.

Each test builds real versions (report.build or the CLI) into its own output root and then
tampers with it as someone with write access to the folder would: deleting or changing
rows, files, folders and the index itself, and rewriting a version, every later one and the
index consistently (caught only by a head recorded outside the archive, or by signatures:
see test_signing.py).
"""
import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys

import pytest

import report
from report.archive.store import ArchiveError
from report.archive.verify import verify
from report.archive.chain import appending, record_sha256
from report.archive.chain_check import reindex
from conftest import EXAMPLE, run_cli

V = ["S1318/summary/2018-07-31-v1", "S1318/summary/2018-07-31-v2", "S1318/summary/2018-07-31-v3"]


@pytest.fixture(scope="module")
def built(tmp_path_factory, example_trial):
    """Three versions of the example, built as a user would (HTML only, to be quick)."""
    root = tmp_path_factory.mktemp("chain") / "output"
    for _ in V:
        report.build(example_trial, formats=("html",), out=root)
    return root


@pytest.fixture()
def archive(built, tmp_path):
    """A fresh copy of the three-version archive, to tamper with."""
    copy = tmp_path / "output"
    shutil.copytree(built, copy)
    return copy


def manifest(root, vid) -> dict:
    return json.loads((root / vid / "manifest.json").read_text())


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(root) -> list[tuple]:
    with sqlite3.connect(root / "archive.sqlite") as db:
        return db.execute("SELECT id, position, previous_record, record_sha256 FROM versions ORDER BY position").fetchall()


def tamper_index(root, *statements):
    """What an attacker with write access does: drop the append-only guards, then change rows."""
    db = sqlite3.connect(root / "archive.sqlite")
    db.execute("DROP TRIGGER versions_append_only_update")
    db.execute("DROP TRIGGER versions_append_only_delete")
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()


def head(root) -> str:
    result = run_cli("archive", "head", "--out", str(root))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def rewrite_consistently(root, first: str, signer=None):
    """Forge `first` (its HTML says another cutoff) and rewrite it, every later version and the
    index so that every hash agrees again: new file hashes, new manifests linked to each other,
    and an index rebuilt by the tool itself."""
    order = [r[0] for r in rows(root)]
    previous_sha, started = None, False
    for vid in order:
        started = started or vid == first
        folder = root / vid
        m = manifest(root, vid)
        if vid == first:
            page = folder / "summary.html"
            page.write_bytes(page.read_bytes().replace(b"31 July 2018", b"31 July 2019"))
            m["files"] = [{**f, "bytes": page.stat().st_size, "sha256": sha(page)} if f["path"] == "summary.html" else f
                          for f in m["files"]]
        if started:
            m["chain"]["previous_manifest_sha256"] = previous_sha
            if signer is not None:
                m["signature"]["public_key_sha256"] = "attacker"
            text = (json.dumps(m, indent=2) + "\n").encode()
            (folder / "manifest.json").write_bytes(text)
            if signer is not None:
                (folder / "manifest.sig").write_bytes(signer.sign(text))
        previous_sha = sha(folder / "manifest.json")
    (root / "archive.sqlite").unlink()
    added, breaks = reindex(root)
    assert breaks == [] and len(added) == len(order)


# --------------------------------------------------------------------------- the chain as built

def test_every_manifest_and_record_links_to_the_one_before(archive):
    chained = rows(archive)
    assert [r[:2] for r in chained] == [(V[0], 1), (V[1], 2), (V[2], 3)]
    assert chained[0][2] is None
    for before, after in zip(chained, chained[1:]):
        assert after[2] == before[3]  # each record holds the hash of the previous record
        link = manifest(archive, after[0])["chain"]
        assert link == {"position": after[1], "previous": before[0],
                        "previous_manifest_sha256": sha(archive / before[0] / "manifest.json")}
    for vid, position, previous, record in chained:
        assert record == record_sha256(position, vid, sha(archive / vid / "manifest.json"), None, previous)
    assert verify(archive) == ([], ["unsigned archive: no version is signed"])


def test_head_is_printed_and_expected(archive, tmp_path):
    recorded = head(archive)
    assert recorded == rows(archive)[-1][3]
    ok = run_cli("archive", "verify", "--out", str(archive), "--expect-head", recorded)
    assert ok.returncode == 0 and f"leads to head {recorded}" in ok.stdout
    wrong = run_cli("archive", "verify", "--out", str(archive), "--expect-head", "0" * 64)
    assert wrong.returncode == 1 and "no longer leads to the head " + "0" * 64 in wrong.stderr
    bad = run_cli("archive", "verify", "--out", str(archive), "--expect-head", "abc")
    assert bad.returncode == 2 and "not a head hash" in bad.stderr
    empty = run_cli("archive", "head", "--out", str(tmp_path / "nothing"))
    assert empty.returncode == 2 and "Traceback" not in empty.stderr


def test_a_head_recorded_earlier_is_still_reached_after_later_builds(archive, example_trial):
    recorded = rows(archive)[-1][3]
    report.build(example_trial, formats=("html",), out=archive)
    assert verify(archive, expect_head=recorded)[0] == []


def test_index_is_append_only(archive):
    with sqlite3.connect(archive / "archive.sqlite") as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM versions WHERE id = ?", (V[1],))
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE versions SET manifest_sha256 = 'x' WHERE id = ?", (V[1],))


# --------------------------------------------------------------------------- deletion

def test_a_deleted_row_breaks_the_chain(archive):
    tamper_index(archive, f"DELETE FROM versions WHERE id = '{V[1]}'")
    result = run_cli("archive", "verify", "--out", str(archive))
    assert result.returncode == 1
    assert "chain position 2: no index record (deleted)" in result.stderr
    assert f"FAILED {V[1]}: not in the index" in result.stderr
    assert "note:" not in result.stderr.replace("note: unsigned archive", "")


def test_the_last_row_deleted_leaves_an_unindexed_folder(archive):
    tamper_index(archive, f"DELETE FROM versions WHERE id = '{V[2]}'")
    problems, _ = verify(archive)
    assert problems == [f"{V[2]}: not in the index (never indexed: forged, or published by a build that stopped; "
                        "`archive reindex` indexes it only if its chain links verify)"]


def test_a_deleted_index_is_a_failure_and_no_build_recreates_it(archive):
    (archive / "archive.sqlite").unlink()
    result = run_cli("archive", "verify", "--out", str(archive))
    assert result.returncode == 1 and "FAILED" in result.stderr and "the archive index is missing" in result.stderr
    listed = run_cli("archive", "list", "--out", str(archive))
    assert listed.returncode == 1 and "the archive index is missing" in listed.stderr
    build = run_cli("build", "--format", "html", "--out", str(archive))
    assert build.returncode == 1 and "the archive index is missing" in build.stderr and "Traceback" not in build.stderr
    assert not (archive / "archive.sqlite").exists()
    assert sorted(p.name for p in (archive / "S1318" / "summary").iterdir()) == [v.rsplit("/", 1)[1] for v in V]


def test_reindex_rebuilds_the_same_chain_and_head(archive):
    before, recorded = rows(archive), rows(archive)[-1][3]
    (archive / "archive.sqlite").unlink()
    result = run_cli("archive", "reindex", "--out", str(archive))
    assert result.returncode == 0 and "3 version(s) added" in result.stdout
    assert rows(archive) == before
    assert verify(archive, expect_head=recorded)[0] == []


def test_a_deleted_version_folder_breaks_the_chain(archive):
    shutil.rmtree(archive / V[1])
    problems, _ = verify(archive)
    assert f"{V[1]}: in the index but its folder is missing" in problems
    assert any(p.startswith(f"{V[2]}/manifest.json: does not link to the manifest of {V[1]}") for p in problems)
    (archive / "archive.sqlite").unlink()  # and the index rebuilt without it: reindex names the break
    added, breaks = reindex(archive)
    assert added == [V[0]]
    assert breaks == [f"{V[2]}: chain position 3: after the break at position 2 (no version holds position 2); not indexed"]
    assert any(f"{V[2]}: not in the index" in p for p in verify(archive)[0])


def test_a_deleted_file_and_a_deleted_store_entry_are_named(archive):
    (archive / V[0] / "summary.html").unlink()
    stored = manifest(archive, V[0])["inputs"][1]["sha256"]
    (archive / "store" / "sha256" / stored[:2] / stored[2:]).unlink()
    problems, _ = verify(archive)
    assert f"{V[0]}/summary.html: missing" in problems
    assert any("input subjects.csv missing from the store" in p for p in problems)


# --------------------------------------------------------------------------- modification and additions

def test_a_changed_row_is_caught(archive):
    tamper_index(archive, f"UPDATE versions SET manifest_sha256 = '{'0' * 64}' WHERE id = '{V[1]}'")
    problems, _ = verify(archive)
    assert f"{V[1]}/manifest.json: changed since it was indexed" in problems
    assert f"{V[1]}: its index record was altered (its hash differs)" in problems


def test_a_rewritten_record_chain_is_caught_by_the_manifests(archive):
    """Rows rewritten consistently among themselves (new record hashes) for a changed manifest."""
    m = manifest(archive, V[1])
    m["command"] = ["forged"]
    (archive / V[1] / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
    statements, before = [], None
    for vid, position, _, _ in rows(archive):
        digest = sha(archive / vid / "manifest.json")
        record = record_sha256(position, vid, digest, None, before)
        statements.append(f"UPDATE versions SET manifest_sha256 = '{digest}', previous_record = "
                          f"{'NULL' if before is None else repr(before)}, record_sha256 = '{record}' WHERE id = '{vid}'")
        before = record
    tamper_index(archive, *statements)
    problems, _ = verify(archive)
    assert problems == [f"{V[2]}/manifest.json: does not link to the manifest of {V[1]} "
                        "(a version before it was deleted or rewritten)"]


def test_a_forged_unindexed_folder_and_an_extra_store_file_are_failures(archive):
    shutil.copytree(archive / V[2], archive / "S1318" / "summary" / "2018-07-31-v4")
    (archive / "store" / "sha256" / "ab").mkdir(exist_ok=True)
    (archive / "store" / "sha256" / "ab" / "cd").write_text("planted")
    (archive / V[0] / "stray.txt").write_text("not in the manifest")
    result = run_cli("archive", "verify", "--out", str(archive))
    assert result.returncode == 1
    assert "FAILED S1318/summary/2018-07-31-v4: not in the index" in result.stderr
    assert "FAILED store/sha256/ab/cd: extra file in the store" in result.stderr
    assert f"FAILED {V[0]}/stray.txt: extra file" in result.stderr
    added, breaks = reindex(archive)  # the copy claims position 3, which V[2] holds
    assert added == [] and breaks == ["S1318/summary/2018-07-31-v4: chain position 3: "
                                      "another version holds this position in the chain; not indexed"]


def test_the_forgery_of_the_issue_is_not_reindexed_by_the_next_build(archive, example_trial):
    """A bundle rewritten consistently with its manifest, and the index deleted: before the
    chain, the next build re-indexed the forgery and verify passed."""
    m = manifest(archive, V[1])
    page = archive / V[1] / "summary.html"
    page.write_bytes(page.read_bytes().replace(b"31 July 2018", b"31 July 2019"))
    m["files"] = [{**f, "sha256": sha(page), "bytes": page.stat().st_size} if f["path"] == "summary.html" else f
                  for f in m["files"]]
    (archive / V[1] / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
    (archive / "archive.sqlite").unlink()
    with pytest.raises(ArchiveError, match="the archive index is missing"):
        report.build(example_trial, formats=("html",), out=archive)
    added, breaks = reindex(archive)
    assert added == [V[0], V[1]]  # V[1] still links to V[0]: the forgery is caught at V[2]
    assert breaks == [f"{V[2]}: chain position 3: does not link to {V[1]} (a version was deleted or rewritten, "
                      "or the signature fails); not indexed"]
    assert any(f"{V[2]}: not in the index" in p for p in verify(archive)[0])


def test_a_consistent_rewrite_of_a_version_every_later_one_and_the_index_is_caught_by_the_head(archive):
    recorded = head(archive)
    rewrite_consistently(archive, V[1])
    assert verify(archive)[0] == []  # the chain alone cannot see it: every hash agrees
    result = run_cli("archive", "verify", "--out", str(archive), "--expect-head", recorded)
    assert result.returncode == 1
    assert f"the archive no longer leads to the head {recorded}" in result.stderr
    assert head(archive) != recorded


# --------------------------------------------------------------------------- legacy archives

def make_legacy(root):
    """The layout of an archive made before the chain: no chain blocks, the old index."""
    old = []
    for vid in [r[0] for r in rows(root)]:
        m = manifest(root, vid)
        del m["chain"]
        (root / vid / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
        old.append((vid, m["trial"], m["kind"], m["data_cutoff"], int(vid.rsplit("-v", 1)[1]), m["created_at"],
                    sha(root / vid / "manifest.json")))
    (root / "archive.sqlite").unlink()
    with sqlite3.connect(root / "archive.sqlite") as db:
        db.execute("CREATE TABLE versions (id TEXT PRIMARY KEY, trial TEXT NOT NULL, kind TEXT NOT NULL, cutoff TEXT "
                   "NOT NULL, number INTEGER NOT NULL, created_at TEXT NOT NULL, manifest_sha256 TEXT NOT NULL)")
        db.executemany("INSERT INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)", old)


def test_a_legacy_archive_is_reported_once_and_chained_from_the_next_build(archive, example_trial):
    make_legacy(archive)
    result = run_cli("archive", "verify", "--out", str(archive))
    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "legacy" in line]
    assert notes == [f"note: 3 unchained legacy version(s), made before the hash chain (the chain starts with the "
                     f"next build): {', '.join(V)}"]
    bundle = report.build(example_trial, formats=("html",), out=archive)
    assert bundle.notes == ("The archive's hash chain starts with this version; the 3 version(s) made before it are "
                            "kept as unchained legacy versions, listed in its manifest.",)
    new = bundle.directory
    link = json.loads((new / "manifest.json").read_text())["chain"]
    assert link["position"] == 1 and [e["version"] for e in link["legacy"]] == V
    problems, notes = verify(archive)
    assert problems == [] and sum("legacy" in n for n in notes) == 1
    tamper_index(archive, f"DELETE FROM versions WHERE id = '{V[0]}'")  # a legacy row goes: the chain knew it
    problems, _ = verify(archive)
    assert any("the legacy versions it lists differ from the index's" in p for p in problems)


# --------------------------------------------------------------------------- concurrency

def test_concurrent_builds_and_a_batch_get_distinct_versions_and_one_valid_chain(tmp_path):
    root = tmp_path / "output"
    trials = []
    for name in ("a", "b"):
        trials.append(tmp_path / name)
        shutil.copytree(EXAMPLE, trials[-1])
    command = [sys.executable, "-m", "report", "build", "--format", "html", "--out", str(root)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    runs.append(subprocess.Popen(command[:4] + [str(t) for t in trials] + command[4:], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True))
    outputs = [run.communicate(timeout=600) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], outputs
    chained = rows(root)
    assert [r[1] for r in chained] == [1, 2, 3, 4, 5]
    assert sorted(r[0] for r in chained) == [f"S1318/summary/2018-07-31-v{n}" for n in range(1, 6)]
    assert verify(root)[0] == []


def test_an_append_that_fails_publishes_nothing_and_keeps_the_chain(archive):
    recorded = rows(archive)
    with pytest.raises(RuntimeError):
        with appending(archive) as chain:
            assert chain.position == 4
            folder = archive / "S1318" / "summary" / "2018-07-31-v4"
            shutil.copytree(archive / V[2], folder)
            chain.record(folder)
            raise RuntimeError("stopped between publishing and committing")
    assert not (archive / "S1318" / "summary" / "2018-07-31-v4").exists()
    assert rows(archive) == recorded and verify(archive)[0] == []


# --------------------------------------------------------------------------- readers of the archive

def test_a_dsmb_report_compares_only_with_an_indexed_unchanged_version(tmp_path):
    """"Changes since" reads the previous report from the archive: never from a planted folder."""
    root = tmp_path / "output"
    earlier, later = (report.load_trial(cutoff=c) for c in ("2017-06-30", "2017-07-31"))
    first = report.build(earlier, kind="dsmb", formats=("html",), out=root, encrypt=False).directory
    planted = first.parent / "2017-06-30-v2"  # a forged, never indexed "later version" of that report
    shutil.copytree(first, planted)
    ledger = json.loads((planted / "results.json").read_text())
    ledger["dsmb"]["accrual"]["enrolled"] += 10
    (planted / "results.json").write_text(json.dumps(ledger))
    m = manifest(root, "S1318/dsmb/2017-06-30-v2")
    m["files"] = [{**f, "sha256": sha(planted / "results.json")} if f["path"] == "results.json" else f for f in m["files"]]
    (planted / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
    bundle = report.build(later, kind="dsmb", formats=("html",), out=root, encrypt=False)
    compared = json.loads((bundle.directory / "manifest.json").read_text())["previous_version"]
    assert compared == "S1318/dsmb/2017-06-30-v1"
    assert json.loads((bundle.directory / "results.json").read_text())["dsmb"]["changes"]["new_patients"] == 1
    shutil.rmtree(planted)
    (first / "results.json").write_text(json.dumps(ledger))  # the indexed version itself changed: stop
    with pytest.raises(ArchiveError, match="2017-06-30-v1/results.json: missing or changed"):
        report.build(later, kind="dsmb", formats=("html",), out=root, encrypt=False)


def test_a_malformed_or_path_escaping_manifest_is_named_not_an_internal_error(archive):
    m = manifest(archive, V[1])
    m["files"][0]["path"] = "../../../../etc/hostname"
    (archive / V[1] / "manifest.json").write_text(json.dumps(m, indent=2) + "\n")
    (archive / V[2] / "manifest.json").write_text('{"files": "not a list"}')
    problems, _ = verify(archive)
    assert any(p.startswith(f"{V[1]}/manifest.json: missing, unreadable or malformed") for p in problems)
    assert any(p.startswith(f"{V[2]}/manifest.json: missing, unreadable or malformed") for p in problems)
    (archive / "archive.sqlite").unlink()
    result = run_cli("archive", "reindex", "--out", str(archive))
    assert result.returncode == 1 and "Traceback" not in result.stderr and "Internal error" not in result.stderr
    assert f"BREAK {V[2]}: no readable manifest.json naming trial, kind, data_cutoff, created_at" in result.stderr
