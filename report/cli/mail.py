"""Mailing a DSMB bundle: the open report to the open list, the closed report to the board only.

Each report goes in its own message with an explicit envelope, so no address on one list
ever sees the other report. Everything that can be checked is checked before the first
message leaves; the SMTP password and the closed report's password are never written out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, make_msgid, parseaddr
from pathlib import Path

from ..errors import InputError, Problem
from .mail_safety import closed_pdf_problems, masked
from ..inputs.spec import SPEC_FILE, Smtp, Spec

MANIFEST = "manifest.json"
OPEN_PDF = "dsmb-open.pdf"
OPEN_HTML = "dsmb-open.html"
CLOSED_PDF = "dsmb-closed.pdf"
TIMEOUT = 30.0  # seconds, per socket operation

_MEDIA_TYPES = {".pdf": ("application", "pdf"), ".html": ("text", "html")}
# Deliberately narrower than RFC 5322: no quoting, comments or whitespace, so an address
# can never smuggle a second recipient or a header line into a message.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


@dataclass(frozen=True)
class SentMessage:
    report: str  # "open" or "closed"
    recipients: tuple[str, ...]  # the envelope: bare addresses
    subject: str
    attachments: tuple[str, ...]  # file names
    refused: tuple[str, ...] = ()  # recipients the server refused (the others got it)


@dataclass(frozen=True)
class SendReport:
    bundle: Path
    server: str  # host:port
    sender: str
    messages: tuple[SentMessage, ...]
    sent: bool = True  # False: a dry run, nothing was sent


@dataclass(frozen=True)
class _Outgoing:
    summary: SentMessage
    message: EmailMessage


def spec_for_bundle(bundle: Path) -> Path:
    """The trial spec (`trial.toml`) the bundle was built from, as its manifest records it."""
    manifest = read_manifest(bundle)
    inputs = manifest.get("inputs")
    first = inputs[0] if isinstance(inputs, list) and inputs else None
    recorded = first.get("path") if isinstance(first, dict) else None
    where = str(bundle / MANIFEST)
    if not isinstance(recorded, str) or not recorded:
        raise InputError(Problem(where, "inputs: no trial spec recorded; give the trial folder"))
    path = Path(recorded)
    if path.name != SPEC_FILE:
        raise InputError(Problem(where, f"inputs: the first input {recorded} is not a {SPEC_FILE}"))
    if not path.is_file():
        raise InputError(Problem(where, f"the trial spec it records, {recorded}, is not there; give the trial folder"))
    return path


def read_manifest(bundle: Path) -> dict:
    if not bundle.is_dir():
        raise InputError(Problem(str(bundle), "not a bundle folder"))
    path = bundle / MANIFEST
    if not path.is_file():
        raise InputError(Problem(str(path), "no manifest: not a bundle folder"))
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(Problem(str(path), f"not valid JSON: {exc}")) from None
    if not isinstance(manifest, dict):
        raise InputError(Problem(str(path), "not a manifest (expected a JSON object)"))
    return manifest


def send_bundle(
    bundle: Path,
    spec: Spec,
    *,
    env: Mapping[str, str] = os.environ,
    ssl_context: ssl.SSLContext | None = None,
    public_key: Path | None = None,
    dry_run: bool = False,
) -> SendReport:
    """Mail the open report to the open recipients and the closed report to the closed ones.
    The bundle must be an archived version whose chain (and, given `public_key`, signature) verifies.
    `dry_run`: every check made and every message composed, none sent (the report says who
    would receive what)."""
    from ..archive.verify import sending_problems

    manifest = read_manifest(bundle)
    problems = bundle_problems(bundle, manifest, spec) + sending_problems(bundle, public_key) + smtp_problems(spec, env)
    if problems:
        raise InputError(problems)
    smtp = spec.dsmb.smtp
    cutoff = dt.date.fromisoformat(manifest["data_cutoff"])
    outgoing = (open_message(bundle, spec, cutoff), closed_message(bundle, spec, cutoff))
    if dry_run:
        return SendReport(bundle=bundle, server=f"{smtp.host}:{smtp.port}", sender=smtp.sender,
                          messages=tuple(item.summary for item in outgoing), sent=False)
    sent = deliver(outgoing, spec, env, ssl_context or ssl.create_default_context())
    return SendReport(bundle=bundle, server=f"{smtp.host}:{smtp.port}", sender=smtp.sender, messages=sent)


# -- checks -------------------------------------------------------------------------------


def bundle_problems(bundle: Path, manifest: dict, spec: Spec) -> list[Problem]:
    where = str(bundle / MANIFEST)
    problems = []
    if manifest.get("kind") != "dsmb":
        problems.append(Problem(where, f"kind: {manifest.get('kind')!r} is not a DSMB bundle"))
    if manifest.get("trial") != spec.trial.id:
        problems.append(Problem(where, f"trial: {manifest.get('trial')!r} is not the spec's trial {spec.trial.id!r}"))
    if not _is_iso_date(manifest.get("data_cutoff")):
        problems.append(Problem(where, "data_cutoff: missing or not a YYYY-MM-DD date"))
    for name in (OPEN_PDF, CLOSED_PDF):
        if not (bundle / name).is_file():
            problems.append(Problem(str(bundle / name), "missing from the bundle"))
    problems += _changed_files(bundle, manifest)
    if (bundle / CLOSED_PDF).is_file():
        problems += closed_pdf_problems(bundle / CLOSED_PDF)
    return problems


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _changed_files(bundle: Path, manifest: dict) -> list[Problem]:
    """Attachments that differ from what the build wrote (edited or truncated since)."""
    listed = {f.get("path"): f.get("sha256") for f in manifest.get("files", []) if isinstance(f, dict)}
    problems = []
    for name in (OPEN_PDF, OPEN_HTML, CLOSED_PDF):
        path = bundle / name
        if not path.is_file():
            continue
        if name not in listed:
            problems.append(Problem(str(path), "not listed in the manifest"))
        elif hashlib.sha256(path.read_bytes()).hexdigest() != listed[name]:
            problems.append(Problem(str(path), "changed since the build (sha256 differs from the manifest)"))
    return problems


def smtp_problems(spec: Spec, env: Mapping[str, str]) -> list[Problem]:
    where = "trial.toml"
    smtp = spec.dsmb.smtp
    problems = []
    if smtp is None:
        problems.append(Problem(where, "dsmb.smtp: missing (host, port and sender of the mail server)"))
    elif not _is_address(smtp.sender):
        problems.append(Problem(where, f"dsmb.smtp.sender: {smtp.sender!r} is not an e-mail address"))
    for report, addresses in (("open", spec.dsmb.recipients.open), ("closed", spec.dsmb.recipients.closed)):
        key = f"dsmb.recipients.{report}"
        if not addresses:
            problems.append(Problem(where, f"{key}: no recipients for the {report} report"))
        problems += [Problem(where, f"{key}: {a!r} is not an e-mail address") for a in addresses if not _is_address(a)]
    if smtp is not None:
        problems += _credential_problems(smtp.username_env, smtp.password_env, env)
    return problems


def _credential_problems(user_env: str, password_env: str, env: Mapping[str, str]) -> list[Problem]:
    """The spec admits only STARTTLS or SMTPS (`dsmb.smtp.security`), so credentials never go in clear."""
    has_user, has_password = bool(env.get(user_env)), bool(env.get(password_env))
    if has_user != has_password:
        missing = password_env if has_user else user_env
        return [Problem("environment", f"{missing} is not set: set both {user_env} and {password_env}, or neither")]
    return []


def _is_address(text: str) -> bool:
    """One address, bare or as `Name <address>`."""
    if len(getaddresses([text])) != 1:
        return False
    return bool(_ADDRESS.fullmatch(parseaddr(text)[1]))


def _bare(text: str) -> str:
    return parseaddr(text)[1]


# -- messages -----------------------------------------------------------------------------


def open_message(bundle: Path, spec: Spec, cutoff: dt.date) -> _Outgoing:
    names = [OPEN_PDF] + ([OPEN_HTML] if (bundle / OPEN_HTML).is_file() else [])
    files = " and ".join(names)
    body = _cover_note(spec, cutoff, [
        f"Attached is the open report of the Data and Safety Monitoring Board: {files}.",
        "It holds the results pooled over the arms and may be shared with the investigators.",
    ])
    return _outgoing(bundle, spec, "open", spec.dsmb.recipients.open, _subject(spec, "open", cutoff), names, body)


def closed_message(bundle: Path, spec: Spec, cutoff: dt.date) -> _Outgoing:
    body = _cover_note(spec, cutoff, [
        f"Attached is the closed report of the Data and Safety Monitoring Board: {CLOSED_PDF}.",
        "It holds the results by arm and is for the members of the board only: please do not forward it.",
        "The file is encrypted; the password will reach you separately, not by this e-mail.",
    ])
    subject = _subject(spec, "closed", cutoff)
    return _outgoing(bundle, spec, "closed", spec.dsmb.recipients.closed, subject, [CLOSED_PDF], body)


def _subject(spec: Spec, report: str, cutoff: dt.date) -> str:
    return f"{spec.trial.id} DSMB {report} report, data cutoff {cutoff.isoformat()}"


def _cover_note(spec: Spec, cutoff: dt.date, lines: list[str]) -> str:
    prepared_by = spec.dsmb.prepared_by or spec.dsmb.smtp.sender
    return "\n".join([
        "Dear colleagues,",
        "",
        f"Trial: {spec.trial.id}, {spec.trial.title}",
        f"Data cutoff: {cutoff.isoformat()}",
        "",
        *lines,
        "",
        f"Prepared by {prepared_by}.",
        "",
    ])


def _outgoing(
    bundle: Path, spec: Spec, report: str, recipients: list[str], subject: str, names: list[str], body: str
) -> _Outgoing:
    sender = spec.dsmb.smtp.sender
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=_bare(sender).rpartition("@")[2])
    message.set_content(body)
    for name in names:
        maintype, subtype = _MEDIA_TYPES[Path(name).suffix]
        message.add_attachment((bundle / name).read_bytes(), maintype=maintype, subtype=subtype, filename=name)
    envelope = tuple(_bare(a) for a in recipients)
    return _Outgoing(SentMessage(report, envelope, subject, tuple(names)), message)


# -- delivery -----------------------------------------------------------------------------


def deliver(outgoing: tuple[_Outgoing, ...], spec: Spec, env: Mapping[str, str], context: ssl.SSLContext) -> tuple[SentMessage, ...]:
    smtp = spec.dsmb.smtp
    password = env.get(smtp.password_env) or ""
    sent: list[SentMessage] = []
    try:
        with _connection(smtp, context) as server:
            _secure_and_log_in(server, smtp.security == "starttls", context, env.get(smtp.username_env), password)
            for item in outgoing:
                refused = server.send_message(item.message, from_addr=_bare(smtp.sender), to_addrs=item.summary.recipients)
                sent.append(_with_refused(item.summary, refused))
    except _NoStartTls:
        raise InputError(_failure(smtp, "the server does not offer STARTTLS (dsmb.smtp.security requires it; "
                                        'security = "smtps" for implicit TLS)', sent)) from None
    except UnicodeEncodeError:  # smtplib sends AUTH in ASCII only
        raise InputError(_failure(smtp, f"{smtp.username_env} or {smtp.password_env} holds a character outside "
                                        "ASCII, which SMTP login cannot send", sent)) from None
    except (smtplib.SMTPException, OSError) as exc:  # ssl.SSLError and socket timeouts are OSErrors
        reason = masked(_reason(exc), password)  # a server may echo the AUTH argument back
        if getattr(exc, "smtp_code", None) == 530 and not password:
            reason += f" (set {smtp.username_env} and {smtp.password_env})"
        raise InputError(_failure(smtp, reason, sent)) from None
    return tuple(sent)


class _NoStartTls(Exception):
    pass


def _connection(smtp: Smtp, context: ssl.SSLContext) -> smtplib.SMTP:
    """SMTPS: TLS from the first byte, the certificate checked; else plain until STARTTLS."""
    if smtp.security == "smtps":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=TIMEOUT, context=context)
    return smtplib.SMTP(smtp.host, smtp.port, timeout=TIMEOUT)


def _secure_and_log_in(server: smtplib.SMTP, starttls: bool, context: ssl.SSLContext, user: str | None, password: str) -> None:
    server.ehlo()
    if starttls:
        if not server.has_extn("starttls"):
            raise _NoStartTls()
        server.starttls(context=context)
        server.ehlo()
    if user and password:
        server.login(user, password)


def _with_refused(summary: SentMessage, refused: dict) -> SentMessage:
    if not refused:
        return summary
    return SentMessage(summary.report, summary.recipients, summary.subject, summary.attachments, tuple(sorted(refused)))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"login refused ({exc.smtp_code} {_text(exc.smtp_error)})"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"every recipient refused: {', '.join(sorted(exc.recipients))}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"server replied {exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return (f"TLS failed ({exc.reason or exc}): check dsmb.smtp.security, \"smtps\" for TLS from the first byte "
                "(port 465), \"starttls\" for STARTTLS (port 587)")
    if isinstance(exc, TimeoutError):
        return f"no answer within {TIMEOUT:g} seconds"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused (is the mail server running there?)"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _text(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _failure(smtp: Smtp, reason: str, sent: list[SentMessage]) -> Problem:
    done = "; already sent: " + ", ".join(f"the {m.report} report" for m in sent) if sent else "; nothing was sent"
    return Problem(f"SMTP {smtp.host}:{smtp.port}", reason + done)
