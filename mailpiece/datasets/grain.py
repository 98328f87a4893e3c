"""Cheap randomness for textures: a fixed bank of Gaussian grain cut at random offsets, and smooth
low-frequency fields made by upsampling a few random values.

Drawing fresh normals for every pixel costs ~40 ms a frame; a crop of a fixed bank (same bank on every
run, since it comes from a constant seed) costs well under a millisecond and looks the same to a reader.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

_BANK_SIDE = 2048
_BANK_SEED = 20240613


@lru_cache(maxsize=1)
def _grain_bank() -> np.ndarray:
    """int8 grain, roughly N(0, 32^2) clipped, shared by every frame."""
    rng = np.random.default_rng(_BANK_SEED)
    bank = rng.standard_normal((_BANK_SIDE, _BANK_SIDE), dtype=np.float32) * 32.0
    return np.clip(bank, -127, 127).astype(np.int8)


def grain(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A float32 (height, width) field of unit-variance-ish grain, cut from the bank at a random place."""
    bank = _grain_bank()
    out = np.empty((height, width), np.float32)
    # Tile when the request is larger than the bank; each tile has its own random offset.
    for y in range(0, height, _BANK_SIDE // 2):
        for x in range(0, width, _BANK_SIDE // 2):
            h, w = min(_BANK_SIDE // 2, height - y), min(_BANK_SIDE // 2, width - x)
            oy = int(rng.integers(0, _BANK_SIDE - h + 1))
            ox = int(rng.integers(0, _BANK_SIDE - w + 1))
            tile = bank[oy : oy + h, ox : ox + w]
            if rng.random() < 0.5:
                tile = tile[::-1]
            out[y : y + h, x : x + w] = tile
    out *= 1.0 / 32.0
    return out


def grain_u8(rng: np.random.Generator, height: int, width: int, sigma: float) -> np.ndarray:
    """int16 grain with standard deviation `sigma` grey levels, for adding to 8-bit images."""
    return (grain(rng, height, width) * sigma).astype(np.int16)


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
