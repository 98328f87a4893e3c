"""Chaos: 1,000 frames through the real pipeline while a random working worker is killed every few seconds.

The contract under fire is the pipeline's one promise: exactly one record per frame in SQLite, none lost,
none written twice, and a worker's death is not blamed on the frame it held (no ``processing_error``
unless the same frame lost three workers). The long version is bench/chaos_soak.py.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailpiece.inspect.record_schema import validate_record
from mailpiece.pipelines.workers import InspectorSettings
from tests.pipelines.chaos import corrupt_ids, make_frame_folder, run_chaos

FRAMES = 1000
KILL_EVERY_S = 5.0
# Four actors on the fixture's two CPUs: while a killed one restarts (~6 s), the others keep both CPUs busy.
WORKERS = 4
NICENESS_ENV = "RAY_worker_niceness"  # read by Ray's raylet when it starts (RayConfig worker_niceness)


@pytest.fixture(scope="module")
def workers_at_normal_priority() -> Iterator[None]:
    """Ray starts workers at nice 15: on a machine shared with other work (a test run beside builds and
    other suites) four restarting actors would only get its leftovers, and the test would time the
    neighbours. Set before ``local_ray`` starts the cluster."""
    before = os.environ.get(NICENESS_ENV)
    os.environ[NICENESS_ENV] = "0"
    yield
    if before is None:
        os.environ.pop(NICENESS_ENV, None)
    else:
        os.environ[NICENESS_ENV] = before


pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("workers_at_normal_priority", "local_ray")]


def test_a_thousand_frames_survive_killed_workers_with_exactly_one_record_each(
        settings: InspectorSettings, tmp_path: Path) -> None:
    ids = make_frame_folder(tmp_path / "frames", FRAMES)
    db = tmp_path / "results.db"
    report = run_chaos(tmp_path / "frames", ids, db, settings=settings, workers=WORKERS,
                       every_s=KILL_EVERY_S, seed=7)

    assert report.kills >= 3, f"the run ended before the killer did its job ({report.kills} kills)"
    assert report.summary.retries >= 1  # kills took frames in flight with them
    assert report.missing == () and report.unexpected == ()
    assert report.rows == report.callbacks == report.summary.frames == FRAMES
    assert report.duplicates == 0
    # A frame becomes processing_error only after losing max_attempts (3) workers: with a kill every
    # 5 s and ~0.1 s frames that is rare, and never more than a handful.
    assert report.reasons.get("processing_error", 0) <= 3, report.errors
    with sqlite3.connect(db) as conn:
        records = {pid: json.loads(rec) for pid, rec in conn.execute("SELECT piece_id, record FROM results")}
    for pid in corrupt_ids(ids):
        assert records[pid]["reasons"] in (["bad_image"], ["processing_error"]) and records[pid]["message"]
    for record in records.values():
        validate_record(record)
