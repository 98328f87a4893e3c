"""Find the mail piece in a frame and straighten it.

No one cue finds every piece: a white piece on a dark belt is simply the bright region, a grey piece on
a grey striped belt is not. So several cues each propose a region: pixels unlike the belt colours seen
along the frame border, the bright or the dark side of an Otsu split, pixels like the paper at the
frame's centre (each also with thin bridges to belt stripes opened). Each region's rectangle is scored
by how much of its outline lies on a paper edge (:mod:`piece_edges`); the whole frame competes too, as a
flat scan, scored by how much of the frame border looks like that paper. The winner is snapped onto the
edges. The result is the piece's quadrilateral in frame pixels and a straightened, landscape crop (a
nearly square one is turned so its lines of print run across); whether that crop is upside down is the
facing stage's question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.inspect.piece_edges import edge_step, edge_support, lab_gradient, snap_to_edges

_WORK_WIDTH = 480  # px; location runs on a small copy, the warp on the full frame
# An outline this well supported by paper edges ends the search (score: edge support + shape terms).
CLEAR_OUTLINE = 0.95
# Characters in lines of print left outside an outline: that outline is a part of the piece (an address
# label, a window, a stamp block, one shaded half of a creased flat scan), never the piece, which has no
# print beyond its edges (and a belt has none), nor an edge through its print. On 4,000 frames (seeds
# 21010, 21100, 21110) the right outlines left at most 18, but for one on a grainy belt whose streaks are
# as deep as print (59).
PRINT_OUTSIDE_CHARS = 20
_PRINT_MARGIN = 7  # px on the small copy: marks this near the outline are its edge's (airmail stripes)
# Black-hat depth (grey levels over 9 px on the small copy) of a mark that is print: a textured belt's
# grain and streaks stay at 45-70, print on paper reaches 85-150 (lines on shaded or grey stock 55-70).
INK_DEPTH = 70
CHAR_WIDTH = 0.75  # a character's width over its height, to count the characters in a word blob
# A crop wider than tall by less than this may read along either side: its lines of print decide. Whole
# pieces are longer (postcards 1.4, 9x12 flats 1.33 and up); on 4,000 frames (seeds 21240, 21250, held-out
# fonts 21070, 21071) the rule turned the two crops whose print ran down them, and nothing else.
SQUARE_ASPECT = 1.25
ROWS_ACROSS_ENOUGH = 60  # characters in rows across a piece that surely reads across (most have 60-180)
MIN_ROWS_DOWN = 20  # characters in rows down a piece before its print is taken to run that way
# ... and this many times those across it. Crops whose print ran down had 1.8-4.8 times (a sparse square
# card in large type, 1.8). On the 4,000 frames no crop under SQUARE_ASPECT that reads across came near;
# three longer ones did (aspect 1.4-1.5, 1.5-1.8 times), which is why only nearly square crops are asked.
ROWS_DOWN_RATIO = 1.5
MAX_WORD_ASPECT = 8  # a word blob wider than 30 px is at most this many times as wide as tall


@dataclass(frozen=True, kw_only=True)
class LocatedPiece:
    """The straightened piece and where it lies in the frame (corners TL, TR, BR, BL of the crop)."""

    image: np.ndarray
    quad: np.ndarray  # (4, 2) float32, frame pixels, in the crop's own TL, TR, BR, BL order
    flat_scan: bool


def order_corners(points: np.ndarray) -> np.ndarray:
    """Order four points TL, TR, BR, BL (image coordinates, y down)."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise from the left-most-upward direction, starting near -180°
    top_left = int(np.argmin(pts.sum(axis=1)))
    return np.roll(pts, -top_left, axis=0)


def landscape_corners(quad: np.ndarray) -> np.ndarray:
    """Rotate the corner order so the first edge (TL→TR) is the piece's long side."""
    q = order_corners(quad)
    top = np.linalg.norm(q[1] - q[0])
    side = np.linalg.norm(q[3] - q[0])
    return q if top >= side else np.roll(q, -1, axis=0)


