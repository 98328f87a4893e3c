"""Find text lines on a straightened piece and group them into candidate address blocks.

Layout only, no OCR: dark strokes are lifted with a black-hat filter (works on any paper colour), joined
into lines, barcode rows are dropped, and lines that stack with similar height and a shared left edge form
blocks. Blocks are scored by where destination addresses sit on real mail (middle to lower right), against
where the return address (top left) and postage (top right) sit. OCR then decides among the best few.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

_WORK_LONG_SIDE = 1200  # px the layout analysis runs at
# Fragments of one printed row this many line heights apart are one line: "CITY ST   ZIP" with a word
# the stroke mask missed in the gap still reads as one last line.
ROW_GAP = 6.0
# Room left right of a block, in line heights: a crease or a faint word can cut a line short of its ZIP.
RIGHT_ROOM = 4.0
# A block starting in the top quarter, in the left quarter, whose centre lies left of this share of the
# width is the return address even when a long line reaches past the middle.
RETURN_CORNER_CENTRE = 0.35
# How many grey levels darker than its neighbourhood a pixel must be to count as print. The faint level
# finds print a few levels off the paper (pale ink on a flat scan); it also finds paper texture, creases
# and shading, so it is a last resort (:meth:`ReadingAttempt.faint_pass`), not the first look.
PRINT_CONTRAST = 12
FAINT_PRINT_CONTRAST = 5
# Print is strokes thinner than this (working pixels): a pixel counts only if a closing this wide lifts it
# by the contrast too, so the step between two flat shades (a patterned or two-tone stock, a window's
# edge) is not print even where its dark side is darker than the neighbourhood's mean.
STROKE_KERNEL = 11
# Working px of straight stroke that only a fold or a rule has (about 5 glyph heights; erase_folds).
FOLD_LINE_PX = 60


@dataclass(frozen=True, kw_only=True)
class TextLine:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in piece pixels

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


@dataclass(frozen=True, kw_only=True)
class BlockCandidate:
    """A group of stacked text lines and how much it looks like a destination address block."""

    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in piece pixels, padded
    lines: tuple[TextLine, ...]
    score: float
    in_return_corner: bool = False  # where the sender's address goes, never the destination
    # Lines of the return address that reach into ``box`` (piece pixels): blanked before the block is
    # read, so that a block of display type beside the sender never reads as the sender's address.
    foreign: tuple[tuple[int, int, int, int], ...] = ()


def components(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels and stats of the 8-connected components of a binary mask. BBDT labels a print mask in
    half the time of OpenCV's default algorithm (5.5 -> 2.9 ms at 1200 px), with the same components."""
    _, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_BBDT)
    return labels, stats


def stroke_masks(grey: np.ndarray, contrast: int = PRINT_CONTRAST) -> list[np.ndarray]:
    """Binary masks of print, one per polarity: pixels clearly darker than their neighbourhood, and on
    dark stock also pixels clearly lighter (a white address on a blue envelope, a white label on it).

    A local (adaptive) threshold finds faint grey or blurred print beside bold black ink, where one global
    level cannot. The polarities stay apart: around light print the paper is darker than the local mean,
    and OR-ing the two would glue every glyph to its halo.
    """
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (STROKE_KERNEL, STROKE_KERNEL))
    dark = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, contrast)
    dark &= _at_least(cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel), contrast)
    if np.median(grey[::4, ::4]) >= 100:
        return [dark]
    light = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 25, -contrast)
    light &= _at_least(cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, kernel), contrast)
    return [dark, light]


def _at_least(image: np.ndarray, level: int) -> np.ndarray:
    return cv2.threshold(image, level - 1, 255, cv2.THRESH_BINARY)[1]


