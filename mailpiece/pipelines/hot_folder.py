"""``watch:DIR``: a hot folder that a camera system writes frames into.

A file is taken only once it is complete: its size and modification time have not changed for
``settle_s`` (a writer that renames a finished file into place is picked up at once, since its mtime is
already old). Files whose name starts with ``.`` or ends in ``.part``/``.tmp`` are never taken. A frame's
file moves to ``done/`` (or ``failed/`` for ``bad_image``/``processing_error``) only in ``ack``, after its
record is durably written: a crash before the move leaves the file in place, and the re-run upserts the
same piece_id, so nothing is lost or counted twice.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from mailpiece.inspect.result import Result
from mailpiece.pipelines.sources import IMAGE_SUFFIXES, SourceItem, read_frame_file

FAILED_REASONS = frozenset({"bad_image", "processing_error"})
_IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".partial", ".crdownload")


class HotFolderSource:
    """Watch ``folder`` (top level only); endless unless ``idle_exit_s`` is set (tests, batch jobs)."""

    def __init__(self, folder: str | Path, *, settle_s: float = 0.5, poll_s: float = 0.1,
                 idle_exit_s: float | None = None) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.done_dir = self.folder / "done"
        self.failed_dir = self.folder / "failed"
        self.settle_s, self.poll_s, self.idle_exit_s = settle_s, poll_s, idle_exit_s
        self._seen: dict[str, tuple[int, int]] = {}  # name -> (size, mtime_ns) at the last scan
        self._in_flight: set[str] = set()
        self._last_activity = time.monotonic()
        self._last_scan = float("-inf")
        self._closed = False

    @property
    def name(self) -> str:
        return f"watch:{self.folder}"

    @property
    def skips_written(self) -> bool:
        return False  # a camera may reuse a name after a restart: always inspect, the sink upserts

    @property
    def exhausted(self) -> bool:
        if self._closed:
            return True
        if self.idle_exit_s is None or self._last_scan == float("-inf"):
            return False
        return not self._in_flight and time.monotonic() - self._last_activity > self.idle_exit_s

    def poll(self, limit: int) -> list[SourceItem]:
        if self._last_scan == float("-inf"):
            self._last_activity = time.monotonic()  # idle time counts from the first look, not start-up
        if time.monotonic() - self._last_scan < self.poll_s:
            return []  # scanning a big folder is not free: at most once per poll_s
        self._last_scan = time.monotonic()
        ready = self._ready_files(limit)
        if not ready:
            return []
        self._last_activity = time.monotonic()
        items = [read_frame_file(path, time.monotonic(), piece_id=path.stem) for path in ready]
        self._in_flight.update(path.name for path in ready)
        return items

    def _ready_files(self, limit: int) -> list[Path]:
        """Complete files not yet handed out, oldest first."""
        now_ns = time.time_ns()
        settle_ns = int(self.settle_s * 1e9)
        scan: dict[str, tuple[int, int]] = {}
        candidates: list[tuple[int, Path]] = []
        with os.scandir(self.folder) as entries:
            for entry in entries:
                if not _is_frame_name(entry.name) or entry.name in self._in_flight:
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
        self._in_flight.discard(item.path.name)
        self._last_activity = time.monotonic()

    def _destination(self, path: Path, result: Result) -> Path:
        failed = FAILED_REASONS.intersection(result.reasons)
        return (self.failed_dir if failed else self.done_dir) / path.name

    def close(self) -> None:
        self._closed = True


def _is_frame_name(name: str) -> bool:
    lowered = name.lower()
    if name.startswith(".") or lowered.endswith(_IN_PROGRESS_SUFFIXES):
        return False
    return Path(lowered).suffix in IMAGE_SUFFIXES
