"""Stamps and meters of random designs (domain randomisation for the CNN's postage head)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from mailpiece.datasets import SynthConfig
from mailpiece.datasets.piece_face import render_face
from mailpiece.datasets.postage_styles import varied_meter, varied_stamp
from mailpiece.datasets.spec import rng_for, sample_spec

from .conftest import SEED


def test_varied_stamps_are_deterministic_and_of_many_sizes_and_looks() -> None:
    stamps = [varied_stamp(np.random.default_rng([SEED, k]), 150, 170, 150) for k in range(30)]
    again = varied_stamp(np.random.default_rng([SEED, 0]), 150, 170, 150)
    assert np.array_equal(again[0], stamps[0][0]) and np.array_equal(again[1], stamps[0][1])
    widths = [patch.shape[1] for patch, _ in stamps]
    assert min(widths) >= 0.6 * 150 and max(widths) <= 1.6 * 150
    assert max(widths) > 1.3 * min(widths)  # sizes vary, not only designs
    for patch, alpha in stamps:
        assert patch.shape[:2] == alpha.shape and patch.dtype == alpha.dtype == np.uint8
        height, width = alpha.shape
        assert alpha[height // 4 : -height // 4, width // 4 : -width // 4].min() == 255  # opaque inside
    brightness = [float(patch.mean()) for patch, _ in stamps]
    assert min(brightness) < 120 and max(brightness) > 200  # dark fields and pale line art both drawn


def test_varied_meters_are_ink_masks_of_many_layouts() -> None:
    meters = [varied_meter(np.random.default_rng([SEED, k]), 150, "12345") for k in range(30)]
    assert np.array_equal(meters[0], varied_meter(np.random.default_rng([SEED, 0]), 150, "12345"))
    for mask in meters:
        assert mask.dtype == np.uint8 and 0.02 < float((mask > 128).mean()) < 0.8
    heights = [mask.shape[0] for mask in meters]
    assert min(heights) < 0.6 * 150 and max(heights) > 0.9 * 150  # one-line indicia and tall labels


@pytest.mark.parametrize("kind", ["stamp", "meter"])
def test_varied_postage_changes_only_the_postage(kind: str) -> None:
    """p_varied_postage redraws the postage from its own stream: the plan is the same piece's, the
    postage looks different, and at 0 (the default) nothing changes."""
    index = next(i for i in range(200) if sample_spec(SEED, i).postage_kind == kind)
    spec = sample_spec(SEED, index)
    varied = sample_spec(SEED, index, SynthConfig(p_varied_postage=1.0))
    assert varied.varied_postage and not spec.varied_postage
    assert replace(varied, varied_postage=False) == spec
    plain = render_face(spec, rng_for(SEED, index, 1))
    again = render_face(spec, rng_for(SEED, index, 1))
    other = render_face(varied, rng_for(SEED, index, 1))
    assert np.array_equal(plain.image, again.image)
    x0, y0, x1, y1 = plain.postage_box
    before, after = plain.image[y0:y1, x0:x1].astype(int), other.image[y0:y1, x0:x1].astype(int)
    changed = np.abs(before - after).max(axis=2)
    assert (changed > 40).mean() > 0.1
