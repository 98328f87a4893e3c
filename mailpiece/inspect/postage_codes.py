"""A QR code where the postage goes is no postage.

Marketing mail prints QR codes in the top-right corner, where a stamp or an indicium would sit. At the
CNN's input size (a 12-inch flat shrunk to 384 px) a QR code is a 20 px square of dense two-tone modules,
much like a meter's Data Matrix or a small stamp, and it was every unpaid piece the CNN missed on a fresh
seed. Postage does not use QR codes: US meter and PC-postage indicia (IBI) carry a Data Matrix, and every
indicium also prints its legend and amount. So the postage box found by
:func:`~mailpiece.inspect.postage_box.find_postage_box` is looked at in full resolution for the mark only a
QR code has: three finder patterns (concentric squares, 1:1:3:1:1 across both ways) at three corners of a
square. A QR code alone where postage goes overrules a paid call the CNN is unsure of; one with a stamp or
an imprint beside it (joined to it in one patch, or a second patch) does not.
"""

from __future__ import annotations

import itertools

import cv2
import numpy as np

from mailpiece.inspect.ocr_preprocess import as_grey, unsharp
from mailpiece.inspect.postage_box import EDGE_PARTS, find_postage_box, ink_and_colour

_MARGIN_PX = 6  # around the box: the code's quiet zone, so its edge runs are whole
# A run of a finder pattern may be this many module widths off its ideal (1, 1, 3, 1, 1 modules): blur and
# JPEG at 2-4 px per module move each edge by about a pixel.
_RUN_TOLERANCE = 0.7
_MIN_MODULE_PX = 1.0  # a finder narrower than 7 px cannot be told from noise
_MIN_ROWS = 2  # rows of the scan through one finder pattern before it counts
_SHARPEN_SIGMA = 1.5  # px: the unsharp mask that reopens a finder's light ring under camera blur
_SIZE_SPREAD = 1.4  # the three finders of one code are this alike in size
_CORNER_SLACK = 0.2  # how far from a right isosceles triangle the three finder centres may be
# The code fills at least this share of the postage box, or the box holds more than the code (a stamp or an
# imprint beside it, joined into one patch). The box is grown around its ink by about 10 px a side, so a
# lone code filled 39-73 % of it on four sets; codes joined to postage, 14-31 %.
_CODE_SHARE = 0.35
# Nor may more than this share of the box beside the code be ink or colour (nine lone codes on four sets:
# 0 %; codes joined to a stamp or to part of a meter's or a permit's imprint: 7-32 %).
_INK_BESIDE = 0.06


def qr_code_alone(piece: np.ndarray, box: tuple[int, int, int, int] | None) -> bool:
    """Whether the postage box holds a QR code and nothing else is where postage goes: no second patch
    of ink or colour in the corner once the box is set aside that reaches up beside the code (a stamp or
    an imprint stuck next to it). Patches wholly below the code are print further down the piece (an
    endorsement line, the top of the address), not postage."""
    code = qr_code_box(piece, box) if box is not None else None
    if code is None:
        return False
    box_area = (box[2] - box[0]) * (box[3] - box[1])
    if (code[2] - code[0]) * (code[3] - code[1]) < _CODE_SHARE * box_area:
        return False  # the box holds more than the code: a stamp or an imprint joined to it
    if _ink_beside(piece, box, code) > _INK_BESIDE:
        return False  # print or colour in the box beside the code: part of an imprint
    other = find_postage_box(piece, exclude=box)
    return other is None or other[1] >= box[3]


