"""``run_pipeline``: frames from a source through the actor pool into a sink, exactly one record per frame.

The driver keeps at most ``max_in_flight`` frames in the cluster (backpressure with ``ray.wait``, so memory
stays flat on an endless stream), writes each batch of finished records to the sink, and only then
acknowledges the frames to their source. Ray's own queues forget work when an actor dies; the sink plus
the late acknowledgement is what makes the line durable.
"""

from __future__ import annotations

import signal
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ray
from ray.exceptions import RayError

from mailpiece.inspect.result import Result, bad_image
from mailpiece.inspect.sort_plan import SortPlan
from mailpiece.pipelines.cluster import StagePlan, connect, plan_stages
from mailpiece.pipelines.pool import StagePool
from mailpiece.pipelines.records import PieceRecord, Sink
from mailpiece.pipelines.sinks import DEFAULT_SINK, open_sink
from mailpiece.pipelines.sources import Source, SourceItem, open_source
from mailpiece.pipelines.summary import ProgressLine, RunSummary, Tally
from mailpiece.pipelines.workers import InspectorSettings

_WAIT_S = 0.02


@dataclass
class _Flight:
    item: SourceItem
    attempts: int = 0
    last_worker: int | None = None


def run_pipeline(
    source: str | Source,
    sink: str | Sink = DEFAULT_SINK,
    *,
    workers: int | None = None,
    address: str | None = None,
    max_in_flight: int | None = None,
    settings: InspectorSettings | None = None,
    device: str = "auto",
    cnn_stage: str = "auto",
    reprocess: bool = False,
    max_attempts: int = 3,
    progress: bool = False,
    on_record: Callable[[PieceRecord], None] | None = None,
    stop: threading.Event | None = None,
    run_id: str | None = None,
) -> RunSummary:
    """Inspect every frame of ``source`` on Ray and write one record per frame to ``sink``.

    ``on_record`` is called after each record is durably written and before its frame is acknowledged.
    Setting ``stop`` (or Ctrl-C, in the main thread) stops taking new frames, drains those in flight,
    and returns; a second Ctrl-C aborts. ``run_id`` names the actors: ``<run_id>-inspect-<n>``,
    ``<run_id>-cnn``.
    """
    if max_attempts < 1:
        raise ValueError(f"max_attempts must be at least 1, got {max_attempts}")
    settings = settings or InspectorSettings()
    src = open_source(source, reprocess=reprocess) if isinstance(source, str) else source
    snk = open_sink(sink) if isinstance(sink, str) else sink
    src.attach(snk)
    owns_ray = False
    pool: StagePool | None = None
    try:
        reject_bin = SortPlan.load(settings.sort_plan).reject_bin  # a bad plan fails before Ray starts
        owns_ray = connect(address)
        plan = plan_stages(ray.cluster_resources(), workers=workers, device=device, cnn_stage=cnn_stage)
        pool = StagePool(plan, settings, run_id=run_id or f"mailpiece-{uuid.uuid4().hex[:8]}")
        pool.wait_ready()
        line = _Line(src, snk, pool, reject_bin=reject_bin, max_attempts=max_attempts,
                     max_in_flight=max_in_flight or max(4, 3 * plan.workers), on_record=on_record)
        stop = stop or threading.Event()
        with _stop_on_interrupt(stop), ProgressLine(progress) as status:
            interrupted = line.run(stop, status)
        return line.tally.summary(source=src.name, sink=snk.name, workers=plan.workers,
                                  cnn_stage=plan.cnn_stage, cnn_device=plan.cnn_device,
                                  interrupted=interrupted, notes=_notes(plan))
    finally:
        if pool is not None:
            pool.shutdown()
        src.close()
        snk.close()
        if owns_ray:
            ray.shutdown()


def _notes(plan: StagePlan) -> tuple[str, ...]:
    return (plan.note,) if plan.note else ()


