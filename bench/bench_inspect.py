"""Inspector speed per stage and read rate, with tesserocr and pytesseract side by side in one run.

    .venv/bin/python bench/bench_inspect.py [--count 60] [--seed 150] [--data DIR] [--engines a,b]

Frames are rendered here from (seed, index) with mailpiece.datasets (or read from a dataset folder with a
labels.jsonl); both engines inspect the same frames, one core (OMP_THREAD_LIMIT=1, one OpenCV thread), no
CNN. "total CPU time" is the process's (and the tesseract CLI's) CPU time per frame: on a shared machine
it is the steadier number. The tables give milliseconds per piece for each stage (median, 90th percentile,
mean) and the read rate (sortable pieces finalised with the right ZIP, and mis-sorts). "face+read" is
layout + OCR + parsing + directory, both ways up when needed; "tesseract" is the part of it spent inside
the OCR engine (both recognition models), with the number of crops it read.

`--engines tesserocr,tesserocr/one-model` measures the second OCR model's cost (and its read rate) side
by side: the second run reads with the standard model alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread, as in a worker

import cv2
import numpy as np

from mailpiece.inspect.config import InspectConfig
from mailpiece.inspect.factory import build_inspector
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.ocr import OcrEngine, OcrLine

ONE_MODEL = "one-model"
REVIEW_REASONS = {"unreadable_address", "invalid_address", "low_confidence", "bad_image", "processing_error"}


class TimedEngine:
    """An OcrEngine wrapper that books the time spent inside the wrapped engine."""

    def __init__(self, engine: OcrEngine) -> None:
        self.engine = engine
        self.name = engine.name
        self.ms = 0.0
        self.calls = 0

    def read_lines(self, image: np.ndarray, *, timeout_ms: float | None = None) -> list[OcrLine]:
        start = time.perf_counter()
        try:
            if timeout_ms is None:
                return self.engine.read_lines(image)
            return self.engine.read_lines(image, timeout_ms=timeout_ms)
        finally:
            self.ms += (time.perf_counter() - start) * 1000
            self.calls += 1


@dataclass
class EngineRun:
    stages: dict[str, list[float]] = field(default_factory=dict)
    right: int = 0
    sortable: int = 0
    missorts: int = 0

    def add(self, stage: str, ms: float) -> None:
        self.stages.setdefault(stage, []).append(ms)


def labelled_frames(args: argparse.Namespace) -> list[tuple[Frame, str, bool]]:
    """(frame, true ZIP, sortable) from a dataset folder, or rendered from (seed, index)."""
    if args.data:
        labels = [json.loads(line) for line in (args.data / "labels.jsonl").read_text().splitlines()]
        return [
            (Frame.from_path(args.data / lab["image"]), lab["address"]["zip5"], lab["sortable"])
            for lab in labels[: args.count]
        ]
    from mailpiece.datasets import encode, piece_id, render_frame

    frames = []
    for index in range(args.count):
        synthetic = render_frame(args.seed, index)
        frame = Frame(piece_id=piece_id(index), source="bench", data=encode(synthetic))
        frames.append((frame, synthetic.label.address.zip5, synthetic.label.sortable))
    return frames


def run_engine(spec: str, frames: list[tuple[Frame, str, bool]]) -> EngineRun:
    """Inspect the frames with one engine; ``NAME/one-model`` reads without the second OCR model."""
    name, _, variant = spec.partition("/")
    if variant not in ("", ONE_MODEL):
        raise SystemExit(f"unknown engine variant {variant!r} in {spec!r}; the one variant is {ONE_MODEL!r}")
    config = InspectConfig(second_ocr_model=variant != ONE_MODEL)
    inspector = build_inspector(cnn=False, ocr_engine=name, config=config)
    reader = inspector.reader
    reader.ocr = TimedEngine(reader.ocr)
    if reader.second_ocr is not None:
        reader.second_ocr = TimedEngine(reader.second_ocr)
    timed = [engine for engine in (reader.ocr, reader.second_ocr) if engine is not None]
    inspector(frames[0][0])  # warm-up: directory, engine, first allocations
    run = EngineRun()
    for frame, zip5, sortable in frames:
        for engine in timed:
            engine.ms, engine.calls = 0.0, 0
        before = _cpu_ms()
        result = inspector(frame)
        run.add("cpu", _cpu_ms() - before)
        timings = result.timings_ms
        for stage in ("decode", "locate", "ocr"):
            run.add(stage, timings.get(stage, 0.0))
        run.add("tesseract", sum(engine.ms for engine in timed))
        run.add("crops", float(sum(engine.calls for engine in timed)))
        run.add("total", timings.get("total", 0.0))
        accepted = not set(result.reasons) & REVIEW_REASONS
        right = accepted and result.address is not None and result.address.zip5 == zip5
        run.sortable += sortable
        run.right += right and sortable
        run.missorts += accepted and not right
    return run


def _cpu_ms() -> float:
    """CPU time of this process and its finished children (the tesseract CLI), in ms: on a shared
    machine it moves far less with the load than wall time does."""
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * 1000


def print_tables(runs: dict[str, EngineRun], count: int) -> None:
    names = list(runs)
    print(f"\nms per piece over {count} frames (median / p90 / mean), one core, no CNN")
    header = f"{'stage':<16}" + "".join(f"{name:>28}" for name in names)
    print(header)
    print("-" * len(header))
    labels = {"ocr": "face+read", "crops": "crops read", "cpu": "total CPU time"}
    for stage in ("decode", "locate", "ocr", "tesseract", "crops", "total", "cpu"):
        cells = []
        for name in names:
            values = runs[name].stages[stage]
            p90 = float(np.percentile(values, 90))
            cells.append(f"{statistics.median(values):8.1f} {p90:8.1f} {statistics.mean(values):8.1f}")
        print(f"{labels.get(stage, stage):<16}" + "".join(f"{cell:>28}" for cell in cells))
    print("\nread rate")
    for name in names:
        run = runs[name]
        rate = 100 * run.right / max(1, run.sortable)
        finalised = f"{run.right}/{run.sortable} sortable finalised right ({rate:.1f}%)"
        print(f"  {name:<12} {finalised}, {run.missorts} mis-sorts")


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=150)
    parser.add_argument("--data", type=Path, default=None, help="a dataset folder with labels.jsonl")
    parser.add_argument(
        "--engines",
        default="tesserocr,pytesseract",
        help=f"comma-separated engine names; NAME/{ONE_MODEL} reads without the second OCR model",
    )
    args = parser.parse_args()
    cv2.setNumThreads(1)  # one core per worker: OpenCV's own thread pool would borrow a neighbour's core
    frames = labelled_frames(args)
    runs = {name: run_engine(name, frames) for name in args.engines.split(",")}
    print_tables(runs, len(frames))


if __name__ == "__main__":
    main()
