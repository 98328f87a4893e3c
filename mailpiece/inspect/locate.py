"""Find the mail piece in a frame and straighten it.

No one cue finds every piece: a white piece on a dark belt is simply the bright region, a grey piece on
a grey striped belt is not. So several cues each propose a region: pixels unlike the belt colours seen
along the frame border, the bright or the dark side of an Otsu split, pixels like the paper at the
frame's centre (each also with thin bridges to belt stripes opened). Each region's rectangle is scored
by how much of its outline lies on a paper edge (:mod:`piece_edges`); the whole frame competes too, as a
flat scan, scored by how much of the frame border looks like that paper. When no region gives a good
outline (a belt of nearly the paper's shade), a rectangle fitted to the edges alone competes last. The
winner is snapped onto the edges. The result is the piece's quadrilateral in frame pixels and a
straightened, landscape crop (a nearly square one is turned so its lines of print run across); whether
that crop is upside down is the facing stage's question.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.inspect.piece_edges import (
    edge_step,
    edge_support,
    lab_gradient,
    outline_from_edges,
    snap_to_edges,
)
from mailpiece.inspect.print_marks import chars_in_rows, dark_marks, print_marks, print_outside

_WORK_WIDTH = 480  # px; location runs on a small copy, the warp on the full frame
# An outline this well supported by paper edges ends the search (score: edge support + shape terms).
CLEAR_OUTLINE = 0.95
# Characters in lines of print left outside an outline: that outline is a part of the piece (an address
# label, a window, a stamp block, one shaded half of a creased flat scan), never the piece, which has no
# print beyond its edges (and a belt has none), nor an edge through its print. On 4,000 frames (seeds
# 21010, 21100, 21110) the right outlines left at most 18, but for one on a grainy belt whose streaks are
# as deep as print (59).
PRINT_OUTSIDE_CHARS = 20
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
# An outline fitted to the edges alone counts only with this share of the frame or more between it and
# the border on every side: belt all round. A flat scan's panels (a fold, a two-tone stock) reach the border.
BELT_MARGIN = 0.02
# ... and is tried when no region's outline scored this much (edge support and shape).
WEAK_OUTLINE = 0.8
# An outline under this share of the frame is an unlikely piece (scored down; never fitted to edges alone).
SMALL_PIECE = 0.2


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
    """Per pixel (``lab`` is an image or a list of pixels), the distance to a colour in units of its
    spread. OpenCV's per-element arithmetic, a tenth of the time of the same in numpy: it is hot."""
    pixels = lab.reshape(-1, 1, 3) if lab.ndim == 2 else lab
    offset = cv2.subtract(pixels, (*(float(m) for m in median), 0.0))
    weights = (1.0 / spread.astype(np.float64) ** 2).reshape(1, 3)  # summing the channels, each scaled
    return cv2.sqrt(cv2.transform(cv2.multiply(offset, offset), weights)).reshape(lab.shape[:-1])


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
    small_piece = 0.3 if share < SMALL_PIECE else 0.0
    return (0.0 if 1.1 <= aspect <= 3.0 else -0.3) + 0.1 * min(share, 0.6) - small_piece


def _border_paper_share(paper: np.ndarray) -> float:
    """How much of the frame border looks like the paper at the centre: a flat scan's border does."""
    m = max(2, min(paper.shape) // 40)
    return float(
        np.concatenate(
            [paper[:m].ravel(), paper[-m:].ravel(), paper[:, :m].ravel(), paper[:, -m:].ravel()]
        ).mean()
    )


def find_piece_quad(small: np.ndarray) -> np.ndarray | None:
    """The piece's corners on the small working copy, or None when the whole frame is the piece."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_BGR2LAB).astype(np.float32)
    gx, gy = lab_gradient(lab)  # the same blurred Lab image the colour cues use
    step = edge_step(gx, gy)
    frame_area = float(small.shape[0] * small.shape[1])
    paper = _full_size(paper_distance(lab[::2, ::2]) < 4.0, lab.shape)
    best_score, best_quad = 0.3 + 0.6 * _border_paper_share(paper), None
    marks: np.ndarray | None = None  # found once, the first time an outline could win

    def consider(quad: np.ndarray) -> None:
        nonlocal best_score, best_quad, marks
        score = edge_support(gx, gy, quad, step) + _plausibility(quad, frame_area)
        if score <= best_score:
            return
        marks = print_marks(small) if marks is None else marks
        if print_outside(marks, quad) < PRINT_OUTSIDE_CHARS:
            best_score, best_quad = score, quad

    for mask in candidate_regions(small, lab, paper, lambda: enclosed_mask(gx, gy, step)):
        for quad in region_quads(mask):
            consider(quad)
        if best_score >= CLEAR_OUTLINE:
            break  # paper edge nearly all round: no other cue will find a better outline
    if best_quad is None or best_score < WEAK_OUTLINE:
        # No region beat the whole frame, or only weakly: a flat scan, or a piece on a belt of nearly its
        # own shade that no colour or closed-edge mask separates. An outline fitted to the edges alone, with
        # belt showing all round it, is the latter (a panel of a flat scan found so reaches the border).
        fitted = outline_from_edges(gx, gy, step)
        big_enough = fitted is not None and cv2.contourArea(fitted) >= SMALL_PIECE * frame_area
        if big_enough and _belt_all_round(fitted, small.shape):
            consider(fitted)  # not a label or a window: those are a small part of the frame
    if best_quad is None:
        return None
    snapped = snap_to_edges(gx, gy, best_quad)
    return (
        snapped if edge_support(gx, gy, snapped, step) >= edge_support(gx, gy, best_quad, step) else best_quad
    )


def _belt_all_round(quad: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether every corner of ``quad`` lies at least :data:`BELT_MARGIN` of the frame inside its border."""
    height, width = shape[:2]
    margin = np.array([BELT_MARGIN * width, BELT_MARGIN * height], np.float32)
    return bool((quad >= margin).all() and (quad <= np.array([width - 1, height - 1]) - margin).all())


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
    heights = dark_marks(grey)[:, 3]
    if int(((heights >= 3) & (heights <= 30)).sum()) >= 20:
        return False  # more than a few specks: lines of characters
    return chars_in_rows(print_marks(255 - small)) < PRINT_OUTSIDE_CHARS
