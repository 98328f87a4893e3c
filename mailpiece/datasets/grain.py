"""Cheap randomness for textures: a fixed bank of Gaussian grain cut at random offsets, and smooth
low-frequency fields made by upsampling a few random values.

Drawing fresh normals for every pixel costs ~40 ms a frame; a crop of a fixed bank (the same bank on
every run, since it comes from a constant seed) costs well under a millisecond and looks the same to a
reader. Only the crop offsets come from the frame's generator, so frames stay a function of (seed, index).
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

_BANK_SIDE = 2048
_BANK_SEED = 20240613
GRAIN_ZERO = 128  # bank value that means "no grain"
GRAIN_STD = 32.0  # bank standard deviation in grey levels


@lru_cache(maxsize=1)
def _bank() -> np.ndarray:
    """uint8 (side, side, 3) grain around GRAIN_ZERO with std GRAIN_STD, independent per channel."""
    rng = np.random.default_rng(_BANK_SEED)
    noise = rng.standard_normal((_BANK_SIDE, _BANK_SIDE, 3), dtype=np.float32) * GRAIN_STD + GRAIN_ZERO
    return np.clip(noise, 0, 255).astype(np.uint8)


def grain_bank_crop(rng: np.random.Generator, height: int, width: int, channels: int = 3) -> np.ndarray:
    """uint8 (height, width[, 3]) grain around GRAIN_ZERO; tiles of the bank when the request is larger."""
    bank = _bank()
    side = _BANK_SIDE
    if height <= side and width <= side:
        oy = int(rng.integers(0, side - height + 1))
        ox = int(rng.integers(0, side - width + 1))
        crop = bank[oy : oy + height, ox : ox + width]
    else:
        reps = (-(-height // side), -(-width // side), 1)
        crop = np.tile(np.roll(bank, int(rng.integers(side)), axis=1), reps)[:height, :width]
    return np.ascontiguousarray(crop) if channels == 3 else cv2.extractChannel(crop, 0)


def grain(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A float32 (height, width) field of unit-variance grain."""
    crop = grain_bank_crop(rng, height, width, channels=1).astype(np.float32)
    crop -= GRAIN_ZERO
    crop *= 1.0 / GRAIN_STD
    return crop


def add_grain(image: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    """`image` (uint8, 1 or 3 channels) plus Gaussian grain of std `sigma` grey levels, saturated."""
    channels = 1 if image.ndim == 2 else image.shape[2]
    noise = grain_bank_crop(rng, image.shape[0], image.shape[1], channels=channels)
    k = sigma / GRAIN_STD
    return cv2.addWeighted(image, 1.0, noise, k, -GRAIN_ZERO * k)


def smooth_field(
    rng: np.random.Generator, height: int, width: int, cells: int = 4, amplitude: float = 1.0
) -> np.ndarray:
    """A smooth float32 field in about [-amplitude, amplitude]: `cells` random values per short side,
    bicubically upsampled (paper mottling, lighting, stain shapes)."""
    short = max(1, min(height, width))
    gy = max(2, round(cells * height / short))
    gx = max(2, round(cells * width / short))
    coarse = rng.uniform(-amplitude, amplitude, (gy, gx)).astype(np.float32)
    return cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC)
