"""The Ray pipeline end to end on a private two-CPU cluster, with the real inspector (Tesseract + CNN).

Every test checks the one contract that matters: exactly one record per frame in the sink, none lost,
none duplicated — also when workers die, when a frame kills every worker it touches, and when stopped.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import ray

from mailpiece.pipelines.driver import _stop_on_interrupt, run_pipeline
from mailpiece.pipelines.hot_folder import HotFolderSource
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.workers import CRASH_HOOK_ENV, InspectorSettings
from tests.pipelines.conftest import FRAME_COUNT, copy_frames

pytestmark = pytest.mark.usefixtures("local_ray")


def _rows(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT piece_id, decision, reasons, postage_kind, image_path FROM results")
        rows = rows.fetchall()
    return {row[0]: row[1:] for row in rows}


def test_every_frame_gets_one_record_and_a_stopped_run_resumes_without_duplicates(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    stop = threading.Event()
    first = run_pipeline(str(frames_dir), f"sqlite:{db}", settings=settings, max_in_flight=3, stop=stop,
                         on_record=lambda record: stop.set(), run_id="stop")
    assert first.interrupted and 1 <= first.frames < FRAME_COUNT + 1
    assert len(_rows(db)) == first.frames  # what was in flight was drained and written, nothing more

    rest = run_pipeline(str(frames_dir), f"sqlite:{db}", settings=settings, run_id="rest")
    assert rest.skipped == first.frames and rest.frames == FRAME_COUNT + 1 - first.frames
    rows = _rows(db)
    assert sorted(rows) == sorted(p.stem for p in frames_dir.iterdir())
    assert rows["corrupt_0001"][:2] == ("reject", '["bad_image"]')
    assert all(row[2] is not None for pid, row in rows.items() if pid != "corrupt_0001")  # the CNN ran
    assert rows["piece_000000"][3] == str(frames_dir / "piece_000000.jpg")
    assert rest.sorted + rest.rejected == rest.frames and rest.cnn_device == "cpu"


def test_separate_cnn_stage_on_a_cpu_only_cluster_runs_on_cpu_and_survives_killed_actors(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    db = tmp_path / "results.db"
    written: list[str] = []

    def kill_mid_run(record: PieceRecord) -> None:
        written.append(record.result.piece_id)
        if len(written) == 3:  # frames are in flight on both actors right now
            ray.kill(ray.get_actor("kill-inspect-0"), no_restart=False)
            ray.kill(ray.get_actor("kill-cnn"), no_restart=False)

    summary = run_pipeline(str(frames_dir), f"sqlite:{db}", settings=settings, device="cuda",
                           cnn_stage="separate", max_in_flight=6, on_record=kill_mid_run, run_id="kill")
    assert (summary.cnn_stage, summary.cnn_device) == ("separate", "cpu")  # never waits for a GPU
    assert any("no GPU" in note for note in summary.notes)
    rows = _rows(db)
    assert sorted(written) == sorted(rows) == sorted(p.stem for p in frames_dir.iterdir())
    assert len(written) == len(set(written)) == summary.frames
    assert summary.retries >= 1  # the kills did cost frames in flight
    assert "processing_error" not in summary.reasons  # one death is not a poison frame
    assert all(row[2] is not None for pid, row in rows.items() if pid != "corrupt_0001")


def test_a_poison_frame_becomes_processing_error_and_the_rest_finish(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CRASH_HOOK_ENV, "piece_000003")  # the worker os._exit()s on this piece, every time
    db = tmp_path / "results.db"
    summary = run_pipeline(str(frames_dir), f"sqlite:{db}", settings=settings, max_attempts=2,
                           run_id="poison")
    rows = _rows(db)
    assert sorted(rows) == sorted(p.stem for p in frames_dir.iterdir())
    assert rows["piece_000003"][:2] == ("reject", '["processing_error"]')
    assert summary.reasons["processing_error"] == 1 and summary.retries >= 2
    assert all(rows[pid][1] != '["processing_error"]' for pid in rows if pid != "piece_000003")


def test_hot_folder_moves_frames_only_after_their_record_is_written(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    hot = tmp_path / "hot"
    pieces = copy_frames(frames_dir, hot)
    db = tmp_path / "results.db"
    checked: list[str] = []

    def check_order(record: PieceRecord) -> None:
        frame = Path(record.result.source)  # where the camera wrote it; taken, it waits in inspecting/
        assert frame.parent == hot and (hot / "inspecting" / frame.name).exists(), "moved before the write"
        assert record.result.piece_id in _rows(db), "acknowledged before the write"
        checked.append(record.result.piece_id)

    source = HotFolderSource(hot, settle_s=0.05, idle_exit_s=1.0)
    run_pipeline(source, f"sqlite:{db}", settings=settings, on_record=check_order, run_id="hot")
    assert sorted(checked) == pieces
    assert sorted(p.stem for p in (hot / "done").iterdir()) == [p for p in pieces if p != "corrupt_0001"]
    assert [p.name for p in (hot / "failed").iterdir()] == ["corrupt_0001.jpg"]
    assert not [p for p in hot.iterdir() if p.is_file()] and not list((hot / "inspecting").iterdir())
    assert _rows(db)["corrupt_0001"][3] == str(hot / "failed" / "corrupt_0001.jpg")


def test_first_interrupt_asks_to_drain_and_the_second_aborts() -> None:
    stop = threading.Event()
    # The handler in place before is what the second press reaches: Python's own, which aborts. Set it
    # here: a suite started in the background (`make test &`, nohup) inherits SIGINT ignored, and then
    # the second press is rightly ignored too.
    original = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_twice(stop)
    finally:
        signal.signal(signal.SIGINT, original)


def _interrupt_twice(stop: threading.Event) -> None:
    before = signal.getsignal(signal.SIGINT)
    with _stop_on_interrupt(stop):
        drain = signal.getsignal(signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        _until(stop.is_set)  # drain, no exception
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)  # SIGINT's first press drains too; the default then aborts
            # Wait for the first press to be handled: two signals pending at once would count as one.
            _until(lambda: signal.getsignal(signal.SIGINT) is not drain)
            os.kill(os.getpid(), signal.SIGINT)
            _until(lambda: False)  # the abort arrives while waiting
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored


def _until(done: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Wait for ``done()``: a signal sent to this process is handled in the main thread, at the latest
    when it next runs Python code, which a sleep gives it the chance to."""
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        time.sleep(0.01)
