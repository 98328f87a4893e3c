"""Crushing of random looks (the crushed family of the damage head's domain randomisation)."""

from __future__ import annotations

import numpy as np

from mailpiece.datasets.crush_styles import _crumpled

from .conftest import SEED


def test_crumple_creases_are_lit_on_one_flank_and_shaded_on_the_other() -> None:
    """A crease is a ridge or a valley of the sheet lit from one side: its shading rises above 1 on one
    flank and falls below on the other, and the sheet away from the creases is left as it was."""
    for k in range(4):
        shade = _crumpled(np.random.default_rng([SEED, k]), 400, 900, 0.8)
        assert shade.shape == (400, 900) and shade.dtype == np.float32
        assert shade.max() > 1.08 and shade.min() < 0.92
        assert 0.2 < (np.abs(shade - 1.0) < 0.01).mean() < 0.98  # creases, not a texture all over
        assert abs(float(shade.mean()) - 1.0) < 0.01  # each bright flank has its dark one
