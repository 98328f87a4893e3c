"""Text and ink: draw lines of text into small alpha patches with PIL, then lay ink onto paper.

Drawing into a patch the size of the text (not the whole piece) keeps rendering fast; ink is laid with a
multiply blend, as real ink darkens the paper under it instead of replacing it.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

# Address inks, BGR: black, blue-black, dark blue, dark grey, dot-matrix grey, brownish black.
ADDRESS_INKS: tuple[tuple[int, int, int], ...] = (
    (18, 18, 18),
    (40, 25, 20),
    (95, 35, 25),
    (60, 60, 60),
    (85, 85, 85),
    (25, 30, 38),
    (10, 10, 10),
)
# Inks that show on dark stock (holiday cards, navy envelopes): white, silver, gold.
LIGHT_INKS: tuple[tuple[int, int, int], ...] = ((245, 245, 245), (205, 205, 200), (110, 195, 225))


def text_mask(
    lines: list[str] | tuple[str, ...],
    font: ImageFont.FreeTypeFont,
    *,
    line_gap: float = 1.15,
    align: str = "left",
    pad: int = 2,
) -> np.ndarray:
    """An 8-bit alpha patch with `lines` drawn one under another (255 = full ink)."""
    ascent, descent = font.getmetrics()
    pitch = max(1, round((ascent + descent) * line_gap))
    widths = [max(1, int(font.getlength(line))) for line in lines]
    width = max(widths) + 2 * pad + 2
    height = pitch * (len(lines) - 1) + ascent + descent + 2 * pad
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for i, (line, w) in enumerate(zip(lines, widths, strict=True)):
        x = pad + {"left": 0, "center": (max(widths) - w) // 2, "right": max(widths) - w}[align]
        draw.text((x, pad + i * pitch), line, font=font, fill=255)
    return np.asarray(img)


def handwritten_mask(
    lines: list[str] | tuple[str, ...], font: ImageFont.FreeTypeFont, rng: np.random.Generator
) -> np.ndarray:
    """Lines as a hand writes them: words bob and vary in size, lines slope and drift, the pen is thick."""
    ascent, descent = font.getmetrics()
    size = font.size
    rows = []
    for line in lines:
        words = []
        for word in line.split():
            scaled = font.font_variant(size=max(6, int(size * rng.uniform(0.9, 1.1))))
            m = text_mask([word], scaled, pad=4)
            words.append((m, int(rng.normal(0, size * 0.06))))
        gap = int(size * rng.uniform(0.12, 0.4))
        height = max(m.shape[0] for m, _ in words) + int(size * 0.3)
        width = sum(m.shape[1] for m, _ in words) + gap * len(words)
        row = np.zeros((height, width), np.uint8)
        x = 0
        for m, dy in words:
            y = int(np.clip(height - m.shape[0] - int(size * 0.15) + dy, 0, height - m.shape[0]))
            np.maximum(
                row[y : y + m.shape[0], x : x + m.shape[1]],
                m,
                out=row[y : y + m.shape[0], x : x + m.shape[1]],
            )
            x += m.shape[1] + gap
        slope = float(rng.normal(0, 1.5))
        turn = cv2.getRotationMatrix2D((width / 2, height / 2), slope, 1.0)
        rows.append(cv2.warpAffine(row, turn, (width, height + int(abs(slope) * width / 57))))
    pitch = int((ascent + descent) * rng.uniform(1.05, 1.35))
    indents = [max(0, int(rng.normal(0, size * 0.4)) + size // 2) for _ in rows]
    out = np.zeros(
        (
            pitch * (len(rows) - 1) + max(r.shape[0] for r in rows) + 4,
            max(r.shape[1] + i for r, i in zip(rows, indents, strict=True)) + 4,
        ),
        np.uint8,
    )
    for k, (row, indent) in enumerate(zip(rows, indents, strict=True)):
        region = out[k * pitch : k * pitch + row.shape[0], indent : indent + row.shape[1]]
        np.maximum(region, row[: region.shape[0], : region.shape[1]], out=region)
    return cv2.dilate(out, np.ones((2, 2), np.uint8)) if rng.random() < 0.6 else out


def line_pitch(font: ImageFont.FreeTypeFont, line_gap: float = 1.15) -> int:
    """Vertical distance between baselines for `font` at `line_gap`."""
    ascent, descent = font.getmetrics()
    return max(1, round((ascent + descent) * line_gap))


def dot_matrix(mask: np.ndarray, pitch: int = 3) -> np.ndarray:
    """Break strokes into printer dots, as impact printers and cheap inkjets leave them."""
    yy, xx = np.mgrid[0 : mask.shape[0], 0 : mask.shape[1]]
    dots = ((yy % pitch) < pitch - 1) & ((xx % pitch) < pitch - 1)
    out = cv2.dilate(mask, np.ones((2, 2), np.uint8)) * dots
    return cv2.GaussianBlur(out.astype(np.uint8), (3, 3), 0.6)


def ink_onto(
    canvas: np.ndarray,
    mask: np.ndarray,
    x: int,
    y: int,
    ink_bgr: tuple[int, int, int],
    opacity: float = 1.0,
    cover: bool = False,
) -> None:
    """Multiply-blend `ink_bgr` through alpha `mask` onto `canvas` (in place) with its corner at (x, y).

    `cover` paints the ink over the paper instead (light inks on dark stock, where multiply cannot lighten).
    """
    h, w = mask.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    alpha = mask[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32) * (opacity / 255.0)
    ink = np.asarray(ink_bgr, np.float32) / 255.0
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    if cover:
        out = region + (ink * 255.0 - region) * alpha[..., None]
    else:
        out = region * (1.0 - alpha[..., None] * (1.0 - ink))
    canvas[y0:y1, x0:x1] = np.clip(out, 0, 255).astype(np.uint8)


def paint_onto(canvas: np.ndarray, patch: np.ndarray, alpha: np.ndarray, x: int, y: int) -> None:
    """Alpha-composite an opaque BGR `patch` (a sticker, a stamp) onto `canvas` in place."""
    h, w = alpha.shape[:2]
    x0, y0 = max(0, x), max(0, y)
    x1, y1 = min(canvas.shape[1], x + w), min(canvas.shape[0], y + h)
    if x1 <= x0 or y1 <= y0:
        return
    a = alpha[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)[..., None] / 255.0
    src = patch[y0 - y : y1 - y, x0 - x : x1 - x].astype(np.float32)
    dst = canvas[y0:y1, x0:x1].astype(np.float32)
    canvas[y0:y1, x0:x1] = (dst + (src - dst) * a).astype(np.uint8)


def ink_box(mask: np.ndarray, x: int, y: int, threshold: int = 60) -> tuple[int, int, int, int] | None:
    """Tight (x0, y0, x1, y1) around the ink of `mask` placed at (x, y); None when there is no ink."""
    rows = np.flatnonzero((mask > threshold).any(axis=1))
    cols = np.flatnonzero((mask > threshold).any(axis=0))
    if rows.size == 0:
        return None
    return x + int(cols[0]), y + int(rows[0]), x + int(cols[-1]) + 1, y + int(rows[-1]) + 1
