"""The embedded default sink: one SQLite row per piece, upserted by piece_id, durable when ``write`` returns.

WAL mode lets the review desk read while the line writes; ``synchronous=FULL`` makes a committed batch
survive a power cut, which is what lets a source acknowledge (move, delete) a frame right after the write.
The schema is documented in docs/pipeline.md.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from mailpiece.pipelines.records import PieceRecord

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    piece_id     TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    image_path   TEXT,
    decision     TEXT NOT NULL CHECK (decision IN ('sort', 'reject')),
    bin          TEXT,
    zip5         TEXT,
    confidence   REAL,
    verified     INTEGER,
    postage_kind TEXT,
    damage_kind  TEXT,
    reasons      TEXT NOT NULL,
    message      TEXT,
    model        TEXT,
    record       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS results_decision ON results (decision);
CREATE INDEX IF NOT EXISTS results_created ON results (created_at);
CREATE TABLE IF NOT EXISTS reasons (
    piece_id TEXT NOT NULL REFERENCES results (piece_id) ON DELETE CASCADE,
    reason   TEXT NOT NULL,
    PRIMARY KEY (piece_id, reason)
);
CREATE INDEX IF NOT EXISTS reasons_reason ON reasons (reason);
"""

_UPSERT = """
INSERT INTO results (piece_id, source, image_path, decision, bin, zip5, confidence, verified, postage_kind,
                     damage_kind, reasons, message, model, record, created_at, updated_at)
VALUES (:piece_id, :source, :image_path, :decision, :bin, :zip5, :confidence, :verified, :postage_kind,
        :damage_kind, :reasons, :message, :model, :record, :now, :now)
ON CONFLICT (piece_id) DO UPDATE SET
    source = excluded.source, image_path = excluded.image_path, decision = excluded.decision,
    bin = excluded.bin, zip5 = excluded.zip5, confidence = excluded.confidence, verified = excluded.verified,
    postage_kind = excluded.postage_kind, damage_kind = excluded.damage_kind, reasons = excluded.reasons,
    message = excluded.message, model = excluded.model, record = excluded.record,
    updated_at = excluded.updated_at
"""

# SQLite allows at most 999 bound parameters per statement in old builds; stay under it.
_LOOKUP_CHUNK = 500


class SqliteSink:
    """``sqlite:PATH``: results and reject reasons in queryable tables, one row per piece."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ValueError(f"{self.path} has results schema v{version}; "
                             f"this mailpiece writes v{SCHEMA_VERSION}")
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @property
    def name(self) -> str:
        return f"sqlite:{self.path}"

    def write(self, records: Sequence[PieceRecord]) -> None:
        """Upsert a batch in one transaction; committed (and fsynced) when this returns."""
        if not records:
            return
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = [_row(record, now) for record in records]
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(_UPSERT, rows)
            ids = [(row["piece_id"],) for row in rows]
            self._db.executemany("DELETE FROM reasons WHERE piece_id = ?", ids)
            self._db.executemany(
                "INSERT INTO reasons (piece_id, reason) VALUES (?, ?)",
                [(r.result.piece_id, reason) for r in records for reason in dict.fromkeys(r.result.reasons)],
            )
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def already_written(self, piece_ids: Iterable[str]) -> set[str]:
        """Which of these pieces already have a record (a re-run over a folder skips them)."""
        wanted = list(dict.fromkeys(piece_ids))
        found: set[str] = set()
        for start in range(0, len(wanted), _LOOKUP_CHUNK):
            chunk = wanted[start:start + _LOOKUP_CHUNK]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(f"SELECT piece_id FROM results WHERE piece_id IN ({marks})", chunk)
            found.update(row[0] for row in rows)
        return found

    def close(self) -> None:
        self._db.close()


def _row(record: PieceRecord, now: str) -> dict[str, object]:
    result = record.result
    address = result.address
    return {
        "piece_id": result.piece_id,
        "source": result.source,
        "image_path": record.image_path,
        "decision": result.decision,
        "bin": result.bin,
        "zip5": address.zip5 if address else None,
        "confidence": address.confidence if address else None,
        "verified": int(address.verified) if address else None,
        "postage_kind": result.postage.kind if result.postage else None,
        "damage_kind": result.damage.kind if result.damage else None,
        "reasons": json.dumps(list(result.reasons)),
        "message": result.message,
        "model": result.model,
        "record": json.dumps(record.to_dict()),
        "now": now,
    }
