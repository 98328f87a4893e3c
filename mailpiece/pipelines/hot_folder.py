"""``watch:DIR``: a hot folder that a camera system writes frames into.

A file is taken only once it is complete: its size and modification time have not changed for
``settle_s`` (a writer that renames a finished file into place is picked up at once, since its mtime is
already old). Files whose name starts with ``.`` or ends in ``.part``/``.tmp`` are never taken.

Taking a file gives it its piece id, for good: the stem, or ``stem~2``, ``stem~3``, ... when the stem is
taken already (a camera that restarts its numbering, ``a.jpg`` beside ``a.png``), so a reused name never
replaces an earlier piece's record. Taken means recorded in the run's sink, or held under that name in
``inspecting/``, ``done/`` or ``failed/``. The file moves at once to ``inspecting/<piece id><suffix>``,
then to ``done/`` (or ``failed/`` for ``bad_image``/``processing_error``) only in ``ack``, after its
record is durably written. A crash before that leaves the file in ``inspecting/``; the next run inspects it
again under the id its name carries and upserts that record, so nothing is lost or counted twice. The
record's ``source`` is where the camera wrote the file (``inspecting/...`` for a file left by a crash).
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from mailpiece.inspect.frame import FRAME_SUFFIXES
from mailpiece.inspect.piece_ids import free_piece_id
from mailpiece.inspect.result import Result
from mailpiece.pipelines.records import Sink
from mailpiece.pipelines.sources import SourceItem, read_frame_file

FAILED_REASONS = frozenset({"bad_image", "processing_error"})
_IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")


class HotFolderSource:
    """Watch ``folder`` (top level only); endless unless ``idle_exit_s`` is set (tests, batch jobs)."""

    def __init__(self, folder: str | Path, *, settle_s: float = 0.5, poll_s: float = 0.1,
                 idle_exit_s: float | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.inspecting_dir = self.folder / "inspecting"
        self.done_dir = self.folder / "done"
        self.failed_dir = self.folder / "failed"
        self.settle_s, self.poll_s, self.idle_exit_s = settle_s, poll_s, idle_exit_s
        self._sink: Sink | None = None
        self._left_over = sorted(_frames_in(self.inspecting_dir), key=_arrival)  # claimed by a stopped run
        self._used = {path.stem for folder in (self.inspecting_dir, self.done_dir, self.failed_dir)
                      for path in _frames_in(folder)}  # piece ids this folder has given
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) at the last scan
        self._in_flight: set[str] = set()  # piece ids handed out and not yet acknowledged
        self._last_activity = time.monotonic()
        self._last_scan = float("-inf")
        self._closed = False

    @property
    def name(self) -> str:
        return f"watch:{self.folder}"

    @property
    def skips_written(self) -> bool:
        return False  # a reused name gets a new piece id; a file left in inspecting/ is inspected again

    @property
    def exhausted(self) -> bool:
        if self._closed:
            return True
        if self.idle_exit_s is None or self._last_scan == float("-inf"):
            return False
        idle = time.monotonic() - self._last_activity > self.idle_exit_s
        return idle and not self._in_flight and not self._left_over

    def attach(self, sink: Sink) -> None:
        """Piece ids recorded in ``sink`` are taken: a new file never gets one."""
        self._sink = sink

    def poll(self, limit: int) -> list[SourceItem]:
        if self._last_scan == float("-inf"):
            self._last_activity = time.monotonic()  # idle time counts from the first look, not start-up
        if time.monotonic() - self._last_scan < self.poll_s:
            return []  # scanning a big folder is not free: at most once per poll_s
        self._last_scan = time.monotonic()
        claimed = [(path, str(path)) for path in self._left_over[:limit]]
        del self._left_over[:limit]
        for path in self._ready_files(limit - len(claimed)):
            target = self._claim(path)
            if target is not None:
                claimed.append((target, str(path)))
        if not claimed:
            return []
        self._last_activity = time.monotonic()
        items = [read_frame_file(path, time.monotonic(), piece_id=path.stem, source=source)
                 for path, source in claimed]
        self._in_flight.update(item.piece_id for item in items)
        return items

    def _claim(self, path: Path) -> Path | None:
        """Give a newly arrived file its piece id and move it to ``inspecting/`` under that id."""
        piece_id = free_piece_id(path.stem, self._taken)
        target = self.inspecting_dir / f"{piece_id}{path.suffix}"
        self.inspecting_dir.mkdir(exist_ok=True)
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return None  # taken away while we looked
        self._used.add(piece_id)
        return target

    def _taken(self, piece_id: str) -> bool:
        return piece_id in self._used or bool(self._sink and self._sink.already_written([piece_id]))

    def _ready_files(self, limit: int) -> list[Path]:
        """Complete files not yet handed out, oldest first."""
        now_ns = time.time_ns()
        settle_ns = int(self.settle_s * 1e9)
        scan: dict[str, tuple[int, int]] = {}
        candidates: list[tuple[int, Path]] = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if not _is_frame_name(entry.name):
                    continue
                try:
                    if not entry.is_file(follow_symlinks=False):
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # moved away while we looked
                scan[entry.name] = (stat.st_size, stat.st_mtime_ns)
                unchanged = self._seen.get(entry.name) == scan[entry.name]
                settled = now_ns - stat.st_mtime_ns >= settle_ns
                if stat.st_size > 0 and settled and (unchanged or now_ns - stat.st_mtime_ns >= 4 * settle_ns):
                    candidates.append((stat.st_mtime_ns, Path(entry.path)))
        self._seen = scan
        candidates.sort()
        return [path for _, path in candidates[:limit]]

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        if item.path is None:
            return None
        return str(self._destination(item.path, result))

    def ack(self, item: SourceItem, result: Result) -> None:
        """Move the frame's file to done/ or failed/; its record is already written."""
        if item.path is None:
            return
        destination = self._destination(item.path, result)
        destination.parent.mkdir(exist_ok=True)
        with contextlib.suppress(FileNotFoundError):  # taken away already: the record stands
            os.replace(item.path, destination)
        self._in_flight.discard(item.piece_id)
        self._last_activity = time.monotonic()

    def _destination(self, path: Path, result: Result) -> Path:
        failed = FAILED_REASONS.intersection(result.reasons)
        return (self.failed_dir if failed else self.done_dir) / path.name

    def close(self) -> None:
        self._closed = True


def _frames_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.is_file() and _is_frame_name(path.name)]


def _arrival(path: Path) -> tuple[int, str]:
    return path.stat().st_mtime_ns, path.name


def _is_frame_name(name: str) -> bool:
    lowered = name.lower()
    if name.startswith(".") or lowered.endswith(_IN_PROGRESS_SUFFIXES):
        return False
    return Path(lowered).suffix in FRAME_SUFFIXES