def warp_quad(frame: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Warp the quadrilateral (TL, TR, BR, BL) onto an upright rectangle of its own size."""
    q = np.asarray(quad, dtype=np.float32)
    width = int(round(max(np.linalg.norm(q[1] - q[0]), np.linalg.norm(q[2] - q[3]))))
    height = int(round(max(np.linalg.norm(q[3] - q[0]), np.linalg.norm(q[2] - q[1]))))
    width, height = max(width, 8), max(height, 8)
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
    matrix = cv2.getPerspectiveTransform(q, target)
    return cv2.warpPerspective(
        frame, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def _border_pixels(lab: np.ndarray, margin: int) -> np.ndarray:
    return np.concatenate(
        [
            lab[:margin].reshape(-1, 3),
            lab[-margin:].reshape(-1, 3),
            lab[:, :margin].reshape(-1, 3),
            lab[:, -margin:].reshape(-1, 3),
        ]
    ).astype(np.float32)


def _belt_models(border: np.ndarray, clusters: int = 3) -> list[tuple[np.ndarray, np.ndarray]]:
    """Colour models (median, robust spread) of the belt's main colours seen along the frame border.

    Belts are not one colour (rubber, seams, rollers, side rails), so the border is clustered; small clusters
    are dropped because they are more likely a piece touching the frame edge than belt.
    """
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 1.0)
    # Start from lightness tertiles, not a random draw: the same frame must always give the same piece.
    ranks = np.argsort(np.argsort(border[:, 0], kind="stable"), kind="stable")
    initial = (ranks * clusters // len(border)).astype(np.int32).reshape(-1, 1)
    _, labels, _ = cv2.kmeans(border, clusters, initial, criteria, 1, cv2.KMEANS_USE_INITIAL_LABELS)
    models = []
    for k in range(clusters):
        members = border[labels.ravel() == k]
        if len(members) < 0.12 * len(border):
            continue
        median = np.median(members, axis=0).astype(np.float32)
        models.append((median, (np.median(np.abs(members - median), axis=0) + 2.0).astype(np.float32)))
    return models


def _colour_distance(lab: np.ndarray, median: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """Per pixel, the distance to a colour in units of its spread (float32 throughout: it is hot)."""
    scaled = (lab - median) * (1.0 / spread).astype(np.float32)
    return np.sqrt(np.einsum("...c,...c->...", scaled, scaled))


def _belt_distance(lab: np.ndarray, models: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per pixel, the normalised distance to the nearest belt colour."""
    return np.min([_colour_distance(lab, median, spread) for median, spread in models], axis=0)


def belt_mask(lab: np.ndarray) -> np.ndarray:
    """Pixels whose colour is unlike every main belt colour seen along the frame border."""
    margin = max(2, min(lab.shape[:2]) // 40)
    border = _border_pixels(lab, margin)
    models = _belt_models(border)
    threshold = max(6.0, float(np.percentile(_belt_distance(border, models), 98)) * 1.5)
    return _cleaned(_full_size(_belt_distance(lab[::2, ::2], models) > threshold, lab.shape))


def paper_distance(lab: np.ndarray) -> np.ndarray:
    """Per pixel, the normalised colour distance to the paper at the centre of the frame."""
    height, width = lab.shape[:2]
    centre = lab[height // 3 : 2 * height // 3, width // 3 : 2 * width // 3].reshape(-1, 3)
    median = np.median(centre, axis=0).astype(np.float32)
    spread = (np.median(np.abs(centre - median), axis=0) + 3.0).astype(np.float32)
    return _colour_distance(lab, median, spread)


def _full_size(mask: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A mask computed on every other pixel (colour masks are coarse; the edges are fitted later)."""
    return cv2.resize(mask.astype(np.uint8), (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST) > 0


def _cleaned(mask: np.ndarray) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    mask = cv2.morphologyEx(mask.astype(np.uint8) * 255, cv2.MORPH_CLOSE, kernel, iterations=2)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel, iterations=1)


def enclosed_mask(gx: np.ndarray, gy: np.ndarray, step: float) -> np.ndarray:
    """What lies inside closed edges: the areas the frame border cannot reach without crossing an edge.

    Belt stripes run to the frame border; a piece's outline closes around it, creases and print inside.
    """
    edges = ((np.abs(gx) + np.abs(gy)) > step).astype(np.uint8)
    edges = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(1 - edges, connectivity=4)
    rim = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    outside = np.zeros(count, bool)
    outside[np.unique(rim)] = True
    outside[0] = True  # the edge pixels themselves
    return _cleaned(~outside[labels])


def candidate_regions(
    small: np.ndarray, lab: np.ndarray, paper: np.ndarray, enclosed: Callable[[], np.ndarray]
) -> Iterator[np.ndarray]:
    """Foreground masks from the different cues, most often right first, then each with thin bridges
    (belt stripes) cut; ``paper`` marks pixels like the paper at the frame's centre, ``enclosed`` makes
    the mask of what closed edges surround."""
    lightness = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2GRAY)
    _, bright = cv2.threshold(lightness, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    masks = []
    for make in (lambda: belt_mask(lab), lambda: _cleaned(bright > 0), lambda: _cleaned(bright == 0)):
        masks.append(make())
        yield masks[-1]
    yield _cleaned(paper)
    yield enclosed()
    bridge = cv2.getStructuringElement(cv2.MORPH_RECT, (11, 11))
    for mask in [*masks, _cleaned(paper)]:
        yield cv2.morphologyEx(mask, cv2.MORPH_OPEN, bridge)


def region_quads(mask: np.ndarray, min_share: float = 0.05) -> list[np.ndarray]:
    """Minimum-area rectangles around the largest region that is not background, and around all big
    ones together (a crease or a fold line splits a piece into two regions of different shading).

    A region along most of the frame border is belt (or the frame itself), not a piece lying on it.
    """
    # BBDT: the same components as OpenCV's default labelling, in about half the time.
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(mask, 8, cv2.CV_32S, cv2.CCL_BBDT)
    if count < 2:
        return []
    rim = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    on_rim = np.bincount(rim, minlength=count) / len(rim)
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    areas[0] = 0
    areas[on_rim >= 0.4] = 0
    big = np.flatnonzero(areas >= min_share * mask.size)
    if len(big) == 0:
        return []
    groups = [[int(big[np.argmax(areas[big])])]] + ([[int(k) for k in big]] if len(big) > 1 else [])
    return [_rectangle(labels, group) for group in groups]


def _rectangle(labels: np.ndarray, group: list[int]) -> np.ndarray:
    region = np.isin(labels, group).astype(np.uint8)
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    # The convex hull bridges tears and dark print on the piece's edge; the rectangle fits the paper.
    hull = cv2.convexHull(np.concatenate(contours))
    return cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)


def _plausibility(quad: np.ndarray, frame_area: float) -> float:
    """Score adjustments for shapes a mail piece rarely has: very long or square, or a small part of frame."""
    sides = sorted(float(np.linalg.norm(quad[i] - quad[i - 1])) for i in (1, 2))
    aspect = sides[1] / max(1e-3, sides[0])
    share = cv2.contourArea(quad) / frame_area
    return (0.0 if 1.1 <= aspect <= 3.0 else -0.3) + 0.1 * min(share, 0.6) - (0.3 if share < 0.2 else 0.0)


def _border_paper_share(paper: np.ndarray) -> float:
    """How much of the frame border looks like the paper at the centre: a flat scan's border does."""
    m = max(2, min(paper.shape) // 40)
    return float(
        np.concatenate(
            [paper[:m].ravel(), paper[-m:].ravel(), paper[:, :m].ravel(), paper[:, -m:].ravel()]
        ).mean()
    )


def _black_hat(grey: np.ndarray, size: int) -> np.ndarray:
    """How much darker than its surroundings (over ``size`` px) each pixel is, in grey levels."""
    return cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))


def dark_print(grey: np.ndarray, *, size: int = 9, depth: int = 30) -> np.ndarray:
    """Pixels of small dark marks on a lighter ground (strokes of print, specks): a black-hat over
    ``size`` px, more than ``depth`` grey levels deep. The defaults are the cue of print on working copies
    about 240-480 px wide; full-resolution print wants a wider window."""
    return _black_hat(grey, size) > depth


def _dark_marks(grey: np.ndarray) -> np.ndarray:
    """Small dark marks on a light ground (print, specks) on the small copy, one row each: x, y, w, h,
    and 1 when the mark holds ink at least :data:`INK_DEPTH` deep (print), else 0 (grain, streaks).
    The marks are the components of :func:`dark_print` with its defaults."""
    hat = _black_hat(grey, 9)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((hat > 30).astype(np.uint8), connectivity=8)
    deep = np.zeros(count, stats.dtype)
    deep[np.unique(labels[hat >= INK_DEPTH])] = 1
    return np.column_stack([stats[1:, :4], deep[1:]])


def print_marks(small: np.ndarray) -> np.ndarray:
    """Character-sized dark marks on the small copy (x, y, w, h, deep: see :func:`_dark_marks`), clear of
    the frame's edges (where a neighbouring piece may peek in)."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    boxes = _dark_marks(grey)
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
            if x2 - right > 40:
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
    return total


def find_piece_quad(small: np.ndarray) -> np.ndarray | None:
    """The piece's corners on the small working copy, or None when the whole frame is the piece."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    gx, gy = lab_gradient(lab)  # the same blurred Lab image the colour cues use
    step = edge_step(gx, gy)
    frame_area = float(small.shape[0] * small.shape[1])
    paper = _full_size(paper_distance(lab[::2, ::2]) < 4.0, lab.shape)
    best_score, best_quad = 0.3 + 0.6 * _border_paper_share(paper), None
    marks: np.ndarray | None = None  # found once, the first time an outline could win
    for mask in candidate_regions(small, lab, paper, lambda: enclosed_mask(gx, gy, step)):
        for quad in region_quads(mask):
            score = edge_support(gx, gy, quad, step) + _plausibility(quad, frame_area)
            if score <= best_score:
                continue
            marks = print_marks(small) if marks is None else marks
            if print_outside(marks, quad) < PRINT_OUTSIDE_CHARS:
                best_score, best_quad = score, quad
        if best_score >= CLEAR_OUTLINE:
            break  # paper edge nearly all round: no other cue will find a better outline
    if best_quad is None:
        return None
    snapped = snap_to_edges(gx, gy, best_quad)
    return (
        snapped if edge_support(gx, gy, snapped, step) >= edge_support(gx, gy, best_quad, step) else best_quad
    )


def locate_piece(frame: np.ndarray) -> LocatedPiece | None:
    """Find, straighten and crop the piece (landscape, or a nearly square piece turned so its print runs
    across); None when no piece is visible (e.g. belt only)."""
    height, width = frame.shape[:2]
    scale = min(1.0, _WORK_WIDTH / max(width, height))
    small = cv2.resize(
        frame, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    quad_small = find_piece_quad(small)
    if quad_small is None:
        if _looks_empty(small):
            return None
        full = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
        return _along_the_print(frame, landscape_corners(full), flat_scan=True)
    quad = landscape_corners(np.clip(quad_small / scale, 0, [width - 1, height - 1]))
    return _along_the_print(frame, quad, flat_scan=False)


def _along_the_print(frame: np.ndarray, quad: np.ndarray, *, flat_scan: bool) -> LocatedPiece:
    """The piece cropped along ``quad``, turned a quarter when it is nearly square and its lines of print
    run down it rather than across: then its long side says nothing of which way it reads (a square card,
    or the lit panel of a two-tone envelope that the outline search took for the piece). Facing decides
    between the two ways up that are left."""
    image = warp_quad(frame, quad)
    height, width = image.shape[:2]
    if width < SQUARE_ASPECT * height and _print_runs_down(image):
        image = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)
        quad = np.roll(quad, 1, axis=0)  # the crop's new top-left corner was its bottom-left
    return LocatedPiece(image=image, quad=quad, flat_scan=flat_scan)


def _print_runs_down(piece: np.ndarray) -> bool:
    """Whether the characters of the piece stand in columns rather than rows: few in rows across it
    (:func:`chars_in_rows` on a working copy), half as many again in rows once it is turned a quarter.
    Turned print still makes short rows (the same letter place in neighbouring lines), so only a clear
    majority counts."""
    height, width = piece.shape[:2]
    scale = min(1.0, _WORK_WIDTH / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(piece, size, interpolation=cv2.INTER_AREA)
    across = chars_in_rows(print_marks(small))
    if across >= ROWS_ACROSS_ENOUGH:
        return False
    down = chars_in_rows(print_marks(cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE)))
    return down >= max(MIN_ROWS_DOWN, ROWS_DOWN_RATIO * across)


def _looks_empty(small: np.ndarray) -> bool:
    """A frame with no paper in it: nothing is both bright and large, and nothing looks like print (dark
    print, or lines of light print: a navy envelope addressed in white on a dark belt is all dark)."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    if float((grey > 140).mean()) >= 0.05:
        return False
    heights = _dark_marks(grey)[:, 3]
    if int(((heights >= 3) & (heights <= 30)).sum()) >= 20:
        return False  # more than a few specks: lines of characters
    return chars_in_rows(print_marks(255 - small)) < PRINT_OUTSIDE_CHARS
