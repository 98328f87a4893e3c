"""Evening out light that falls off across a piece before the CNN looks at it.

A lamp to one side of the belt, or a lens that darkens the corners, leaves part of a piece a shade or two
darker than the rest. The CNN shipped until 2026-12-02 was trained before its augmentation drew such
light, and on frames lit that way it took the dark side for a stain or a crush: of 300 dimly, unevenly
lit frames it rejected 2.1 % of good pieces and caught 92.8 % of damaged ones, against 1.1 % and 97.6 %
on the same frames as rendered (docs/cnn.md, "Other cameras and light").

The light is measured on a small copy of the piece: its paper level everywhere, taken as the closing of
the grey image over about half the piece's width (print, stamps and stains narrower than that are dark
marks on the paper, not the light), then blurred heavily. Where the paper is darker than in its best-lit
part, it is brightened back (at most :data:`MAX_GAIN` times). The correction is gentle on purpose: it
takes out light that falls off over the whole piece, not all of it (a blur this wide reads the light near
the edges a little high), because a crushed piece's folds are broad and dark too. A sharper estimate (a
closing over half the piece each way, fitted with a quadratic surface) evened dim frames no better and
wiped a crush off a piece lit evenly (seed 21250, piece 172: P(damaged) 0.93 to 0.28). A piece whose
light is already even (no part needs :data:`MIN_GAIN` or more) is left exactly as it is.
"""

from __future__ import annotations

import cv2
import numpy as np

__all__ = ["MAX_GAIN", "MIN_GAIN", "even_out_light", "light_gain"]

MAP_WIDTH = 64  # px across the map of the light
# Dark marks narrower than this (px of the map, about half the piece's width) are on the paper, not the light.
CLOSING = 31
SMOOTHING = 14.0  # px of the map, a Gaussian's sigma: only light that falls off over the whole piece counts
BEST_LIT = 95  # percentile of the map taken as the paper's level where it is best lit
# A piece that needs less than this anywhere is evenly lit and left alone: 84 % of the pieces of seed
# 21250 (the median piece's map peaks at 1.05), 19 % of those of the dim stress set (median 1.16).
MIN_GAIN = 1.1
MAX_GAIN = 2.0


def light_gain(piece: np.ndarray) -> np.ndarray:
    """How much each part of ``piece`` (grey, BGR or BGRA uint8) would be brightened to light its paper
    as its best-lit part is: a float32 map :data:`MAP_WIDTH` px across, at least 1 everywhere."""
    height, width = piece.shape[:2]
    step = max(1, width // (4 * MAP_WIDTH))  # a strided view first: area-averaging the whole piece is slow
    size = (MAP_WIDTH, max(8, round(MAP_WIDTH * height / width)))
    small = cv2.resize(piece[::step, ::step], size, interpolation=cv2.INTER_AREA).astype(np.float32)
    grey = small[..., :3].mean(axis=2) if small.ndim == 3 else small
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (CLOSING, CLOSING))
    light = cv2.GaussianBlur(cv2.morphologyEx(grey, cv2.MORPH_CLOSE, kernel), (0, 0), SMOOTHING)
    return np.clip(np.percentile(light, BEST_LIT) / np.maximum(light, 1.0), 1.0, MAX_GAIN).astype(np.float32)


def even_out_light(piece: np.ndarray, *, max_width: int | None = None) -> np.ndarray:
    """``piece`` with its light evened out (see the module's docstring), or ``piece`` itself when its light
    is even already. With ``max_width``, a piece at least twice as wide is evened out at a fraction of its
    resolution (every second or third pixel), which is all a model with a smaller input needs."""
    gain = light_gain(piece)
    if gain.max() < MIN_GAIN:
        return piece
    if piece.ndim == 3 and piece.shape[2] == 4:
        piece = piece[..., :3]
    if max_width is not None and piece.shape[1] >= 2 * max_width:
        step = piece.shape[1] // max_width
        piece = piece[::step, ::step]
    height, width = piece.shape[:2]
    full = cv2.resize(gain, (width, height), interpolation=cv2.INTER_LINEAR)
    if piece.ndim == 3:
        full = cv2.merge([full] * piece.shape[2])
    return cv2.multiply(np.ascontiguousarray(piece), full, dtype=cv2.CV_8U)  # rounded and saturated
