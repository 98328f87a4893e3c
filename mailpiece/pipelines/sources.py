"""Where frames come from: a folder, a hot folder, a video or camera, or the synthetic generator.

Every source hands the driver ``SourceItem``s and is told, through ``ack``, when an item's record has been
durably written; only then may it forget the frame (a hot folder moves the file). ``open_source`` parses
the command-line form.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mailpiece.inspect.frame import Frame, frame_files_in
from mailpiece.inspect.piece_ids import piece_ids
from mailpiece.inspect.result import Result
from mailpiece.pipelines.records import Sink


@dataclass(frozen=True, kw_only=True)
class SyntheticRecipe:
    """A synthetic frame still to be rendered: workers render it, so the driver never does pixel work."""

    seed: int
    index: int

    @property
    def piece_id(self) -> str:
        return f"synthetic-{self.seed}-{self.index:06d}"

    def frame(self) -> Frame:
        from mailpiece.datasets.render import encode, render_frame

        rendered = render_frame(self.seed, self.index)
        source = f"synthetic:{self.seed}#{self.index}"
        return Frame(piece_id=self.piece_id, source=source, data=encode(rendered))


@dataclass(frozen=True, kw_only=True)
class SourceItem:
    """One frame on its way through the pipeline.

    ``payload`` is what a worker inspects; ``unreadable`` is set instead when the source could not even
    read the frame (the driver records it as ``bad_image`` without a worker). ``arrived_s`` is the
    ``time.monotonic()`` at which the frame became available: decision latency is measured from it.
    """

    piece_id: str
    source: str
    payload: Frame | SyntheticRecipe | None
    arrived_s: float
    path: Path | None = None
    unreadable: str | None = None


class Source(Protocol):
    """What the driver needs from a source."""

    @property
    def name(self) -> str: ...

    @property
    def skips_written(self) -> bool:
        """Whether pieces already in the sink are skipped (folders: a re-run resumes where it stopped)."""
        ...

    @property
    def exhausted(self) -> bool:
        """No item will ever come again (a folder is done; a hot folder never is, unless told to idle out)."""
        ...

    def attach(self, sink: Sink) -> None:
        """The sink this run writes to, given before the first poll (the hot folder never reuses its ids)."""
        ...

    def poll(self, limit: int) -> list[SourceItem]:
        """Up to ``limit`` items that are ready now, without waiting (the driver idles between polls)."""
        ...

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        """Where the frame's image will be after ``ack`` (stored with the record for the review desk)."""
        ...

    def ack(self, item: SourceItem, result: Result) -> None:
        """The item's record is durably written: the source may now let go of the frame."""
        ...

    def close(self) -> None: ...


def read_frame_file(path: Path, arrived_s: float, *, piece_id: str, source: str | None = None) -> SourceItem:
    """An item for one image file; a file that cannot be read becomes an ``unreadable`` item, not an error.

    ``source`` is where the frame came from when that is not where it is read from now (the hot folder).
    """
    source = str(path) if source is None else source
    try:
        frame = Frame(piece_id=piece_id, source=source, data=path.read_bytes())
    except OSError as err:
        return SourceItem(piece_id=piece_id, source=source, payload=None, arrived_s=arrived_s, path=path,
                          unreadable=f"cannot read file: {err.strerror or err}")
    return SourceItem(piece_id=piece_id, source=source, payload=frame, arrived_s=arrived_s, path=path)


class FolderSource:
    """A folder of frames (searched recursively, sorted): process what is there, then stop.

    Piece ids are the file stems, made unique where stems collide (``mailpiece.inspect.piece_ids``): they
    depend only on which files there are, so a re-run over the same files skips exactly those recorded.
    """

    def __init__(self, folder: str | Path, *, reprocess: bool = False) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"no such folder: {self.folder}")
        files = frame_files_in(self.folder)
        ids = piece_ids([path.relative_to(self.folder) for path in files])
        self._files: Iterator[tuple[Path, str]] = zip(files, ids, strict=True)
        self._reprocess = reprocess
        self._done = False

    @property
    def name(self) -> str:
        return str(self.folder)

    @property
    def skips_written(self) -> bool:
        return not self._reprocess

    @property
    def exhausted(self) -> bool:
        return self._done

    def attach(self, sink: Sink) -> None:
        """Nothing to do: the driver skips what the sink has (``skips_written``)."""

    def poll(self, limit: int) -> list[SourceItem]:
        items = []
        for path, piece_id in self._files:
            items.append(read_frame_file(path, time.monotonic(), piece_id=piece_id))
            if len(items) >= limit:
                return items
        self._done = True
        return items

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        return str(item.path) if item.path else None

    def ack(self, item: SourceItem, result: Result) -> None:
        """Nothing to do: the folder is left as it was."""

    def close(self) -> None:
        self._done = True


