"""Encrypting the closed DSMB report in memory: it never reaches the disk in clear."""
from __future__ import annotations

import io

PASSWORD_ENV = "TRIALREPORT_CLOSED_PASSWORD"


def _mime(name: str) -> str:
    return "text/csv" if name.endswith(".csv") else "application/json"


def encrypted_pdf(pdf: bytes, password: str, attachments: dict[str, bytes] | None = None) -> bytes:
    """The PDF with `attachments` embedded, encrypted with AES-256 (PDF 2.0, R6)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for name, data in (attachments or {}).items():
            document.attachments[name] = pikepdf.AttachedFileSpec(document, data, mime_type=_mime(name))
        out = io.BytesIO()
        document.save(out, encryption=pikepdf.Encryption(user=password, owner=password, R=6, aes=True))
        return out.getvalue()


def with_attachments(pdf: bytes, attachments: dict[str, bytes]) -> bytes:
    """The PDF with files embedded, not encrypted (`--no-encrypt`)."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for name, data in attachments.items():
            document.attachments[name] = pikepdf.AttachedFileSpec(document, data, mime_type=_mime(name))
        out = io.BytesIO()
        document.save(out, deterministic_id=True)
        return out.getvalue()


def attached(pdf: bytes, name: str, password: str | None) -> bytes | None:
    """The file `name` embedded in the PDF, opened with `password` where the PDF is encrypted (in
    memory, never written); None where the PDF does not open with it, or holds no such file."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(pdf), password=password or "") as document:
            found = document.attachments.get(name)
            return None if found is None else found.get_file().read_bytes()
    except (pikepdf.PasswordError, pikepdf.PdfError):  # another password, or none given; not a PDF
        return None


def encrypted_docx(docx: bytes, password: str) -> bytes:
    """The Word file encrypted with `password` (ECMA-376 agile encryption, AES-256, msoffcrypto-tool):
    Word and LibreOffice open it with the password."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx)).encrypt(password, out)
    return out.getvalue()
