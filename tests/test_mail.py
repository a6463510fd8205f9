"""`send_bundle` against a real SMTP server on 127.0.0.1 with STARTTLS and AUTH (aiosmtpd)."""
import hashlib
import json

import pytest


from report.cli import mail  # noqa: E402
from report.archive.store import snapshot  # noqa: E402
from report.archive.chain_check import reindex  # noqa: E402
from report.errors import InputError  # noqa: E402
from report.cli.mail import send_bundle, spec_for_bundle  # noqa: E402
from report.inputs.spec import load_spec  # noqa: E402
from conftest import MINIMAL_SPEC  # noqa: E402
from smtp_server import client_context, make_certificate, server_context, smtp_server  # noqa: E402

USER, SMTP_PASSWORD = "stats-robot", "smtp-Pa55-xyzzy"
CLOSED_PASSWORD = "closed-Pa55-plugh"
ENV = {
    "TRIALREPORT_SMTP_USER": USER,
    "TRIALREPORT_SMTP_PASSWORD": SMTP_PASSWORD,
    "TRIALREPORT_CLOSED_PASSWORD": CLOSED_PASSWORD,
}
OPEN = ["investigators@example.org"]
CLOSED = ["chair@example.org", "member@example.org"]
CUTOFF = "2018-07-31"



def pdf_bytes(encryption=None) -> bytes:
    """A one-page PDF, encrypted as `encryption` (a pikepdf.Encryption) says."""
    import io

    import pikepdf

    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        out = io.BytesIO()
        pdf.save(out, encryption=encryption)
        return out.getvalue()


def encrypted_pdf(**options) -> bytes:
    import pikepdf

    return pdf_bytes(pikepdf.Encryption(**{"user": CLOSED_PASSWORD, "owner": CLOSED_PASSWORD, **options}))


OPEN_PDF = pdf_bytes()
CLOSED_PDF = encrypted_pdf(R=6, aes=True)  # as `build` writes it: AES-256
OPEN_HTML = b"<!doctype html><title>open report</title>"


def spec_toml(port: int, *, recipients: str | None = None, smtp: str | None = None) -> str:
    recipients = recipients if recipients is not None else f"open = {json.dumps(OPEN)}\nclosed = {json.dumps(CLOSED)}\n"
    smtp = smtp if smtp is not None else f'[dsmb.smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "stats@example.org"\n'
    return MINIMAL_SPEC + f"""
[dsmb]
prepared_by = "Test statistics center"
[dsmb.recipients]
{recipients}
{smtp}
"""


@pytest.fixture(autouse=True)
def short_timeout(monkeypatch):
    monkeypatch.setattr(mail, "TIMEOUT", 5.0)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture()
def trusting(certificate):
    return client_context(certificate[0])


@pytest.fixture()
def server(certificate):
    """STARTTLS required, AUTH required (only over TLS), one account."""
    with smtp_server(tls=server_context(*certificate), credentials=(USER, SMTP_PASSWORD)) as running:
        yield running


@pytest.fixture()
def make_spec(tmp_path):
    def write(port: int, **sections):
        folder = tmp_path / "trial"
        folder.mkdir(exist_ok=True)
        (folder / "trial.toml").write_text(spec_toml(port, **sections), encoding="utf-8")
        return load_spec(folder)

    return write


