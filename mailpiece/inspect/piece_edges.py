"""How well a quadrilateral follows the paper edges of a frame, and how to snap it onto them.

A mail piece is a rectangle of paper: along its true outline the image brightness or colour steps across
the line, everywhere. An outline that cuts through the middle of the piece (a region that stopped at a
crease or a light belt stripe) runs over flat paper for much of its length. Measuring the gradient
*across* each side, not its magnitude, keeps belt stripes running along a side from counting for it.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

# Gradient across a side (Sobel on blurred Lab, per pixel the strongest channel) that counts as an edge.
EDGE_STEP = 40.0
MIN_EDGE_STEP = 12.0
STEP_OVER_TYPICAL = 4.0
# A side on the frame's border cannot show an edge (the piece runs off the frame, or fills it).
BORDER_CREDIT = 0.3
_REACH_PX = 3  # how far from the side an edge may lie and still support it (the fit is not exact)


def directional_gradient(image: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel x and y gradients of the blurred Lab image, from whichever channel changes most."""
    lab = cv2.cvtColor(cv2.GaussianBlur(image, (5, 5), 0), cv2.COLOR_BGR2LAB)
    return lab_gradient(lab.astype(np.float32))


def lab_gradient(lab: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``directional_gradient`` of an image already blurred and converted to float Lab."""
    gx = np.zeros(lab.shape[:2], np.float32)
    gy = np.zeros_like(gx)
    strongest = np.zeros_like(gx)
    for channel in range(3):
        x = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 1, 0, ksize=3)
        y = cv2.Sobel(lab[:, :, channel], cv2.CV_32F, 0, 1, ksize=3)
        magnitude = x * x + y * y
        stronger = magnitude > strongest
        gx, gy = np.where(stronger, x, gx), np.where(stronger, y, gy)
        strongest = np.maximum(magnitude, strongest)
    return gx, gy


def _across(gx: np.ndarray, gy: np.ndarray, points: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Gradient across the line at each point (points ``(..., 2)``, normals broadcastable to them)."""
    height, width = gx.shape
    xi = np.clip(np.rint(points[..., 0]).astype(np.intp), 0, width - 1)
    yi = np.clip(np.rint(points[..., 1]).astype(np.intp), 0, height - 1)
    return np.abs(gx[yi, xi] * normals[..., 0] + gy[yi, xi] * normals[..., 1])


def edge_step(gx: np.ndarray, gy: np.ndarray) -> float:
    """The gradient that counts as an edge in this frame: low-contrast frames (grey on grey) get a lower
    bar, but never below what sensor noise on flat paper reaches."""
    typical = float(np.percentile(np.abs(gx) + np.abs(gy), 75))
    return float(np.clip(STEP_OVER_TYPICAL * typical, MIN_EDGE_STEP, EDGE_STEP))


def edge_support(gx: np.ndarray, gy: np.ndarray, quad: np.ndarray, step: float = EDGE_STEP) -> float:
    """Share of the outline (0..1) that lies on an edge across it; sides on the frame border count a bit."""
    height, width = gx.shape
    q = np.asarray(quad, np.float32)
    scores = []
    for i in range(4):
        a, b = q[i], q[(i + 1) % 4]
        length = float(np.linalg.norm(b - a))
        if length < 4:
            continue
        direction = (b - a) / length
        normal = np.array([-direction[1], direction[0]], np.float32)
        t = np.linspace(0.05, 0.95, max(8, int(length / 3)), dtype=np.float32)
        points = a[None] + t[:, None] * (b - a)[None]
        shifts = np.arange(-_REACH_PX, _REACH_PX + 1, dtype=np.float32)[:, None, None] * normal
        best = _across(gx, gy, points[None] + shifts, normal).max(axis=0)
        side = (best > step).astype(np.float32)
        x, y = points[:, 0], points[:, 1]
        side[(x < 3) | (x > width - 4) | (y < 3) | (y > height - 4)] = BORDER_CREDIT
        scores.append(side)
    return float(np.concatenate(scores).mean()) if scores else 0.0


_SNAP_ANGLES = np.array([-0.03, -0.015, 0.0, 0.015, 0.03], np.float32)  # radians, about ±2°


def _snap_side(gx: np.ndarray, gy: np.ndarray, a: np.ndarray, b: np.ndarray, reach: int) -> np.ndarray:
    """The line near a→b, shifted up to ``reach`` px and turned up to ~2°, that lies on the strongest edge."""
    height, width = gx.shape
    length = float(np.linalg.norm(b - a))
    if length < 8:
        return np.array([a, b], np.float32)
    middle, along0 = (a + b) / 2, (b - a) / length
    cos, sin = np.cos(_SNAP_ANGLES), np.sin(_SNAP_ANGLES)
    along = np.stack([cos * along0[0] - sin * along0[1], sin * along0[0] + cos * along0[1]], axis=-1)
    normal = np.stack([-along[:, 1], along[:, 0]], axis=-1)  # (angles, 2)
    offsets = np.arange(-reach, reach + 1, dtype=np.float32)
    t = np.linspace(-0.45, 0.45, max(8, int(length / 3)), dtype=np.float32) * length
    # Sample points for every (angle, offset, position along the side) at once.
    centres = middle + offsets[None, :, None] * normal[:, None, :]  # (angles, offsets, 2)
    points = centres[:, :, None, :] + t[None, None, :, None] * along[:, None, None, :]
    inside = (points[..., 0] >= 0) & (points[..., 0] <= width - 1) & (points[..., 1] >= 0)
    inside &= points[..., 1] <= height - 1
    across = _across(gx, gy, points, normal[:, None, None, :]) * inside
    # Mean over the points inside, times the share inside (a line running off the frame counts less).
    value = np.where(inside.mean(axis=-1) >= 0.5, across.sum(axis=-1) / len(t), -1.0)
    angle, offset = np.unravel_index(int(np.argmax(value)), value.shape)
    if value[angle, offset] < 0:
        return np.array([a, b], np.float32)
    centre, direction = centres[angle, offset], along[angle]
    return np.array([centre - direction * length / 2, centre + direction * length / 2], np.float32)


def _intersection(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    (p1, p2), (p3, p4) = first, second
    d1, d2 = p2 - p1, p4 - p3
    denominator = d1[0] * d2[1] - d1[1] * d2[0]
    if abs(denominator) < 1e-6:
        return (p2 + p3) / 2
    t = ((p3[0] - p1[0]) * d2[1] - (p3[1] - p1[1]) * d2[0]) / denominator
    return p1 + t * d1


def snap_to_edges(gx: np.ndarray, gy: np.ndarray, quad: np.ndarray, reach: int = 8) -> np.ndarray:
    """Move each side of ``quad`` onto the strongest nearby edge across it; corners where sides meet.

    A region's rectangle is a few pixels off (shadow, blur, a torn corner); the paper edge is sharper.
    The input is returned when snapping would move a corner further than ``reach`` allows.
    """
    q = np.asarray(quad, np.float32)
    sides = [_snap_side(gx, gy, q[i], q[(i + 1) % 4], reach) for i in range(4)]
    snapped = np.array([_intersection(sides[i - 1], sides[i]) for i in range(4)], np.float32)
    return q if float(np.abs(snapped - q).max()) > 2.5 * reach else snapped


# The outline search straight from the edges (``outline_from_edges``): the turns tried (degrees; pieces lie
# within about ±10° of the belt's direction), the strongest lines kept per direction and turn, and the
# smallest side, as a share of the frame's, a piece can have.
FIT_ANGLES = np.arange(-12.0, 12.01, 2.0)
FIT_LINES = 6
FIT_MIN_SIDE = 0.3


def outline_from_edges(gx: np.ndarray, gy: np.ndarray, step: float) -> np.ndarray | None:
    """The rectangle, turned a little, whose four sides lie on edges across them over most of their
    length, found from the edges alone (no region around it): for when no colour or closed-edge region
    gives the piece (a light belt of nearly the paper's shade, whose texture leaves no closed outline).

    At each turn in :data:`FIT_ANGLES`, on a half-size copy, the pixels with an edge across a side at
    that turn are rotated upright; the :data:`FIT_LINES` rows and columns with the most of them are the
    candidate sides, and of every rectangle they make (sides at least :data:`FIT_MIN_SIDE` of the frame's)
    the one with the most of its outline on edges (plus a little for its size) wins. Corners TL, TR, BR,
    BL in ``gx``'s pixels; None when no turn gives two lines each way.
    """
    gx, gy = gx[::2, ::2], gy[::2, ::2]
    height, width = gx.shape
    pad = int(math.ceil(0.25 * max(height, width)))  # room for the corners of the turned frame
    size = (width + 2 * pad, height + 2 * pad)
    best, best_quad = 0.0, None
    for degrees in FIT_ANGLES:
        turn = math.radians(float(degrees))
        cos, sin = math.cos(turn), math.sin(turn)
        rotation = cv2.getRotationMatrix2D((width / 2 + pad, height / 2 + pad), float(degrees), 1.0)
        warp = np.vstack([rotation, [0, 0, 1]]) @ np.array([[1, 0, pad], [0, 1, pad], [0, 0, 1]], np.float64)
        across_rows = (np.abs(gy * cos - gx * sin) > step).astype(np.uint8)  # sides along the turned x axis
        across_cols = (np.abs(gx * cos + gy * sin) > step).astype(np.uint8)
        rows = cv2.warpAffine(across_rows, warp[:2], size, flags=cv2.INTER_NEAREST)
        cols = cv2.warpAffine(across_cols, warp[:2], size, flags=cv2.INTER_NEAREST)
        rows = cv2.dilate(rows, np.ones((3, 1), np.uint8))  # a side may be a pixel off the turned grid
        cols = cv2.dilate(cols, np.ones((1, 3), np.uint8))
        ys, xs = _strongest(rows.sum(axis=1)), _strongest(cols.sum(axis=0))
        y0, y1 = _pairs(ys, FIT_MIN_SIDE * height)
        x0, x1 = _pairs(xs, FIT_MIN_SIDE * width)
        if not len(y0) or not len(x0):
            continue
        along_rows = np.pad(np.cumsum(rows, axis=1, dtype=np.int32), ((0, 0), (1, 0)))
        along_cols = np.pad(np.cumsum(cols, axis=0, dtype=np.int32), ((1, 0), (0, 0)))
        top, left = np.meshgrid(y0, x0, indexing="ij")
        bottom, right = np.meshgrid(y1, x1, indexing="ij")
        on_edges = (
            along_rows[top, right + 1] - along_rows[top, left]
            + along_rows[bottom, right + 1] - along_rows[bottom, left]
            + along_cols[bottom + 1, left] - along_cols[top, left]
            + along_cols[bottom + 1, right] - along_cols[top, right]
        )  # fmt: skip
        perimeter = 2 * (right - left + 1) + 2 * (bottom - top + 1)
        share = (right - left) * (bottom - top) / float(height * width)
        score = on_edges / perimeter + 0.1 * np.minimum(share, 0.6)
        i = np.unravel_index(int(np.argmax(score)), score.shape)
        if score[i] > best:
            x, y = (left[i], right[i]), (top[i], bottom[i])
            corners = np.array([[x[0], y[0]], [x[1], y[0]], [x[1], y[1]], [x[0], y[1]]])
            back = np.linalg.inv(warp) @ np.vstack([corners.T, np.ones(4)])
            best, best_quad = float(score[i]), (2 * back[:2].T).astype(np.float32)
    return best_quad


def _strongest(profile: np.ndarray, gap: int = 4) -> np.ndarray:
    """The :data:`FIT_LINES` highest points of a profile at least ``gap`` apart, in order."""
    chosen: list[int] = []
    for i in np.argsort(profile, kind="stable")[::-1]:
        if profile[i] <= 0 or len(chosen) == FIT_LINES:
            break
        if all(abs(int(i) - c) >= gap for c in chosen):
            chosen.append(int(i))
    return np.array(sorted(chosen), np.intp)


def _pairs(lines: np.ndarray, min_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Every (first, second) pair of the lines at least ``min_gap`` apart."""
    first, second = np.meshgrid(lines, lines, indexing="ij")
    keep = second - first >= min_gap
    return first[keep], second[keep]
