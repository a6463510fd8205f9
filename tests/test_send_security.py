"""What `send` refuses before anything leaves, and what it never shows: a closed report that
is not AES-256 encrypted or opens without a password, mail in clear (only STARTTLS or
SMTPS, certificates checked), and the SMTP password echoed back by a careless server."""
import base64

import pytest


from report.errors import InputError  # noqa: E402
from report.cli.mail import send_bundle  # noqa: E402
from report.inputs.spec import load_spec  # noqa: E402
from smtp_server import EchoingRecorder, server_context, smtp_server  # noqa: E402
from test_mail import (  # noqa: E402,F401 (fixtures)
    CLOSED_PASSWORD, ENV, OPEN_PDF, SMTP_PASSWORD, USER, certificate, encrypted_pdf, make_bundle, make_spec,
    server, short_timeout, spec_toml, trusting,
)


def smtp_section(port: int | None, *lines: str) -> str:
    port_line = f"port = {port}\n" if port is not None else ""
    return f'[dsmb.smtp]\nhost = "127.0.0.1"\n{port_line}sender = "stats@example.org"\n' + "".join(f"{x}\n" for x in lines)


# -- the closed report's encryption ------------------------------------------------------------


@pytest.mark.parametrize("closed, expected", [
    pytest.param(OPEN_PDF, "not encrypted: it opens without a password", id="clear"),
    pytest.param(OPEN_PDF + b"trailer\n<< /Encrypt 5 0 R >>\n", "not encrypted: it opens without a password",
                 id="the-word-Encrypt-in-a-clear-file"),
    pytest.param(encrypted_pdf(R=6, aes=True, user=""), "not encrypted: it opens without a password",
                 id="aes-256-with-an-empty-user-password"),
    pytest.param(encrypted_pdf(R=4, aes=True), "encrypted with AES-128 (R4), not AES-256", id="aes-128"),
    pytest.param(encrypted_pdf(R=4, aes=False, metadata=False), "encrypted with RC4 (R4), not AES-256", id="rc4"),
    pytest.param(b"%PDF-1.7\nnot really a PDF\n", "not a readable PDF", id="garbage"),
])
def test_a_closed_report_not_aes_256_behind_a_password_is_not_mailed(server, make_spec, make_bundle, trusting,
                                                                      closed, expected):
    port, recorder = server
    bundle = make_bundle({"dsmb-open.pdf": OPEN_PDF, "dsmb-closed.pdf": closed})
    with pytest.raises(InputError) as excinfo:
        send_bundle(bundle, make_spec(port), env=ENV, ssl_context=trusting)
    [problem] = excinfo.value.problems
    assert problem.file.endswith("dsmb-closed.pdf") and expected in problem.message, problem
    assert recorder.received == []


def test_the_check_needs_no_password(server, make_spec, make_bundle, trusting):
    port, recorder = server
    env = {k: v for k, v in ENV.items() if k != "TRIALREPORT_CLOSED_PASSWORD"}
    send_bundle(make_bundle(), make_spec(port), env=env, ssl_context=trusting)
    assert len(recorder.received) == 2


# -- transport security ------------------------------------------------------------------------


SMTPS_AUTH = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # aiosmtpd sees no STARTTLS


@SMTPS_AUTH
def test_smtps_delivers_over_implicit_tls(certificate, make_spec, make_bundle, trusting):
    with smtp_server(implicit_tls=server_context(*certificate), credentials=(USER, SMTP_PASSWORD)) as (port, recorder):
        report = send_bundle(make_bundle(), make_spec(port, smtp=smtp_section(port, 'security = "smtps"')),
                             env=ENV, ssl_context=trusting)
    assert [m.report for m in report.messages] == ["open", "closed"]
    assert [(r.login, r.attachments) for r in recorder.received] == [
        (USER, ["dsmb-open.pdf", "dsmb-open.html"]), (USER, ["dsmb-closed.pdf"])]


@SMTPS_AUTH
def test_smtps_checks_the_certificate(certificate, make_spec, make_bundle):
    with smtp_server(implicit_tls=server_context(*certificate), credentials=(USER, SMTP_PASSWORD)) as (port, recorder):
        with pytest.raises(InputError) as excinfo:  # the default trust store: the test certificate is not in it
            send_bundle(make_bundle(), make_spec(port, smtp=smtp_section(port, 'security = "smtps"')), env=ENV)
    assert "TLS certificate not trusted" in str(excinfo.value) and "nothing was sent" in str(excinfo.value)
    assert recorder.received == []


def test_smtps_spoken_to_a_starttls_server_fails_cleanly(server, make_spec, make_bundle, trusting):
    port, recorder = server
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port, smtp=smtp_section(port, 'security = "smtps"')), env=ENV,
                    ssl_context=trusting)
    text = str(excinfo.value)
    assert f"127.0.0.1:{port}" in text and "TLS failed" in text and "dsmb.smtp.security" in text
    assert recorder.received == []


