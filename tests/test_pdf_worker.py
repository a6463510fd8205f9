"""The PDF worker processes: the same bytes as rendering in process, and no lost report."""
import datetime as dt
import os
import signal

from report.pdf_worker import PdfWorker
from report.render import pdf_bytes

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


def test_a_killed_worker_falls_back_to_rendering_here():
    with PdfWorker() as worker:
        worker.pdfs([(HTML, {})])
        pid = worker._pool.submit(os.getpid).result()  # noqa: SLF001 - the test needs the process
        os.kill(pid, signal.SIGKILL)
        assert worker.pdfs([(HTML, OPTIONS)]) == [pdf_bytes(HTML, **OPTIONS)]
