"""Chaos for the pipeline: a folder of many frames, a thread that kills random workers, and the audit.

Shared by the slow test (tests/pipelines/test_chaos.py, 1,000 frames) and the long soak
(bench/chaos_soak.py, 10,000+). Workers are killed with ``ray.kill(actor, no_restart=False)``: the actor
process dies with whatever frames it holds, Ray restarts it, and the driver must retry those frames on
another worker. The audit then counts, from SQLite and from the ``on_record`` callback, that every frame
has exactly one record.
"""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import cv2
import ray
from ray.actor import ActorHandle
from ray.exceptions import RayError

from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.summary import RunSummary
from mailpiece.pipelines.workers import InspectorSettings

CORRUPT_EVERY = 100  # every 100th frame is a truncated JPEG: bad frames travel the same line


def make_frame_folder(folder: Path, count: int, *, distinct: int = 24, seed: int = 5,
                      scale: float = 0.5) -> list[str]:
    """``count`` frames in ``folder``: ``distinct`` synthetic renders (downscaled, so a frame costs about
    0.1 s of inspection instead of 0.15 s) hard-linked under ``count`` piece ids; every
    ``CORRUPT_EVERY``-th is a truncated JPEG. Returns the piece ids, sorted."""
    from mailpiece.datasets.render import render_frame

    folder.mkdir(parents=True, exist_ok=True)
    originals = folder / "originals"
    originals.mkdir(exist_ok=True)
    encoded = []
    for index in range(distinct):
        image = render_frame(seed, index).image
        small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        data = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, 85])[1].tobytes()
        path = originals / f"render_{index:03d}.bin"  # not an image suffix: the source skips it
        path.write_bytes(data)
        encoded.append(path)
    truncated = originals / "truncated.bin"
    truncated.write_bytes(encoded[0].read_bytes()[:2000])
    ids = []
    for number in range(count):
        piece_id = f"chaos_{number:06d}"
        original = truncated if number % CORRUPT_EVERY == CORRUPT_EVERY - 1 else encoded[number % distinct]
        os.link(original, folder / f"{piece_id}.jpg")
        ids.append(piece_id)
    return ids


class WorkerKiller:
    """A thread that, every ``every_s`` seconds, kills one random inspector actor of run ``run_id``.

    It kills only when every actor answers a ping, so one actor at most is ever down. Ray starts workers at
    nice 15 and a restart (import torch, build the inspector) takes about 6 s on an idle core but much
    longer on a busy shared machine: killing on a fixed beat there would take the whole pool down and
    test nothing but the scheduler. ``deferred`` counts the beats skipped while an actor was restarting.
    """

    def __init__(self, run_id: str, workers: int, *, every_s: float, seed: int = 0) -> None:
        self.run_id, self.workers, self.every_s = run_id, workers, every_s
        self.rng = random.Random(seed)
        self.kills: Counter[int] = Counter()
        self.deferred = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-killer", daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    @property
    def total(self) -> int:
        return sum(self.kills.values())

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            working = self._working()
            if len(working) < self.workers:
                self.deferred += 1
                continue
            index = self.rng.choice(sorted(working))
            ray.kill(working[index], no_restart=False)
            self.kills[index] += 1

    def _working(self) -> dict[int, ActorHandle]:
        """The actors that answer a ping within 2 s (one frame's work can be ahead of the ping)."""
        actors = {}
        for index in range(self.workers):
            try:
                actors[index] = ray.get_actor(f"{self.run_id}-inspect-{index}")
            except ValueError:  # not registered
                continue
        pings = {index: actor.ping.remote() for index, actor in actors.items()}
        if not pings:
            return {}
        ready, _ = ray.wait(list(pings.values()), num_returns=len(pings), timeout=2.0)
        working = {}
        for index, ref in pings.items():
            try:
                if ref in ready:
                    ray.get(ref)
                    working[index] = actors[index]
            except RayError:  # dead or restarting
                continue
        return working


@dataclass(frozen=True, kw_only=True)
class ChaosReport:
    """What a chaos run did and what it left in SQLite."""

    frames: int
    kills: int
    rows: int  # rows in SQLite
    missing: tuple[str, ...]  # frames with no row
    unexpected: tuple[str, ...]  # rows for no frame
    deferred: int  # kill beats skipped because an actor was still restarting
    callbacks: int  # records written (on_record calls), duplicates included
    duplicates: int  # frames written more than once
    reasons: dict[str, int]
    errors: dict[str, int]  # processing_error messages (first 160 characters) and how many frames had each
    summary: RunSummary

    @property
    def lost(self) -> int:
        return len(self.missing)


def run_chaos(frames_dir: Path, piece_ids: list[str], db: Path, *, settings: InspectorSettings,
              workers: int = 2, every_s: float = 3.0, seed: int = 0, run_id: str = "chaos",
              progress: bool = False) -> ChaosReport:
    """Run the folder through the pipeline into SQLite while killing workers; audit the result."""
    killer = WorkerKiller(run_id, workers, every_s=every_s, seed=seed)
    written: Counter[str] = Counter()

    def on_record(record: PieceRecord) -> None:
        written[record.result.piece_id] += 1
        killer.start()  # the first record means every actor has built its inspector

    try:
        summary = run_pipeline(str(frames_dir), f"sqlite:{db}", settings=settings, workers=workers,
                               on_record=on_record, run_id=run_id, progress=progress)
    finally:
        killer.stop()
    with sqlite3.connect(db) as conn:
        rows = [row[0] for row in conn.execute("SELECT piece_id FROM results")]
        reasons = dict(conn.execute("SELECT reason, COUNT(*) FROM reasons GROUP BY reason").fetchall())
        errors = Counter(str(message)[:160] for (message,) in conn.execute(
            "SELECT message FROM results JOIN reasons USING (piece_id) WHERE reason = 'processing_error'"))
    expected, found = set(piece_ids), set(rows)
    return ChaosReport(frames=len(piece_ids), kills=killer.total, deferred=killer.deferred, rows=len(rows),
                       missing=tuple(sorted(expected - found)), unexpected=tuple(sorted(found - expected)),
                       callbacks=sum(written.values()),
                       duplicates=sum(1 for n in written.values() if n > 1), reasons=reasons,
                       errors=dict(errors.most_common()),
                       summary=summary)


def corrupt_ids(piece_ids: list[str]) -> list[str]:
    """The piece ids ``make_frame_folder`` made truncated JPEGs."""
    return [pid for number, pid in enumerate(piece_ids) if number % CORRUPT_EVERY == CORRUPT_EVERY - 1]

