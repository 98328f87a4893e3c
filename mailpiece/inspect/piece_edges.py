"""How well a quadrilateral follows the paper edges of a frame, and how to snap it onto them.

A mail piece is a rectangle of paper: along its true outline the image brightness or colour steps across
the line, everywhere. An outline that cuts through the middle of the piece (a region that stopped at a
crease or a light belt stripe) runs over flat paper for much of its length. Measuring the gradient
*across* each side, not its magnitude, keeps belt stripes running along a side from counting for it.
"""

from __future__ import annotations

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