def _ink_beside(piece: np.ndarray, box: tuple[int, int, int, int], code: tuple[int, int, int, int]) -> float:
    """The share of the box that is ink or colour outside the code (and a tenth of its side around it),
    the piece's own top and right edges left out as the postage finder leaves them out."""
    height, width = piece.shape[:2]
    x0, y0, x1, y1 = box
    ink = ink_and_colour(piece[y0:y1, x0:x1]) > 0
    margin = max(2, round(0.1 * (code[2] - code[0])))
    left, top = max(0, code[0] - x0 - margin), max(0, code[1] - y0 - margin)
    ink[top : max(0, code[3] - y0 + margin), left : max(0, code[2] - x0 + margin)] = 0
    ink[: max(0, height // EDGE_PARTS - y0)] = 0
    ink[:, max(0, width - width // EDGE_PARTS - x0) :] = 0
    return float(ink.mean()) if ink.size else 0.0


def qr_code_box(piece: np.ndarray, box: tuple[int, int, int, int]) -> tuple[int, int, int, int] | None:
    """The QR code in the box (piece pixels), as the box its three finder patterns span; None when the box
    holds none (three finder patterns of one size at the corners of a right isosceles triangle)."""
    x0, y0, x1, y1 = box
    left, top = max(0, x0 - _MARGIN_PX), max(0, y0 - _MARGIN_PX)
    crop = piece[top : y1 + _MARGIN_PX, left : x1 + _MARGIN_PX]
    if min(crop.shape[:2]) < 21:
        return None
    # Sharpened first: at 2-3 px per module the blur closes a finder's light ring.
    grey = unsharp(as_grey(crop), 1.0, _SHARPEN_SIGMA)
    # Dark modules on light paper, or light ones on dark stock (a bright code on a navy flat).
    trio = _three_corners(finder_patterns(grey)) or _three_corners(finder_patterns(255 - grey))
    if trio is None:
        return None
    half = max(w for _, _, w in trio) / 2
    xs, ys = [x for x, _, _ in trio], [y for _, y, _ in trio]
    return (
        left + round(min(xs) - half), top + round(min(ys) - half),
        left + round(max(xs) + half), top + round(max(ys) + half),
    )  # fmt: skip


def finder_patterns(grey: np.ndarray) -> list[tuple[float, float, float]]:
    """QR finder patterns printed darker than the paper in a greyscale crop, as (x, y, width) in crop
    pixels: where a row and the column through its middle both cross dark, light, dark, light, dark runs
    in the ratio 1:1:3:1:1 (the way QR decoders find them), seen on at least ``_MIN_ROWS`` rows."""
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    found: list[list[float]] = []  # sums of x, y, width, and the count, per pattern
    for y in range(ink.shape[0]):
        for x, width in _row_hits(ink[y]):
            cy = _column_hit(ink[:, int(round(x))], y, width)
            if cy is None:
                continue
            for pattern in found:
                n = pattern[3]
                if abs(pattern[0] / n - x) < width / 4 and abs(pattern[1] / n - cy) < width / 4:
                    pattern[0] += x
                    pattern[1] += cy
                    pattern[2] += width
                    pattern[3] += 1
                    break
            else:
                found.append([x, cy, width, 1])
    return [(p[0] / p[3], p[1] / p[3], p[2] / p[3]) for p in found if p[3] >= _MIN_ROWS]


def _runs(line: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Starts, lengths and values (0/1) of the runs of a 0/1 line."""
    starts = np.concatenate([[0], np.flatnonzero(np.diff(line)) + 1])
    lengths = np.diff(np.concatenate([starts, [len(line)]]))
    return starts, lengths, line[starts]


def _finder_ratio(lengths: np.ndarray) -> np.ndarray:
    """For rows of five run lengths, whether each is 1:1:3:1:1 within ``_RUN_TOLERANCE`` modules."""
    module = lengths.sum(axis=-1, keepdims=True) / 7.0
    ideal = np.array([1, 1, 3, 1, 1]) * module
    slack = _RUN_TOLERANCE * module * np.array([1, 1, 1.5, 1, 1])
    return (np.abs(lengths - ideal) <= slack).all(axis=-1) & (module[..., 0] >= _MIN_MODULE_PX)


def _row_hits(row: np.ndarray) -> list[tuple[float, float]]:
    """(centre x, width) of each dark-light-dark-light-dark run sequence at 1:1:3:1:1 along a row."""
    starts, lengths, values = _runs(row)
    if len(lengths) < 5:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(lengths, 5)
    hits = np.flatnonzero(_finder_ratio(windows) & (values[: len(windows)] == 1))
    return [
        (float(starts[k] + lengths[k] + lengths[k + 1] + lengths[k + 2] / 2), float(windows[k].sum()))
        for k in hits
    ]


def _column_hit(column: np.ndarray, y: int, width: float) -> float | None:
    """The centre y of a finder pattern of about ``width`` crossed vertically at row ``y``, or None."""
    starts, lengths, values = _runs(column)
    k = int(np.searchsorted(starts, y, side="right")) - 1  # the run holding y: the dark centre
    if k < 2 or k + 2 >= len(lengths) or values[k] != 1:
        return None
    window = lengths[k - 2 : k + 3]
    if not _finder_ratio(window) or not 0.7 <= window.sum() / width <= 1.4:
        return None
    return float(starts[k] + lengths[k] / 2)


def _three_corners(
    patterns: list[tuple[float, float, float]],
) -> tuple[tuple[float, float, float], ...] | None:
    """Three of the patterns, alike in size and apart, at the corners of a right isosceles triangle (the
    top-left, top-right and bottom-left finders of a QR code, turned any way); None when no three are."""
    for trio in itertools.combinations(patterns, 3):
        widths = [w for _, _, w in trio]
        if max(widths) > _SIZE_SPREAD * min(widths):
            continue
        points = [np.array([x, y]) for x, y, _ in trio]
        sides = sorted(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(points, 2))
        if sides[0] < 1.5 * max(widths):  # finders of one code stand apart by more than their size
            continue
        legs_equal = sides[1] <= (1 + _CORNER_SLACK) * sides[0]
        if legs_equal and abs(sides[2] / (np.sqrt(2) * sides[0]) - 1) < _CORNER_SLACK:
            return trio
    return None
