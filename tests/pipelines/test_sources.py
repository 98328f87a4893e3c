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

from mailpiece.cli.frames import frame_files
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.result import Result, bad_image
from mailpiece.pipelines.driver import run_pipeline
from mailpiece.pipelines.hot_folder import HotFolderSource
from mailpiece.pipelines.records import PieceRecord
from mailpiece.pipelines.sources import FolderSource, SyntheticRecipe, SyntheticSource, open_source
from mailpiece.pipelines.sqlite_sink import SqliteSink
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
    for name in ("b.jpg", "a.png", "sub/c.JPEG", "e.ppm", "notes.txt"):
        (tmp_path / name).write_bytes(b"\xff\xd8 not really")
    locked = tmp_path / "d.jpg"
    locked.write_bytes(b"x")
    locked.chmod(0)
    source = FolderSource(tmp_path)
    items = _drain(source, limit=2)
    assert [i.piece_id for i in items] == ["a", "b", "d", "e", "c"]
    assert all(isinstance(i.payload, Frame) for i in items if i.piece_id != "d")
    cli_files = [path.relative_to(tmp_path).as_posix() for path, _ in frame_files([tmp_path])]
    assert cli_files == [i.path.relative_to(tmp_path).as_posix() for i in items], "the CLI takes the same"
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


