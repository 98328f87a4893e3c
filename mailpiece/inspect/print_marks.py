"""Lines of print on a small working copy of a frame or a piece: dark marks of a character's size that
stand in rows.

The locator asks how much print an outline leaves outside it (a part of the piece leaves some, the piece
none), whether an empty-looking frame holds lines of light print, and which way a nearly square crop's
print runs; the facing and postage stages use the black-hat stroke mask (:func:`dark_print`).
"""

from __future__ import annotations

import cv2
import numpy as np

_PRINT_MARGIN = 7  # px on the small copy: marks this near the outline are its edge's (airmail stripes)
# Black-hat depth (grey levels over 9 px on the small copy) of a mark that is print: a textured belt's
# grain and streaks stay at 45-70, print on paper reaches 85-150 (lines on shaded or grey stock 55-70).
INK_DEPTH = 70
CHAR_WIDTH = 0.75  # a character's width over its height, to count the characters in a word blob
MAX_WORD_ASPECT = 8  # a word blob wider than 30 px is at most this many times as wide as tall
LINE_GAP = 40  # px on the small copy: no gap between the words of a line of print is wider
CUT_GAP = 6  # a line of print goes on across a gap of up to this many of its letters' heights


def _black_hat(grey: np.ndarray, size: int) -> np.ndarray:
    """How much darker than its surroundings (over ``size`` px) each pixel is, in grey levels."""
    return cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))


def dark_print(grey: np.ndarray, *, size: int = 9, depth: int = 30) -> np.ndarray:
    """Pixels of small dark marks on a lighter ground (strokes of print, specks): a black-hat over
    ``size`` px, more than ``depth`` grey levels deep. The defaults are the cue of print on working copies
    about 240-480 px wide; full-resolution print wants a wider window."""
    return _black_hat(grey, size) > depth


def dark_marks(grey: np.ndarray) -> np.ndarray:
    """Small dark marks on a light ground (print, specks) on the small copy, one row each: x, y, w, h,
    and 1 when the mark holds ink at least :data:`INK_DEPTH` deep (print), else 0 (grain, streaks).
    The marks are the components of :func:`dark_print` with its defaults."""
    hat = _black_hat(grey, 9)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((hat > 30).astype(np.uint8), connectivity=8)
    deep = np.zeros(count, stats.dtype)
    deep[np.unique(labels[hat >= INK_DEPTH])] = 1
    return np.column_stack([stats[1:, :4], deep[1:]])


def print_marks(small: np.ndarray) -> np.ndarray:
    """Character-sized dark marks on the small copy (x, y, w, h, deep: see :func:`dark_marks`), clear of
    the frame's edges (where a neighbouring piece may peek in)."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    boxes = dark_marks(grey)
    height, width = grey.shape
    margin = max(3, min(height, width) // 40)
    x, y, w, h = boxes[:, :4].T
    # Up to 30 px wide any mark may be a character; wider, only deep ink in a word-shaped blob (small
    # print runs a name together), never a long thin line (a seam, a fold, an edge).
    word = (boxes[:, 4] > 0) & (w <= MAX_WORD_ASPECT * h) & (w <= 90)
    keep = (h >= 3) & (h <= 20) & ((w <= 30) | word) & (x >= margin) & (y >= margin)
    keep &= (x + w <= width - margin) & (y + h <= height - margin)
    return boxes[keep]


def chars_in_rows(marks: np.ndarray, min_row: int = 4) -> int:
    """How many characters stand in rows of marks (x, y, w, h, deep) of similar height, each close to
    the last: lines of print, not a belt's speckle (see :func:`print_rows`)."""
    return sum(_chars(marks, row) for row in print_rows(marks, min_row))


