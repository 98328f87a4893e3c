"""Where the postage sits on a faced piece: a box for the review desk's overlay, not a decision.

The CNN says whether postage is present and of which kind; it does not say where. Postage (a stamp, a
meter imprint, a permit indicia) sits in the top-right corner of a faced piece as one compact patch of
colour or dense ink, so the patch of ink and colour nearest that corner, grown into one region, is its
box. The inspector asks only when the CNN called postage present.
"""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.inspect.print_marks import dark_print

_WORK_WIDTH = 480  # px the search runs at
# The corner searched, as shares of the piece's width (from the right) and height (from the top).
_CORNER_WIDTH, _CORNER_HEIGHT = 0.45, 0.5
# A patch smaller than this share of the piece is a speck or a word; larger is artwork or the belt.
_MIN_AREA, _MAX_AREA = 0.003, 0.12
_DENSITY_PX = 11  # window the ink density is measured over (working px)
_DENSE = 0.3  # share of a window that is ink or colour
# The piece's own top and right edges (shading, a sliver of belt) are no postage: 1/EDGE_PARTS of its
# height and width.
EDGE_PARTS = 50


def find_postage_box(
    piece: np.ndarray, *, exclude: tuple[int, int, int, int] | None = None
) -> tuple[int, int, int, int] | None:
    """The postage's box (x0, y0, x1, y1) in piece pixels, or None when the corner holds no patch;
    ``exclude`` is a box (piece pixels) whose print is ignored, to look for a second patch."""
    height, width = piece.shape[:2]
    if min(height, width) < 16:
        return None
    scale = min(1.0, _WORK_WIDTH / width)
    x_start, y_end = int(width * (1 - _CORNER_WIDTH)), max(1, int(height * _CORNER_HEIGHT))
    # Only the corner is scaled down to the working size: a quarter of the pixels of the whole piece.
    corner = piece[:y_end, x_start:]
    size = (max(1, round(corner.shape[1] * scale)), max(1, round(corner.shape[0] * scale)))
    corner = cv2.resize(corner, size, interpolation=cv2.INTER_AREA)
    if corner.ndim == 2:
        corner = cv2.cvtColor(corner, cv2.COLOR_GRAY2BGR)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))  # the whole piece at that scale
    x_start = w - corner.shape[1]
    patch = ink_and_colour(corner)
    patch[: max(1, h // EDGE_PARTS)] = 0  # the piece's own edges (EDGE_PARTS)
    patch[:, -max(1, w // EDGE_PARTS) :] = 0
    if exclude is not None:  # with a margin, so the density window sees none of its print
        ex0, ey0, ex1, ey1 = (round(v * scale) for v in exclude)
        ex0, ex1 = ex0 - x_start - _DENSITY_PX, ex1 - x_start + _DENSITY_PX
        patch[max(0, ey0 - _DENSITY_PX) : max(0, ey1 + _DENSITY_PX), max(0, ex0) : max(0, ex1)] = 0
    # Where ink or colour is dense: a stamp's picture, a meter's indicia and barcode, a permit's box of
    # print. A cancellation's wavy lines and loose words are sparse and drop out.
    density = cv2.blur((patch > 0).astype(np.float32), (_DENSITY_PX, _DENSITY_PX))
    dense = (density >= _DENSE).astype(np.uint8) * 255
    grown = cv2.dilate(dense, cv2.getStructuringElement(cv2.MORPH_RECT, (_DENSITY_PX, _DENSITY_PX)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(grown, connectivity=8)
    best, best_score = None, 0.0
    for x, y, bw, bh, area in stats[1:count]:
        share = bw * bh / float(w * h)
        if not (_MIN_AREA <= share <= _MAX_AREA) or not (0.3 <= bw / max(bh, 1) <= 3.5):
            continue
        fill = area / float(bw * bh)
        # Nearer the top-right corner and more solidly filled is more like postage than a logo or a word.
        distance = np.hypot((corner.shape[1] - (x + bw)) / w, y / h)
        score = fill * share / (0.05 + distance)
        if score > best_score:
            best, best_score = (x + x_start, y, x + x_start + bw, y + bh), score
    if best is None:
        return None
    x0, y0, x1, y1 = (round(v / scale) for v in best)
    return max(0, x0), max(0, y0), min(width, x1), min(height, y1)


def ink_and_colour(corner: np.ndarray) -> np.ndarray:
    """Pixels clearly unlike the paper: dark strokes (black-hat) or colour well above the paper's."""
    grey = cv2.cvtColor(corner, cv2.COLOR_BGR2GRAY)
    ink = dark_print(grey)
    saturation = cv2.cvtColor(corner, cv2.COLOR_BGR2HSV)[:, :, 1].astype(np.int16)
    paper_grey = float(np.median(grey))
    colour = (saturation - float(np.median(saturation)) > 45) | (grey < paper_grey - 60)
    return (ink | colour).astype(np.uint8) * 255