def _rows(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        return {row[0]: row[1:] for row in conn.execute("SELECT piece_id, source, image_path, record, "
                                                         "created_at, updated_at FROM results")}


@pytest.mark.usefixtures("local_ray")
def test_colliding_stems_are_separate_records_and_a_rerun_adds_none(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    folder, db = tmp_path / "frames", tmp_path / "results.db"
    expected = _colliding_folder(frames_dir, folder)
    first = run_pipeline(str(folder), f"sqlite:{db}", settings=settings, run_id="stems")
    rows = _rows(db)
    assert first.frames == 5 and sorted(rows) == sorted(expected.values())
    assert {pid: row[0] for pid, row in rows.items()} == {
        pid: str(folder / name) for name, pid in expected.items()}  # each record is its own file's

    again = run_pipeline(str(folder), f"sqlite:{db}", settings=settings, run_id="stems-again")
    assert (again.frames, again.skipped) == (0, 5)
    assert _rows(db) == rows


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
    assert (old.source, old.path) == (str(tmp_path / "old.jpg"), tmp_path / "inspecting" / "old.jpg")
    assert source.image_path(old, _sorted("old")) == str(tmp_path / "done" / "old.jpg")
    assert old.path.exists() and not (tmp_path / "done").exists()  # nothing reaches done/ before the ack
    source.ack(old, _sorted("old"))
    source.ack(grown, bad_image("growing", str(growing), "truncated", "R"))
    assert (tmp_path / "done" / "old.jpg").exists() and not old.path.exists()
    assert (tmp_path / "failed" / "growing.jpg").exists()
    time.sleep(0.3)
    assert source.poll(10) == [] and source.exhausted  # idle, nothing in flight
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [".hidden.jpg", "upload.jpg.part"]


def _arrive(path: Path, seconds_ago: float) -> None:
    """A complete frame file that the camera wrote ``seconds_ago``."""
    _jpeg(path, value=int(seconds_ago) % 256)
    os.utime(path, (time.time() - seconds_ago, time.time() - seconds_ago))


def test_hot_folder_never_reuses_a_piece_id_and_keeps_ids_across_a_crash(tmp_path: Path) -> None:
    hot = tmp_path / "hot"
    (hot / "done").mkdir(parents=True)
    _arrive(hot / "done" / "a.jpg", 100)  # inspected by an earlier run
    sink = SqliteSink(tmp_path / "results.db")
    sink.write([PieceRecord(result=_sorted("r"), image_path=None)])  # recorded, from anywhere
    for seconds_ago, name in enumerate(["b.png", "b.jpg", "r.jpg", "a.jpg"], start=10):
        _arrive(hot / name, seconds_ago)

    source = HotFolderSource(hot, settle_s=0.1, poll_s=0.0, idle_exit_s=0.2)
    source.attach(sink)
    items = source.poll(10)
    assert [i.piece_id for i in items] == ["a~2", "r~2", "b", "b~2"]  # oldest first; taken stems numbered
    assert [i.source for i in items] == [str(hot / n) for n in ("a.jpg", "r.jpg", "b.jpg", "b.png")]
    claimed = ("a~2.jpg", "r~2.jpg", "b.jpg", "b~2.png")  # moved at once, named by their ids
    assert [i.path for i in items] == [hot / "inspecting" / name for name in claimed]
    sink.write([PieceRecord(result=_sorted(i.piece_id), image_path=None) for i in items[:2]])
    source.ack(items[0], _sorted("a~2"))  # then the line stops before the other acks

    _arrive(hot / "b.jpg", 1)  # the camera, restarted, reuses a name
    again = HotFolderSource(hot, settle_s=0.1, poll_s=0.0, idle_exit_s=0.2)
    again.attach(sink)
    items = again.poll(10)  # the frames left in inspecting/ keep their ids; the new b.jpg gets a new one
    assert [i.piece_id for i in items] == ["r~2", "b", "b~2", "b~3"]
    for item in items:
        again.ack(item, _sorted(item.piece_id))
    time.sleep(0.3)
    assert again.poll(10) == [] and again.exhausted
    assert sorted(p.name for p in (hot / "done").iterdir()) == [
        "a.jpg", "a~2.jpg", "b.jpg", "b~2.png", "b~3.jpg", "r~2.jpg"]
    assert not list((hot / "inspecting").iterdir()) and not [p for p in hot.iterdir() if p.is_file()]
    assert sink.already_written(["r", "r~2", "a~2"]) == {"r", "r~2", "a~2"}
    sink.close()


@pytest.mark.usefixtures("local_ray")
def test_hot_folder_names_reused_by_the_camera_are_separate_records(
        frames_dir: Path, settings: InspectorSettings, tmp_path: Path) -> None:
    hot, db = tmp_path / "hot", tmp_path / "results.db"
    hot.mkdir()
    frames = sorted(frames_dir.glob("piece_*.jpg"))

    def camera_writes(names: list[str], frames: list[Path]) -> None:
        for seconds_ago, (name, frame) in enumerate(zip(names, frames, strict=False)):
            shutil.copy(frame, hot / name)
            os.utime(hot / name, (time.time() - 30 + seconds_ago, time.time() - 30 + seconds_ago))

    camera_writes(["a.jpg", "a.png", "c.jpg"], frames[:3])
    run_pipeline(HotFolderSource(hot, settle_s=0.05, idle_exit_s=1.0), f"sqlite:{db}", settings=settings,
                 run_id="hot-1")
    first = _rows(db)
    assert sorted(first) == ["a", "a~2", "c"]

    camera_writes(["a.jpg", "c.jpg"], frames[3:5])  # restarted, it numbers its frames from the start again
    run_pipeline(HotFolderSource(hot, settle_s=0.05, idle_exit_s=1.0), f"sqlite:{db}", settings=settings,
                 run_id="hot-2")
    rows = _rows(db)
    assert sorted(rows) == ["a", "a~2", "a~3", "c", "c~2"]
    assert {pid: rows[pid] for pid in first} == first  # the earlier pieces' records are untouched
    assert {pid: row[:2] for pid, row in rows.items()} == {
        "a": (str(hot / "a.jpg"), str(hot / "done" / "a.jpg")),
        "a~2": (str(hot / "a.png"), str(hot / "done" / "a~2.png")),
        "c": (str(hot / "c.jpg"), str(hot / "done" / "c.jpg")),
        "a~3": (str(hot / "a.jpg"), str(hot / "done" / "a~3.jpg")),
        "c~2": (str(hot / "c.jpg"), str(hot / "done" / "c~2.jpg")),
    }
    assert all(Path(image_path).is_file() for _, image_path, *_ in rows.values())


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
