"""The demo's report charts drawn by a helper process, on the machine's other core (docs/demo.md).

matplotlib's import (~0.4 s of CPU) and the four charts (~0.3 s) were half of the demo's report. The helper, a
Python interpreter started when the demo runs the digest, imports matplotlib meanwhile; `draw(report)` hands it the
month's figures (a pickled domain.report.MonthlyReport) and returns at once, so the report's blocks are read and
reckoned meanwhile, and what it returns waits for the PNGs (services/report.py `build`). The helper draws them with
the report function's own `render_charts`, so the PNGs are the same bytes. One report per helper. If the helper
cannot answer (did not start, failed, no answer within TIMEOUT seconds) the charts are drawn in this process and
`fallback` says why.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

TIMEOUT = 60.0


class ChartProcess:
    #: The helper's command line (this module's `main`).
    command = (sys.executable, "-m", __name__)

    def __init__(self) -> None:
        self.fallback: str | None = None
        self._exchange: threading.Thread | None = None
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the helper (once); it imports matplotlib while the caller goes on."""
        if self._process is not None or self.fallback is not None:
            return
        try:
            self._process = subprocess.Popen(self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE)
        except OSError as exc:
            self.fallback = f"the helper did not start: {exc}"

    def draw(self, report) -> Callable[[], list]:
        """Hand `report` to the helper (started now if it was not); the returned function waits for its charts
        (list[Chart])."""
        from clinic_reviews.services.report import draw_here

        self.start()
        process = self._process
        if process is None or self._exchange is not None:
            self.fallback = self.fallback or "one report per helper"
            return draw_here(report)
        answer: dict[str, Any] = {}

        def exchange() -> None:
            try:
                out, err = process.communicate(pickle.dumps(report), timeout=TIMEOUT)
                if process.returncode == 0:
                    answer["charts"] = pickle.loads(out)
                else:
                    answer["error"] = (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            except Exception as exc:  # noqa: BLE001 - any failure of the helper: drawn here instead
                answer["error"] = f"{type(exc).__name__}: {exc}"

        self._exchange = threading.Thread(target=exchange, name="chart-process", daemon=True)
        self._exchange.start()

        def charts() -> list:
            self._exchange.join(TIMEOUT + 5)
            if "charts" in answer:
                return answer["charts"]
            self.fallback = f"the helper failed: {answer.get('error', 'no answer')}"
            print(f"report charts: drawn in this process ({self.fallback})", file=sys.stderr)
            return draw_here(report)()

        return charts

    def close(self) -> None:
        """End the helper (at once when it was not used: its stdin closes without a report)."""
        process = self._process
        if process is None:
            return
        if self._exchange is None:
            try:
                process.communicate(b"", timeout=5)
                return
            except subprocess.TimeoutExpired:
                pass
        elif not self._exchange.is_alive():
            return
        process.kill()
        process.wait()


@contextmanager
def chart_process() -> Iterator[ChartProcess]:
    """A helper for the block's report (started by `start` or the report's `draw`); ended at the block's end."""
    helper = ChartProcess()
    try:
        yield helper
    finally:
        helper.close()


def main() -> int:
    """The helper: import matplotlib, read one pickled MonthlyReport from stdin, write its charts pickled."""
    from clinic_reviews.notify.report_charts import figure_class, render_charts

    figure_class()
    request = sys.stdin.buffer.read()
    if request:
        sys.stdout.buffer.write(pickle.dumps(render_charts(pickle.loads(request))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
