"""Expand command-line paths into frame files, in a stable order, each with its piece id."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path, PurePath

from mailpiece.inspect.frame import frame_files_in
from mailpiece.inspect.piece_ids import piece_ids


def frame_files(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Files are taken as given (whatever their suffix); folders contribute their image files, sorted.

    Piece ids are the file stems, made unique where stems collide (``mailpiece.inspect.piece_ids``): a
    folder's files by their path relative to that folder, as ``mailpiece run`` names them, a file given
    by its name. A missing path raises FileNotFoundError: that is a usage error, not a bad frame.
    """
    found: list[Path] = []
    names: list[PurePath] = []
    for path in paths:
        if path.is_dir():
            files = frame_files_in(path)
            found.extend(files)
            names.extend(file.relative_to(path) for file in files)
        elif path.is_file():
            found.append(path)
            names.append(PurePath(path.name))
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return list(zip(found, piece_ids(names), strict=True))