@pytest.fixture()
def make_bundle(tmp_path):
    (tmp_path / "empty-input").write_bytes(b"")

    def write(files=None, *, kind="dsmb", trial="T1", listed=None):
        files = files if files is not None else {"dsmb-open.pdf": OPEN_PDF, "dsmb-open.html": OPEN_HTML,
                                                 "dsmb-closed.pdf": CLOSED_PDF, "results.json": b"{}"}
        root = tmp_path / "output"  # an archive holding the bundle as its one (unchained, legacy) version
        folder = root / trial / kind / f"{CUTOFF}-v1"
        folder.mkdir(parents=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        listed = listed if listed is not None else files
        manifest = {
            "trial": trial, "kind": kind, "data_cutoff": CUTOFF,
            "files": [{"path": n, "bytes": len(d), "sha256": hashlib.sha256(d).hexdigest()} for n, d in listed.items()],
            "inputs": [{"name": "trial.toml", "path": str(tmp_path / "trial" / "trial.toml"), "bytes": 0,
                        "sha256": hashlib.sha256(b"").hexdigest()}],
            "created_at": "2018-08-01T00:00:00+00:00",
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        snapshot(root, [tmp_path / "empty-input"])
        reindex(root)
        return folder

    return write


def by_recipient(received) -> dict[str, list]:
    out: dict[str, list] = {}
    for r in received:
        for address in r.rcpt_tos:
            out.setdefault(address, []).append(r)
    return out


def problems_text(excinfo) -> str:
    return str(excinfo.value)


# -- delivery --------------------------------------------------------------------------------


def test_open_and_closed_reports_go_to_their_own_lists(server, make_spec, make_bundle, trusting):
    port, recorder = server
    bundle = make_bundle()
    report = send_bundle(bundle, make_spec(port), env=ENV, ssl_context=trusting)

    assert [m.report for m in report.messages] == ["open", "closed"]
    opened, closed = report.messages
    assert opened.recipients == tuple(OPEN)
    assert opened.attachments == ("dsmb-open.pdf", "dsmb-open.html")
    assert opened.subject == f"T1 DSMB open report, data cutoff {CUTOFF}"
    assert closed.recipients == tuple(CLOSED)
    assert closed.attachments == ("dsmb-closed.pdf",)
    assert closed.subject == f"T1 DSMB closed report, data cutoff {CUTOFF}"
    assert report.server == f"127.0.0.1:{port}" and report.sender == "stats@example.org"

    assert len(recorder.received) == 2
    first, second = recorder.received
    assert first.rcpt_tos == tuple(OPEN) and second.rcpt_tos == tuple(CLOSED)
    assert first.mail_from == second.mail_from == "stats@example.org"
    assert first.attachments == ["dsmb-open.pdf", "dsmb-open.html"]
    assert second.attachments == ["dsmb-closed.pdf"]
    assert first.message["Subject"] == opened.subject and second.message["Subject"] == closed.subject
    assert first.message["To"] == ", ".join(OPEN) and second.message["To"] == ", ".join(CLOSED)
    assert first.message["Bcc"] is None and second.message["Bcc"] is None
    assert {r.login for r in recorder.received} == {USER}  # logged in with the env credentials


def test_open_recipients_never_receive_the_closed_report(server, make_spec, make_bundle, trusting):
    port, recorder = server
    send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
    mailbox = by_recipient(recorder.received)

    for address in OPEN:
        assert all("dsmb-closed.pdf" not in r.attachments for r in mailbox[address])
    for address in CLOSED:
        [got] = mailbox[address]
        assert got.attachments == ["dsmb-closed.pdf"]
        [part] = got.message.iter_attachments()
        assert part.get_content_type() == "application/pdf"
        assert part.get_content() == CLOSED_PDF
    # no message mixes the lists
    for r in recorder.received:
        assert not (set(r.rcpt_tos) & set(OPEN) and set(r.rcpt_tos) & set(CLOSED))


def test_cover_notes_name_the_trial_cutoff_and_preparer(server, make_spec, make_bundle, trusting):
    port, recorder = server
    send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
    opened, closed = (r.message.get_body(("plain",)).get_content() for r in recorder.received)

    for note in (opened, closed):
        assert "T1" in note and "A small test trial" in note
        assert CUTOFF in note and "Prepared by Test statistics center" in note
    assert "dsmb-open.pdf" in opened and "dsmb-closed.pdf" not in opened
    assert "dsmb-closed.pdf" in closed and "password will reach you separately" in closed


def test_passwords_never_appear_in_the_messages(server, make_spec, make_bundle, trusting):
    port, recorder = server
    report = send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)

    for r in recorder.received:
        decoded = "".join(str(part.get_content()) for part in r.message.walk() if not part.is_multipart())
        for secret in (SMTP_PASSWORD, CLOSED_PASSWORD):
            assert secret.encode() not in r.raw
            assert secret not in decoded
    assert SMTP_PASSWORD not in repr(report) and CLOSED_PASSWORD not in repr(report)


def test_html_is_attached_only_when_present(server, make_spec, make_bundle, trusting):
    port, recorder = server
    bundle = make_bundle({"dsmb-open.pdf": OPEN_PDF, "dsmb-closed.pdf": CLOSED_PDF})
    report = send_bundle(bundle, make_spec(port), env=ENV, ssl_context=trusting)
    assert report.messages[0].attachments == ("dsmb-open.pdf",)
    assert recorder.received[0].attachments == ["dsmb-open.pdf"]


def test_credentials_come_from_the_variables_the_spec_names(server, make_spec, make_bundle, trusting):
    port, recorder = server
    smtp = (f'[dsmb.smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "stats@example.org"\n'
            'username_env = "DSMB_MAIL_USER"\npassword_env = "DSMB_MAIL_PASSWORD"\n')
    env = {"DSMB_MAIL_USER": USER, "DSMB_MAIL_PASSWORD": SMTP_PASSWORD}
    send_bundle(make_bundle(), make_spec(port, smtp=smtp), env=env, ssl_context=trusting)
    assert [r.login for r in recorder.received] == [USER, USER]


def test_named_recipients_get_bare_envelope_addresses(server, make_spec, make_bundle, trusting):
    port, recorder = server
    recipients = 'open = ["Investigators <investigators@example.org>"]\nclosed = ["Dr Chair <chair@example.org>"]\n'
    report = send_bundle(make_bundle(), make_spec(port, recipients=recipients), env=ENV, ssl_context=trusting)
    assert [m.recipients for m in report.messages] == [("investigators@example.org",), ("chair@example.org",)]
    assert [r.rcpt_tos for r in recorder.received] == [("investigators@example.org",), ("chair@example.org",)]


def test_refused_recipients_are_reported(server, make_spec, make_bundle, trusting):
    port, recorder = server
    recorder.refuse.add("member@example.org")
    report = send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
    assert [m.refused for m in report.messages] == [(), ("member@example.org",)]
    assert [r.rcpt_tos for r in recorder.received] == [tuple(OPEN), ("chair@example.org",)]


# -- refusing to send -------------------------------------------------------------------------


def test_wrong_password_is_a_clear_error_without_the_password(server, make_spec, make_bundle, trusting):
    port, recorder = server
    wrong = "not-the-Pa55-word"
    env = {**ENV, "TRIALREPORT_SMTP_PASSWORD": wrong}
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env=env, ssl_context=trusting)
    text = problems_text(excinfo)
    assert f"127.0.0.1:{port}" in text and "login refused" in text and "535" in text
    assert "nothing was sent" in text and len(text.splitlines()) == 1
    assert wrong not in text and SMTP_PASSWORD not in text and wrong not in repr(excinfo.value.problems)
    assert recorder.received == []


