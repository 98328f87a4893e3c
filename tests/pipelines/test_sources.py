"""Sources: folders, hot folders (complete files only, moved after ack), video, synthetic; piece ids that
stay distinct when file stems collide, checked also end to end with a real SQLite sink on local Ray."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.result import Result, bad_image
from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.hot_folder import HotFolderSource
from mailpiece.pipelines.sources import FolderSource, SyntheticRecipe, SyntheticSource, open_source
from mailpiece.pipelines.video import PieceTrigger, VideoSource
from mailpiece.pipelines.workers import InspectorSettings


def _sorted(piece_id: str) -> Result:
    return Result(piece_id=piece_id, source="x", decision="sort", bin="B01")


def _drain(source, limit: int = 100) -> list:
    items = []
    while not source.exhausted:
        items += source.poll(limit)
    return items


def test_folder_yields_every_image_sorted_and_marks_unreadable(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("b.jpg", "a.png", "sub/c.JPEG", "notes.txt"):
        (tmp_path / name).write_bytes(b"\xff\xd8 not really")
    locked = tmp_path / "d.jpg"
    locked.write_bytes(b"x")
    locked.chmod(0)
    source = FolderSource(tmp_path)
    items = _drain(source, limit=2)
    assert [i.piece_id for i in items] == ["a", "b", "d", "c"]
    assert all(isinstance(i.payload, Frame) for i in items if i.piece_id != "d")
    if os.geteuid() != 0:  # root reads anything
        assert items[2].payload is None and "cannot read" in items[2].unreadable
    assert source.skips_written and not FolderSource(tmp_path, reprocess=True).skips_written


def _colliding_folder(frames_dir: Path, folder: Path) -> dict[str, str]:
    """Real frames under names whose stems collide; returns each file's expected piece id."""
    expected = {"a.jpg": "a.jpg", "a.png": "a.png", "x/b.jpg": "x~b.jpg", "y/b.jpg": "y~b.jpg",
                "unique.jpg": "unique"}
    frames = sorted(frames_dir.glob("piece_*.jpg"))
    for frame, name in zip(frames, expected, strict=False):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(frame, folder / name)
    return expected


def test_folder_gives_files_with_one_stem_distinct_ids_the_same_on_every_run(
        frames_dir: Path, tmp_path: Path) -> None:
    expected = _colliding_folder(frames_dir, tmp_path)
    for _ in range(2):
        items = _drain(FolderSource(tmp_path), limit=2)
        assert {str(i.path.relative_to(tmp_path)): i.piece_id for i in items} == expected
        assert all(i.payload.piece_id == i.piece_id for i in items)


