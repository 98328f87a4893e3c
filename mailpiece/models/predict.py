"""Batched inference: faced piece images in, per-head class probabilities out.

``PieceClassifier`` follows its model's device and never picks one. Thread count is the caller's
choice: a line-speed worker on one core should call ``torch.set_num_threads(1)`` once at start-up.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from mailpiece.models.checkpoint import load_checkpoint
from mailpiece.models.preprocess import Preprocess

REQUIRED_HEADS = ("postage", "damage", "orientation")


@dataclass(frozen=True, kw_only=True)
class PieceScores:
    """One piece's probabilities per head (class name to probability) and each head's most likely class."""

    postage: dict[str, float]
    damage: dict[str, float]
    orientation: dict[str, float]
    postage_kind: str
    damage_kind: str
    upside_down: bool

    @property
    def orientation_deg(self) -> int:
        """Degrees the piece must turn to be upright: 0 or 180."""
        return 180 if self.upside_down else 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "orientation_deg": self.orientation_deg}


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

    def predict(self, pieces: list[np.ndarray]) -> list[PieceScores]:
        """Scores for each BGR uint8 piece image (any size; letterboxed as in training), in input order."""
        scores: list[PieceScores] = []
        for start in range(0, len(pieces), self.batch_size):
            chunk = pieces[start : start + self.batch_size]
            with torch.inference_mode():
                batch = self.preprocess(chunk, self.device)
                probs = {k: v.float().softmax(dim=1).cpu().numpy() for k, v in self.model(batch).items()}
            scores.extend(self._scores(probs, i) for i in range(len(chunk)))
        return scores

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