def test_missing_credentials_are_refused_by_the_server(server, make_spec, make_bundle, trusting):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env={}, ssl_context=trusting)
    assert f"127.0.0.1:{port}" in problems_text(excinfo) and "530" in problems_text(excinfo)
    assert "set TRIALREPORT_SMTP_USER and TRIALREPORT_SMTP_PASSWORD" in problems_text(excinfo)
    assert recorder.received == []


def test_only_one_credential_set_is_a_problem(server, make_spec, make_bundle, trusting):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env={"TRIALREPORT_SMTP_PASSWORD": SMTP_PASSWORD},
                    ssl_context=trusting)
    assert "TRIALREPORT_SMTP_USER is not set" in problems_text(excinfo)
    assert SMTP_PASSWORD not in problems_text(excinfo)
    assert recorder.received == []


def test_server_without_starttls_gets_nothing(make_spec, make_bundle, trusting):
    with smtp_server() as (port, recorder):
        with pytest.raises(InputError) as excinfo:
            send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
        text = problems_text(excinfo)
        assert f"127.0.0.1:{port}" in text and "STARTTLS" in text
        assert SMTP_PASSWORD not in text
        assert recorder.received == []


def test_certificate_is_verified_by_default(server, make_spec, make_bundle):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env=ENV)  # the self-signed cert is not trusted
    assert "certificate" in problems_text(excinfo) and f"127.0.0.1:{port}" in problems_text(excinfo)
    assert recorder.received == []


def test_no_server_listening_is_a_clear_error(make_spec, make_bundle, trusting):
    from smtp_server import free_port

    port = free_port()
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
    assert f"127.0.0.1:{port}" in problems_text(excinfo) and "refused" in problems_text(excinfo)


