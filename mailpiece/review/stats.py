"""The stats page's numbers: reject rate by reason over time, and how often QA agreed with the machine.

Rates are per time bucket of the line's write time (an hour or a day of UTC ISO timestamps, which
group as string prefixes). Agreement counts each reviewed piece once, by its latest review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mailpiece.inspect.result import REASON_CODES
from mailpiece.review.corrections import FIELDS, agrees
from mailpiece.review.store import ReviewStore

BUCKETS = {"hour": 13, "day": 10}  # prefix length of an ISO timestamp: 2026-11-22T20 / 2026-11-22


@dataclass(frozen=True, kw_only=True)
class RejectRates:
    """One time bucket: pieces written, how many were rejected, and how many carried each reason."""

    bucket: str
    total: int
    rejected: int
    by_reason: dict[str, int] = field(default_factory=dict)

    @property
    def reject_rate(self) -> float:
        return self.rejected / self.total if self.total else 0.0

    def rate(self, reason: str) -> float:
        return self.by_reason.get(reason, 0) / self.total if self.total else 0.0


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """For one field: reviewed pieces, how many times the human kept the machine's value, and the changes."""

    field: str
    reviewed: int
    agreed: int
    changes: dict[str, int] = field(default_factory=dict)  # "machine → human" → count

    @property
    def rate(self) -> float | None:
        return self.agreed / self.reviewed if self.reviewed else None


def reject_rates(store: ReviewStore, bucket: str = "hour") -> list[RejectRates]:
    """Reject rate overall and per reason, one row per time bucket, newest first."""
    width = BUCKETS[bucket]
    with store.connect() as db:
        totals = db.execute(
            "SELECT substr(created_at, 1, ?) AS b, COUNT(*), SUM(decision = 'reject') FROM results "
            "GROUP BY b ORDER BY b DESC",
            (width,),
        ).fetchall()
        reasons = db.execute(
            "SELECT substr(r.created_at, 1, ?) AS b, x.reason, COUNT(*) FROM reasons x "
            "JOIN results r ON r.piece_id = x.piece_id GROUP BY b, x.reason",
            (width,),
        ).fetchall()
    by_bucket: dict[str, dict[str, int]] = {}
    for b, reason, count in reasons:
        by_bucket.setdefault(b, {})[reason] = count
    return [
        RejectRates(bucket=b, total=total, rejected=rejected or 0, by_reason=by_bucket.get(b, {}))
        for b, total, rejected in totals
    ]


def reasons_seen(rows: list[RejectRates]) -> list[str]:
    """The reason codes that occur, in the record's reporting order (columns of the stats table)."""
    seen = {reason for row in rows for reason in row.by_reason}
    return [code for code in REASON_CODES if code in seen] + sorted(seen - set(REASON_CODES))


def agreement(store: ReviewStore) -> list[Agreement]:
    """Per reviewed field: how often the human's latest value agreed with the machine's."""
    latest = store.latest_reviews()
    out = []
    for name in FIELDS:
        rows = [fields[name] for fields in latest.values() if name in fields]
        changes: dict[str, int] = {}
        agreed = 0
        for row in rows:
            if agrees(name, row.machine_value, row.human_value):
                agreed += 1
            else:
                key = f"{row.machine_value or '—'} → {row.human_value or '—'}"
                changes[key] = changes.get(key, 0) + 1
        top = dict(sorted(changes.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(Agreement(field=name, reviewed=len(rows), agreed=agreed, changes=top))
    return out
