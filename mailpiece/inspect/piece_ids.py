"""Piece ids for frame files: the file stem, made unique where stems collide.

The record contract names a file's piece by its stem (``piece_0042.jpg`` is ``piece_0042``), and sinks
key records by piece id, so two files with one stem must still get two ids:

- Files seen together (a folder, the paths given to ``mailpiece inspect``): a file whose stem is unique
  among them keeps its stem; files whose stems collide are named by their path relative to the folder,
  extension included, with ``~`` for ``/`` (``a.jpg`` and ``a.png``; ``x~a.jpg`` and ``y~a.jpg``). The ids
  depend only on which files there are, so a re-run over the same folder gives each file the same id.
- Files that arrive one at a time (the hot folder): a file takes its stem unless that id is taken
  already, else the first free ``stem~2``, ``stem~3``, ...

``~`` and never ``/``: the review desk refuses piece ids that look like paths.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import PurePath

SEPARATOR = "~"


def piece_ids(names: Sequence[PurePath]) -> list[str]:
    """The ids of files seen together, in the order given; ``names`` are relative to their folder."""
    stems = Counter(name.stem for name in names)
    wanted = [name.stem if stems[name.stem] == 1 else SEPARATOR.join(name.parts) for name in names]
    # A made id can still meet a real stem or another made id (``x~a.jpg.png`` beside ``x/a.jpg`` and
    # ``y/a.jpg``, or the same file name under two command-line folders): the later file is numbered.
    taken = set(wanted)
    given: set[str] = set()
    ids = []
    for want in wanted:
        piece_id = free_piece_id(want, taken.__contains__) if want in given else want
        given.add(piece_id)
        taken.add(piece_id)
        ids.append(piece_id)
    return ids


def free_piece_id(stem: str, taken: Callable[[str], bool]) -> str:
    """``stem`` if it is not taken, else the first of ``stem~2``, ``stem~3``, ... that is not."""
    if not taken(stem):
        return stem
    numbered = (f"{stem}{SEPARATOR}{n}" for n in itertools.count(2))
    return next(piece_id for piece_id in numbered if not taken(piece_id))
