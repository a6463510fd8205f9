"""Signed versions (21 CFR Part 11: attributable): an Ed25519 signature over each manifest.

The private key and the signer's name come from the environment (TRIALREPORT_SIGNING_KEY,
a PEM file, and TRIALREPORT_SIGNER); the signature is stored beside the manifest as
`manifest.sig` (base64) and recorded in the archive index. A signature is checked only
against a public key given from outside the archive, never one read from it.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, Problem

KEY_ENV = "TRIALREPORT_SIGNING_KEY"
SIGNER_ENV = "TRIALREPORT_SIGNER"
PASSPHRASE_ENV = "TRIALREPORT_SIGNING_KEY_PASSPHRASE"
SIGNATURE_FILE = "manifest.sig"
ALGORITHM = "Ed25519"


@dataclass(frozen=True)
class Signer:
    name: str
    key: object  # an Ed25519PrivateKey

    def sign(self, data: bytes) -> bytes:
        """The detached signature of `data`, as the text of manifest.sig."""
        return base64.b64encode(self.key.sign(data)) + b"\n"

    def block(self, signed_at: str) -> dict:
        """The manifest's `signature` block: who signed, when, with which key."""
        return {"signer": self.name, "signed_at": signed_at, "algorithm": ALGORITHM,
                "public_key_sha256": key_fingerprint(self.key.public_key()), "file": SIGNATURE_FILE}


def signer_from_env(env: Mapping[str, str]) -> Signer | None:
    """The signer the environment names, or None (unsigned); InputError for a bad key or name."""
    key_path, name = env.get(KEY_ENV, ""), env.get(SIGNER_ENV, "").strip()
    if not key_path and not name:
        return None
    problems = []
    if not key_path:
        problems.append(Problem(KEY_ENV, f"not set, but {SIGNER_ENV} is: name the signer's Ed25519 private key "
                                         "(PEM), or unset it to build unsigned"))
    if not name:
        problems.append(Problem(SIGNER_ENV, f"not set: {KEY_ENV} signs each version in the name of this person"))
    elif len(name) > 200 or not name.isprintable():
        problems.append(Problem(SIGNER_ENV, "the signer's name must be one printable line of at most 200 characters"))
    key = _private_key(Path(key_path), env.get(PASSPHRASE_ENV), problems) if key_path else None
    if problems:
        raise InputError(problems)
    return Signer(name, key)


def signed_at(env: Mapping[str, str]) -> str:
    """When a version is signed: now (UTC), or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = env.get("SOURCE_DATE_EPOCH", "")
    moment = (dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch.isdigit()
              else dt.datetime.now(dt.timezone.utc))
    return moment.isoformat(timespec="seconds")


def shown(signature: dict | None) -> dict | None:
    """What a report shows of its signature: the signer and the time, as words."""
    if not signature:
        return None
    moment = dt.datetime.fromisoformat(signature["signed_at"]).astimezone(dt.timezone.utc)
    return {"signer": signature["signer"], "at": f"{moment:%Y-%m-%d %H:%M} UTC"}


def load_public_key(path: Path | None, archive_root: Path | None = None):
    """The Ed25519 public key in a PEM file given from outside the archive (None for no file);
    InputError otherwise."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    if path is None:
        return None
    where = str(path)
    if archive_root is not None and path.resolve().is_relative_to(archive_root.resolve()):
        raise InputError(Problem(where, "a public key inside the archive proves nothing: give one kept outside it"))
    try:
        key = load_pem_public_key(path.read_bytes())
    except OSError as exc:
        raise InputError(Problem(where, f"cannot read the public key ({exc.strerror or exc})")) from None
    except ValueError:
        raise InputError(Problem(where, "not a PEM public key (-----BEGIN PUBLIC KEY-----)")) from None
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(Problem(where, f"not an {ALGORITHM} public key"))
    return key


def signature_verifies(public_key, data: bytes, signature_text: str) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        public_key.verify(base64.b64decode(signature_text, validate=True), data)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def key_fingerprint(public_key) -> str:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return hashlib.sha256(public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()


def _private_key(path: Path, passphrase: str | None, problems: list[Problem]):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    where = f"{KEY_ENV} ({path})"
    try:
        key = load_pem_private_key(path.read_bytes(), passphrase.encode() if passphrase else None)
    except OSError as exc:
        problems.append(Problem(where, f"cannot read the signing key ({exc.strerror or exc})"))
        return None
    except TypeError:
        problems.append(Problem(where, f"the key is encrypted: give its passphrase in {PASSPHRASE_ENV}"))
        return None
    except ValueError:
        problems.append(Problem(where, "not a PEM private key, or the passphrase is wrong"))
        return None
    if not isinstance(key, Ed25519PrivateKey):
        problems.append(Problem(where, f"not an {ALGORITHM} private key"))
        return None
    return key
