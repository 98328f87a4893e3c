"""The CNN stage: postage and damage calls for faced pieces, with per-class thresholds.

The model gives probabilities; the thresholds (in the inspect config, beside the address ones) turn them
into the record's ``present``/``kind``/``score``. ``score`` is the model's probability that postage (or
damage) is present, so one threshold on it trades caught pieces against false rejects.
"""

from __future__ import annotations

import numpy as np

from mailpiece.inspect.config import CnnThresholds
from mailpiece.inspect.lighting import even_out_light
from mailpiece.inspect.result import ClassCall
from mailpiece.models.predict import PieceClassifier, PieceScores, SecondView


def presence_call(probs: dict[str, float], present: bool) -> ClassCall:
    """Fold one head's class probabilities (``none`` = absent) into the record's present/kind/score."""
    kinds = {k: p for k, p in probs.items() if k != "none"}
    kind = max(kinds, key=kinds.__getitem__) if present else "none"
    return ClassCall(present=present, kind=kind, score=round(1.0 - probs["none"], 4))


class PostageDamageStage:
    """Callable on a batch of faced pieces → one (postage, damage) call pair per piece."""

    def __init__(self, classifier: PieceClassifier, thresholds: CnnThresholds) -> None:
        self.classifier = classifier
        # thresholds left unset in the config come from what the checkpoint recommends
        self.thresholds = thresholds.resolved(classifier.recommended_thresholds)
        bands = (thresholds.second_view_postage, thresholds.second_view_damage)
        self.second_view = SecondView(*bands) if any(b is not None for b in bands) else None
        self.even_light = thresholds.even_light

    @property
    def model_name(self) -> str:
        return self.classifier.version

    def scores(self, pieces: list[np.ndarray]) -> list[PieceScores]:
        """The CNN's scores, unsure first looks averaged with a second look at the piece turned 180°; with
        ``even_light``, pieces lit unevenly are evened out first (:mod:`mailpiece.inspect.lighting`)."""
        if self.even_light:
            width = self.classifier.preprocess.config.input_size[1]
            pieces = [even_out_light(piece, max_width=width) for piece in pieces]
        return self.classifier.predict(pieces, second_view=self.second_view)

    def calls(self, scores: PieceScores) -> tuple[ClassCall, ClassCall]:
        postage = presence_call(scores.postage, present=scores.postage["none"] < self.thresholds.no_postage)
        damage = presence_call(scores.damage, present=1.0 - scores.damage["none"] >= self.thresholds.damaged)
        return postage, damage

    def __call__(self, pieces: list[np.ndarray]) -> list[tuple[ClassCall, ClassCall]]:
        return [self.calls(s) for s in self.scores(pieces)]
