"""PDF rendering in a second process, started before the analysis.

WeasyPrint's import and first-render setup (fonts, user-agent style sheet) take about
half a second. The worker pays them on the second core while this process loads the
data, analyses and draws, so a build then waits only for the layout itself; `watch`
keeps the warm worker between rebuilds. The bytes are those `render.pdf_bytes` gives in
process.
"""
from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable


class PdfWorker:
    """`with PdfWorker() as worker: worker.pdfs([(html, {"archival": True, ...})])`, or
    `wait = worker.start(requests)` and later `wait()`, the PDFs rendering meanwhile.

    With `processes` > 1, that many PDFs are rendered side by side (the DSMB's open and
    closed reports).
    """

    def __init__(self, processes: int = 1) -> None:
        # spawn, not fork: the parent may already run threads (Rich's progress display).
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=context, initializer=_warm_up)
        for _ in range(processes):
            self._pool.submit(int)  # start the processes now, not at the first PDF

    def start(self, requests: list[tuple[str, dict]]) -> Callable[[], list[bytes]]:
        """Start `render.pdf_bytes(html, **options)` for each (html, options); the callable
        returned waits for the PDFs (rendered in this process if the worker has died)."""
        from .render import pdf_bytes

        futures = [self._pool.submit(pdf_bytes, html, **options) for html, options in requests]

        def rendered() -> list[bytes]:
            out = []
            for future, (html, options) in zip(futures, requests):
                try:
                    out.append(future.result())
                except BrokenProcessPool:
                    out.append(pdf_bytes(html, **options))
            return out

        return rendered

    def pdfs(self, requests: list[tuple[str, dict]]) -> list[bytes]:
        """`render.pdf_bytes(html, **options)` for each (html, options)."""
        return self.start(requests)()

    __call__ = pdfs  # a renderer, as report.compose.build takes one

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _warm_up() -> None:
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    from .render import pdf_bytes

    pdf_bytes('<p style="font-family: \'Source Sans Pro\'">Warming up.</p>')
    # Registered last, so run first at exit: a worker's PDFs have all been sent by then, and
    # freeing WeasyPrint's every object would only keep the build waiting for this process.
    atexit.register(os._exit, 0)


def _exit_with_parent(parent: int) -> None:
    """End the worker once its parent has gone (killed, say): nobody else will ask it to."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)
