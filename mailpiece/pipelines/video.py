"""``video:PATH`` and ``camera:N``: frames from OpenCV, one piece per frame or one per trigger event.

Without a trigger every frame is a piece (a line camera that fires once per piece). With a
``PieceTrigger`` the source watches a free-running camera over the belt and emits, for each piece that
passes, the one frame where it covered most of the view.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.result import Result
from mailpiece.pipelines.records import Sink
from mailpiece.pipelines.sources import SourceItem

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov", ".m4v", ".webm", ".mjpeg", ".mjpg"})


class PieceTrigger:
    """Piece-present detection against the empty belt: fires once per piece, with its fullest frame.

    A frame shows a piece when more than ``min_changed`` of its (downscaled, blurred) pixels differ from
    the learned belt by more than ``pixel_delta`` grey levels; the belt is learned from frames without one.
    """

    def __init__(self, *, pixel_delta: int = 30, min_changed: float = 0.05, belt_rate: float = 0.05) -> None:
        self.pixel_delta, self.min_changed, self.belt_rate = pixel_delta, min_changed, belt_rate
        self._belt: np.ndarray | None = None
        self._best: tuple[float, int, np.ndarray] | None = None

    def update(self, number: int, frame: np.ndarray) -> tuple[int, np.ndarray] | None:
        """Feed frame ``number``; when a piece has just left the view, returns its best (number, frame)."""
        small = _grey_thumbnail(frame)
        if self._belt is None or self._belt.shape != small.shape:
            self._belt = small  # the first frame is taken to be the empty belt
            return None
        share = float(np.mean(np.abs(small - self._belt) > self.pixel_delta))
        if share > self.min_changed:
            if self._best is None or share > self._best[0]:
                self._best = (share, number, frame)
            return None
        cv2.accumulateWeighted(small, self._belt, self.belt_rate)
        return self.flush()

    def flush(self) -> tuple[int, np.ndarray] | None:
        """The best frame of the piece in view, if any (also called at the end of the stream)."""
        best, self._best = self._best, None
        return None if best is None else best[1:]


def _grey_thumbnail(frame: np.ndarray) -> np.ndarray:
    grey = frame if frame.ndim == 2 else cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    scale = 160 / max(grey.shape[:2])
    small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.GaussianBlur(small, (5, 5), 0).astype(np.float32)


class VideoSource:
    """Frames from a video file (ends with the file) or a camera index (ends when the camera does)."""

    def __init__(self, device: str | Path | int, *, trigger: PieceTrigger | None = None) -> None:
        self.device = device
        self.trigger = trigger
        if isinstance(device, int):
            self._prefix = f"camera{device}-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}"
            self._label = f"camera:{device}"
        else:
            if not Path(device).is_file():
                raise FileNotFoundError(f"no such video file: {device}")
            self._prefix, self._label = Path(device).stem, f"video:{device}"
        self._capture = cv2.VideoCapture(device if isinstance(device, int) else str(device))
        if not self._capture.isOpened():
            raise ValueError(f"OpenCV cannot open {self._label}")
        self._from_file = not isinstance(device, int)
        self._frame_number = 0
        self._pieces = 0
        self._ended = False

    @property
    def name(self) -> str:
        return self._label

    @property
    def skips_written(self) -> bool:
        return False

    @property
    def exhausted(self) -> bool:
        return self._ended

    def attach(self, sink: Sink) -> None:
        """Nothing to do: a piece's id is the stream and its number in it."""

    def poll(self, limit: int) -> list[SourceItem]:
        items: list[SourceItem] = []
        reads = limit if self._from_file else 1  # a camera read waits for the next frame: one per poll
        while len(items) < limit and reads > 0 and not self._ended:
            reads -= 1
            ok, image = self._capture.read()
            if not ok:
                self._ended = True
                piece = self.trigger.flush() if self.trigger else None
            else:
                self._frame_number += 1
                number = self._frame_number
                piece = self.trigger.update(number, image) if self.trigger else (number, image)
            if piece is not None:
                items.append(self._item(*piece))
        return items

    def _item(self, number: int, image: np.ndarray) -> SourceItem:
        self._pieces += 1
        piece_id = f"{self._prefix}-{self._pieces:06d}"
        source = f"{self._label}#{number}"
        frame = Frame(piece_id=piece_id, source=source, data=image)
        return SourceItem(piece_id=piece_id, source=source, payload=frame, arrived_s=time.monotonic())

    def image_path(self, item: SourceItem, result: Result) -> str | None:
        return None

    def ack(self, item: SourceItem, result: Result) -> None:
        """Nothing to do: a video frame cannot be taken back from the stream."""

    def close(self) -> None:
        self._ended = True
        self._capture.release()