@contextmanager
def _stop_on_interrupt(stop: threading.Event) -> Iterator[None]:
    """First Ctrl-C or SIGTERM: set ``stop`` (drain and finish). Second: the previous handler (abort)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def drain(signum: int, frame: object) -> None:
        stop.set()
        signal.signal(signum, previous[signum])

    for sig in previous:
        signal.signal(sig, drain)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


class _Line:
    """The driver loop of one run: take frames, keep the pool busy, write, acknowledge."""

    def __init__(self, source: Source, sink: Sink, pool: StagePool, *, reject_bin: str, max_attempts: int,
                 max_in_flight: int, on_record: Callable[[PieceRecord], None] | None) -> None:
        self.source, self.sink, self.pool = source, sink, pool
        self.reject_bin, self.max_attempts, self.max_in_flight = reject_bin, max_attempts, max_in_flight
        self.on_record = on_record
        self.tally = Tally()
        self.waiting: deque[_Flight] = deque()  # taken from the source (or failed), not yet running
        self.running: dict[ray.ObjectRef, tuple[_Flight, int]] = {}

    def run(self, stop: threading.Event, status: ProgressLine) -> bool:
        """Loop until the source is exhausted (or ``stop`` is set) and nothing is left in flight."""
        while True:
            finished: list[tuple[SourceItem, Result]] = []
            if not stop.is_set():
                finished += self._take_frames()
            self._start_frames()
            idle = not self.running and not finished
            if idle and (stop.is_set() or (self.source.exhausted and not self.waiting)):
                return stop.is_set()
            finished += self._collect()
            self._start_frames()  # hand freed workers their next frame before the (fsynced) write
            self._commit(finished)
            status.update(self.tally, len(self.running) + len(self.waiting))

    def _take_frames(self) -> list[tuple[SourceItem, Result]]:
        """Poll the source for room left in flight; unreadable frames are finished here and now."""
        room = self.max_in_flight - len(self.running) - len(self.waiting)
        if room <= 0 or self.source.exhausted:
            return []
        items = self.source.poll(room)
        if items and self.source.skips_written:
            written = self.sink.already_written(item.piece_id for item in items)
            self.tally.skipped += sum(1 for item in items if item.piece_id in written)
            items = [item for item in items if item.piece_id not in written]
        finished = []
        for item in items:
            if item.unreadable is not None:
                record = bad_image(item.piece_id, item.source, item.unreadable, self.reject_bin)
                finished.append((item, record))
            else:
                self.waiting.append(_Flight(item))
        return finished

    def _start_frames(self) -> None:
        while self.waiting:
            flight = self.waiting[0]
            started = self.pool.submit(flight.item.payload, avoid=flight.last_worker)
            if started is None:
                return  # every worker is benched: wait for one to answer
            self.waiting.popleft()
            ref, worker = started
            self.running[ref] = (flight, worker)

    def _collect(self) -> list[tuple[SourceItem, Result]]:
        """Wait briefly for frames to finish; failed frames go back in line, or out as processing_error."""
        refs = list(self.running) + self.pool.pings
        if not refs:
            time.sleep(_WAIT_S)
            return []
        ready, _ = ray.wait(refs, num_returns=1, timeout=_WAIT_S)
        if ready:
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=0)
        finished = []
        for ref in ready:
            if self.pool.answered(ref):
                continue
            flight, worker = self.running.pop(ref)
            try:
                result = ray.get(ref)
            except RayError as err:
                self.pool.failed(worker)
                flight.attempts += 1
                flight.last_worker = worker
                self.tally.retries += 1
                if flight.attempts < self.max_attempts:
                    self.waiting.appendleft(flight)
                    continue
                result = self._processing_error(flight, err)
            else:
                self.pool.done(worker)
            finished.append((flight.item, result))
        return finished

    def _processing_error(self, flight: _Flight, err: RayError) -> Result:
        reason = str(err).strip().splitlines()[0][:300] if str(err).strip() else type(err).__name__
        return Result(piece_id=flight.item.piece_id, source=flight.item.source, decision="reject",
                      bin=self.reject_bin, reasons=("processing_error",),
                      message=f"workers failed on this frame {flight.attempts} times; "
                              f"last: {type(err).__name__}: {reason}")

    def _commit(self, finished: list[tuple[SourceItem, Result]]) -> None:
        """Write the batch durably, then tell the callback, then acknowledge to the source."""
        if not finished:
            return
        records = [PieceRecord(result=result, image_path=self.source.image_path(item, result))
                   for item, result in finished]
        self.sink.write(records)
        now = time.monotonic()
        for (item, result), record in zip(finished, records, strict=True):
            self.tally.add(result, (now - item.arrived_s) * 1000)
            if self.on_record is not None:
                self.on_record(record)
            self.source.ack(item, result)
