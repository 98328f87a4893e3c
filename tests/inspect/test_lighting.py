"""Evening out light that falls off across a piece, before the CNN: the light goes, the marks stay."""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.inspect.lighting import MIN_GAIN, even_out_light, light_gain


def _piece(width: int = 1200, height: int = 560) -> np.ndarray:
    """Cream paper with lines of dark print, a stamp at the top right and a brown stain lower left."""
    rng = np.random.default_rng(3)
    piece = np.empty((height, width, 3), np.float32)
    piece[:] = (205, 235, 247)
    piece += rng.normal(0, 2, piece.shape)
    for row in range(4):
        y = 300 + 40 * row
        for x in range(560, 1000, 26):
            piece[y : y + 22, x : x + 16] = (40, 40, 40)
    piece[40:170, 1020:1140] = (60, 90, 170)
    cv2.circle(piece, (260, 420), 90, (120, 150, 170), -1)
    return np.clip(piece, 0, 255).astype(np.uint8)


def _falling_off(piece: np.ndarray, darkest: float = 0.55) -> np.ndarray:
    """Light from the right: full on the right edge, ``darkest`` of it on the left one."""
    ramp = np.linspace(darkest, 1.0, piece.shape[1], dtype=np.float32)[None, :, None]
    return np.clip(piece.astype(np.float32) * ramp, 0, 255).astype(np.uint8)


def _paper(image: np.ndarray, x0: int, x1: int) -> float:
    """The paper's grey level in a clear band across the top, between x0 and x1 (piece pixels)."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return float(np.median(grey[10:30, x0:x1]))


def test_an_evenly_lit_piece_is_left_as_it_is_stain_stamp_and_print_included() -> None:
    piece = _piece()
    assert light_gain(piece).max() < MIN_GAIN, "the stain, stamp and print are marks, not the light"
    assert even_out_light(piece) is piece
    assert even_out_light(cv2.cvtColor(piece, cv2.COLOR_BGR2GRAY)).ndim == 2


def test_light_falling_off_across_the_piece_is_evened_out_and_the_marks_stay() -> None:
    piece, dim = _piece(), _falling_off(_piece())
    assert _paper(dim, 0, 100) < 0.65 * _paper(dim, 1100, 1200)
    even = even_out_light(dim)
    assert even.shape == dim.shape and even.dtype == np.uint8
    assert _paper(even, 0, 100) > 0.75 * _paper(even, 1100, 1200), "much of the fall-off is gone"
    grey, lit = cv2.cvtColor(even, cv2.COLOR_BGR2GRAY), cv2.cvtColor(piece, cv2.COLOR_BGR2GRAY)
    stain_depth = float(np.median(grey[400:440, 240:280])) / _paper(even, 200, 320)
    assert abs(stain_depth - float(np.median(lit[400:440, 240:280])) / _paper(piece, 200, 320)) < 0.08
    assert float(np.median(grey[300:322, 560:576])) < 70, "print stays dark"


def test_a_wide_piece_is_evened_out_at_the_model_input_scale_and_alpha_is_dropped() -> None:
    dim = _falling_off(_piece())
    small = even_out_light(dim, max_width=384)
    assert 384 <= small.shape[1] < 2 * 384 and small.shape[2] == 3
    assert _paper(small, 0, 30) > 0.75 * _paper(small, 370, 400)
    with_alpha = np.dstack([dim, np.full(dim.shape[:2], 255, np.uint8)])
    assert even_out_light(with_alpha).shape == dim.shape
    assert even_out_light(dim, max_width=1000).shape == dim.shape, "under twice as wide: full size"
