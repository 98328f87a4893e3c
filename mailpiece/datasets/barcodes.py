"""Machine-readable marks as ink masks: Intelligent Mail barcodes, Data Matrix blocks (meters), linear
barcodes (PC Postage labels) and QR-like codes (advertising, a hard negative for "postage").
"""

from __future__ import annotations

import cv2
import numpy as np


def _cells_to_mask(cells: np.ndarray, side: int) -> np.ndarray:
    return cv2.resize(cells.astype(np.uint8) * 255, (side, side), interpolation=cv2.INTER_NEAREST)


def data_matrix(rng: np.random.Generator, side: int, n: int) -> np.ndarray:
    """A Data-Matrix-like block: solid L finder on the left and bottom, clock track on top and right."""
    cells = rng.random((n, n)) < 0.5
    cells[:, 0] = True
    cells[-1, :] = True
    cells[0, :] = np.arange(n) % 2 == 0
    cells[:, -1] = np.arange(n) % 2 == 1
    return _cells_to_mask(cells, side)


def qr_like(rng: np.random.Generator, side: int, n: int = 25) -> np.ndarray:
    """A QR-like code: random modules with the three square finder patterns in the corners."""
    cells = rng.random((n, n)) < 0.5
    finder = np.zeros((8, 8), bool)
    finder[:7, :7] = True
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    cells[:8, :8] = finder
    cells[:8, -8:] = finder[:, ::-1]
    cells[-8:, :8] = finder[::-1, :]
    quiet = np.zeros((n + 2, n + 2), bool)
    quiet[1:-1, 1:-1] = cells
    return _cells_to_mask(quiet, side)


def imb_mask(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """An Intelligent-Mail-style barcode: 65 bars, each full, ascender, descender or tracker.

    Sizes follow the USPS spec roughly (22 bars per inch, full bar about 0.145 in tall).
    """
    pitch = dpi / rng.uniform(20.0, 24.0)
    bar_w = max(1, int(round(pitch * rng.uniform(0.4, 0.55))))
    full = max(6, int(round(dpi * rng.uniform(0.125, 0.16))))
    third = full / 3.0
    width = int(pitch * 65) + bar_w + 2
    mask = np.zeros((full + 2, width), np.uint8)
    states = rng.integers(0, 4, 65)  # 0 tracker, 1 ascender, 2 descender, 3 full
    for i, s in enumerate(states):
        top = 1 if s in (1, 3) else int(round(1 + third))
        bottom = full + 1 if s in (2, 3) else int(round(1 + 2 * third))
        x = int(round(1 + i * pitch))
        mask[top:bottom, x : x + bar_w] = 255
    return mask


def postnet_mask(rng: np.random.Generator, dpi: int) -> np.ndarray:
    """An older POSTNET-style barcode: 52 bars of two heights (still seen on older mailings)."""
    pitch = dpi / 22.0
    bar_w = max(1, int(round(pitch * 0.45)))
    full = max(5, int(round(dpi * 0.125)))
    width = int(pitch * 52) + bar_w + 2
    mask = np.zeros((full + 2, width), np.uint8)
    tall = rng.random(52) < 0.4
    tall[0] = tall[-1] = True
    for i, t in enumerate(tall):
        x = int(round(1 + i * pitch))
        mask[1 if t else int(full * 0.6) : full + 1, x : x + bar_w] = 255
    return mask


def linear_barcode(rng: np.random.Generator, width: int, height: int, inked: float = 0.55) -> np.ndarray:
    """A (height, width) ink mask: bars 1-3 px wide, gaps of 1-2 px, each bar inked with chance ``inked``."""
    bars = np.zeros((height, width), np.uint8)
    x = 0
    while x < width:
        bar = int(rng.integers(1, 4))
        if rng.random() < inked:
            bars[:, x : x + bar] = 255
        x += bar + int(rng.integers(1, 3))
    return bars