def test_the_older_starttls_false_is_accepted_with_smtps(make_spec):
    spec = make_spec(1, smtp=smtp_section(None, 'security = "smtps"', "starttls = false"))
    assert (spec.dsmb.smtp.security, spec.dsmb.smtp.port) == ("smtps", 465)


@pytest.mark.parametrize("lines, port", [((), 587), (("starttls = true",), 587), (('security = "smtps"',), 465),
                                         (('security = "smtps"', "port = 2465"), 2465)])
def test_default_ports(make_spec, lines, port):
    spec = make_spec(1, smtp=smtp_section(None, *lines))
    assert spec.dsmb.smtp.port == port


@pytest.mark.parametrize("lines, key, words", [
    (("starttls = false",), "dsmb.smtp.starttls", ("in clear", 'security = "smtps"')),
    (('security = "starttls"', "starttls = false"), "dsmb.smtp.starttls", ("in clear",)),
    (('security = "smtps"', "starttls = true"), "dsmb.smtp.starttls", ("contradicts",)),
    (('security = "none"',), "dsmb.smtp.security", ("starttls", "smtps")),
    (("port = 70000",), "dsmb.smtp.port", ("65535",)),
])
def test_mail_in_clear_or_a_bad_port_is_a_spec_error(tmp_path, lines, key, words):
    folder = tmp_path / "trial"
    folder.mkdir()
    (folder / "trial.toml").write_text(spec_toml(1, smtp=smtp_section(None, *lines)), encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load_spec(folder)
    [problem] = excinfo.value.problems
    assert problem.message.startswith(key + ":") and all(w in problem.message for w in words), problem


# -- the password never shown ------------------------------------------------------------------


def password_forms(user: str, password: str) -> list[str]:
    """The password as a server could echo it: as it is, and in AUTH PLAIN's and LOGIN's base64."""
    forms = [password]
    for raw in (password, f"\0{user}\0{password}", f"{user}\0{user}\0{password}"):
        encoded = base64.b64encode(raw.encode()).decode()
        forms += [encoded, encoded.rstrip("="), base64.urlsafe_b64encode(raw.encode()).decode()]
    return forms


@pytest.mark.parametrize("echo", ["sent", "decoded"])
@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_server_echoing_the_auth_argument_never_shows_the_password(certificate, make_spec, make_bundle, trusting,
                                                                       echo, mechanism):
    others = tuple({"PLAIN", "LOGIN"} - {mechanism})
    with smtp_server(tls=server_context(*certificate), credentials=(USER, SMTP_PASSWORD),
                     recorder=EchoingRecorder(echo=echo), exclude_auth=others) as (port, recorder):
        with pytest.raises(InputError) as excinfo:
            send_bundle(make_bundle(), make_spec(port), env=ENV, ssl_context=trusting)
    text = str(excinfo.value) + repr(excinfo.value.problems)
    assert "535 5.7.8 Authentication failed for" in text and "***" in text
    for form in password_forms(USER, SMTP_PASSWORD):
        assert form not in text, form
    assert recorder.received == []


@pytest.mark.parametrize("shown", [
    lambda u, p: f"bad {p}!",
    lambda u, p: "bad " + base64.b64encode(f"\0{u}\0{p}".encode()).decode(),
    lambda u, p: "bad " + base64.b64encode(f"{u}\0{u}\0{p}".encode()).decode().rstrip("="),
    lambda u, p: "arg=" + base64.b64encode(p.encode()).decode() + ";",
    lambda u, p: "bad " + base64.urlsafe_b64encode(f"x\0{u}\0{p}\0".encode()).decode(),
    lambda u, p: "bad " + base64.b64encode(f"\0{u}\0{p}".encode()).decode()[:-3],  # cut short after the password
    lambda u, p: f"bad {repr(p.encode())}",  # Python's bytes repr: non-ASCII escaped
])
@pytest.mark.parametrize("password", [SMTP_PASSWORD, "pässwörd-Ω-12345", "a+b/c?d>e~~f"])
def test_masked_hides_every_form(shown, password):
    from report.cli.mail_safety import masked

    text = masked(shown(USER, password), password)
    assert text.startswith(("bad ", "arg=")) and "***" in text
    for form in password_forms(USER, password) + [repr(password.encode())[2:-1]]:
        assert form not in text, (text, form)


def test_masked_keeps_other_text():
    from report.cli.mail_safety import masked

    assert masked("535 5.7.8 Authentication credentials invalid", SMTP_PASSWORD) == (
        "535 5.7.8 Authentication credentials invalid")


def test_a_password_smtplib_cannot_send_is_a_clear_error(server, make_spec, make_bundle, trusting):
    port, recorder = server
    password = "pässwörd-Ω"
    with pytest.raises(InputError) as excinfo:
        send_bundle(make_bundle(), make_spec(port), env={**ENV, "TRIALREPORT_SMTP_PASSWORD": password},
                    ssl_context=trusting)
    text = str(excinfo.value)
    assert "ASCII" in text and "TRIALREPORT_SMTP_PASSWORD" in text and password not in text
    assert recorder.received == []
