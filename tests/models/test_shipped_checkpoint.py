"""The checkpoint shipped in the package: loads, describes itself, and still sees postage and damage.

A floor on fresh synthetic frames (a seed no training run used) makes a broken or swapped checkpoint
fail CI; the full scores live in docs/cnn.md and in the checkpoint's own metrics.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mailpiece.datasets.config import SynthConfig
from mailpiece.datasets.render import encode, render_frame
from mailpiece.datasets.torch_dataset import cut_piece
from mailpiece.models.checkpoint import default_checkpoint_path, load_checkpoint
from mailpiece.models.heads import HEAD_CLASSES
from mailpiece.models.predict import PieceClassifier, SecondView
from mailpiece.models.zoo import ARCHITECTURES

FRESH_SEED = 90_210  # never used for training, validation or testing
FRAMES = 32
ADVERT_FRAMES = 24
VARIED_FRAMES = 24
DAMAGE_FRAMES = 48


def rendered_pieces(
    seed: int, count: int, options: list[str] | None = None
) -> list[tuple[np.ndarray, object]]:
    """Frames 0..count-1 of ``seed`` (generator settings ``options``), JPEG-encoded as written, each cut
    along its labelled quad (faced), with its label."""
    config = SynthConfig().with_options(options or [])
    pieces = []
    for index in range(count):
        frame = render_frame(seed, index, config)
        image = cv2.imdecode(np.frombuffer(encode(frame), np.uint8), cv2.IMREAD_COLOR)
        pieces.append((cut_piece(image, np.asarray(frame.label.piece_quad, np.float64)), frame.label))
    return pieces


@pytest.fixture(scope="module")
def fresh_pieces() -> list[tuple[np.ndarray, str, str]]:
    """Faced pieces (cut along the labelled quad) with their true postage and damage kinds."""
    return [
        (piece, label.postage.kind, label.damage.kind) for piece, label in rendered_pieces(FRESH_SEED, FRAMES)
    ]


def test_the_shipped_checkpoint_describes_itself() -> None:
    path = default_checkpoint_path()
    assert path.is_file() and path.stat().st_size < 8_000_000
    info = load_checkpoint(path).info
    assert info.version.startswith("postage-damage@")
    assert info.arch in ARCHITECTURES and info.heads == HEAD_CLASSES
    assert {"recommended_thresholds", "accuracy", "tuned"} <= set(info.metrics)


def test_the_shipped_checkpoint_sees_postage_damage_and_orientation(fresh_pieces) -> None:
    clf = PieceClassifier.from_checkpoint()
    upright = clf.predict([p for p, _, _ in fresh_pieces])
    turned = clf.predict([np.ascontiguousarray(p[::-1, ::-1]) for p, _, _ in fresh_pieces])
    postage = np.mean([s.postage_kind == kind for s, (_, kind, _) in zip(upright, fresh_pieces, strict=True)])
    unpaid_hit = [
        s.postage_kind == "none"
        for s, (_, kind, _) in zip(upright, fresh_pieces, strict=True)
        if kind == "none"
    ]
    damaged = np.mean(
        [
            (s.damage_kind != "none") == (kind != "none")
            for s, (_, _, kind) in zip(upright, fresh_pieces, strict=True)
        ]
    )
    facing = np.mean([not s.upside_down for s in upright] + [s.upside_down for s in turned])
    # a random model scores about 0.25 / 0.5 / 0.5 here; the trained one far above these floors
    assert postage >= 0.85, postage
    assert damaged >= 0.8, damaged
    assert facing >= 0.9, facing
    assert not unpaid_hit or np.mean(unpaid_hit) >= 0.8


def test_the_shipped_checkpoint_passes_good_advertising_mail() -> None:
    """Full-colour advertising (a picture panel, stickers, slogans) is neither postage nor damage: paid,
    undamaged pieces carrying it are not rejected at the checkpoint's own thresholds (the checkpoint of
    2026-11-22, trained without such art, rejected about a third of them)."""
    clf = PieceClassifier.from_checkpoint()
    thresholds = clf.recommended_thresholds
    options = ["p_advert_art=1", "postage_mix=stamp:1,meter:1,permit:1", "damage_mix=none:1"]
    pieces = [piece for piece, _ in rendered_pieces(FRESH_SEED + 1, ADVERT_FRAMES, options)]
    rejected = [
        s.postage["none"] >= thresholds["postage_none"] or 1.0 - s.damage["none"] >= thresholds["damaged"]
        for s in clf.predict(pieces)
    ]
    assert sum(rejected) <= 2, f"{sum(rejected)} of {ADVERT_FRAMES} good advertising pieces rejected"


def test_the_shipped_checkpoint_knows_stamps_and_meters_of_other_designs() -> None:
    """Postage is not one look: stamps and meters of random designs (``p_varied_postage``) are not called
    unpaid at the checkpoint's own threshold (the checkpoint of 2026-11-30, trained on the stock designs
    alone, called 6 of these 24 unpaid; the shipped one calls 2)."""
    clf = PieceClassifier.from_checkpoint()
    threshold = clf.recommended_thresholds["postage_none"]
    options = ["p_varied_postage=1", "postage_mix=stamp:1,meter:1", "damage_mix=none:1"]
    pieces = [piece for piece, _ in rendered_pieces(FRESH_SEED + 2, VARIED_FRAMES, options)]
    unpaid = sum(s.postage["none"] >= threshold for s in clf.predict(pieces))
    assert unpaid <= 3, f"{unpaid} of {VARIED_FRAMES} stamped or metered pieces called unpaid"


def test_the_shipped_checkpoint_knows_damage_of_other_looks() -> None:
    """Damage is not one look either: tears, folds, stains and crushing of random looks
    (``p_varied_damage``) are caught at the checkpoint's own threshold (``fe4335a6``, shipped until
    2026-12-02 and trained on the stock renderings alone, caught 34 of these 48; the shipped one 42)."""
    clf = PieceClassifier.from_checkpoint()
    threshold = clf.recommended_thresholds["damaged"]
    options = ["p_varied_damage=1", "damage_mix=torn:1,creased:1,stained:1,crushed:1"]
    pieces = [piece for piece, _ in rendered_pieces(FRESH_SEED + 3, DAMAGE_FRAMES, options)]
    caught = sum(1.0 - s.damage["none"] >= threshold for s in clf.predict(pieces))
    assert caught >= 39, f"{caught} of {DAMAGE_FRAMES} damaged pieces caught"


def test_a_second_look_averages_the_piece_and_the_piece_turned_round(fresh_pieces) -> None:
    clf = PieceClassifier.from_checkpoint()
    pieces = [piece for piece, _, _ in fresh_pieces[:6]]
    first = clf.predict(pieces)
    turned = clf.predict([p[::-1, ::-1] for p in pieces])
    both = clf.predict(pieces, second_view=SecondView(postage=(0.0, 1.0), damage=None))
    for a, b, m in zip(first, turned, both, strict=True):
        assert (a.views, m.views) == (1, 2)
        for head in ("postage", "damage"):
            for k in getattr(a, head):
                expected = (getattr(a, head)[k] + getattr(b, head)[k]) / 2
                assert getattr(m, head)[k] == pytest.approx(expected, abs=1e-6)
        # what the turned look saw upright, the piece itself has upside down
        upright = (a.orientation["upright"] + b.orientation["upside_down"]) / 2
        assert m.orientation["upright"] == pytest.approx(upright)
        assert m.postage_kind == max(m.postage, key=m.postage.get)
        assert m.upside_down == (m.orientation["upside_down"] > m.orientation["upright"])
    # two looks make the scores independent of which way up the piece came in
    back = clf.predict([p[::-1, ::-1] for p in pieces], second_view=SecondView(postage=(0.0, 1.0)))
    for m, r in zip(both, back, strict=True):
        for k in m.postage:
            assert m.postage[k] == pytest.approx(r.postage[k], abs=1e-5)
        assert m.orientation["upright"] == pytest.approx(r.orientation["upside_down"], abs=1e-5)


def test_only_unsure_first_looks_get_a_second(fresh_pieces) -> None:
    clf = PieceClassifier.from_checkpoint()
    pieces = [piece for piece, _, _ in fresh_pieces]
    first = clf.predict(pieces)
    p_none = sorted(s.postage["none"] for s in first)
    band = (p_none[9] + p_none[10]) / 2, (p_none[11] + p_none[12]) / 2  # holds exactly two of them
    scores = clf.predict(pieces, second_view=SecondView(postage=band, damage=None))
    assert [s.views for s in scores] == [2 if band[0] < f.postage["none"] < band[1] else 1 for f in first]
    assert sum(s.views == 2 for s in scores) == 2
    for f, s in zip(first, scores, strict=True):
        if s.views == 1:
            assert s == f
    assert clf.predict(pieces, second_view=SecondView(postage=None, damage=None)) == first


def test_the_shipped_checkpoint_passes_most_advertising_printed_to_the_edge() -> None:
    """Pictures printed to the piece's edge, in one ink, pale or fading out (``p_bleed_advert``), are
    neither stains nor tears. `f41478c4`, which never saw such printing, rejected 11 of these 24 good
    pieces at its thresholds; the shipped `6c9e1ef4` rejects 5 (docs/cnn.md, "Advertising to the edge")."""
    clf = PieceClassifier.from_checkpoint()
    thresholds = clf.recommended_thresholds
    options = ["p_advert_art=1", "p_bleed_advert=1", "postage_mix=stamp:1,meter:1,permit:1"]
    pieces = [
        piece for piece, _ in rendered_pieces(FRESH_SEED + 5, ADVERT_FRAMES, [*options, "damage_mix=none:1"])
    ]
    rejected = [
        s.postage["none"] >= thresholds["postage_none"] or 1.0 - s.damage["none"] >= thresholds["damaged"]
        for s in clf.predict(pieces)
    ]
    assert sum(rejected) <= 6, f"{sum(rejected)} of {ADVERT_FRAMES} good pieces with art to the edge rejected"
