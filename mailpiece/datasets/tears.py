"""Outlines of torn-away paper: a torn-off corner, a bite out of an edge, or a bite reaching into a
given box. Smooth Bezier shapes roughened like paper fibre, in upright piece pixels.
"""

from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]


def _bezier(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray) -> np.ndarray:
    """Points along a cubic Bezier curve, about one every 2 px."""
    n = max(12, int((np.linalg.norm(p1 - p0) + np.linalg.norm(p2 - p1) + np.linalg.norm(p3 - p2)) / 2))
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t**2 * p2 + t**3 * p3


def ragged(rng: np.random.Generator, path: np.ndarray, roughness: float) -> np.ndarray:
    """Roughen a smooth path sideways: slow wander plus fibre-scale jitter, ends pinned in place."""
    n = len(path)
    tangent = np.gradient(path, axis=0)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    normal /= np.maximum(1e-6, np.linalg.norm(normal, axis=1, keepdims=True))
    wander = cv2.GaussianBlur(rng.normal(0, 1, (n, 1)).astype(np.float32), (1, 0), sigmaX=1, sigmaY=6)[:, 0]
    wander *= roughness * 2.5 / max(1e-6, float(np.abs(wander).max()))
    fibre = rng.normal(0, roughness * 0.45, n)
    spikes = rng.random(n) < 0.03
    fibre[spikes] *= 4.0
    pin = np.sin(np.linspace(0, np.pi, n)) ** 0.3
    return path + normal * ((wander + fibre) * pin)[:, None]


def _to_side(path: np.ndarray, side: int, w: int, h: int) -> np.ndarray:
    """Map (along, depth) coordinates measured from one edge (0 top, 1 right, 2 bottom, 3 left) to pixels."""
    along, depth = path[:, 0], path[:, 1]
    if side == 0:
        return np.stack([along, depth], 1)
    if side == 1:
        return np.stack([w - depth, along], 1)
    if side == 2:
        return np.stack([along, h - depth], 1)
    return np.stack([depth, along], 1)


def _bite(rng: np.random.Generator, start: float, length: float, depth: float, rough: float) -> np.ndarray:
    """A rounded bite from an edge, in (along, depth) coordinates; depth is its deepest point."""
    d = depth / 0.75  # a cubic with both handles at d peaks at 0.75 d
    skew = rng.uniform(-0.25, 0.25) * length
    p0, p3 = np.array([start, -6.0]), np.array([start + length, -6.0])
    p1 = np.array([start + length * rng.uniform(0.0, 0.3) + skew, d * rng.uniform(0.8, 1.2)])
    p2 = np.array([start + length * rng.uniform(0.7, 1.0) + skew, d * rng.uniform(0.8, 1.2)])
    return ragged(rng, _bezier(p0, p1, p2, p3), rough)


def tear_outline(rng: np.random.Generator, w: int, h: int, severity: float, target: Box | None) -> np.ndarray:
    """int32 polygon of the missing paper: a corner, an edge bite, or (with `target`) a bite into it."""
    scale = 0.07 + 0.28 * severity
    rough = 1.0 + 2.0 * severity
    if target is not None:  # reach into the target from the nearer long edge
        x0, y0, x1, y1 = target
        side = 2 if (h - y1) < y0 else 0
        reach = (h - (y0 + y1) / 2) if side == 2 else (y0 + y1) / 2
        length = max((x1 - x0) * rng.uniform(0.5, 0.9), reach * rng.uniform(0.6, 1.1))
        start = (x0 + x1) / 2 - length * rng.uniform(0.25, 0.75)
        path = _bite(rng, start, length, (reach + (y1 - y0) * rng.uniform(0.1, 0.5)) * 1.15, rough)
        return _to_side(path, side, w, h).astype(np.int32)
    if rng.random() < 0.55:
        corner = np.array([0 if rng.random() < 0.5 else w, 0 if rng.random() < 0.5 else h], np.float64)
        sx, sy = (1 if corner[0] == 0 else -1), (1 if corner[1] == 0 else -1)
        a = min(w, h) * scale * rng.uniform(0.7, 2.0)
        b = min(w, h) * scale * rng.uniform(0.7, 1.6)
        p0 = corner + [sx * a, -sy * 6]
        p3 = corner + [-sx * 6, sy * b]
        u = rng.uniform(0.15, 0.6)  # small u: the tear curls round toward the corner
        ctrl = corner + [sx * a * u, sy * b * u]
        path = ragged(rng, _bezier(p0, ctrl + (p0 - ctrl) * 0.3, ctrl + (p3 - ctrl) * 0.3, p3), rough)
        return np.concatenate([path, [corner + [-sx * 6, -sy * 6]]]).astype(np.int32)
    side = int(rng.integers(0, 4))
    edge = w if side in (0, 2) else h
    length = edge * scale * rng.uniform(0.6, 1.4)
    start = rng.uniform(0.05, 0.95) * (edge - length)
    depth = min(w, h) * scale * rng.uniform(0.3, 0.8)
    return _to_side(_bite(rng, start, length, depth, rough), side, w, h).astype(np.int32)
