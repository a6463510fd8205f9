"""`trialreport send` as a user runs it: a real DSMB bundle mailed to a local SMTP server."""
import shutil



from conftest import EXAMPLE, run_cli  # noqa: E402
from smtp_server import make_certificate, server_context, smtp_server  # noqa: E402
from test_mail import make_bundle  # noqa: E402,F401 - the fixture

USER, SMTP_PASSWORD, CLOSED_PASSWORD = "robot", "smtp-secret-42", "closed-secret-43"


def test_send_delivers_each_report_to_its_own_list(tmp_path):
    cert, key = make_certificate(tmp_path)
    with smtp_server(tls=server_context(cert, key), credentials=(USER, SMTP_PASSWORD)) as (port, recorder):
        trial = tmp_path / "s1318"
        shutil.copytree(EXAMPLE, trial)
        spec = (trial / "trial.toml").read_text().replace('host = "localhost"\nport = 587', f'host = "127.0.0.1"\nport = {port}')
        (trial / "trial.toml").write_text(spec)
        env = {"TRIALREPORT_CLOSED_PASSWORD": CLOSED_PASSWORD, "TRIALREPORT_SMTP_USER": USER,
               "TRIALREPORT_SMTP_PASSWORD": SMTP_PASSWORD, "SSL_CERT_FILE": str(cert)}
        built = run_cli("build", str(trial), "--kind", "dsmb", "--format", "pdf", "--out", str(tmp_path / "out"), env=env)
        assert built.returncode == 0, built.stderr
        bundle = next((tmp_path / "out" / "S1318" / "dsmb").iterdir())
        sent = run_cli("send", str(bundle), env=env)
        assert sent.returncode == 0, sent.stderr
    delivered = {tuple(m.rcpt_tos): m.attachments for m in recorder.received}
    assert delivered == {
        ("s1318-investigators@example.org",): ["dsmb-open.pdf"],
        ("dsmb-chair@example.org", "dsmb-statistician@example.org"): ["dsmb-closed.pdf"],
    }
    for text in (sent.stdout, sent.stderr, *(m.raw.decode("utf-8", "replace") for m in recorder.received)):
        assert SMTP_PASSWORD not in text and CLOSED_PASSWORD not in text


def test_send_without_a_server_exits_2(tmp_path):
    result = run_cli("send", str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_send_refuses_plain_smtp_naming_the_key(tmp_path):
    from test_mail import spec_toml

    trial = tmp_path / "trial"
    trial.mkdir()
    smtp = '[dsmb.smtp]\nhost = "127.0.0.1"\nport = 25\nsender = "stats@example.org"\nstarttls = false\n'
    (trial / "trial.toml").write_text(spec_toml(25, smtp=smtp), encoding="utf-8")
    result = run_cli("send", str(tmp_path / "bundle"), "--trial", str(trial))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "dsmb.smtp.starttls: false would send mail and the password in clear" in " ".join(result.stderr.split())


def test_a_server_echoing_the_auth_argument_does_not_put_the_password_on_screen(tmp_path, make_bundle):
    import base64

    from smtp_server import EchoingRecorder
    from test_mail import spec_toml

    cert, key = make_certificate(tmp_path)
    with smtp_server(tls=server_context(cert, key), credentials=(USER, SMTP_PASSWORD), exclude_auth=("LOGIN",),
                     recorder=EchoingRecorder(echo="decoded")) as (port, recorder):
        trial = tmp_path / "trial"
        trial.mkdir()
        (trial / "trial.toml").write_text(spec_toml(port), encoding="utf-8")
        bundle = make_bundle()  # an archived version, as send requires
        env = {"TRIALREPORT_SMTP_USER": USER, "TRIALREPORT_SMTP_PASSWORD": SMTP_PASSWORD, "SSL_CERT_FILE": str(cert)}
        result = run_cli("send", str(bundle), "--trial", str(trial), env=env)
    screen = result.stdout + result.stderr
    assert result.returncode == 2 and "535 5.7.8 Authentication failed" in " ".join(screen.split())
    blob = base64.b64encode(f"\0{USER}\0{SMTP_PASSWORD}".encode()).decode()
    for secret in (SMTP_PASSWORD, blob, blob.rstrip("=")):
        assert secret not in screen
    assert recorder.received == []


def test_a_dry_run_says_who_would_receive_what_and_sends_nothing(tmp_path):
    with smtp_server() as (port, recorder):
        trial = tmp_path / "s1318"
        shutil.copytree(EXAMPLE, trial)
        spec = (trial / "trial.toml").read_text().replace('host = "localhost"\nport = 587', f'host = "127.0.0.1"\nport = {port}')
        (trial / "trial.toml").write_text(spec)
        env = {"TRIALREPORT_CLOSED_PASSWORD": CLOSED_PASSWORD}
        built = run_cli("build", str(trial), "--kind", "dsmb", "--format", "pdf", "--out", str(tmp_path / "out"), env=env)
        assert built.returncode == 0, built.stderr
        bundle = next((tmp_path / "out" / "S1318" / "dsmb").iterdir())
        dry = run_cli("send", str(bundle), "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert recorder.received == []  # nothing reached the server
    lines = dry.stdout.splitlines()
    assert "Would send the open report (dsmb-open.pdf) to s1318-investigators@example.org" in lines
    assert ("Would send the closed report (dsmb-closed.pdf) to dsmb-chair@example.org, "
            "dsmb-statistician@example.org") in lines
    assert f"Dry run: nothing was sent (server 127.0.0.1:{port}" in dry.stdout
    assert CLOSED_PASSWORD not in dry.stdout + dry.stderr
    # a bundle whose closed report was changed is refused by the dry run as by a real send
    (bundle / "dsmb-closed.pdf").write_bytes(b"%PDF-1.7 not the report")
    refused = run_cli("send", str(bundle), "--dry-run", env=env)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr and "Would send" not in refused.stdout
