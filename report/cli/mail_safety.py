"""What `send` checks and hides: the closed report is really encrypted (AES-256, behind a
password), and no text a mail server sends back can show the SMTP password.

The encryption is checked without the password: pikepdf (qpdf) must refuse to open the
file without one, and the encryption dictionary, which is never itself encrypted, must
name AES-256 (security handler revision 6, crypt filter AESV3) for streams, strings and
embedded files alike.
"""
from __future__ import annotations

import base64
import logging
import re
from pathlib import Path

from ..errors import Problem

AES_256 = "AES-256 (R6)"
MASK = "***"
_METHODS = {"/AESV3": "AES-256", "/AESV2": "AES-128", "/V2": "RC4", "/Identity": "no encryption"}
# A run of base64 (standard or URL-safe alphabet) with its padding.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]+=*")


def closed_pdf_problems(path: Path) -> list[Problem]:
    """Why the closed report may not be mailed; none when it opens only with a password
    and is encrypted with AES-256."""
    import pikepdf

    where = str(path)
    try:
        with pikepdf.open(path):
            return [Problem(where, "not encrypted: it opens without a password; the closed report is mailed only "
                                   "encrypted")]
    except pikepdf.PasswordError:
        pass
    except (pikepdf.PdfError, OSError) as exc:
        reason = " ".join(str(exc).replace(f"{path}: ", "").split())
        return [Problem(where, f"not a readable PDF ({reason}); the closed report is mailed only as an encrypted PDF")]
    method = encryption_method(path)
    if method != AES_256:
        return [Problem(where, f"encrypted with {method}, not {AES_256}: the closed report is mailed only "
                               "with AES-256 encryption (build it again)")]
    return []


def encryption_method(path: Path) -> str:
    """The encryption the PDF declares, read without the password: "AES-256 (R6)" when
    streams, strings and embedded files are all AES-256 with revision 6, else what it is."""
    from pypdf import PdfReader

    logger = logging.getLogger("pypdf")  # its warnings about a damaged file: the problem says it
    logger.disabled, was_disabled = True, logger.disabled
    try:
        encrypt = PdfReader(path).trailer["/Encrypt"].get_object()
        revision, filters = int(encrypt["/R"]), encrypt.get("/CF", {})
        names = {str(encrypt.get(key, "/Identity")) for key in ("/StmF", "/StrF")}
        names.add(str(encrypt.get("/EFF", encrypt.get("/StmF", "/Identity"))))
        methods = {str(filters[n].get_object()["/CFM"]) if n in filters else "/Identity" for n in names}
        if int(encrypt.get("/V", 0)) < 4:
            methods = {"/V2"}  # before crypt filters: RC4 only
        if str(encrypt.get("/Filter")) != "/Standard":
            methods = {f"the {str(encrypt.get('/Filter')).lstrip('/')} security handler"}
    except Exception:  # noqa: BLE001 - a dictionary pypdf cannot read is refused, whatever the reason
        return "an encryption dictionary that cannot be read"
    finally:
        logger.disabled = was_disabled
    described = " and ".join(sorted(_METHODS.get(m, m.lstrip("/")) for m in methods))
    return f"{described} (R{revision})"


def masked(text: str, password: str) -> str:
    """`text` with the password shown as *** in every form a mail server could echo it:
    as it is, escaped as Python shows bytes, and inside any base64 (standard or URL-safe,
    padded or not, whole or cut short) of a text that holds it, such as AUTH PLAIN's
    "\\0user\\0password" and AUTH LOGIN's password."""
    if not password:
        return text
    cores = _base64_cores(password.encode("utf-8"))
    text = _BASE64_RUN.sub(lambda m: MASK if any(core in m.group() for core in cores) else m.group(), text)
    for form in sorted(_plain_forms(password), key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def _plain_forms(password: str) -> set[str]:
    forms = {password, repr(password)[1:-1], repr(password.encode("utf-8"))[2:-1],
             password.encode("unicode_escape").decode("ascii")}
    return {form for form in forms if form}


def _base64_cores(secret: bytes) -> set[str]:
    """The base64 characters fixed by `secret` alone, at each of the three byte offsets it
    can have in a longer text: every base64 of a text holding `secret` holds one of them."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + secret).decode("ascii")
        core = encoded[4 if offset else 0:(offset + len(secret)) // 3 * 4]
        cores |= {core, core.translate(str.maketrans("+/", "-_"))}
    return {core for core in cores if len(core) >= 4}
