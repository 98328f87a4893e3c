"""Scoring the CNN the way the sorter uses it: how many unpaid and damaged pieces get caught, and how
many good pieces get rejected, at given thresholds; plus per-head accuracy and confusion matrices.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, kw_only=True)
class RejectRates:
    """Catch and false-reject rates at one pair of thresholds (``None`` where a group is empty)."""

    postage_threshold: float  # reject no_postage when P(postage none) >= this
    damage_threshold: float  # reject damaged when 1 - P(damage none) >= this
    unpaid_caught: float | None
    damaged_caught: float | None
    good_rejected: float | None
    unpaid: int
    damaged: int
    good: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rate(hits: np.ndarray, group: np.ndarray) -> float | None:
    return float(hits[group].mean()) if group.any() else None


def reject_rates(
    p_unpaid: np.ndarray,
    p_damaged: np.ndarray,
    is_unpaid: np.ndarray,
    is_damaged: np.ndarray,
    *,
    postage_threshold: float = 0.5,
    damage_threshold: float = 0.5,
) -> RejectRates:
    """Rates for the sorter's two CNN reject reasons; a good piece is paid and undamaged."""
    flag_unpaid = p_unpaid >= postage_threshold
    flag_damaged = p_damaged >= damage_threshold
    good = ~is_unpaid & ~is_damaged
    return RejectRates(
        postage_threshold=float(postage_threshold),
        damage_threshold=float(damage_threshold),
        unpaid_caught=_rate(flag_unpaid, is_unpaid),
        damaged_caught=_rate(flag_damaged, is_damaged),
        good_rejected=_rate(flag_unpaid | flag_damaged, good),
        unpaid=int(is_unpaid.sum()),
        damaged=int(is_damaged.sum()),
        good=int(good.sum()),
    )


def choose_thresholds(
    p_unpaid: np.ndarray,
    p_damaged: np.ndarray,
    is_unpaid: np.ndarray,
    is_damaged: np.ndarray,
    *,
    max_good_rejected: float = 0.01,
) -> RejectRates:
    """The thresholds that catch the most unpaid + damaged pieces while rejecting at most
    ``max_good_rejected`` of good ones; ties go to the pair nearest 0.5 (least tuned to this set).
    """
    grid = np.round(np.concatenate([np.linspace(0.02, 0.98, 49), [0.99, 0.995]]), 4)
    best: tuple[tuple[float, float], RejectRates] | None = None
    for tp in grid:
        for td in grid:
            r = reject_rates(
                p_unpaid, p_damaged, is_unpaid, is_damaged, postage_threshold=tp, damage_threshold=td
            )
            if r.good_rejected is not None and r.good_rejected > max_good_rejected:
                continue
            caught = (r.unpaid_caught or 0.0) + (r.damaged_caught or 0.0)
            key = (caught, -abs(tp - 0.5) - abs(td - 0.5))
            if best is None or key > best[0]:
                best = (key, r)
    if best is None:  # nothing meets the budget: be as strict as the grid allows
        return reject_rates(
            p_unpaid, p_damaged, is_unpaid, is_damaged, postage_threshold=0.995, damage_threshold=0.995
        )
    return best[1]


def confusion_matrix(target: np.ndarray, predicted: np.ndarray, classes: int) -> np.ndarray:
    """Counts with rows = true class, columns = predicted class."""
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (target, predicted), 1)
    return matrix


def balanced_accuracy(matrix: np.ndarray) -> float:
    """Mean per-class recall over the classes that occur: rare classes count as much as common ones."""
    support = matrix.sum(axis=1)
    present = support > 0
    return float((np.diag(matrix)[present] / support[present]).mean()) if present.any() else 0.0
