"""The destination address block: printed on the piece, seen through a window, or on a stuck-on label,
with an optional barcode row. Returns where its ink landed, for the label's box and for damage honesty.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.datasets.barcodes import imb_mask, postnet_mask
from mailpiece.datasets.fonts import FontFace, load_font, pick_font
from mailpiece.datasets.labels import AddressLabel
from mailpiece.datasets.lettering import (
    ADDRESS_INKS,
    LIGHT_INKS,
    dot_matrix,
    handwritten_mask,
    ink_box,
    ink_onto,
    paint_onto,
    text_mask,
)
from mailpiece.datasets.paper import label_sticker, window_film

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class PlacedBlock:
    """Where the destination landed on the upright piece: its ink box and its ink as a full-piece map."""

    box: Box
    # uint8 (H, W, 2): channel 0 > 0 where any address text was drawn, channel 1 the last (ZIP) line only
    ink: np.ndarray
    occupied: Box  # everything the block used (window, label, barcode), to keep other print away


def _fitted_mask(
    lines: tuple[str, ...],
    face: FontFace,
    size: int,
    gap: float,
    max_w: int,
    max_h: int,
    hand: np.random.Generator | None = None,
) -> np.ndarray:
    """The block drawn at `size` (by hand when `hand` gives the jitter), shrunk until it fits."""
    while True:
        font = load_font(face.path, size)
        mask = (
            handwritten_mask(lines, font, hand) if hand is not None else text_mask(lines, font, line_gap=gap)
        )
        if (mask.shape[1] <= max_w and mask.shape[0] <= max_h) or size <= 9:
            return mask
        size = int(size * 0.9)


def _styled(
    mask: np.ndarray, rng: np.random.Generator, light: bool
) -> tuple[np.ndarray, tuple[int, int, int], float]:
    """Ink style: colour, opacity, and now and then dot-matrix printing or ink spread."""
    inks = LIGHT_INKS if light else ADDRESS_INKS
    ink = inks[int(rng.integers(len(inks)))]
    roll = rng.random()
    if roll < 0.08:
        mask = dot_matrix(mask, pitch=int(rng.integers(2, 4)))
    elif roll < 0.2:
        mask = cv2.GaussianBlur(mask, (3, 3), rng.uniform(0.4, 0.9))
    return mask, ink, float(rng.uniform(0.8, 1.0))


def place_address(
    paper: np.ndarray,
    rng: np.random.Generator,
    address: AddressLabel,
    *,
    dpi: int,
    mode: str,
    area: Box,
    keep_out: list[Box],
    light_ink: bool = False,
) -> PlacedBlock:
    """Draw `address` on `paper` in place; `mode` is "print", "window" or "label".

    The block goes inside `area` (the part of the piece an address may use), below anything in `keep_out`.
    """
    h, w = paper.shape[:2]
    style = rng.random()
    hand = style < 0.06  # handwritten: jittered words in a script or italic face
    script = hand and rng.random() < 0.4 or 0.06 <= style < 0.08
    styles = ("script",) if script else ("sans", "serif", "mono")
    face = pick_font(rng, styles=styles, italic_rate=0.6 if hand else 0.05)
    size = int(dpi * rng.uniform(9.5, 15.0) / 72.0) + (4 if script or hand else 0)
    jitter = rng if hand else None
    gap = float(rng.uniform(1.0, 1.35))
    ink_map = np.zeros((h, w, 2), np.uint8)
    if mode == "window":
        win_w, win_h = int(w * rng.uniform(0.42, 0.5)), int(h * rng.uniform(0.24, 0.3))
        wx0 = int(w * rng.uniform(0.07, 0.12))
        wy1 = h - int(h * rng.uniform(0.1, 0.16))
        window = (wx0, wy1 - win_h, wx0 + win_w, wy1)
        window_film(paper, rng, window, (248, 248, 246) if rng.random() < 0.8 else (232, 240, 244))
        pad = int(dpi * 0.08)
        mask = _fitted_mask(address.lines, face, size, gap, win_w - 2 * pad, win_h - 2 * pad, jitter)
        x = wx0 + pad + int(rng.uniform(0, max(1, win_w - 2 * pad - mask.shape[1]) * 0.6))
        y = window[1] + pad + int(rng.uniform(0, max(1, win_h - 2 * pad - mask.shape[0])))
        mask, ink, opacity = _styled(mask, rng, light=False)
        ink_onto(paper, mask, x, y, ink, opacity)
        _stamp_ink(ink_map, _with_zip_line(mask), x, y)
        box = ink_box(mask, x, y)
        return PlacedBlock(box=_pad(box, 2, w, h), ink=ink_map, occupied=window)

    ax0, ay0, ax1, ay1 = area
    max_w, max_h = min(int(w * 0.6), int((ax1 - ax0) * 0.92)), int(h * 0.42)
    mask = _fitted_mask(address.lines, face, size, gap, max_w, max_h, jitter)
    light = light_ink and mode == "print"
    mask, ink, opacity = _styled(mask, rng, light)
    bar = None
    if rng.random() < 0.55:
        bar = imb_mask(rng, dpi) if rng.random() < 0.85 else postnet_mask(rng, dpi)
    sticker_pad = int(dpi * rng.uniform(0.08, 0.22)) if mode == "label" else 0
    if bar is not None and bar.shape[1] + 2 * sticker_pad > ax1 - ax0:
        bar = None  # no room for a barcode row (a small postcard's address half)
    bar_gap = int(dpi * rng.uniform(0.04, 0.12))
    bar_above = rng.random() < 0.5
    block_h = mask.shape[0] + (bar.shape[0] + bar_gap if bar is not None else 0)
    block_w = max(mask.shape[1], bar.shape[1] if bar is not None else 0)
    outer_w, outer_h = block_w + 2 * sticker_pad, block_h + 2 * sticker_pad
    # Real mail puts the destination in the lower middle to right; the OCR read area.
    x = int(ax0 + rng.uniform(0.3, 0.58) * (ax1 - ax0))
    y = int(ay0 + rng.uniform(0.4, 0.62) * (ay1 - ay0))
    x = min(max(ax0, x), ax1 - outer_w)
    y = min(max(ay0 + int(0.25 * (ay1 - ay0)), y), ay1 - outer_h)
    for kx0, ky0, kx1, ky1 in keep_out:  # slide down below the postage if they would touch
        if x < kx1 and x + outer_w > kx0 and y < ky1 and y + outer_h > ky0:
            y = min(ky1 + 4, h - outer_h - 2)
    x, y = max(0, x), max(0, y)
    canvas, cx, cy = paper, x + sticker_pad, y + sticker_pad
    if mode == "label":
        canvas, _ = label_sticker(rng, outer_w, outer_h)
        cx, cy = sticker_pad, sticker_pad
    text_y = cy + (bar.shape[0] + bar_gap if bar is not None and bar_above else 0)
    ink_onto(canvas, mask, cx, text_y, ink, opacity, cover=light)
    text_ink = np.zeros((*canvas.shape[:2], 2), np.uint8)
    _stamp_ink(text_ink, _with_zip_line(mask), cx, text_y)
    if bar is not None:
        by = cy if bar_above else text_y + mask.shape[0] + bar_gap
        ink_onto(
            canvas,
            bar,
            cx + int(rng.uniform(0, max(1, block_w - bar.shape[1]))),
            by,
            ink,
            opacity,
            cover=light,
        )
    if mode == "label":
        _stick(paper, canvas, text_ink, ink_map, rng, x, y)
    else:
        ink_map = text_ink
    box = ink_box(ink_map[..., 0], 0, 0)
    return PlacedBlock(box=_pad(box, 2, w, h), ink=ink_map, occupied=(x, y, x + outer_w, y + outer_h))


def _stick(
    paper: np.ndarray,
    sticker: np.ndarray,
    text_ink: np.ndarray,
    ink_map: np.ndarray,
    rng: np.random.Generator,
    x: int,
    y: int,
) -> None:
    """Stick a label at (x, y), sometimes a little askew, with a faint shadow along its edge."""
    sh, sw = sticker.shape[:2]
    _, alpha = label_sticker(rng, sw, sh)
    m = int(0.08 * max(sw, sh)) + 4
    local = np.zeros((sh + 2 * m, sw + 2 * m, 3), np.uint8)
    local_alpha = np.zeros(local.shape[:2], np.uint8)
    local_ink = np.zeros((*local.shape[:2], 2), np.uint8)
    local[m : m + sh, m : m + sw] = sticker
    local_alpha[m : m + sh, m : m + sw] = alpha
    local_ink[m : m + sh, m : m + sw] = text_ink
    angle = float(rng.uniform(-4, 4)) if rng.random() < 0.5 else 0.0
    if angle:
        rot = cv2.getRotationMatrix2D((m + sw / 2, m + sh / 2), angle, 1.0)
        size = (local.shape[1], local.shape[0])
        local = cv2.warpAffine(local, rot, size, flags=cv2.INTER_LINEAR)
        local_alpha = cv2.warpAffine(local_alpha, rot, size, flags=cv2.INTER_LINEAR)
        local_ink = cv2.warpAffine(local_ink, rot, size, flags=cv2.INTER_LINEAR)
    shadow = cv2.GaussianBlur(np.roll(local_alpha, (2, 2), axis=(0, 1)), (0, 0), 1.5)
    ink_onto(paper, shadow, x - m, y - m, (0, 0, 0), 0.25)
    paint_onto(paper, local, local_alpha, x - m, y - m)
    _stamp_ink(ink_map, local_ink, x - m, y - m)


def _with_zip_line(mask: np.ndarray) -> np.ndarray:
    """(h, w, 2): the block's ink, and the ink of its last line (found from the row profile) alone."""
    rows = (mask > 60).any(axis=1)
    inked = np.flatnonzero(rows)
    last = np.zeros_like(mask)
    if inked.size:
        bottom = inked[-1]
        top = bottom
        while top > 0 and rows[top - 1]:
            top -= 1
        last[top : bottom + 1] = mask[top : bottom + 1]
    return np.dstack([mask, last])


def _stamp_ink(ink_map: np.ndarray, mask: np.ndarray, x: int, y: int) -> None:
    """Record `mask` placed at (x, y) in the full-piece ink map, clipped to the piece."""
    h, w = mask.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(ink_map.shape[1], x + w), min(ink_map.shape[0], y + h)
    if x1 > x0 and y1 > y0:
        region = ink_map[y0:y1, x0:x1]
        np.maximum(region, mask[y0 - y : y1 - y, x0 - x : x1 - x], out=region)


def _pad(box: Box | None, pad: int, w: int, h: int) -> Box:
    if box is None:
        raise ValueError("the address block drew no ink")
    x0, y0, x1, y1 = box
    return max(0, x0 - pad), max(0, y0 - pad), min(w, x1 + pad), min(h, y1 + pad)
