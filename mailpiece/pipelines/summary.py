"""The operator's view of a run: a live progress line while it runs, a summary table when it ends."""

from __future__ import annotations

import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from mailpiece.inspect.result import REASON_CODES, Result

# Latency quantiles cover the most recent pieces, so memory stays flat on an endless stream.
LATENCY_WINDOW = 100_000


@dataclass(frozen=True, kw_only=True)
class RunSummary:
    """What a run did: counts by decision and reason, throughput, decision latency, and the layout used."""

    source: str
    sink: str
    frames: int
    sorted: int
    rejected: int
    reasons: dict[str, int]
    skipped: int
    retries: int
    elapsed_s: float
    pieces_per_s: float
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    workers: int
    cnn_stage: str
    cnn_device: str
    interrupted: bool
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "notes": list(self.notes)}

    def table(self) -> Table:
        """The end-of-run table for a terminal (``rich.console.Console().print(summary.table())``)."""
        table = Table(title=f"mailpiece run: {self.source} → {self.sink}", show_header=False)
        table.add_column("", style="bold")
        table.add_column("", justify="right")
        table.add_row("frames recorded", str(self.frames))
        table.add_row("sorted", str(self.sorted))
        table.add_row("rejected", str(self.rejected))
        for reason, count in self.reasons.items():
            table.add_row(f"  {reason}", str(count))
        if self.skipped:
            table.add_row("skipped (already in the sink)", str(self.skipped))
        table.add_row("retried after a worker failure", str(self.retries))
        table.add_row("throughput", f"{self.pieces_per_s:.2f} pieces/s over {self.elapsed_s:.1f} s")
        latency = f"{_ms(self.latency_p50_ms)} / {_ms(self.latency_p99_ms)}"
        table.add_row("decision latency p50 / p99", latency)
        table.add_row("layout", f"{self.workers} workers, CNN {self.cnn_stage} on {self.cnn_device}")
        if self.interrupted:
            table.add_row("stopped", "interrupted: in-flight frames were drained and written")
        for note in self.notes:
            table.add_row("note", note)
        return table


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f} ms"


@dataclass
class Tally:
    """Running counts, updated by the driver after each durable write."""

    started_s: float = field(default_factory=time.monotonic)
    frames: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    skipped: int = 0
    retries: int = 0
    latencies_ms: deque[float] = field(default_factory=lambda: deque(maxlen=LATENCY_WINDOW))

    def add(self, result: Result, latency_ms: float) -> None:
        self.frames += 1
        self.decisions[result.decision] += 1
        self.reasons.update(result.reasons)
        self.latencies_ms.append(latency_ms)

    def quantile_ms(self, q: float) -> float | None:
        return float(np.percentile(np.fromiter(self.latencies_ms, float), q)) if self.latencies_ms else None

    def line(self, in_flight: int) -> Text:
        elapsed = max(time.monotonic() - self.started_s, 1e-9)
        reasons = ", ".join(f"{r} {self.reasons[r]}" for r in REASON_CODES if self.reasons[r])
        return Text(
            f"{self.frames} pieces  {self.frames / elapsed:.1f}/s  sorted {self.decisions['sort']}  "
            f"rejected {self.decisions['reject']}{f' ({reasons})' if reasons else ''}  "
            f"p50 {_ms(self.quantile_ms(50))}  p99 {_ms(self.quantile_ms(99))}  in flight {in_flight}"
        )

    def summary(self, **layout: Any) -> RunSummary:
        elapsed = time.monotonic() - self.started_s
        ordered = {r: self.reasons[r] for r in REASON_CODES if self.reasons[r]}
        ordered.update({r: n for r, n in self.reasons.items() if r not in ordered})
        return RunSummary(frames=self.frames, sorted=self.decisions["sort"],
                          rejected=self.decisions["reject"], reasons=ordered, skipped=self.skipped,
                          retries=self.retries, elapsed_s=round(elapsed, 3),
                          pieces_per_s=round(self.frames / elapsed, 3) if elapsed > 0 else 0.0,
                          latency_p50_ms=self.quantile_ms(50), latency_p99_ms=self.quantile_ms(99), **layout)


class ProgressLine:
    """A live status line on stderr, redrawn a few times a second; does nothing when disabled."""

    def __init__(self, enabled: bool) -> None:
        console = Console(stderr=True)
        self._live = Live(console=console, refresh_per_second=4, transient=True) if enabled else None
        self._drawn = 0.0

    def __enter__(self) -> ProgressLine:
        if self._live:
            self._live.start()
        return self

    def update(self, tally: Tally, in_flight: int) -> None:
        if self._live and time.monotonic() - self._drawn > 0.25:
            self._live.update(tally.line(in_flight))
            self._drawn = time.monotonic()

    def __exit__(self, *exc: object) -> None:
        if self._live:
            self._live.stop()
