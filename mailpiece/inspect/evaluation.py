"""Score inspector results against ground truth: read rate, mis-sort rate, reasons, latency.

Definitions, as address-reader vendors use them:
- *finalized right*: a sortable piece whose address was accepted (no address reject reason) with the true ZIP.
- *mis-sort*: a piece whose address was accepted with a ZIP other than the true one. Its rate is over all
  scored pieces, because every accepted wrong read sends a real piece to the wrong place. (The true ZIP read
  off a piece labelled unreadable is neither: the label was too pessimistic.)
The read-rate/error curve replays the accept decision over a range of confidence thresholds.
The CNN is scored as the sorter uses it: unpaid pieces caught, damaged pieces caught, good pieces rejected.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS, Result
from mailpiece.models.metrics import RejectRates, reject_rates

ADDRESS_REASONS = frozenset({"unreadable_address", "invalid_address", "low_confidence"})


@dataclass(frozen=True, kw_only=True)
class Truth:
    """What the frame really shows (from a labelled dataset)."""

    piece_id: str
    zip5: str | None
    sortable: bool
    postage_kind: str | None = None
    damage_kind: str | None = None
    orientation: int | None = None


@dataclass(frozen=True, kw_only=True)
class CurvePoint:
    threshold: float
    read_rate: float
    error_rate: float


@dataclass(frozen=True, kw_only=True)
class AddressScores:
    pieces: int
    sortable: int
    finalized_right: int
    missorted: int
    decisions: dict[str, int]
    reasons: dict[str, int]
    orientation_right: int
    orientation_known: int
    curve: tuple[CurvePoint, ...]
    latency_ms: dict[str, tuple[float, float]] = field(default_factory=dict)  # stage -> (p50, p95)

    @property
    def finalization_rate(self) -> float:
        return self.finalized_right / self.sortable if self.sortable else 0.0

    @property
    def missort_rate(self) -> float:
        return self.missorted / self.pieces if self.pieces else 0.0

    def to_dict(self) -> dict:
        return {
            "pieces": self.pieces,
            "sortable": self.sortable,
            "finalized_right": self.finalized_right,
            "finalization_rate": self.finalization_rate,
            "missorted": self.missorted,
            "missort_rate": self.missort_rate,
            "decisions": self.decisions,
            "reasons": self.reasons,
            "orientation_right": self.orientation_right,
            "orientation_known": self.orientation_known,
            "curve": [vars(p) for p in self.curve],
            "latency_ms": self.latency_ms,
        }


def _accepted_zip(result: Result, threshold: float | None = None) -> str | None:
    """The ZIP the machine would sort on, or None if the address would be rejected."""
    address = result.address
    if address is None or address.zip5 is None:
        return None
    if threshold is None:
        return (
            None if ADDRESS_REASONS & set(result.reasons) or "bad_image" in result.reasons else address.zip5
        )
    return address.zip5 if address.verified and address.confidence >= threshold else None


def score_addresses(
    results: Sequence[Result],
    truths: Sequence[Truth],
    thresholds: Sequence[float] = tuple(np.round(np.arange(0.0, 1.0001, 0.05), 2)),
) -> AddressScores:
    """Score results (matched to truths by piece id) on the address read."""
    by_id = {t.piece_id: t for t in truths}
    pairs = [(r, by_id[r.piece_id]) for r in results if r.piece_id in by_id]

    def count(threshold: float | None) -> tuple[int, int]:
        right = wrong = 0
        for result, truth in pairs:
            zip5 = _accepted_zip(result, threshold)
            if zip5 is None:
                continue
            if zip5 != truth.zip5:
                wrong += 1
            elif (
                truth.sortable
            ):  # the right ZIP off a piece labelled unreadable is neither: no credit, no harm
                right += 1
        return right, wrong

    sortable = sum(t.sortable for _, t in pairs)
    right, wrong = count(None)
    curve = []
    for t in thresholds:
        r, w = count(float(t))
        curve.append(
            CurvePoint(
                threshold=float(t),
                read_rate=r / sortable if sortable else 0.0,
                error_rate=w / len(pairs) if pairs else 0.0,
            )
        )
    known = [(r, t) for r, t in pairs if t.orientation is not None and r.orientation is not None]
    return AddressScores(
        pieces=len(pairs),
        sortable=sortable,
        finalized_right=right,
        missorted=wrong,
        decisions=dict(Counter(r.decision for r, _ in pairs)),
        reasons=dict(Counter(code for r, _ in pairs for code in r.reasons)),
        orientation_right=sum(r.orientation == t.orientation for r, t in known),
        orientation_known=len(known),
        curve=tuple(curve),
        latency_ms=latency_percentiles(results),
    )


def latency_percentiles(results: Sequence[Result]) -> dict[str, tuple[float, float]]:
    """p50 and p95 per timed stage, in milliseconds."""
    stages: dict[str, list[float]] = {}
    for result in results:
        for stage, ms in result.timings_ms.items():
            stages.setdefault(stage, []).append(ms)
    return {stage: (float(np.percentile(v, 50)), float(np.percentile(v, 95))) for stage, v in stages.items()}


@dataclass(frozen=True, kw_only=True)
class HeadScores:
    """One CNN head scored on frames: confusion matrix (rows true, columns called) and per-class P/R."""

    classes: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]

    def precision_recall(self) -> dict[str, tuple[float | None, float | None]]:
        matrix = np.array(self.confusion)
        out = {}
        for i, name in enumerate(self.classes):
            called, true = matrix[:, i].sum(), matrix[i].sum()
            out[name] = (matrix[i, i] / called if called else None, matrix[i, i] / true if true else None)
        return out

    def to_dict(self) -> dict:
        return {
            "classes": list(self.classes),
            "confusion": [list(r) for r in self.confusion],
            "precision_recall": self.precision_recall(),
        }


@dataclass(frozen=True, kw_only=True)
class CnnScores:
    postage: HeadScores
    damage: HeadScores
    curve: tuple[RejectRates, ...]  # catch and false-reject rates over a common threshold
    # As the records decided: the thresholds the inspector ran with, and an empty stamp box read as unpaid
    # whatever its score (mailpiece.inspect.postage_wording).
    at_config: RejectRates

    def to_dict(self) -> dict:
        return {
            "postage": self.postage.to_dict(),
            "damage": self.damage.to_dict(),
            "curve": [r.to_dict() for r in self.curve],
            "at_config": self.at_config.to_dict(),
        }


def _head(results_kinds: list[str], true_kinds: list[str], classes: tuple[str, ...]) -> HeadScores:
    index = {name: i for i, name in enumerate(classes)}
    matrix = np.zeros((len(classes), len(classes)), dtype=int)
    for called, true in zip(results_kinds, true_kinds, strict=True):
        matrix[index[true], index[called]] += 1
    return HeadScores(classes=classes, confusion=tuple(tuple(int(v) for v in row) for row in matrix))


def score_cnn(
    results: Sequence[Result], truths: Sequence[Truth], *, postage_threshold: float, damage_threshold: float
) -> CnnScores | None:
    """Score the postage and damage calls of results that have them; None when no CNN ran."""
    by_id = {t.piece_id: t for t in truths}
    pairs = [
        (r, by_id[r.piece_id])
        for r in results
        if r.piece_id in by_id
        and r.postage is not None
        and r.damage is not None
        and by_id[r.piece_id].postage_kind is not None
    ]
    if not pairs:
        return None
    p_unpaid = np.array([1.0 - r.postage.score for r, _ in pairs])
    p_damaged = np.array([r.damage.score for r, _ in pairs])
    is_unpaid = np.array([t.postage_kind == "none" for _, t in pairs])
    is_damaged = np.array([t.damage_kind != "none" for _, t in pairs])
    curve = tuple(
        reject_rates(
            p_unpaid, p_damaged, is_unpaid, is_damaged, postage_threshold=float(t), damage_threshold=float(t)
        )
        for t in np.round(np.arange(0.1, 0.951, 0.05), 2)
    )
    return CnnScores(
        postage=_head([r.postage.kind for r, _ in pairs], [t.postage_kind for _, t in pairs], POSTAGE_KINDS),
        damage=_head([r.damage.kind for r, _ in pairs], [t.damage_kind for _, t in pairs], DAMAGE_KINDS),
        curve=curve,
        at_config=replace(
            reject_rates(
                np.array([0.0 if r.postage.present else 1.0 for r, _ in pairs]),
                np.array([1.0 if r.damage.present else 0.0 for r, _ in pairs]),
                is_unpaid,
                is_damaged,
            ),
            postage_threshold=postage_threshold,
            damage_threshold=damage_threshold,
        ),
    )
