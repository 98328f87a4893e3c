"""Crushing of many looks: the crushed family of :mod:`mailpiece.datasets.damage_styles` (domain
randomisation for the CNN), with the signature and contract of the stock
:func:`mailpiece.datasets.damage.crush`.

One to four ways of crumpling are drawn at random and multiplied into one shading of the sheet: soft
pillowing, accordion ridges across one axis as rollers leave them, a crumpled edge, creases out from the
points a fist gripped (each a ridge or valley lit on one flank, shaded on the other); then the sheet, its
outline and its ink are warped together.
"""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.datasets.damage import dpi_scale, warp_sheet
from mailpiece.datasets.grain import smooth_field

__all__ = ["varied_crush"]


def _border_distance(h: int, w: int) -> np.ndarray:
    """float32 (h, w): each pixel's distance in pixels to the nearest edge of the piece."""
    rows, cols = np.arange(h), np.arange(w)
    return np.minimum.outer(np.minimum(rows, h - 1 - rows), np.minimum(cols, w - 1 - cols)).astype(np.float32)


def _crumpled(rng: np.random.Generator, h: int, w: int, severity: float) -> np.ndarray:
    """float32 (h, w) shading of a sheet crumpled in a fist and smoothed out again: creases run out from
    one to three points where it was gripped, bending as they go, each a ridge or a valley of the sheet's
    height, lit from one side, so a crease is bright on one flank and dark on the other."""
    ridges = np.zeros((h, w), np.float32)
    short = min(h, w)
    for _ in range(int(rng.integers(1, 4))):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        for _ in range(int(rng.integers(5, 9 + int(16 * severity)))):
            angle = rng.uniform(0, 2 * np.pi)
            x, y = cx + rng.normal(0, 0.05 * short), cy + rng.normal(0, 0.05 * short)
            points = [(x, y)]
            for _ in range(int(rng.integers(1, 4))):
                angle += rng.normal(0, 0.35)
                step = rng.uniform(0.08, 0.3) * short
                x, y = x + step * np.cos(angle), y + step * np.sin(angle)
                points.append((x, y))
            thickness = max(1, round(rng.uniform(2, 7) * dpi_scale(w)))
            height = rng.choice([-1.0, 1.0]) * rng.uniform(0.4, 1.0)
            cv2.polylines(ridges, [np.round(points).astype(np.int32)], False, height, thickness, cv2.LINE_AA)
    ridges = cv2.GaussianBlur(ridges, (0, 0), max(1.5, 3.0 * dpi_scale(w)))
    light = rng.uniform(0, 2 * np.pi)
    across, down = cv2.Sobel(ridges, cv2.CV_32F, 1, 0), cv2.Sobel(ridges, cv2.CV_32F, 0, 1)
    slope = np.cos(light) * across + np.sin(light) * down
    slope /= max(1e-6, float(np.percentile(np.abs(slope), 99.5)))
    return (1.0 + np.clip(slope, -1.5, 1.5) * (0.08 + 0.2 * severity)).astype(np.float32)


def varied_crush(
    image: np.ndarray, alpha: np.ndarray, ink: np.ndarray, rng: np.random.Generator, severity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crumple in one to four random ways (see the module), then warp the sheet, its outline and ink."""
    h, w = image.shape[:2]
    shade = np.ones((h, w), np.float32)
    parts = rng.permutation(["pillow", "accordion", "edge", "crumpled"])[: int(rng.integers(1, 5))]
    edge_amp = 0.0
    for part in parts:
        if part == "pillow":  # soft bulges and dents
            cells = int(rng.integers(4, 14))
            shade *= 1.0 + smooth_field(rng, h, w, cells=cells, amplitude=0.04 + 0.12 * severity)
        elif part == "accordion":  # ridges across one axis, as rollers leave them
            across = rng.random() < 0.5
            n = w if across else h
            periods = rng.uniform(4, 18)
            phase = np.linspace(0, 2 * np.pi * periods, n) + np.cumsum(rng.normal(0, 0.08, n))
            wave = np.sign(np.sin(phase)) * np.abs(np.sin(phase)) ** rng.uniform(0.3, 1.0)
            wave = wave.astype(np.float32) * (0.04 + 0.12 * severity)
            reach = smooth_field(rng, h, w, cells=3, amplitude=1.0) * 0.5 + 0.5
            shade *= 1.0 + (wave[None, :] if across else wave[:, None]) * np.clip(reach, 0, 1)
        elif part == "crumpled":  # creases out from where a fist gripped it
            shade *= _crumpled(rng, h, w, severity)
        else:  # a crumpled edge: the border wavy and shaded
            edge_amp = (2.0 + 8.0 * severity) * dpi_scale(w)
            near = np.exp(-_border_distance(h, w) / (0.06 * min(h, w)))
            shade *= 1.0 - near * np.abs(smooth_field(rng, h, w, cells=20, amplitude=0.1 + 0.2 * severity))
    image = np.clip(image * shade[..., None], 0, 255).astype(np.uint8)
    amp = rng.uniform(1.0, 2.0 + 6.0 * severity) * dpi_scale(w)
    dx = smooth_field(rng, h, w, cells=int(rng.integers(3, 9)), amplitude=amp)
    dy = smooth_field(rng, h, w, cells=int(rng.integers(3, 9)), amplitude=amp)
    if edge_amp:
        near = np.exp(-_border_distance(h, w) / (0.04 * min(h, w)))
        dx += near * smooth_field(rng, h, w, cells=24, amplitude=edge_amp)
        dy += near * smooth_field(rng, h, w, cells=24, amplitude=edge_amp)
    return warp_sheet(image, alpha, ink, dx, dy)
