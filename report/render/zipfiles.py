"""Office files (zips) with the same bytes for the same content: Word and Excel writers stamp times."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile


def deterministic_zip(data: bytes, on: dt.date = dt.date(2000, 1, 1)) -> bytes:
    """An Office file (a zip) with fixed entry times and its document dated `on`.

    python-docx and openpyxl stamp the current time into the zip entries and the
    document properties; the same inputs must give the same bytes.
    """
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                stamp = f"{on.isoformat()}T00:00:00Z".encode()
                content = re.sub(rb"<dcterms:(created|modified)([^>]*)>[^<]*<",
                                 rb"<dcterms:\1\2>" + stamp + rb"<", content)
            target.writestr(zipfile.ZipInfo(item.filename, date_time=(1980, 1, 1, 0, 0, 0)), content)
    return out.getvalue()
