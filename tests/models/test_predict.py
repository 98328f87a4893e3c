"""PieceClassifier: batched, order-preserving probabilities from any-size BGR pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mailpiece.models.checkpoint import CheckpointInfo, save_checkpoint
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.predict import PieceClassifier, SecondView
from mailpiece.models.preprocess import Preprocess, PreprocessConfig
from mailpiece.models.zoo import build_model


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.manual_seed(0)
    model = build_model("mobilenet_v3_small")
    info = CheckpointInfo(
        version="postage-damage@test",
        arch="mobilenet_v3_small",
        heads=HEAD_CLASSES,
        preprocess=PreprocessConfig(input_size=(64, 128)),
    )
    return save_checkpoint(tmp_path_factory.mktemp("ckpt") / "m.pt", model, info)


def _pieces(n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.integers(0, 256, size=(int(rng.integers(40, 200)), int(rng.integers(80, 400)), 3), dtype=np.uint8)
        for _ in range(n)
    ]


def test_scores_are_probabilities_with_consistent_kinds(checkpoint: Path) -> None:
    clf = PieceClassifier.from_checkpoint(checkpoint)
    scores = clf.predict(_pieces(5))
    assert len(scores) == 5 and clf.version == "postage-damage@test"
    for s in scores:
        assert list(s.postage) == list(HEAD_CLASSES["postage"])
        assert list(s.damage) == list(HEAD_CLASSES["damage"])
        for probs in (s.postage, s.damage, s.orientation):
            assert abs(sum(probs.values()) - 1.0) < 1e-5
            assert all(0.0 <= p <= 1.0 for p in probs.values())
        assert s.postage_kind == max(s.postage, key=s.postage.get)
        assert s.damage_kind == max(s.damage, key=s.damage.get)
        assert s.orientation_deg == (180 if s.orientation["upside_down"] > s.orientation["upright"] else 0)
        assert s.to_dict()["orientation_deg"] == s.orientation_deg


def test_batching_changes_nothing_and_keeps_input_order(checkpoint: Path) -> None:
    pieces = _pieces(7)
    big = PieceClassifier.from_checkpoint(checkpoint, batch_size=64).predict(pieces)
    small = PieceClassifier.from_checkpoint(checkpoint, batch_size=3).predict(pieces)
    reversed_ = PieceClassifier.from_checkpoint(checkpoint).predict(pieces[::-1])[::-1]
    for a, b, c in zip(big, small, reversed_, strict=True):
        for head in ("postage", "damage", "orientation"):
            for k in getattr(a, head):
                assert getattr(a, head)[k] == pytest.approx(getattr(b, head)[k], abs=1e-5)
                assert getattr(a, head)[k] == pytest.approx(getattr(c, head)[k], abs=1e-5)


@pytest.mark.parametrize("band", [(0.5, 0.5), (0.9, 0.1), (-0.1, 0.5), (0.2, 1.2), (0.3,)])
def test_a_bad_band_is_refused(band: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="band"):
        SecondView(postage=band)


def test_no_pieces_give_no_scores_and_a_bad_piece_is_an_error(checkpoint: Path) -> None:
    clf = PieceClassifier.from_checkpoint(checkpoint)
    assert clf.predict([]) == []
    with pytest.raises(ValueError):
        clf.predict([np.zeros((10, 10, 3), np.float64)])


def test_a_model_without_the_needed_heads_is_refused(checkpoint: Path) -> None:
    model = build_model("mobilenet_v3_small", {"postage": ("a", "b")})
    with pytest.raises(ValueError, match="lacks the heads"):
        PieceClassifier(model, Preprocess(PreprocessConfig()), {"postage": ("a", "b")}, version="x")


@pytest.mark.needs_cuda
def test_cuda_follows_the_model_and_agrees_with_cpu(checkpoint: Path) -> None:
    pieces = _pieces(4)
    cpu = PieceClassifier.from_checkpoint(checkpoint, "cpu").predict(pieces)
    gpu_clf = PieceClassifier.from_checkpoint(checkpoint, "cuda")
    assert gpu_clf.device.type == "cuda"
    gpu = gpu_clf.predict(pieces)
    for a, b in zip(cpu, gpu, strict=True):
        for k in a.postage:
            assert a.postage[k] == pytest.approx(b.postage[k], abs=2e-3)
