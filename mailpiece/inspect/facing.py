"""Decide whether a straightened piece is upside down, from cheap layout cues.

Postage sits top right and the destination block sits middle-to-lower right of centre; turned 180° both
move. The cue compares ink and colour in the postage corner with the opposite corner, plus the layout
score of the best address block either way up. The reader still double-checks with OCR when the
reading is poor, so this only has to be right most of the time, cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.inspect.address_block import find_address_candidates


@dataclass(frozen=True, kw_only=True)
class FacingGuess:
    orientation: int  # 0 or 180: how far the piece must be turned to read it
    margin: float  # how strongly the cues agree; near 0 means "could be either"


def rotate_180(image: np.ndarray) -> np.ndarray:
    return cv2.rotate(image, cv2.ROTATE_180)


def corner_activity(piece: np.ndarray) -> tuple[float, float]:
    """Postage-like activity (ink + colour) in the top-right and the bottom-left corners."""
    height, width = piece.shape[:2]
    small = cv2.resize(piece, (240, max(8, round(240 * height / width))), interpolation=cv2.INTER_AREA)
    h, w = small.shape[:2]
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    blackhat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 9)))
    saturation = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1]
    paper_sat = float(np.median(saturation))
    activity = (blackhat > 30).astype(np.float32) + (saturation.astype(np.float32) - paper_sat > 60)
    ch, cw = max(1, int(0.4 * h)), max(1, int(0.25 * w))
    top_right = float(activity[:ch, w - cw :].mean())
    bottom_left = float(activity[h - ch :, :cw].mean())
    return top_right, bottom_left


def guess_orientation(piece: np.ndarray) -> FacingGuess:
    """0 if the piece reads as it is, 180 if it should be turned."""
    top_right, bottom_left = corner_activity(piece)
    upright = find_address_candidates(piece, limit=1)
    turned = find_address_candidates(rotate_180(piece), limit=1)
    layout = (upright[0].score if upright else 0.0) - (turned[0].score if turned else 0.0)
    margin = 2.0 * (top_right - bottom_left) + 0.5 * layout
    return FacingGuess(orientation=0 if margin >= 0 else 180, margin=abs(margin))