def _is_barcode(mask: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """A row of many thin vertical bars (IMb, POSTNET) rather than letters."""
    x0, y0, x1, y1 = box
    n, _, stats, _ = cv2.connectedComponentsWithStats(mask[y0:y1, x0:x1], connectivity=8)
    comps = stats[1:]
    if len(comps) < 20:
        return False
    widths, heights = comps[:, cv2.CC_STAT_WIDTH], comps[:, cv2.CC_STAT_HEIGHT]
    thin = (widths <= np.maximum(2, heights * 0.35)).mean()
    return bool(thin > 0.8 and np.std(widths) <= 1.5)


def find_text_lines(piece: np.ndarray, *, contrast: int = PRINT_CONTRAST) -> tuple[list[TextLine], float]:
    """Text lines of the piece (boxes in piece pixels) and the working scale used; ``contrast`` is how
    much darker (or lighter) than its surroundings print must be (:data:`FAINT_PRINT_CONTRAST` for pale
    print)."""
    height, width = piece.shape[:2]
    scale = _WORK_LONG_SIDE / max(height, width)
    grey = piece if piece.ndim == 2 else cv2.cvtColor(piece, cv2.COLOR_BGR2GRAY)
    grey = cv2.resize(grey, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    boxes = [box for mask in stroke_masks(grey, contrast) for box in _line_boxes(mask)]
    # Biggest first: a line found in one polarity wins over the bits of it (holes of letters) the other finds.
    boxes.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
    kept: list[tuple[int, int, int, int]] = []
    for box in boxes:
        if not any(_mostly_inside(box, other) for other in kept):
            kept.append(box)
    lines = [TextLine(box=_piece_box(box, scale)) for box in kept]
    return sorted(lines, key=lambda line: (line.box[1], line.box[0])), scale


def _piece_box(box: tuple[int, int, int, int], scale: float) -> tuple[int, int, int, int]:
    """A working-pixel box in piece pixels, never empty: on a piece smaller than the working size a line
    can be under a pixel tall, and rounding both of its edges to one row gave empty crops."""
    x0, y0, x1, y1 = (int(round(v / scale)) for v in box)
    return x0, y0, max(x1, x0 + 1), max(y1, y0 + 1)


def _line_boxes(mask: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes of text lines in one print mask (working pixels): glyph-sized blobs joined along rows."""
    # Drop specks and big graphics (logos, stamp pictures, stains) before joining characters into lines.
    labels, stats = components(mask)
    if erase_folds(mask, labels, stats):
        labels, stats = components(mask)
    h, area = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_AREA]
    keep = (h >= 5) & (h <= 60) & (area >= 10)  # touching glyphs make wide blobs: keep them
    keep[0] = False
    chars = np.take(keep.astype(np.uint8) * 255, labels)  # take: half the time of labels-indexing
    joined = cv2.morphologyEx(chars, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 1)))
    joined = cv2.morphologyEx(joined, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 3)))
    _, stats = components(joined)
    boxes = []
    for x, y, w, h_, _ in stats[1:]:
        if not (7 <= h_ <= 70 and w >= 1.2 * h_ and w >= 12):  # short words (TX, SQ) count too
            continue
        box = (int(x), int(y), int(x + w), int(y + h_))
        if not _is_barcode(chars, box):
            boxes.append(box)
    return boxes


def erase_folds(mask: np.ndarray, labels: np.ndarray, stats: np.ndarray) -> bool:
    """Clear long straight strokes glued to print from a print mask (working pixels), in place; True when
    anything was cleared.

    A fold's valley is a thin dark line from edge to edge of the piece. Where it runs through the address
    block it touches the glyphs of several lines, and joined into one component with them it made one
    text line of the whole width of the piece, so the block lost its last lines. Only components at least
    half the mask wide, ten times as wide as tall and inside it top to bottom are looked at (a bare line or
    a barcode is left as it is: neither glues lines together); in them, what an opening with a straight
    line of :data:`FOLD_LINE_PX` keeps is the fold, at an angle within a few degrees of the component's
    own slope. No glyph holds so long a straight stroke.
    """
    height, width = mask.shape
    x, y, w, h, area = (stats[:, k] for k in range(5))
    glued = (w >= width // 2) & (w >= 10 * h) & (area > 5 * w) & (y > 0) & (y + h < height)
    glued[0] = False
    found = False
    pad = FOLD_LINE_PX // 2 + 1
    for k in np.flatnonzero(glued):
        box = (slice(y[k], y[k] + h[k]), slice(x[k], x[k] + w[k]))
        part = cv2.copyMakeBorder(
            (labels[box] == k).astype(np.uint8) * 255, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0
        )
        steepest = int(np.degrees(np.arctan2(h[k], w[k]))) + 3
        fold = np.zeros_like(part)
        for degrees in range(-steepest, steepest + 1, 3):
            fold |= cv2.morphologyEx(part, cv2.MORPH_OPEN, _straight_line(degrees))
        fold = fold[pad:-pad, pad:-pad]
        if fold.any():
            mask[box][cv2.dilate(fold, np.ones((3, 3), np.uint8)) > 0] = 0
            found = True
    return found


@cache
def _straight_line(degrees: int) -> np.ndarray:
    """A one-pixel line of :data:`FOLD_LINE_PX` at ``degrees`` from horizontal, as a structuring element."""
    size = FOLD_LINE_PX | 1
    kernel = np.zeros((size, size), np.uint8)
    centre, half = size // 2, (FOLD_LINE_PX - 1) / 2
    dx, dy = np.cos(np.radians(degrees)) * half, np.sin(np.radians(degrees)) * half
    cv2.line(kernel, (round(centre - dx), round(centre - dy)), (round(centre + dx), round(centre + dy)), 1, 1)
    return kernel


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def blank_foreign_lines(
    crop: np.ndarray, origin: tuple[int, int], foreign: tuple[tuple[int, int, int, int], ...]
) -> np.ndarray:
    """``crop`` (taken at ``origin`` = (x0, y0) of the piece) with the ``foreign`` line boxes (piece
    pixels) painted over in the crop's paper colour; the crop itself when none reaches into it."""
    x0, y0 = origin
    height, width = crop.shape[:2]
    out = crop
    for fx0, fy0, fx1, fy1 in foreign:
        pad = max(1, (fy1 - fy0) // 4)
        left, top = max(0, fx0 - pad - x0), max(0, fy0 - pad - y0)
        right, bottom = min(width, fx1 + pad - x0), min(height, fy1 + pad - y0)
        if right <= left or bottom <= top:
            continue
        if out is crop:
            out = crop.copy()
            paper = np.median(crop.reshape(-1, crop.shape[2]) if crop.ndim == 3 else crop.ravel(), axis=0)
        out[top:bottom, left:right] = paper
    return out


def _mostly_inside(box: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    """Whether most of ``box`` lies inside ``other`` (the same line found in both polarities)."""
    w = min(box[2], other[2]) - max(box[0], other[0])
    h = min(box[3], other[3]) - max(box[1], other[1])
    return w > 0 and h > 0 and w * h >= 0.5 * (box[2] - box[0]) * (box[3] - box[1])


def merge_row_fragments(lines: list[TextLine]) -> list[TextLine]:
    """Join pieces of one printed line that a wide gap split (``CITY ST   ZIP``, tab-aligned ZIP+4)."""
    merged: list[TextLine] = []
    for line in sorted(lines, key=lambda ln: ln.box[0]):
        for i, other in enumerate(merged):
            a, b = other.box, line.box
            overlap = min(a[3], b[3]) - max(a[1], b[1])
            low, high = sorted((a[3] - a[1], b[3] - b[1]))
            # Script faces and a capital-only word beside a mixed-case one differ in height on one row.
            similar = high <= 2.0 * low
            aligned = overlap >= 0.5 * low
            # The gap is measured in the smaller line's height: display type ("THANK YOU!") beside an
            # address line must not pull the address's last line into its own row from afar.
            if similar and aligned and 0 <= b[0] - a[2] <= ROW_GAP * low:
                merged[i] = TextLine(box=(a[0], min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])))
                break
        else:
            merged.append(line)
    return sorted(merged, key=lambda ln: (ln.box[1], ln.box[0]))


def _stacks(upper: TextLine, lower: TextLine) -> bool:
    """Whether ``lower`` continues the block that ``upper`` ends: close below, similar size, aligned."""
    hu, hl = upper.height, lower.height
    gap = lower.box[1] - upper.box[3]
    similar = max(hu, hl) <= 1.8 * min(hu, hl)
    close = -0.3 * hu <= gap <= 1.6 * max(hu, hl)
    left_aligned = abs(lower.box[0] - upper.box[0]) <= 4 * max(hu, hl)
    overlap = min(upper.box[2], lower.box[2]) - max(upper.box[0], lower.box[0])
    return (
        similar
        and close
        and (left_aligned or overlap > 0.5 * min(upper.box[2] - upper.box[0], lower.box[2] - lower.box[0]))
    )


def group_blocks(lines: list[TextLine]) -> list[list[TextLine]]:
    """Greedy top-down grouping of lines into blocks."""
    blocks: list[list[TextLine]] = []
    for line in lines:
        for block in blocks:
            if _stacks(block[-1], line):
                block.append(line)
                break
        else:
            blocks.append([line])
    return blocks


def in_return_corner(block: list[TextLine], width: int, height: int) -> bool:
    """Whether a block starts in the top-left corner and lies in the left part: the return address.

    Generous on purpose (a logo above the return address pushes it down; a long line in large type on a
    postcard reaches past the middle, when the block starts in the top quarter); destinations, window
    envelopes' included, sit lower or further right.
    """
    x0 = min(line.box[0] for line in block)
    y0 = min(line.box[1] for line in block)
    x1 = max(line.box[2] for line in block)
    centre_left = y0 < 0.25 * height and (x0 + x1) / 2 < RETURN_CORNER_CENTRE * width
    return x0 < 0.25 * width and y0 < 0.4 * height and (x1 < 0.5 * width or centre_left)


def _score(block: list[TextLine], width: int, height: int) -> float:
    x0 = min(line.box[0] for line in block)
    y0 = min(line.box[1] for line in block)
    x1 = max(line.box[2] for line in block)
    y1 = max(line.box[3] for line in block)
    cx, cy = (x0 + x1) / 2 / width, (y0 + y1) / 2 / height
    n = len(block)
    score = {1: 0.2, 2: 0.7, 3: 1.0, 4: 1.0, 5: 0.9, 6: 0.8}.get(n, 0.5)
    score += 0.8 * max(0.0, 1 - abs(cx - 0.55) / 0.45) + 0.8 * max(0.0, 1 - abs(cy - 0.6) / 0.45)
    if in_return_corner(block, width, height):
        score -= 1.5
    # The postage corner: a block reaching into it from above. Not when its last line sits lower: an
    # address whose block took in a cancel's wavy lines or a stamp's edge above it (the last line of an
    # address is never up in that corner).
    last = max(block, key=lambda line: line.box[3])
    last_cy = (last.box[1] + last.box[3]) / 2 / height
    if x1 > 0.75 * width and y0 < 0.3 * height and cy < 0.4 and last_cy < 0.4:
        score -= 1.0
    heights = [line.height for line in block]
    if max(heights) > 0.12 * height:
        score -= 0.6  # display type: slogans and advertising, not an address
    return score


def turn_lines(lines: list[TextLine], width: int, height: int) -> list[TextLine]:
    """The same text lines on the piece turned 180° (layout is found once and reused both ways up)."""
    turned = [
        TextLine(box=(width - x1, height - y1, width - x0, height - y0))
        for x0, y0, x1, y1 in (line.box for line in lines)
    ]
    return sorted(turned, key=lambda line: (line.box[1], line.box[0]))


def find_address_candidates(
    piece: np.ndarray, limit: int = 3, *, lines: list[TextLine] | None = None
) -> list[BlockCandidate]:
    """The best few candidate destination blocks, best first (boxes padded, inside the piece).

    ``lines`` are the piece's text lines when already known (:func:`find_text_lines`, :func:`turn_lines`).
    """
    height, width = piece.shape[:2]
    lines = merge_row_fragments(find_text_lines(piece)[0] if lines is None else lines)
    blocks = group_blocks(lines)
    in_corner = [in_return_corner(block, width, height) for block in blocks]
    corner = [line.box for block, sender in zip(blocks, in_corner, strict=True) if sender for line in block]
    candidates = []
    for block, sender in zip(blocks, in_corner, strict=True):
        line_height = float(np.median([line.height for line in block]))
        pad = int(0.6 * line_height)
        # Extra room on the right: a crease or stain can cut a line short of its ZIP (+4).
        box = (
            max(0, min(line.box[0] for line in block) - pad),
            max(0, min(line.box[1] for line in block) - pad),
            min(width, max(line.box[2] for line in block) + int(RIGHT_ROOM * line_height)),
            min(height, max(line.box[3] for line in block) + pad),
        )
        if box[2] - box[0] < 2 or box[3] - box[1] < 2:
            continue  # nothing to read: a speck on a piece smaller than the working size
        candidates.append(
            BlockCandidate(
                box=box,
                lines=tuple(block),
                score=_score(block, width, height),
                in_return_corner=sender,
                foreign=() if sender else tuple(b for b in corner if _overlaps(b, box)),
            )
        )
    candidates.sort(key=lambda c: c.score, reverse=True)
    return candidates[:limit]


def joined_with_fragment(upper: BlockCandidate, lower: BlockCandidate) -> BlockCandidate | None:
    """``upper`` and a fragment of one or two lines just below or beside its last line, as one block; None
    when ``lower`` is no such fragment.

    A crease or a stain across the last line glues its glyphs into a blob the layout drops, or splits the
    line: the ZIP then stands alone as a block of its own under the street (``47023-5784`` under ``2
    SPRING ST``, ``HOLTON, IN`` lost). Read together, the two blocks' box holds the whole line again.
    """
    if upper.in_return_corner or lower.in_return_corner or len(lower.lines) > 2 or len(upper.lines) > 5:
        return None
    height = float(np.median([line.height for line in upper.lines]))
    top = min(line.box[1] for line in upper.lines)
    bottom = max(line.box[3] for line in upper.lines)
    left = min(line.box[0] for line in upper.lines)
    right = max(line.box[2] for line in upper.lines)
    lower_top = min(line.box[1] for line in lower.lines)
    lower_left = min(line.box[0] for line in lower.lines)
    lower_right = max(line.box[2] for line in lower.lines)
    if not top + height <= lower_top <= bottom + 2 * height:
        return None  # not on or just below the last line
    if lower_right < left - height or lower_left > right + RIGHT_ROOM * height:
        return None  # off to the side
    box = (
        min(upper.box[0], lower.box[0]),
        min(upper.box[1], lower.box[1]),
        max(upper.box[2], lower.box[2]),
        max(upper.box[3], lower.box[3]),
    )
    if box == upper.box:
        return None  # the fragment lies inside the block's box: the same crop, read once is enough
    lines = tuple(sorted(upper.lines + lower.lines, key=lambda line: (line.box[1], line.box[0])))
    return BlockCandidate(box=box, lines=lines, score=upper.score, foreign=upper.foreign + lower.foreign)
