"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd), and its TLS certificate."""
from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import socket
import ssl
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

HOST = "127.0.0.1"


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (cryptography); returns (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, key_cert_sign=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, crl_sign=False, encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def client_context(cert: Path) -> ssl.SSLContext:
    """Verification on, trusting only the test certificate."""
    return ssl.create_default_context(cafile=str(cert))


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    login: str | None  # the authenticated user, if any

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=policy.default)

    @property
    def attachments(self) -> list[str]:
        return [part.get_filename() for part in self.message.iter_attachments()]


@dataclass
class Recorder:
    """aiosmtpd handler keeping every message delivered."""
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        login = session.auth_data.login.decode() if session.authenticated else None
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), envelope.original_content, login))
        return "250 Message accepted for delivery"


@dataclass
class EchoingRecorder(Recorder):
    """A careless server: it refuses every AUTH with a reply that echoes what the client sent.
    `echo` = "sent": the AUTH argument as sent (AUTH PLAIN's base64 of "\\0user\\0password",
    AUTH LOGIN's base64 of the password); "decoded": that argument base64-decoded."""
    echo: str = "sent"

    async def handle_AUTH(self, server, session, envelope, args):
        mechanism, *rest = args
        if mechanism == "LOGIN":
            password = await server.challenge_auth("Password:")
            sent = base64.b64encode(password).decode()
        else:
            sent = rest[0] if rest else ""
        shown = base64.b64decode(sent).decode("utf-8", "replace") if self.echo == "decoded" else sent
        return f"535 5.7.8 Authentication failed for {shown!r} ({sent} is not valid)"


def authenticator(username: str, password: str):
    def check(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data == (username.encode(), password.encode())
        # handled=False: aiosmtpd itself replies 535 on failure
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return check


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(*, tls: ssl.SSLContext | None = None, credentials: tuple[str, str] | None = None,
                implicit_tls: ssl.SSLContext | None = None, recorder: Recorder | None = None,
                exclude_auth: tuple[str, ...] = ()):
    """Run a server until the block ends; yields (port, recorder). Without `tls`, no STARTTLS;
    with `implicit_tls`, TLS from the first byte (SMTPS). `exclude_auth`: mechanisms not offered."""
    recorder = recorder if recorder is not None else Recorder()
    options = {}
    if tls is not None:
        options.update(tls_context=tls, require_starttls=True)
    if implicit_tls is not None:
        options.update(ssl_context=implicit_tls)
    if credentials is not None:
        options.update(authenticator=authenticator(*credentials), auth_required=True,
                       auth_require_tls=implicit_tls is None)  # aiosmtpd sees only STARTTLS as TLS
    if exclude_auth:
        options.update(auth_exclude_mechanism=exclude_auth)
    controller = Controller(recorder, hostname=HOST, port=free_port(), ready_timeout=5.0, **options)
    controller.start()
    try:
        yield controller.port, recorder
    finally:
        controller.stop()
