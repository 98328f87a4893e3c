"""Find the mail piece in a frame and straighten it.

The belt is the background: its colour is estimated from the frame's border, and the piece is the largest
region that differs from it. When the border itself is paper (a flat scan, the piece filling the image),
the whole frame is the piece. The result is the piece's quadrilateral in frame pixels and a straightened,
landscape crop; whether that crop is upside down is the facing stage's question.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

_WORK_WIDTH = 480  # px; location runs on a small copy, the warp on the full frame


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
        median = np.median(members, axis=0)
        models.append((median, np.median(np.abs(members - median), axis=0) + 2.0))
    return models


def _belt_distance(lab: np.ndarray, models: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Per pixel, the normalised distance to the nearest belt colour."""
    distances = [np.sqrt((((lab - median) / spread) ** 2).sum(axis=-1)) for median, spread in models]
    return np.min(distances, axis=0)


def foreground_mask(small: np.ndarray) -> tuple[np.ndarray, bool]:
    """Pixels that are not belt, and whether the border looks like a belt at all (not a flat scan)."""
    blurred = cv2.GaussianBlur(small, (5, 5), 0)
    lab = cv2.cvtColor(blurred, cv2.COLOR_BGR2LAB).astype(np.float32)
    margin = max(2, min(small.shape[:2]) // 40)
    border = _border_pixels(lab, margin)
    models = _belt_models(border)
    distance = _belt_distance(lab, models)
    # A flat scan: the border is bright and uniform, as paper is, and nothing beyond it differs much.
    brightest = max(median[0] for median, _ in models)
    border_is_paper = brightest > 150 and len(models) == 1 and float(np.percentile(distance, 90)) < 12
    threshold = max(6.0, float(np.percentile(_belt_distance(border, models), 98)) * 1.5)
    mask = (distance > threshold).astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel, iterations=2)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel, iterations=1)
    return mask, not border_is_paper


def _piece_quad(mask: np.ndarray) -> np.ndarray | None:
    """The minimum-area rectangle around the largest foreground region, or None if there is none worth it."""
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    largest = max(contours, key=cv2.contourArea)
    if cv2.contourArea(largest) < 0.05 * mask.shape[0] * mask.shape[1]:
        return None
    # The convex hull bridges tears and dark print on the piece's edge; the rectangle fits the paper.
    hull = cv2.convexHull(largest)
    return cv2.boxPoints(cv2.minAreaRect(hull)).astype(np.float32)


def locate_piece(frame: np.ndarray) -> LocatedPiece | None:
    """Find, straighten and crop the piece (landscape); None when no piece is visible (e.g. belt only)."""
    height, width = frame.shape[:2]
    scale = min(1.0, _WORK_WIDTH / max(width, height))
    small = cv2.resize(
        frame, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA
    )
    mask, belt_visible = foreground_mask(small)
    quad_small = _piece_quad(mask) if belt_visible else None
    if quad_small is None:
        if belt_visible and _looks_empty(small):
            return None
        full = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], np.float32)
        quad = landscape_corners(full)
        return LocatedPiece(image=warp_quad(frame, quad), quad=quad, flat_scan=True)
    quad = landscape_corners(np.clip(quad_small / scale, 0, [width - 1, height - 1]))
    return LocatedPiece(image=warp_quad(frame, quad), quad=quad, flat_scan=False)


def _looks_empty(small: np.ndarray) -> bool:
    """A frame with no paper in it: nothing is both bright and large."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    return float((grey > 140).mean()) < 0.05
