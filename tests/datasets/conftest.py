"""Shared fixtures for the generator tests: a small batch of rendered frames, rendered once per session."""

from __future__ import annotations

import cv2
import pytest

from mailpiece.datasets import SyntheticFrame, render_frame

SEED = 7
BATCH = 12


@pytest.fixture(scope="session")
def frames() -> list[SyntheticFrame]:
    """Frames 0..BATCH-1 of dataset SEED (about 0.2 s each on one core)."""
    cv2.setNumThreads(1)
    return [render_frame(SEED, i) for i in range(BATCH)]
