"""Signed versions: attributable (who signed, when), and checked only against a key from outside.

A signing key in TRIALREPORT_SIGNING_KEY signs every manifest; the report's footer and the
manifest show the signer and the time; `archive verify --public-key` and `send --public-key`
catch any version not signed by that key, including a consistent rewrite of a version,
every later one and the index by someone who lacks the private key.
"""
import base64
import json
import shutil
import sqlite3

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader

import report
from report.archive.verify import verify
from report.archive.signing import Signer, load_public_key
from conftest import run_cli
from test_archive_chain import V, rewrite_consistently, rows

SIGNER, EPOCH = "Dr Jane Roe", "1735689600"  # 2025-01-01 00:00 UTC


def write_keys(folder, name):
    key = Ed25519PrivateKey.generate()
    private, public = folder / f"{name}.pem", folder / f"{name}.pub.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))
    public.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo))
    return key, private, public


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keys")
    return {name: write_keys(folder, name) for name in ("board", "attacker")}


@pytest.fixture(scope="module")
def signed(tmp_path_factory, keys, example_trial):
    """Three signed versions of the example: v1 as PDF and HTML, v2 and v3 as HTML."""
    root = tmp_path_factory.mktemp("signed") / "output"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TRIALREPORT_SIGNING_KEY", str(keys["board"][1]))
        env.setenv("TRIALREPORT_SIGNER", SIGNER)
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        for formats in (("pdf", "html"), ("html",), ("html",)):
            report.build(example_trial, formats=formats, out=root)
    return root


@pytest.fixture()
def archive(signed, tmp_path):
    copy = tmp_path / "output"
    shutil.copytree(signed, copy)
    return copy


def test_each_manifest_is_signed_and_says_who_and_when(signed, keys):
    for vid in V:
        folder = signed / vid
        manifest = json.loads((folder / "manifest.json").read_text())
        assert {k: manifest["signature"][k] for k in ("signer", "signed_at", "algorithm", "file")} == {
            "signer": SIGNER, "signed_at": "2025-01-01T00:00:00+00:00", "algorithm": "Ed25519", "file": "manifest.sig"}
        signature = base64.b64decode((folder / "manifest.sig").read_bytes())
        keys["board"][0].public_key().verify(signature, (folder / "manifest.json").read_bytes())  # raises if not
    with sqlite3.connect(signed / "archive.sqlite") as db:
        recorded = db.execute("SELECT signer, signature FROM versions WHERE id = ?", (V[0],)).fetchone()
    assert recorded == (SIGNER, (signed / V[0] / "manifest.sig").read_text().strip())


def test_the_report_footer_shows_the_signer_and_time(signed):
    footer = f"Data cutoff 31 July 2018 \u00b7 Generated 1 January 2025 \u00b7 Signed by {SIGNER}, 2025-01-01 00:00 UTC"
    pages = PdfReader(signed / V[0] / "summary.pdf").pages
    assert len(pages) > 1 and all(footer in " ".join(page.extract_text().split()) for page in pages)
    assert f"Signed by <span class=\"string-signed\">{SIGNER}, 2025-01-01 00:00 UTC</span>" in (
        signed / V[0] / "summary.html").read_text()


def test_a_signed_version_reproduces_byte_for_byte(signed):
    result = run_cli("archive", "reproduce", V[0], "--out", str(signed))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "identical  summary.pdf" in result.stdout and "identical  summary.html" in result.stdout
    shown = run_cli("archive", "show", V[0], "--out", str(signed))
    assert f"Chain position 1; signed by {SIGNER} at 2025-01-01T00:00:00+00:00" in shown.stdout


def test_verify_checks_every_signature_against_a_key_from_outside(archive, keys, tmp_path):
    good = run_cli("archive", "verify", "--out", str(archive), "--public-key", str(keys["board"][2]))
    assert good.returncode == 0, good.stderr
    assert "3 of 3 version(s) signed, by Dr Jane Roe; signatures checked against the given public key" in good.stderr
    other = run_cli("archive", "verify", "--out", str(archive), "--public-key", str(keys["attacker"][2]))
    assert other.returncode == 1
    assert f"FAILED {V[0]}: its signature does not verify with the given public key" in other.stderr
    inside = archive / "board.pub.pem"
    shutil.copy(keys["board"][2], inside)
    planted = run_cli("archive", "verify", "--out", str(archive), "--public-key", str(inside))
    assert planted.returncode == 2 and "a public key inside the archive proves nothing" in planted.stderr
    not_a_key = run_cli("archive", "verify", "--out", str(archive), "--public-key", str(keys["board"][1]))
    assert not_a_key.returncode == 2 and "not a PEM public key" in not_a_key.stderr


def test_an_unsigned_version_says_so_and_fails_a_public_key(archive, example_trial, keys):
    report.build(example_trial, formats=("html",), out=archive)  # no key in the environment
    problems, notes = verify(archive)
    assert problems == [] and "1 version(s) unsigned: S1318/summary/2018-07-31-v4" in notes
    problems, _ = verify(archive, public_key=load_public_key(keys["board"][2]))
    assert problems == ["S1318/summary/2018-07-31-v4: unsigned (with --public-key every version must be signed)"]