def test_password_over_plain_smtp_is_refused(server, make_spec, make_bundle, trusting):
    port, recorder = server
    smtp = f'[dsmb.smtp]\nhost = "127.0.0.1"\nport = {port}\nsender = "stats@example.org"\nstarttls = false\n'
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port, smtp=smtp), env=ENV, ssl_context=trusting)
    assert "starttls" in problems_text(excinfo) and SMTP_PASSWORD not in problems_text(excinfo)
    assert recorder.received == []


def test_input_problems_are_listed_together_before_sending(server, make_spec, make_bundle, trusting):
    port, recorder = server
    recipients = 'open = ["investigators@example.org", "not an address"]\nclosed = ["chair@example.org, x@y.org"]\n'
    bundle = make_bundle({"dsmb-open.pdf": OPEN_PDF})
    with pytest.raises(InputError) as excinfo:
        send_bundle(bundle, make_spec(port, recipients=recipients), env=ENV, ssl_context=trusting)
    messages = [p.message for p in excinfo.value.problems]
    assert any("'not an address' is not an e-mail address" in m for m in messages)
    assert any("'chair@example.org, x@y.org' is not an e-mail address" in m for m in messages)
    assert any(p.file.endswith("dsmb-closed.pdf") and "missing" in p.message for p in excinfo.value.problems)
    assert len(messages) == 3
    assert recorder.received == []


def test_missing_open_report_and_recipients(server, make_spec, make_bundle, trusting):
    port, recorder = server
    bundle = make_bundle({"dsmb-closed.pdf": CLOSED_PDF})
    with pytest.raises(InputError) as excinfo:
        send_bundle(bundle, make_spec(port, recipients='open = ["a@example.org"]\n'), env=ENV, ssl_context=trusting)
    text = problems_text(excinfo)
    assert "dsmb-open.pdf: missing from the bundle" in text
    assert "dsmb.recipients.closed: no recipients for the closed report" in text
    assert recorder.received == []


def test_missing_smtp_section(server, make_spec, make_bundle, trusting):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port, smtp=""), env=ENV, ssl_context=trusting)
    assert "dsmb.smtp: missing" in problems_text(excinfo)
    assert recorder.received == []


def test_unencrypted_closed_report_is_not_mailed(server, make_spec, make_bundle, trusting):
    port, recorder = server
    bundle = make_bundle({"dsmb-open.pdf": OPEN_PDF, "dsmb-closed.pdf": OPEN_PDF})
    with pytest.raises(InputError, match="dsmb-closed.pdf: not encrypted"):
        send_bundle(bundle, make_spec(port), env=ENV, ssl_context=trusting)
    assert recorder.received == []


def test_file_changed_since_the_build_is_not_mailed(server, make_spec, make_bundle, trusting):
    port, recorder = server
    bundle = make_bundle()
    (bundle / "dsmb-open.pdf").write_bytes(OPEN_PDF + b"edited")
    with pytest.raises(InputError, match="dsmb-open.pdf: changed since the build"):
        send_bundle(bundle, make_spec(port), env=ENV, ssl_context=trusting)
    assert recorder.received == []


def test_bundle_of_another_trial_or_kind_is_not_mailed(server, make_spec, make_bundle, trusting):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(kind="summary", trial="T2"), make_spec(port), env=ENV, ssl_context=trusting)
    assert "not a DSMB bundle" in problems_text(excinfo) and "'T2'" in problems_text(excinfo)
    assert recorder.received == []


def test_not_a_bundle(tmp_path, make_spec):
    spec = make_spec(1)
    with pytest.raises(InputError, match="not a bundle folder"):
        send_bundle(tmp_path / "nowhere", spec, env=ENV)
    with pytest.raises(InputError, match="no manifest"):
        send_bundle(tmp_path, spec, env=ENV)


# -- spec_for_bundle ------------------------------------------------------------------------


def test_spec_for_bundle_is_the_first_input(make_spec, make_bundle, tmp_path):
    make_spec(1)
    assert spec_for_bundle(make_bundle()) == tmp_path / "trial" / "trial.toml"


def test_spec_for_bundle_when_the_spec_is_gone_or_unrecorded(make_bundle):
    bundle = make_bundle()
    with pytest.raises(InputError, match="is not there"):
        spec_for_bundle(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps({**manifest, "inputs": []}))
    with pytest.raises(InputError, match="no trial spec recorded"):
        spec_for_bundle(bundle)
