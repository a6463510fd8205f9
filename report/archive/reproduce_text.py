"""reproduce.txt: the programs behind a bundle's outputs, in plain ASCII. The software and its
versions, the input files by SHA-256 and size, and the exact commands that rebuild the bundle
byte for byte.

Written from what the manifest records (the version's provenance, formats and what its kind
adds), so `archive reproduce` writes it again the same from the manifest. It names no file
of the bundle by hash (the manifest does that, reproduce.txt among them) and no folder of the
machine that built it: its bytes do not depend on where the trial folder was.
"""
from __future__ import annotations

import datetime as dt
import shlex

NAME = "reproduce.txt"


def reproduce_text(record: dict) -> bytes:
    """reproduce.txt for a version whose manifest is (or will be) `record`."""
    lines = [*_heading(record), "", *_software(record), "", *_inputs(record), "", *_commands(record), ""]
    return "\n".join(lines).encode("ascii")


def source_date_epoch(day: str) -> int:
    """SOURCE_DATE_EPOCH of a report date (YYYY-MM-DD): its midnight, UTC, in seconds."""
    midnight = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=dt.timezone.utc)
    return int(midnight.timestamp())


def ascii_only(text: object) -> str:
    """`text` in ASCII: any other character as a Python escape (\\xe9, \\u2013), so a name stays exact."""
    return str(text).encode("ascii", "backslashreplace").decode("ascii").replace("\n", "\\n").replace("\r", "\\r")


def _heading(record: dict) -> list[str]:
    title = "How to rebuild this bundle"
    return [title, "=" * len(title), "",
            f"Trial {ascii_only(record['trial'])}, {record['kind']} report, data cutoff {record['data_cutoff']}, "
            f"report date {record['generated_on']}."]


def _software(record: dict) -> list[str]:
    software = record.get("software", {})
    pins = [f"{name}=={version}" for name, version in sorted(software.items())
            if name not in ("trialreport", "python") and version]
    return [
        "1. The software",
        "",
        f"Built with trialreport {software.get('trialreport')} on Python {software.get('python')}. Install the same,",
        "with the versions of the libraries that shape the numbers and the pages:",
        "",
        f"    python{_minor(software.get('python'))} -m pip install trialreport=={software.get('trialreport')} \\",
        *[f"        {' '.join(pins[i:i + 4])}{' ' + chr(92) if i + 4 < len(pins) else ''}" for i in range(0, len(pins), 4)],
        "",
        "The PDFs' bytes also depend on system libraries (Pango, HarfBuzz, FreeType, Fontconfig,",
        "cairo): manifest.json names the versions this bundle was made with, under \"system\".",
        "The shipped templates are those of this trialreport version (by hash: manifest.json,",
        "\"templates\").",
    ]


def _minor(python: str | None) -> str:
    return ".".join(str(python).split(".")[:2]) if python else "3"


def _inputs(record: dict) -> list[str]:
    lines = ["2. The inputs", "",
             "Put these files in one folder, by these names (trialreport archive reproduce restores",
             "them from the archive's store). SHA-256, size in bytes, name:", ""]
    lines += [f"    {e['sha256']}  {e['bytes']:>10}  {ascii_only(e['name'])}" for e in record.get("input_hashes", [])]
    own = record.get("user_templates")
    if own:
        lines += ["", f"The trial's own templates, in the folder {ascii_only(own.get('folder'))} of that folder:", ""]
        lines += [f"    {e['sha256']}  {e['bytes']:>10}  {ascii_only(e['path'])}" for e in own.get("files", [])]
    narrative = (record.get("narrative") or {}).get("files", [])
    if narrative:
        lines += ["", "The text files [narrative] names, at these paths in that folder:", ""]
        lines += [f"    {e['sha256']}  {'':>10}  {ascii_only(e['path'])}" for e in narrative]
    return lines


def _commands(record: dict) -> list[str]:
    epoch = source_date_epoch(record["generated_on"])
    command = ["trialreport", "build", ".", "--data", ".", "--kind", record["kind"], "--cutoff", record["data_cutoff"],
               "--format", ",".join(record.get("formats", [])), "--out", "output", *_kind_options(record)]
    lines = [
        "3. The commands",
        "",
        "In that folder, run:",
        "",
        f"    SOURCE_DATE_EPOCH={epoch} {shlex.join(ascii_only(part) for part in command)}",
        "",
        f"SOURCE_DATE_EPOCH dates the report {record['generated_on']}, as this bundle is: the same inputs",
        "and software then give the same bytes, except for what the manifest records of the",
        "run itself (its time, command line and place in the archive's hash chain).",
        *_kind_notes(record),
        "",
        "Or, where the archive that holds this version is at hand, re-render it from its stored",
        "inputs and compare every file, byte for byte:",
        "",
        "    trialreport archive reproduce <this version's folder> --out <that archive's folder>",
    ]
    return lines


def _kind_options(record: dict) -> list[str]:
    options = []
    if record["kind"] == "abstract" and record.get("limit") is not None:
        options += ["--max-chars", str(record["limit"])]
    if record["kind"] == "dsmb" and not record.get("encrypted"):
        options.append("--no-encrypt")
    return options


def _kind_notes(record: dict) -> list[str]:
    notes = []
    if record["kind"] == "dsmb" and record.get("encrypted"):
        notes += ["The closed report is encrypted with TRIALREPORT_CLOSED_PASSWORD (set it before the",
                  "build): encryption makes its bytes new each time, so it is not compared."]
    if record.get("previous_version"):
        notes += [f"This report compares with the archived version {ascii_only(record['previous_version'])}:",
                  "build with --out naming the archive that holds it (in place of \"output\")."]
    if record.get("signature"):
        notes += ["The version was signed, and its report shows by whom and when (manifest.json,",
                  "\"signature\"): set TRIALREPORT_SIGNING_KEY and TRIALREPORT_SIGNER as the signer did;",
                  "the time shown is then the report date's midnight, the signed time only where the",
                  "signer built with SOURCE_DATE_EPOCH (archive reproduce shows it as signed)."]
    return notes