def test_a_deleted_or_replaced_signature_is_caught(archive, keys):
    (archive / V[1] / "manifest.sig").unlink()
    forged = Signer(SIGNER, keys["attacker"][0])
    (archive / V[2] / "manifest.sig").write_bytes(forged.sign((archive / V[2] / "manifest.json").read_bytes()))
    problems, _ = verify(archive)
    assert f"{V[1]}/manifest.sig: differs from the index (added, deleted or changed)" in problems
    assert f"{V[1]}/manifest.sig: missing, though the manifest names a signature" in problems
    assert f"{V[2]}/manifest.sig: differs from the index (added, deleted or changed)" in problems


def test_a_consistent_rewrite_resigned_without_the_private_key_is_caught(archive, keys):
    rewrite_consistently(archive, V[1], signer=Signer(SIGNER, keys["attacker"][0]))
    assert verify(archive)[0] == []  # every hash and link agrees, and each version carries a signature
    problems, _ = verify(archive, public_key=load_public_key(keys["board"][2]))
    assert problems == [f"{vid}: its signature does not verify with the given public key (forged, or signed with "
                        "another key)" for vid in V[1:]]


def test_reindex_with_a_public_key_keeps_only_the_chain_it_signed(archive, keys):
    rewrite_consistently(archive, V[2], signer=Signer(SIGNER, keys["attacker"][0]))
    (archive / "archive.sqlite").unlink()
    result = run_cli("archive", "reindex", "--out", str(archive), "--public-key", str(keys["board"][2]))
    assert result.returncode == 1 and "2 version(s) added" in result.stdout
    assert f"BREAK {V[2]}: chain position 3: does not link to {V[1]}" in result.stderr
    assert [r[0] for r in rows(archive)] == V[:2]


def test_a_bad_signing_setup_stops_the_build_before_anything_is_written(tmp_path, keys):
    cases = [
        ({"TRIALREPORT_SIGNING_KEY": str(keys["board"][2]), "TRIALREPORT_SIGNER": SIGNER}, "not a PEM private key"),
        ({"TRIALREPORT_SIGNING_KEY": str(tmp_path / "absent.pem"), "TRIALREPORT_SIGNER": SIGNER}, "cannot read the signing key"),
        ({"TRIALREPORT_SIGNING_KEY": str(keys["board"][1])}, "TRIALREPORT_SIGNER: not set"),
        ({"TRIALREPORT_SIGNER": SIGNER}, "TRIALREPORT_SIGNING_KEY: not set"),
    ]
    for env, message in cases:
        result = run_cli("build", "--format", "html", "--out", str(tmp_path / "output"), env=env)
        assert result.returncode == 2 and message in result.stderr, (env, result.stderr)
        assert not (tmp_path / "output").exists()


def test_send_checks_the_bundle_against_the_archive_and_the_key(tmp_path, keys):
    env = {"TRIALREPORT_SIGNING_KEY": str(keys["board"][1]), "TRIALREPORT_SIGNER": SIGNER,
           "TRIALREPORT_CLOSED_PASSWORD": "closed-secret-43", "TRIALREPORT_SMTP_USER": "robot",
           "TRIALREPORT_SMTP_PASSWORD": "smtp-secret-42"}
    root = tmp_path / "output"
    built = run_cli("build", "--kind", "dsmb", "--format", "pdf", "--out", str(root), env=env)
    assert built.returncode == 0, built.stderr
    bundle = next((root / "S1318" / "dsmb").iterdir())
    assert "Signed by" in " ".join(PdfReader(bundle / "dsmb-open.pdf").pages[0].extract_text().split())
    wrong = run_cli("send", str(bundle), "--public-key", str(keys["attacker"][2]), env=env)
    assert wrong.returncode == 2 and "its signature does not verify with the given public key" in wrong.stderr
    with sqlite3.connect(root / "archive.sqlite") as db:
        db.execute("DROP TRIGGER versions_append_only_delete")
        db.execute("DELETE FROM versions")
    unindexed = run_cli("send", str(bundle), env=env)
    assert unindexed.returncode == 2 and "not in the index" in unindexed.stderr
    outside = tmp_path / "copy"
    shutil.copytree(bundle, outside)
    loose = run_cli("send", str(outside), env=env)
    assert loose.returncode == 2 and "not an archived version" in loose.stderr


def test_an_abstract_names_its_signer_too(tmp_path, keys, example_trial, monkeypatch):
    monkeypatch.setenv("TRIALREPORT_SIGNING_KEY", str(keys["board"][1]))
    monkeypatch.setenv("TRIALREPORT_SIGNER", SIGNER)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    bundle = report.build(example_trial, kind="abstract", formats=("html", "txt"), out=tmp_path)
    html = (bundle.directory / "abstract.html").read_text()
    assert f"signed by <span class=\"string-signed\">{SIGNER}, 2025-01-01 00:00 UTC</span>" in html
    assert SIGNER not in (bundle.directory / "abstract.txt").read_text()  # the submitted text is the abstract alone
