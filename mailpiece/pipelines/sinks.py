"""Sinks by name (``sqlite:PATH``, ``jsonl:PATH``, ``stdout``) and the two plain-text ones.

SQLite (see :mod:`mailpiece.pipelines.sqlite_sink`) is the default and the only sink that upserts; JSONL
is append-only, so a piece written twice (``--reprocess``, or a hot-folder frame whose move was cut short
by a crash) appears twice and readers take its last line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from mailpiece.pipelines.records import PieceRecord, Sink
from mailpiece.pipelines.sqlite_sink import SqliteSink

DEFAULT_SINK = "sqlite:results.db"


class JsonlSink:
    """``jsonl:PATH``: one record per line, appended, flushed and fsynced per batch."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._written = set(_piece_ids_in(self.path))
        self._file = self.path.open("a", encoding="utf-8")
        if self.path.stat().st_size and not _ends_with_newline(self.path):
            self._file.write("\n")  # a torn last line from a crash stays on its own line

    @property
    def name(self) -> str:
        return f"jsonl:{self.path}"

    def write(self, records: Sequence[PieceRecord]) -> None:
        self._file.write("".join(json.dumps(record.to_dict()) + "\n" for record in records))
        self._file.flush()
        os.fsync(self._file.fileno())
        self._written.update(record.result.piece_id for record in records)

    def already_written(self, piece_ids: Iterable[str]) -> set[str]:
        return {piece_id for piece_id in piece_ids if piece_id in self._written}

    def close(self) -> None:
        self._file.close()


class StdoutSink:
    """``stdout``: one record per line for a shell pipe; remembers nothing, so it never skips a piece."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    @property
    def name(self) -> str:
        return "stdout"

    def write(self, records: Sequence[PieceRecord]) -> None:
        self._stream.write("".join(json.dumps(record.to_dict()) + "\n" for record in records))
        self._stream.flush()

    def already_written(self, piece_ids: Iterable[str]) -> set[str]:
        return set()

    def close(self) -> None:
        self._stream.flush()


def open_sink(spec: str) -> Sink:
    """Open a sink from its command-line form; an unknown form raises ValueError naming the choices."""
    kind, _, target = spec.partition(":")
    if kind == "stdout" and not target:
        return StdoutSink()
    if kind == "sqlite" and target:
        return SqliteSink(target)
    if kind == "jsonl" and target:
        return JsonlSink(target)
    raise ValueError(f"unknown sink {spec!r}: use sqlite:PATH, jsonl:PATH or stdout")


def _piece_ids_in(path: Path) -> Iterable[str]:
    if not path.exists():
        return
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                yield json.loads(line)["piece_id"]
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a crash; its frame was never acknowledged


def _ends_with_newline(path: Path) -> bool:
    with path.open("rb") as raw:
        raw.seek(-1, os.SEEK_END)
        return raw.read(1) == b"\n"
