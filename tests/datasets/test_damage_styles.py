"""Damage of random looks (domain randomisation for the CNN's damage head)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mailpiece.datasets import SynthConfig
from mailpiece.datasets.crush_styles import varied_crush
from mailpiece.datasets.damage_styles import varied_crease, varied_stain, varied_tear
from mailpiece.datasets.piece_face import render_face
from mailpiece.datasets.render import render_spec
from mailpiece.datasets.spec import rng_for, sample_spec

from .conftest import SEED

DAMAGE = ["torn", "creased", "stained", "crushed"]


def _face(index: int = 0):
    return render_face(sample_spec(SEED, index), rng_for(SEED, index, 1))


@pytest.mark.parametrize("kind", DAMAGE)
def test_varied_damage_redraws_only_the_damage(kind: str) -> None:
    """p_varied_damage keeps the plan and every draw after the damage (pose, belt, exposure) as on the
    stock piece, changes the piece's look, and at 0 (the default) changes nothing."""
    index = next(i for i in range(200) if sample_spec(SEED, i).damage_kind == kind)
    spec = sample_spec(SEED, index)
    varied = sample_spec(SEED, index, SynthConfig(p_varied_damage=1.0))
    assert varied.varied_damage and not spec.varied_damage
    assert replace(varied, varied_damage=False) == spec
    plain, again, other = render_spec(spec), render_spec(spec), render_spec(varied)
    assert np.array_equal(plain.image, again.image)
    assert other.label.piece_quad == plain.label.piece_quad  # the same pose: later draws unchanged
    assert plain.image.shape == other.image.shape
    changed = np.abs(plain.image.astype(int) - other.image.astype(int)).max(axis=2)
    assert (changed > 25).mean() > 0.002


def test_varied_tears_leave_the_address_and_postage_and_cut_the_paper() -> None:
    face = _face()
    looks = set()
    for k in range(12):
        image, alpha = face.image.copy(), np.full(face.image.shape[:2], 255, np.uint8)
        loss = varied_tear(image, alpha, face.address_ink, np.random.default_rng([SEED, k]), 0.7, None,
                           face.postage_box)  # fmt: skip
        missing = alpha == 0
        assert loss == 0.0 and missing.any()
        assert not ((face.address_ink[..., 0] > 60) & missing).any()
        if face.postage_box is not None:
            x0, y0, x1, y1 = face.postage_box
            assert missing[y0:y1, x0:x1].mean() < 0.03
        inner = missing[5:-5, 5:-5].sum() - missing[10:-10, 10:-10].sum()
        looks.add(("inside" if missing[20:-20, 20:-20].any() else "edge", inner > 0))
    assert len(looks) > 1  # holes inside the piece and cuts from its edges


def test_a_varied_tear_aimed_at_the_last_line_destroys_it() -> None:
    face = _face()
    ys, xs = np.nonzero(face.address_ink[..., 1] > 60)
    target = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    for k in range(4):
        alpha = np.full(face.image.shape[:2], 255, np.uint8)
        loss = varied_tear(face.image.copy(), alpha, face.address_ink, np.random.default_rng([SEED, k]), 0.5,
                           target, face.postage_box)  # fmt: skip
        assert loss > 0.1


def test_varied_stains_keep_the_text_legible_unless_aimed_at_it() -> None:
    face = _face()
    colours = []
    for k in range(16):
        image = face.image.copy()
        assert varied_stain(image, face.address_ink, np.random.default_rng([SEED, k]), 0.6, 150, None) == 0.0
        moved = np.abs(image.astype(int) - face.image.astype(int)).max(axis=2) > 10
        assert moved.any()
        colours.append(tuple(np.round(image[moved].mean(axis=0) - face.image[moved].mean(axis=0), -1)))
    assert len(set(colours)) > 8  # many colours and shapes, not one
    ys, xs = np.nonzero(face.address_ink[..., 1] > 60)
    target = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    for k in range(4):
        spilled = face.image.copy()
        assert (
            varied_stain(spilled, face.address_ink, np.random.default_rng([SEED, k]), 0.6, 150, target) > 0.1
        )


def test_varied_creases_and_crushing_shade_without_moving_the_outline_far() -> None:
    face = _face()
    for k in range(6):
        creased = face.image.copy()
        varied_crease(creased, np.random.default_rng([SEED, k]), 0.6)
        assert not np.array_equal(creased, face.image)
        alpha = np.full(face.image.shape[:2], 255, np.uint8)
        image, alpha, ink = varied_crush(face.image.copy(), alpha, face.address_ink.copy(),
                                         np.random.default_rng([SEED, k]), 0.8)  # fmt: skip
        assert image.shape == face.image.shape and ink.shape == face.address_ink.shape
        assert 0.9 < (alpha > 128).mean() < 1.0  # warped: a little of the outline moved in
        assert (ink[..., 0] > 60).sum() > 0.8 * (face.address_ink[..., 0] > 60).sum()