def _records(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT piece_id, source, created_at FROM results").fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.mark.usefixtures("local_ray")
def test_colliding_stems_are_separate_records_and_a_rerun_adds_none(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    folder, db = tmp_path / "frames", tmp_path / "results.db"
    expected = _colliding_folder(frames_dir, folder)
    first = run_pipeline(str(folder), f"sqlite:{db}", settings=settings, run_id="stems")
    records = _records(db)
    assert first.frames == 5 and sorted(records) == sorted(expected.values())
    assert {pid: source for pid, (source, _) in records.items()} == {
        pid: str(folder / name) for name, pid in expected.items()}  # each record is its own file's

    again = run_pipeline(str(folder), f"sqlite:{db}", settings=settings, run_id="stems-again")
    assert (again.frames, again.skipped) == (0, 5)
    assert _records(db) == records


def test_synthetic_source_is_paced_and_renders_deterministically() -> None:
    source = SyntheticSource(3, seed=4, rate_hz=20.0)
    start = time.monotonic()
    items = []
    while not source.exhausted:
        items += source.poll(10)
    assert time.monotonic() - start >= 0.09  # three frames at 20 Hz: the last is due after 0.1 s
    assert [i.piece_id for i in items] == ["synthetic-4-000000", "synthetic-4-000001", "synthetic-4-000002"]
    assert items[2].arrived_s - items[0].arrived_s == pytest.approx(0.1)
    recipe = items[1].payload
    assert isinstance(recipe, SyntheticRecipe)
    assert recipe.frame().data == SyntheticRecipe(seed=4, index=1).frame().data


def _jpeg(path: Path, value: int = 200) -> bytes:
    ok, data = cv2.imencode(".jpg", np.full((80, 120, 3), value, np.uint8))
    assert ok
    path.write_bytes(data.tobytes())
    return data.tobytes()


def test_hot_folder_takes_only_settled_files_and_moves_them_after_ack(tmp_path: Path) -> None:
    source = HotFolderSource(tmp_path, settle_s=0.3, poll_s=0.0, idle_exit_s=0.2)
    _jpeg(tmp_path / "old.jpg")
    os.utime(tmp_path / "old.jpg", (time.time() - 60, time.time() - 60))  # renamed into place long ago
    growing = tmp_path / "growing.jpg"
    growing.write_bytes(b"\xff\xd8 first half")  # a writer still busy
    (tmp_path / ".hidden.jpg").write_bytes(b"x")
    (tmp_path / "upload.jpg.part").write_bytes(b"x")

    first = source.poll(10)
    assert [i.piece_id for i in first] == ["old"]
    assert source.poll(10) == []  # handed out once, not again before its ack
    assert not source.exhausted  # a frame is in flight

    with growing.open("ab") as f:
        f.write(b" second half")
    assert source.poll(10) == []  # just changed: not settled
    time.sleep(0.4)
    second = source.poll(10)
    assert [i.piece_id for i in second] == ["growing"]
    assert second[0].payload.data.endswith(b"second half")

    old, grown = first[0], second[0]
    assert source.image_path(old, _sorted("old")) == str(tmp_path / "done" / "old.jpg")
    assert (tmp_path / "old.jpg").exists()  # nothing moves before the ack
    source.ack(old, _sorted("old"))
    source.ack(grown, bad_image("growing", str(growing), "truncated", "R"))
    assert (tmp_path / "done" / "old.jpg").exists() and not (tmp_path / "old.jpg").exists()
    assert (tmp_path / "failed" / "growing.jpg").exists()
    time.sleep(0.3)
    assert source.poll(10) == [] and source.exhausted  # idle, nothing in flight
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [".hidden.jpg", "upload.jpg.part"]


def _belt_video(path: Path) -> None:
    """Two pieces pass the belt: 4 empty frames, a piece for 3 frames, 3 empty, another for 2, 2 empty."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (320, 240))
    belt = np.full((240, 320, 3), 60, np.uint8)
    for step in ["-"] * 4 + ["a1", "a2", "a1"] + ["-"] * 3 + ["b1", "b1"] + ["-"] * 2:
        frame = belt.copy()
        if step != "-":
            width = 200 if step == "a2" else 140
            cv2.rectangle(frame, (40, 50), (40 + width, 190), (235, 235, 235), -1)
        writer.write(frame)
    writer.release()


def test_video_without_trigger_is_one_piece_per_frame(tmp_path: Path) -> None:
    _belt_video(tmp_path / "belt.avi")
    items = _drain(VideoSource(tmp_path / "belt.avi"), limit=5)
    assert len(items) == 14
    assert items[0].piece_id == "belt-000001" and items[0].source == f"video:{tmp_path / 'belt.avi'}#1"
    assert items[0].payload.data.shape == (240, 320, 3)


def test_video_trigger_emits_one_fullest_frame_per_piece(tmp_path: Path) -> None:
    _belt_video(tmp_path / "belt.avi")
    items = _drain(VideoSource(tmp_path / "belt.avi", trigger=PieceTrigger()), limit=5)
    assert [i.source.rsplit("#", 1)[1] for i in items] == ["6", "11"]  # each piece's fullest frame
    widest = items[0].payload.data
    assert (widest[120, 40:240].mean()) > 200  # the 200 px wide frame of the first piece


def test_open_source_parses_specs(tmp_path: Path) -> None:
    _belt_video(tmp_path / "belt.avi")
    assert isinstance(open_source(str(tmp_path)), FolderSource)
    assert isinstance(open_source(f"watch:{tmp_path / 'hot'}"), HotFolderSource)
    assert isinstance(open_source(f"video:{tmp_path / 'belt.avi'}"), VideoSource)
    assert isinstance(open_source(str(tmp_path / "belt.avi")), VideoSource)
    synthetic = open_source("synthetic:5:9")
    assert isinstance(synthetic, SyntheticSource) and (synthetic.count, synthetic.seed) == (5, 9)
    for bad in ("synthetic:x", str(tmp_path / "missing"), "ftp:host"):
        with pytest.raises(ValueError):
            open_source(bad)
    with pytest.raises(FileNotFoundError):
        open_source(f"video:{tmp_path / 'missing.avi'}")
