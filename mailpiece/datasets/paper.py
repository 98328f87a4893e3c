"""Blank paper for a piece: stock colour, mottling and grain, edge shading, window films and labels."""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.datasets.grain import GRAIN_STD, GRAIN_ZERO, grain_bank_crop, smooth_field

# Paper stocks, BGR, with a weight each: white dominates real mail, then manila/kraft flats, pastels.
PAPER_STOCKS: tuple[tuple[str, tuple[int, int, int], float], ...] = (
    ("white", (246, 246, 244), 0.30),
    ("bright_white", (252, 251, 250), 0.10),
    ("off_white", (228, 238, 243), 0.12),
    ("cream", (205, 235, 247), 0.05),
    ("grey_recycled", (214, 218, 220), 0.05),
    ("manila", (140, 200, 232), 0.10),
    ("kraft", (105, 150, 190), 0.08),
    ("pastel_blue", (246, 226, 200), 0.04),
    ("pastel_pink", (222, 212, 250), 0.04),
    ("pastel_green", (208, 240, 212), 0.04),
    ("pastel_yellow", (185, 243, 250), 0.04),
    ("lavender", (243, 214, 226), 0.02),
    ("red_holiday", (45, 40, 170), 0.01),
    ("dark_blue", (110, 60, 30), 0.01),
)


def pick_stock(rng: np.random.Generator, piece_type: str) -> tuple[str, tuple[int, int, int]]:
    """A paper stock; flats lean to manila and kraft, postcards to white."""
    weights = np.array([w for _, _, w in PAPER_STOCKS])
    names = [n for n, _, _ in PAPER_STOCKS]
    if piece_type.startswith("flat"):
        weights[names.index("manila")] *= 4
        weights[names.index("kraft")] *= 3
    if piece_type == "postcard":
        weights[names.index("white")] *= 3
    i = int(rng.choice(len(PAPER_STOCKS), p=weights / weights.sum()))
    return names[i], PAPER_STOCKS[i][1]


def blank_paper(
    rng: np.random.Generator, width: int, height: int, colour: tuple[int, int, int], fibrous: bool = False
) -> np.ndarray:
    """A (height, width, 3) uint8 sheet: the stock colour with mottling, grain and optional fibres."""
    base = np.asarray(colour, np.float64) * (1.0 + rng.uniform(-0.03, 0.03, 3))
    # Work in 8-bit "level" units where 200 means the stock colour exactly.
    shade = smooth_field(rng, max(2, height // 8), max(2, width // 8), cells=3, amplitude=0.025)
    shade8 = np.clip((shade + 1.0) * 200.0, 0, 255).astype(np.uint8)
    level = cv2.resize(shade8, (width, height), interpolation=cv2.INTER_LINEAR)
    texture = grain_bank_crop(rng, height, width, channels=1)
    k = float(rng.uniform(0.004, 0.012)) * 200.0 / GRAIN_STD
    if fibrous:
        sigma = float(rng.uniform(1.5, 3.5))
        fibres = cv2.GaussianBlur(texture, (0, 0), sigmaX=sigma, sigmaY=0.6)
        level = cv2.addWeighted(level, 1.0, fibres, 4.0 * k * 2.5, -GRAIN_ZERO * 4.0 * k * 2.5)
    level = cv2.addWeighted(level, 1.0, texture, k, -GRAIN_ZERO * k)
    return cv2.multiply(cv2.cvtColor(level, cv2.COLOR_GRAY2BGR), (*(base / 200.0), 0.0))


def shade_edges(paper: np.ndarray, rng: np.random.Generator) -> None:
    """Darken a thin band along the edges (paper thickness, curl) so the piece reads as an object."""
    h, w = paper.shape[:2]
    band = max(2, int(min(h, w) * rng.uniform(0.004, 0.015)))
    ramp = np.linspace(0.82, 1.0, band, dtype=np.float32)
    for view, profile in (
        (paper[:band], ramp[:, None, None]),
        (paper[h - band :], ramp[::-1, None, None]),
        (paper[:, :band], ramp[None, :, None]),
        (paper[:, w - band :], ramp[None, ::-1, None]),
    ):
        view[:] = (view * profile).astype(np.uint8)


def window_film(
    paper: np.ndarray,
    rng: np.random.Generator,
    box: tuple[int, int, int, int],
    insert_colour: tuple[int, int, int],
) -> None:
    """Show an insert through a glassine window at `box`: the insert's paper, a sheen, a thin film edge."""
    x0, y0, x1, y1 = box
    h, w = y1 - y0, x1 - x0
    inner = blank_paper(rng, w, h, insert_colour).astype(np.float32)
    haze = 1.0 + smooth_field(rng, h, w, cells=2, amplitude=0.04) - float(rng.uniform(0.0, 0.05))
    paper[y0:y1, x0:x1] = np.clip(inner * haze[..., None], 0, 255).astype(np.uint8)
    radius = int(min(h, w) * rng.uniform(0.0, 0.12))
    edge = tuple(int(v) for v in rng.integers(150, 205, 3))
    thickness = 1 if rng.random() < 0.7 else 2
    _rounded_rect(paper, box, radius, edge, thickness)


def _rounded_rect(
    img: np.ndarray, box: tuple[int, int, int, int], r: int, colour: tuple, thickness: int
) -> None:
    x0, y0, x1, y1 = box
    if r < 2:
        cv2.rectangle(img, (x0, y0), (x1, y1), colour, thickness, cv2.LINE_AA)
        return
    for p, q in (
        ((x0 + r, y0), (x1 - r, y0)),
        ((x0 + r, y1), (x1 - r, y1)),
        ((x0, y0 + r), (x0, y1 - r)),
        ((x1, y0 + r), (x1, y1 - r)),
    ):
        cv2.line(img, p, q, colour, thickness, cv2.LINE_AA)
    for cx, cy, start in (
        (x0 + r, y0 + r, 180),
        (x1 - r, y0 + r, 270),
        (x1 - r, y1 - r, 0),
        (x0 + r, y1 - r, 90),
    ):
        cv2.ellipse(img, (cx, cy), (r, r), 0, start, start + 90, colour, thickness, cv2.LINE_AA)


def label_sticker(rng: np.random.Generator, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """A white (or pale) address label: its BGR patch and alpha with slightly rounded corners."""
    tone = (248, 248, 248) if rng.random() < 0.8 else (226, 244, 250)
    patch = blank_paper(rng, width, height, tone)
    alpha = np.zeros((height, width), np.uint8)
    r = int(min(width, height) * rng.uniform(0.0, 0.08))
    cv2.rectangle(alpha, (r, 0), (width - 1 - r, height - 1), 255, -1)
    cv2.rectangle(alpha, (0, r), (width - 1, height - 1 - r), 255, -1)
    for cx, cy in ((r, r), (width - 1 - r, r), (r, height - 1 - r), (width - 1 - r, height - 1 - r)):
        cv2.circle(alpha, (cx, cy), r, 255, -1, cv2.LINE_AA)
    return patch, alpha
