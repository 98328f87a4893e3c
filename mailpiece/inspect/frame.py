"""A frame as it enters the inspector: who it is, where it came from, and its pixels or encoded bytes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

# File endings taken as frames wherever frames are gathered from a folder (`mailpiece inspect DIR`, the
# folder and hot-folder sources): the formats the decoder reads (decode.py, through Pillow).
FRAME_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pgm", ".ppm"}
)


def frame_files_in(folder: Path) -> list[Path]:
    """The frame files anywhere below ``folder`` (by suffix, any case), sorted."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in FRAME_SUFFIXES)


@dataclass(frozen=True, kw_only=True)
class Frame:
    """One camera frame of one mail piece.

    ``data`` is either the encoded file bytes (JPEG, PNG, TIFF, ...) or an already decoded array; the
    inspector validates both the same way, so a source never needs to decode.
    """

    piece_id: str
    source: str
    data: bytes | np.ndarray

    @classmethod
    def from_path(cls, path: str | Path, *, piece_id: str | None = None) -> Frame:
        """Read a frame file; the piece id is the file stem, as the record contract says, unless the caller
        made it unique among files with the same stem (``mailpiece.inspect.piece_ids``)."""
        path = Path(path)
        piece_id = path.stem if piece_id is None else piece_id
        return cls(piece_id=piece_id, source=str(path), data=path.read_bytes())
