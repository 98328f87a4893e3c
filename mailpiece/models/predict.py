"""Batched inference: faced piece images in, per-head class probabilities out.

``PieceClassifier`` follows its model's device and never picks one. Thread count is the caller's
choice: a line-speed worker on one core should call ``torch.set_num_threads(1)`` once at start-up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from mailpiece.models.checkpoint import load_checkpoint
from mailpiece.models.preprocess import Preprocess, turned_letterbox
from mailpiece.models.views import SecondView

REQUIRED_HEADS = ("postage", "damage", "orientation")
__all__ = ["PieceClassifier", "PieceScores", "SecondView", "mean_of_views"]


@dataclass(frozen=True, kw_only=True)
class PieceScores:
    """One piece's probabilities per head (class name to probability) and each head's most likely class."""

    postage: dict[str, float]
    damage: dict[str, float]
    orientation: dict[str, float]
    postage_kind: str
    damage_kind: str
    upside_down: bool
    views: int = 1  # how many looks these probabilities average (2: the piece and the piece turned 180°)

    @property
    def orientation_deg(self) -> int:
        """Degrees the piece must turn to be upright: 0 or 180."""
        return 180 if self.upside_down else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "orientation_deg": self.orientation_deg}


def mean_of_views(first: PieceScores, turned: PieceScores) -> PieceScores:
    """One piece's scores from two looks, the second at the piece turned 180°: the probabilities averaged,
    the turned look's orientation swapped first (what it saw upright, the piece has upside down)."""
    back = {"upright": turned.orientation["upside_down"], "upside_down": turned.orientation["upright"]}

    def mean(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
        return {k: (a[k] + b[k]) / 2 for k in a}

    postage, damage = mean(first.postage, turned.postage), mean(first.damage, turned.damage)
    orientation = mean(first.orientation, back)
    return replace(
        first,
        postage=postage,
        damage=damage,
        orientation=orientation,
        postage_kind=max(postage, key=postage.__getitem__),
        damage_kind=max(damage, key=damage.__getitem__),
        upside_down=orientation["upside_down"] > orientation["upright"],
        views=2,
    )


class PieceClassifier:
    """Postage kind, damage kind and orientation of faced pieces, from one checkpoint's model."""

    def __init__(
        self,
        model: nn.Module,
        preprocess: Preprocess,
        heads: dict[str, tuple[str, ...]],
        *,
        version: str,
        batch_size: int = 64,
        recommended_thresholds: dict[str, float] | None = None,
    ) -> None:
        missing = [h for h in REQUIRED_HEADS if h not in heads]
        if missing:
            raise ValueError(f"the model lacks the heads {missing}")
        self.model = model.eval()
        self.preprocess = preprocess
        self.heads = heads
        self.version = version
        self.batch_size = batch_size
        # What the training run chose on its validation frames ({"postage_none": .., "damaged": ..}), if any.
        self.recommended_thresholds = dict(recommended_thresholds or {})

    @classmethod
    def from_checkpoint(
        cls, path: str | Path | None = None, device: torch.device | str = "cpu", *, batch_size: int = 64
    ) -> PieceClassifier:
        """Load a checkpoint (``None``: the packaged one) onto ``device`` and wrap it."""
        loaded = load_checkpoint(path, device)
        return cls(
            loaded.model,
            loaded.preprocess,
            loaded.info.heads,
            version=loaded.info.version,
            batch_size=batch_size,
            recommended_thresholds=loaded.info.metrics.get("recommended_thresholds"),
        )

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def predict(
        self, pieces: list[np.ndarray], *, second_view: SecondView | None = None
    ) -> list[PieceScores]:
        """Scores for each BGR uint8 piece image (any size; letterboxed as in training), in input order.

        With ``second_view``, the pieces whose first look it finds unsure are scored again turned 180°
        (their letterboxes turned, in one more batch) and get the mean of both looks (``views == 2``).
        """
        scores: list[PieceScores] = []
        for start in range(0, len(pieces), self.batch_size):
            chunk = pieces[start : start + self.batch_size]
            with torch.inference_mode():
                batch = self.preprocess(chunk, self.device)
                looks = self._looks(batch)
                again = [i for i, s in enumerate(looks) if second_view is not None and second_view.wanted(s)]
                if again:
                    size = self.preprocess.config.input_size
                    turned = torch.stack([turned_letterbox(batch[i], chunk[i].shape[:2], size)
                                          for i in again])
                    for i, look in zip(again, self._looks(turned), strict=True):
                        looks[i] = mean_of_views(looks[i], look)
            scores.extend(looks)
        return scores

    def _looks(self, batch: torch.Tensor) -> list[PieceScores]:
        probs = {k: v.float().softmax(dim=1).cpu().numpy() for k, v in self.model(batch).items()}
        return [self._scores(probs, i) for i in range(batch.shape[0])]

    def _scores(self, probs: dict[str, np.ndarray], i: int) -> PieceScores:
        named = {h: dict(zip(self.heads[h], map(float, probs[h][i]), strict=True)) for h in REQUIRED_HEADS}
        return PieceScores(
            postage=named["postage"],
            damage=named["damage"],
            orientation=named["orientation"],
            postage_kind=max(named["postage"], key=named["postage"].__getitem__),
            damage_kind=max(named["damage"], key=named["damage"].__getitem__),
            upside_down=named["orientation"]["upside_down"] > named["orientation"]["upright"],
        )
