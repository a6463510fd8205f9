"""The PDF worker processes: the same bytes as rendering in process, and no lost report."""
import datetime as dt
import os
import signal

from report.render.pdf_worker import PdfWorker
from report.render.render import pdf_bytes

HTML = "<h1>Worker</h1><p>Patients: 29</p>"
OPTIONS = {"archival": True, "attachments": {"results.json": b"{}"}, "on": dt.date(2025, 1, 1)}
OTHER = ("<h1>Closed report</h1><p>By arm</p>", {"on": dt.date(2025, 1, 1)})


def test_worker_gives_the_bytes_of_an_in_process_render():
    with PdfWorker() as worker:
        assert worker.pdfs([(HTML, OPTIONS)]) == [pdf_bytes(HTML, **OPTIONS)]


def test_two_processes_render_side_by_side_in_the_order_asked():
    with PdfWorker(processes=2) as worker:
        rendered = worker.pdfs([(HTML, OPTIONS), OTHER])
    assert rendered == [pdf_bytes(HTML, **OPTIONS), pdf_bytes(OTHER[0], **OTHER[1])]


def test_started_pdfs_render_while_this_process_goes_on():
    with PdfWorker(processes=2) as worker:
        wait_closed = worker.start([OTHER])
        pid = worker._pool.submit(os.getpid).result()  # noqa: SLF001 - the other process answers meanwhile
        wait_open = worker.start([(HTML, OPTIONS)])
        assert pid != os.getpid()
        assert wait_open() == [pdf_bytes(HTML, **OPTIONS)] and wait_closed() == [pdf_bytes(OTHER[0], **OTHER[1])]


def test_the_dsmb_closed_pdf_is_started_before_the_open_report_is_laid_out(tmp_path, monkeypatch):
    """The closed report's PDF, the longest, renders while the open report is drawn and laid out."""
    from report.compose import build
    from report.inputs.trial import load_trial
    from report.render import render

    events = []
    render_html = render.render_html
    monkeypatch.setattr(render, "render_html", lambda name, page: events.append(("html", name)) or render_html(name, page))

    class Renderer:
        def start(self, requests):
            events.append(("start", ["closed session report" in html for html, _ in requests]))
            return lambda: [pdf_bytes(html, **options) for html, options in requests]

        __call__ = None  # a renderer that starts PDFs is never asked to render them at once

    build(load_trial(None), kind="dsmb", formats=("pdf",), out=tmp_path, encrypt=False, render_pdfs=Renderer())
    assert events == [("html", "dsmb-closed.html.j2"), ("start", [True]), ("html", "dsmb-open.html.j2"), ("start", [False])]


def test_a_killed_worker_falls_back_to_rendering_here():
    with PdfWorker() as worker:
        worker.pdfs([(HTML, {})])
        pid = worker._pool.submit(os.getpid).result()  # noqa: SLF001 - the test needs the process
        os.kill(pid, signal.SIGKILL)
        assert worker.pdfs([(HTML, OPTIONS)]) == [pdf_bytes(HTML, **OPTIONS)]


def test_the_worker_ends_when_its_parent_is_killed(tmp_path):
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os\n"
        "from report.render.pdf_worker import PdfWorker\n"
        "if __name__ == '__main__':\n"
        "    worker = PdfWorker()\n"
        "    print(worker._pool.submit(os.getpid).result(), flush=True)\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    parent = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    return state != "Z"  # a zombie has ended; only its parent's wait is missing
