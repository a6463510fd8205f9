"""The live preview of `trialreport watch`: each rebuild's HTML, written as soon as it is
laid out (before the PDF), that reloads itself in the browser when the next one is written.

No server: the page, opened as a local file, loads `stamp.js` beside it once a second (a
script element, which browsers allow between local files where fetch is refused) and
reloads when the stamp, the hash of the newest page, is no longer its own. The report's
own HTML in the bundle is untouched; only the preview carries the script.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

STAMP = "stamp.js"
_RELOADER = """<script>/* trialreport watch: reload when a newer build is written */
(function () {{
  var built = "{stamp}";
  setInterval(function () {{
    var s = document.createElement("script");
    s.src = "{file}?" + Date.now();
    s.onload = function () {{ s.remove(); if (window.trialreportStamp && window.trialreportStamp !== built) location.reload(); }};
    s.onerror = function () {{ s.remove(); }};
    document.head.appendChild(s);
  }}, 1000);
}})();
</script>
"""


def preview_files(pages: dict[str, bytes]) -> dict[str, bytes]:
    """Each HTML page with the reloader at the end of its head, and the stamp they poll."""
    stamp = hashlib.sha256(b"".join(pages[name] for name in sorted(pages))).hexdigest()[:16]
    reloader = _RELOADER.format(stamp=stamp, file=STAMP).encode("utf-8")
    out = {name: html.replace(b"</head>", reloader + b"</head>", 1) for name, html in pages.items()}
    return {**out, STAMP: f'window.trialreportStamp = "{stamp}";\n'.encode("utf-8")}


def write_preview(folder: Path, pages: dict[str, bytes]) -> None:
    """The preview files in `folder`, each replaced whole (never half-written), the stamp last,
    so that a browser reloads only once the pages are there."""
    folder.mkdir(parents=True, exist_ok=True)
    files = preview_files(pages)
    for name in [*sorted(n for n in files if n != STAMP), STAMP]:
        handle, staging = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as out:
            out.write(files[name])
        os.replace(staging, folder / name)