def print_rows(marks: np.ndarray, min_row: int = 4) -> list[list[int]]:
    """Rows of marks (x, y, w, h, deep) of similar height, each close to the last: lines of print, as
    lists of indices into ``marks``.

    A row counts when it holds ``min_row`` marks, or two or more marks that hold ``min_row`` characters.
    On the small copy small print runs together into word blobs, so a mark of deep ink counts as many
    characters as its width holds (one per 0.75 of its height, at most 6); a shallow mark (a textured
    belt's grain and streaks are shallow) counts as one.
    """
    order = np.argsort(marks[:, 0], kind="stable") if len(marks) else np.zeros(0, int)
    boxes = [tuple(int(v) for v in marks[i]) for i in order]
    used: set[int] = set()
    rows = []
    for i, (x, y, w, h, _) in enumerate(boxes):
        if i in used:
            continue
        row, right, middle = [i], x + w, y + h / 2
        for j in range(i + 1, len(boxes)):
            x2, y2, w2, h2, _ = boxes[j]
            if x2 - right > LINE_GAP:
                break  # sorted by x: nothing further right can join this row
            if j in used or x2 - right > 2.5 * max(h, h2) or not 0.5 < h2 / h < 2:
                continue
            if abs(y2 + h2 / 2 - middle) < 0.5 * max(h, h2):
                row.append(j)
                right, middle = max(right, x2 + w2), 0.7 * middle + 0.3 * (y2 + h2 / 2)
        chars = sum(_chars_in_mark(*boxes[k][2:]) for k in row)
        if len(row) >= min_row or (len(row) >= 2 and chars >= min_row):
            used.update(row)
            rows.append([int(order[k]) for k in row])
    return rows


def _chars_in_mark(width: int, height: int, deep: int) -> int:
    return min(6, max(1, round(width / (CHAR_WIDTH * height)))) if deep else 1


def _chars(marks: np.ndarray, indices: list[int]) -> int:
    """Characters in the marks at ``indices`` (see :func:`_chars_in_mark`)."""
    return sum(_chars_in_mark(*marks[k, 2:]) for k in indices)


def print_outside(marks: np.ndarray, quad: np.ndarray) -> int:
    """Characters in lines of print that lie outside the outline (clear of its edge), or that its edge
    cuts through (a line with characters on both sides of it): a piece's edge never crosses its print."""
    contour = quad.reshape(-1, 1, 2).astype(np.float32)
    # Signed distance of each mark's centre to the outline: positive inside, negative outside.
    distance = np.array(
        [cv2.pointPolygonTest(contour, (float(x + w / 2), float(y + h / 2)), True) for x, y, w, h, _ in marks]
    )
    if not (distance < -_PRINT_MARGIN).any():
        return 0
    total = 0
    for row in print_rows(marks):
        outside = [k for k in row if distance[k] < -_PRINT_MARGIN]
        inside = [k for k in row if distance[k] > _PRINT_MARGIN]
        counted = outside if not inside else row
        if outside and _chars(marks, outside) >= 2:
            total += _chars(marks, counted)
        if bool(inside) != bool(outside):
            # A row on one side only may still be cut: the edge (a fold, a panel's shading) swallowed the
            # letters it crossed, so the line goes on across it after a gap too wide for one row.
            across = _across(marks, row, distance, inside=bool(inside))
            if across:
                total += _chars(marks, across) + (_chars(marks, row) if inside else 0)
    return total


def _across(marks: np.ndarray, row: list[int], distance: np.ndarray, *, inside: bool) -> list[int]:
    """Deep marks on the other side of the outline that carry the row on along its line, past either
    end by at most :data:`CUT_GAP` of its height and :data:`LINE_GAP` (empty unless they hold two characters
    or more)."""
    x, y, w, h, deep = marks.astype(np.float64).T
    height = float(np.median(h[row]))
    other = (distance < -_PRINT_MARGIN) if inside else (distance > _PRINT_MARGIN)
    candidates = other & (deep > 0) & (h > 0.5 * height) & (h < 2 * height)
    left, right = row[int(np.argmin(x[row]))], row[int(np.argmax((x + w)[row]))]
    found = []
    # Each mark's gap back from the row's left end, and on from its right end.
    for end, gap in ((left, x[left] - (x + w)), (right, x - (x[right] + w[right]))):
        on_line = np.abs(y + h / 2 - (y[end] + h[end] / 2)) < 0.5 * height
        near = candidates & on_line & (gap >= 0) & (gap <= min(CUT_GAP * height, LINE_GAP))
        found.extend(int(k) for k in np.flatnonzero(near))
    return found if _chars(marks, found) >= 2 else []
