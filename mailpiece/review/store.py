"""The review desk's view of a results database: the queue of flagged pieces and the corrections table.

The pipeline's sink owns ``results`` and ``reasons``; the desk only reads them and keeps its own
``corrections`` table (created here, if missing) in the same SQLite file. A correction row holds the
machine's value next to the human's, so the machine's record is never overwritten and agreement can be
counted. A piece leaves the queue once reviewed, and comes back if the line re-inspects it afterwards.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from mailpiece.inspect.result import Result
from mailpiece.review.corrections import FIELDS, Review, machine_values

UNSURE = "unsure"  # queue filter for sorted pieces whose address confidence is under the review threshold

_SCHEMA = """
CREATE TABLE IF NOT EXISTS corrections (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    piece_id      TEXT NOT NULL,
    field         TEXT NOT NULL CHECK (field IN ('zip', 'postage', 'damage')),
    machine_value TEXT,
    human_value   TEXT,
    reviewer      TEXT,
    reviewed_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS corrections_piece ON corrections (piece_id, reviewed_at);
"""

# Flagged and not reviewed since the line last wrote the piece.
_QUEUE = """
WITH queue AS (
    SELECT r.piece_id, r.decision, r.reasons, r.confidence, r.zip5, r.created_at
    FROM results r
    WHERE (r.decision = 'reject' OR (r.confidence IS NOT NULL AND r.confidence < :below))
      AND NOT EXISTS (SELECT 1 FROM corrections c
                      WHERE c.piece_id = r.piece_id AND c.reviewed_at >= r.updated_at)
      AND (:reason IS NULL
           OR (:reason = 'unsure' AND r.decision = 'sort')
           OR EXISTS (SELECT 1 FROM reasons x WHERE x.piece_id = r.piece_id AND x.reason = :reason))
)
"""
_NEWEST_FIRST = "ORDER BY created_at DESC, piece_id DESC"
_INSERT = """
INSERT INTO corrections (piece_id, field, machine_value, human_value, reviewer, reviewed_at)
VALUES (:piece_id, :field, :machine_value, :human_value, :reviewer, :reviewed_at)
"""


@dataclass(frozen=True, kw_only=True)
class QueueItem:
    """One line of the queue: enough to list and filter it."""

    piece_id: str
    decision: str
    reasons: tuple[str, ...]
    confidence: float | None
    zip5: str | None
    created_at: str


@dataclass(frozen=True, kw_only=True)
class StoredPiece:
    """A piece's machine record as the line wrote it, and where its image is."""

    result: Result
    image_path: str | None
    created_at: str


@dataclass(frozen=True, kw_only=True)
class CorrectionRow:
    """One stored field of one review: the machine's value, the human's, who and when."""

    piece_id: str
    field: str
    machine_value: str | None
    human_value: str | None
    reviewer: str | None
    reviewed_at: str


def now_iso() -> str:
    """The sink's timestamp format, so review and write times compare as strings."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class ReviewStore:
    """Queue, pieces and corrections of one results database; one short connection per call (thread-safe)."""

    def __init__(self, path: str | Path, *, unsure_below: float = 0.8) -> None:
        self.path = Path(path)
        self.unsure_below = unsure_below
        if not self.path.is_file():
            raise FileNotFoundError(f"no results database at {self.path}")
        with self.connect() as db:
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = 'results'").fetchone():
                raise ValueError(f"{self.path} has no `results` table: not a mailpiece results database")
            db.executescript(_SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A fresh connection (rows by name) closed on exit; the stats queries use it too."""
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()

    def queue(self, reason: str | None = None, limit: int = 500) -> list[QueueItem]:
        """Flagged, unreviewed pieces, newest first, optionally only those with ``reason`` (or ``unsure``)."""
        sql = f"{_QUEUE} SELECT * FROM queue {_NEWEST_FIRST} LIMIT :limit"
        with self.connect() as db:
            rows = db.execute(sql, {"below": self.unsure_below, "reason": reason, "limit": limit}).fetchall()
        return [
            QueueItem(
                piece_id=row["piece_id"], decision=row["decision"], reasons=tuple(json.loads(row["reasons"])),
                confidence=row["confidence"], zip5=row["zip5"], created_at=row["created_at"],
            )  # fmt: skip
            for row in rows
        ]

    def reason_counts(self) -> dict[str, int]:
        """How many queued pieces carry each reason, plus ``unsure`` (sorted, low confidence) and ``all``."""
        params = {"below": self.unsure_below, "reason": None}
        with self.connect() as db:
            counts = dict(db.execute(
                f"{_QUEUE} SELECT x.reason, COUNT(*) FROM queue q JOIN reasons x ON x.piece_id = q.piece_id "
                "GROUP BY x.reason", params,
            ).fetchall())  # fmt: skip
            unsure, total = db.execute(
                f"{_QUEUE} SELECT SUM(decision = 'sort'), COUNT(*) FROM queue", params
            ).fetchone()
        return {**counts, UNSURE: unsure or 0, "all": total}

    def piece(self, piece_id: str) -> StoredPiece | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT record, image_path, created_at FROM results WHERE piece_id = ?", (piece_id,)
            ).fetchone()
        if row is None:
            return None
        return StoredPiece(
            result=Result.from_dict(json.loads(row["record"])),
            image_path=row["image_path"],
            created_at=row["created_at"],
        )

    def next_after(self, piece_id: str | None, reason: str | None = None) -> str | None:
        """The queued piece after ``piece_id`` (older), wrapping to the newest; never ``piece_id`` itself."""
        params = {"below": self.unsure_below, "reason": reason, "piece": piece_id or ""}
        with self.connect() as db:
            current = db.execute("SELECT created_at FROM results WHERE piece_id = ?", (params["piece"],))
            row = current.fetchone()
            if row is not None:
                older = db.execute(
                    f"{_QUEUE} SELECT piece_id FROM queue WHERE created_at < :created "
                    f"OR (created_at = :created AND piece_id < :piece) {_NEWEST_FIRST} LIMIT 1",
                    {**params, "created": row["created_at"]},
                ).fetchone()
                if older:
                    return older["piece_id"]
            first = db.execute(
                f"{_QUEUE} SELECT piece_id FROM queue WHERE piece_id != :piece {_NEWEST_FIRST} LIMIT 1",
                params,
            ).fetchone()
        return first["piece_id"] if first else None

    def record_review(self, review: Review, result: Result) -> list[CorrectionRow]:
        """Store one row per field (machine value beside the human's) in one transaction."""
        machine = machine_values(result)
        when = now_iso()
        rows = [
            CorrectionRow(
                piece_id=review.piece_id, field=field, machine_value=machine[field],
                human_value=review.value(field), reviewer=review.reviewer, reviewed_at=when,
            )  # fmt: skip
            for field in FIELDS
        ]
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            db.executemany(_INSERT, [asdict(row) for row in rows])
            db.execute("COMMIT")
        return rows

    def corrections(self, piece_id: str | None = None) -> list[CorrectionRow]:
        """Every stored correction row (of one piece when given), oldest first."""
        sql = "SELECT piece_id, field, machine_value, human_value, reviewer, reviewed_at FROM corrections"
        with self.connect() as db:
            if piece_id is None:
                rows = db.execute(sql + " ORDER BY id").fetchall()
            else:
                rows = db.execute(sql + " WHERE piece_id = ? ORDER BY id", (piece_id,)).fetchall()
        return [CorrectionRow(**dict(row)) for row in rows]

    def latest_reviews(self) -> dict[str, dict[str, CorrectionRow]]:
        """piece id → field → the newest correction row: what export and agreement count."""
        latest: dict[str, dict[str, CorrectionRow]] = {}
        for row in self.corrections():
            latest.setdefault(row.piece_id, {})[row.field] = row
        return latest