class SyntheticSource:
    """``synthetic:N[:SEED]``: N generated frames, optionally released at ``rate_hz`` like a live line."""

    def __init__(self, count: int, *, seed: int = 0, rate_hz: float | None = None, start: int = 0) -> None:
        if count < 0:
            raise ValueError(f"synthetic frame count must be >= 0, got {count}")
        if rate_hz is not None and rate_hz <= 0:
            raise ValueError(f"rate_hz must be positive, got {rate_hz}")
        self.count, self.seed, self.rate_hz = count, seed, rate_hz
        self._first = self._next = start
        self._end = start + count
        self._started: float | None = None

    @property
    def name(self) -> str:
        return f"synthetic:{self.count}:{self.seed}"

    @property
    def skips_written(self) -> bool:
        return False

    @property
    def exhausted(self) -> bool:
        return self._next >= self._end

    def attach(self, sink: Sink) -> None:
        """Nothing to do: a synthetic piece's id is its seed and index."""

    def poll(self, limit: int) -> list[SourceItem]:
        now = time.monotonic()
        if self._started is None:
            self._started = now
        items = []
        while self._next < self._end and len(items) < limit:
            due = now if self.rate_hz is None else self._started + (self._next - self._first) / self.rate_hz
            if due > now:
                break  # a paced line: the rest is not due yet
            recipe = SyntheticRecipe(seed=self.seed, index=self._next)
            items.append(SourceItem(piece_id=recipe.piece_id, source=f"synthetic:{self.seed}#{self._next}",
                                    payload=recipe, arrived_s=due))
            self._next += 1
        return items

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        return None

    def ack(self, item: SourceItem, result: Result) -> None:
        """Nothing to do: a synthetic frame can be rendered again from its seed and index."""

    def close(self) -> None:
        self._end = self._next


def open_source(spec: str, *, reprocess: bool = False, piece_trigger: bool = False) -> Source:
    """A source from its command-line form: ``DIR``, ``watch:DIR``, ``video:PATH``, ``camera:N``,
    ``synthetic:N[:SEED]``; a video file path or a bare camera index also work. ``piece_trigger`` makes
    a video or camera emit one frame per passing piece instead of every frame."""
    from mailpiece.pipelines.hot_folder import HotFolderSource
    from mailpiece.pipelines.video import VIDEO_SUFFIXES, PieceTrigger, VideoSource

    def video(device: str | Path | int) -> VideoSource:
        return VideoSource(device, trigger=PieceTrigger() if piece_trigger else None)

    kind, _, rest = spec.partition(":")
    if kind == "watch" and rest:
        return HotFolderSource(rest)
    if kind == "video" and rest:
        return video(rest)
    if kind == "camera" and rest.isdigit():
        return video(int(rest))
    if kind == "synthetic" and rest:
        count, _, seed = rest.partition(":")
        if count.isdigit() and (not seed or seed.isdigit()):
            return SyntheticSource(int(count), seed=int(seed or 0))
        raise ValueError(f"bad synthetic source {spec!r}: use synthetic:N or synthetic:N:SEED")
    if spec.isdigit():
        return video(int(spec))
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path, reprocess=reprocess)
    if path.is_file() and path.suffix.lower() in VIDEO_SUFFIXES:
        return video(path)
    raise ValueError(f"unknown source {spec!r}: use a folder, watch:DIR, video:PATH, camera:N "
                     "or synthetic:N[:SEED]")
