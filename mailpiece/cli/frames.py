"""Expand command-line paths into frame files, in a stable order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".pgm", ".ppm"}
)


def frame_paths(paths: Iterable[Path]) -> list[Path]:
    """Files are taken as given (whatever their suffix); folders contribute their image files, sorted.

    A missing path raises FileNotFoundError: that is a usage error, not a bad frame.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return found
