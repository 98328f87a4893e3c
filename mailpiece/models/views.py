"""Which pieces the CNN looks at a second time: the bands of unsure scores, torch-free so that the inspect
config can check them without loading the model's modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from mailpiece.models.predict import PieceScores


def probability_band(name: str, band: Any) -> tuple[float, float]:
    """An open probability band ``(low, high)`` with 0 <= low < high <= 1, as a tuple (a list from JSON is
    fine); ``ValueError`` naming ``name`` otherwise."""
    band = tuple(float(v) for v in band)
    if len(band) != 2 or not 0.0 <= band[0] < band[1] <= 1.0:
        raise ValueError(f"{name} must be (low, high) with 0 <= low < high <= 1, got {band}")
    return band


@dataclass(frozen=True)
class SecondView:
    """Which pieces the classifier looks at a second time, turned 180°, to average the two looks.

    The model learnt postage and damage on pieces either way up, with the same labels, so the turned piece
    is an equally valid view of it. Where the first look is unsure, with P(no postage) or P(damaged)
    strictly inside its band, the mean of the two looks is the steadier score: one look's call can swing on
    a 2 % crop. Confident first looks (most pieces) are not looked at again, which keeps the cost per
    piece near one pass. ``None`` turns a head's band off. docs/cnn.md ("A second look") has the numbers.
    """

    postage: tuple[float, float] | None = (0.05, 0.95)
    damage: tuple[float, float] | None = (0.30, 0.97)

    def __post_init__(self) -> None:
        for name in ("postage", "damage"):
            band = getattr(self, name)
            if band is not None:
                object.__setattr__(self, name, probability_band(f"the {name} band", band))

    def unsure(self, p_none: np.ndarray, p_damaged: np.ndarray) -> np.ndarray:
        """Per piece, whether its first look's P(no postage) or P(damaged) lies inside its band."""
        p_none, p_damaged = np.asarray(p_none, float), np.asarray(p_damaged, float)
        inside = np.zeros(np.broadcast(p_none, p_damaged).shape, bool)
        for band, p in ((self.postage, p_none), (self.damage, p_damaged)):
            if band is not None:
                inside |= (band[0] < p) & (p < band[1])
        return inside

    def wanted(self, scores: PieceScores) -> bool:
        """Whether one piece's first look is unsure."""
        return bool(self.unsure(scores.postage["none"], 1.0 - scores.damage["none"]))
