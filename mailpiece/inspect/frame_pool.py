"""Inspect many frame files on several cores, with plain worker processes (no Ray).

For batch scoring (``mailpiece evaluate --workers N``), where the line's durability, retries and live
sources are not needed and a labelled folder is simply read through. Each worker process builds its own
inspector once, on one core (as a pipeline worker does), and the results come back in input order. With
one worker the frames are inspected in this process, as before.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mailpiece.inspect.config import CnnThresholds
from mailpiece.inspect.factory import build_inspector, use_one_core
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.inspector import Inspector
from mailpiece.inspect.result import Result


@dataclass(frozen=True, kw_only=True)
class InspectorOptions:
    """What each worker builds its inspector from (``build_inspector``'s arguments, device resolved)."""

    ocr_engine: str | None = None
    sort_plan: Path | None = None
    checkpoint: Path | None = None
    cnn: bool = True
    device: str = "cpu"

    def build(self) -> Inspector:
        use_one_core()
        return build_inspector(
            ocr_engine=self.ocr_engine,
            sort_plan=self.sort_plan,
            checkpoint=self.checkpoint,
            cnn=self.cnn,
            device=self.device,
        )


def cpu_cores() -> int:
    """The cores this process may run on (its affinity, which a container or ``taskset`` may narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class FramePool:
    """``workers`` inspectors, each in its own process; use as a context manager. ``model_name`` and
    ``cnn_thresholds`` describe the inspectors (all alike), for reports."""

    def __init__(self, options: InspectorOptions, *, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.options = options
        self.workers = workers
        self._inspector: Inspector | None = None
        self._pool: ProcessPoolExecutor | None = None
        self.model_name: str | None = None
        self.cnn_thresholds: CnnThresholds | None = None

    def __enter__(self) -> FramePool:
        if self.workers == 1:
            self._inspector = self.options.build()
            self.model_name, self.cnn_thresholds = _describe(self._inspector)
            return self
        # Spawned, not forked: a fork would copy this process's torch and OpenCV thread pools half-made.
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.options,),
        )
        self.model_name, self.cnn_thresholds = self._pool.submit(_describe_worker).result()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._inspector = None

    def inspect(self, paths: Iterable[Path]) -> Iterator[Result]:
        """One result per frame file, in the order of ``paths`` (piece id: the file's stem)."""
        if self._inspector is not None:
            inspector = self._inspector
            return (inspector(Frame.from_path(path)) for path in paths)
        if self._pool is None:
            raise RuntimeError("FramePool.inspect is used inside a `with FramePool(...)` block")
        # Small chunks: a hard frame (seconds of OCR) must not hold a long run of easy ones behind it.
        return self._pool.map(_inspect_in_worker, paths, chunksize=2)


def _describe(inspector: Inspector) -> tuple[str | None, CnnThresholds]:
    return inspector.model_name, inspector.config.cnn


_worker_inspector: Inspector | None = None  # the inspector of this worker process


def _start_worker(options: InspectorOptions) -> None:
    global _worker_inspector
    _worker_inspector = options.build()


def _worker() -> Inspector:
    if _worker_inspector is None:
        raise RuntimeError("this process was not started as a FramePool worker")
    return _worker_inspector


def _describe_worker() -> tuple[str | None, CnnThresholds]:
    return _describe(_worker())


def _inspect_in_worker(path: Path) -> Result:
    return _worker()(Frame.from_path(path))
