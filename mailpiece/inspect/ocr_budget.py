"""How long one frame may spend reading its address: a budget in CPU time, with a wall-time backstop.

The reader checks it before every OCR pass and caps each pass at what is left, so that one pathological
frame (a page of dense print, a crop Tesseract chews on for seconds) cannot hold a worker; the frame then
goes to review with a message instead.
"""

from __future__ import annotations

import time


class OcrBudgetSpent(RuntimeError):  # noqa: N818 - reads as what happened
    """The frame's OCR time budget ran out: no further OCR pass may start."""


class OcrBudget:
    """Time one frame may spend finding and reading its address (layout and every OCR pass), so that a
    pathological frame cannot hold a worker: once it is spent no pass starts, and each pass is capped at
    what is left. It counts the worker thread's CPU time, which a busy neighbour does not inflate the
    way it inflates wall time; wall time past ``WALL_FACTOR`` times the limit also ends it (a stalled
    call, or the CLI engine's work, which runs in another process). ``limit_ms`` None means no limit."""

    WALL_FACTOR = 3.0

    def __init__(self, limit_ms: float | None) -> None:
        self.limit_ms = limit_ms
        self._cpu_start = time.thread_time()
        self._wall_start = time.perf_counter()
        self.passes = 0  # OCR calls made under this budget

    @property
    def spent_ms(self) -> float:
        """CPU time this thread has spent since the budget started."""
        return (time.thread_time() - self._cpu_start) * 1000

    @property
    def wall_ms(self) -> float:
        return (time.perf_counter() - self._wall_start) * 1000

    @property
    def remaining_ms(self) -> float | None:
        if self.limit_ms is None:
            return None
        return max(0.0, min(self.limit_ms - self.spent_ms, self.WALL_FACTOR * self.limit_ms - self.wall_ms))

    @property
    def exhausted(self) -> bool:
        remaining = self.remaining_ms
        return remaining is not None and remaining < 1

    def why(self) -> str:
        """The record's message for a frame whose budget ran out."""
        return (
            f"OCR time budget of {self.limit_ms:.0f} ms spent after {self.passes} OCR pass(es) "
            f"({self.spent_ms:.0f} ms CPU, {self.wall_ms:.0f} ms wall); the address was not read to the "
            "end, sent to review"
        )
