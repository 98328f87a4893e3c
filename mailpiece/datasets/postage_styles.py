"""Postage of many looks, for training the CNN to know postage it has not seen (domain randomisation).

The stock designs (:mod:`mailpiece.datasets.postage`) are one family each: a white-bordered picture stamp,
a meter impression of stacked lines beside a 2-D code. Real mail carries thousands of stamp designs
(full-bleed pictures, minimalist line art on white, one-ink engravings, wide Priority Mail labels) and many
meter styles (PC Postage labels, analogue impressions with a town circle, one-line indicia). A model that
saw one family calls the others "no postage": with the stock designs only, the shipped checkpoint missed
about a fifth of pieces stamped or metered in styles of ``bench/postage_stress.py``.

So these designs are put together at random from parts, not drawn from a fixed list: the ground (a
picture, a solid colour, a pale ground with a few strokes, a one-ink duotone), the frame (none, white,
coloured, a rule), the lettering (what it says, where, light or dark, outlined), the size (0.6-1.6 times
the stock one) and the edge (perforated, die cut, straight); meters from a code or none, a column or a row
of legends, a frame, a town circle, digit cells, a rule and a linear barcode.

``SynthConfig.p_varied_postage`` is the share of stamped and metered pieces drawn so (0 by default: the
frames of every seed rendered so far stay the same).
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw

from mailpiece.datasets.artwork import picture, vivid
from mailpiece.datasets.barcodes import data_matrix, linear_barcode
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.postage import perforate, postal_date

_STAMP_WORDS = (
    "USA", "FOREVER", "USA FOREVER", "FIRST-CLASS", "PRIORITY MAIL", "EXPRESS", "GLOBAL FOREVER",
    "POSTCARD", "UNITED STATES", "US POSTAGE", "SEMIPOSTAL", "NONPROFIT ORG",
)  # fmt: skip
_VALUES = ("73", "68", "58", "10", "5", "1", "$1", "$2", "$5", "$1.50", "$9.85", "$28.75", "29c", "34")
_METER_LEGENDS = (
    "US POSTAGE", "U.S. POSTAGE PAID", "UNITED STATES POSTAGE", "FIRST-CLASS MAIL", "IMI", "RETAIL",
    "COMMERCIAL BASE PRICE", "PRIORITY MAIL", "PC POSTAGE", "USPS",
)  # fmt: skip
_INKS = ((30, 30, 30), (110, 50, 20), (40, 30, 160), (40, 110, 40), (120, 40, 110), (30, 110, 170))


def _pick(rng: np.random.Generator, items: tuple):
    return items[int(rng.integers(len(items)))]


def _font(rng: np.random.Generator, size: int, styles: tuple[str, ...] = ("sans", "serif", "mono")):
    return load_font(pick_font(rng, styles=styles, bold_rate=0.5, italic_rate=0.05).path, max(7, int(size)))


def _strokes(rng: np.random.Generator, w: int, h: int, ground: tuple[int, int, int]) -> np.ndarray:
    """A pale ground with a few thin strokes (ellipses, lines, polygons): line-art stamps."""
    img = np.full((h, w, 3), ground, np.uint8)
    inks = [_pick(rng, _INKS), vivid(rng)]
    thick = max(1, int(min(w, h) / rng.uniform(25, 60)))
    for _ in range(int(rng.integers(2, 8))):
        ink = inks[int(rng.integers(2))]
        cx, cy = int(rng.uniform(0.2, 0.8) * w), int(rng.uniform(0.2, 0.8) * h)
        kind = rng.random()
        if kind < 0.4:
            axes = (int(rng.uniform(0.05, 0.3) * w), int(rng.uniform(0.05, 0.3) * h))
            cv2.ellipse(img, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, ink, thick, cv2.LINE_AA)
        elif kind < 0.75:
            pts = np.stack([rng.uniform(0.1, 0.9, 4) * w, rng.uniform(0.1, 0.9, 4) * h], 1).astype(np.int32)
            cv2.polylines(img, [pts], bool(rng.random() < 0.5), ink, thick, cv2.LINE_AA)
        else:
            x1, y1 = int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.1, 0.9) * h)
            cv2.rectangle(img, (min(cx, x1), min(cy, y1)), (max(cx, x1), max(cy, y1)), ink, thick)
    return img


def _duotone(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A picture printed in one ink on a light ground, sometimes as a line screen (engraved stamps)."""
    grey = cv2.cvtColor(picture(rng, w, h), cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    if rng.random() < 0.5:
        pitch = int(rng.integers(2, 5))
        lines = (np.arange(h)[:, None] % pitch) < max(1, pitch // 2)
        grey = np.where(lines, grey, 1.0)
    ink = np.array(_pick(rng, _INKS), np.float32)
    ground = np.array(rng.uniform(215, 250, 3), np.float32)
    return (ground * grey[..., None] + ink * (1 - grey[..., None])).astype(np.uint8)


def varied_stamp(
    rng: np.random.Generator, width: int, height: int, dpi: int
) -> tuple[np.ndarray, np.ndarray]:
    """An adhesive stamp of a random design, about the size asked for (0.6-1.6 times each side)."""
    w = max(24, int(width * rng.uniform(0.6, 1.6)))
    h = max(24, int(np.clip(height * rng.uniform(0.6, 1.6), 0.5 * w, 1.8 * w)))
    ground = rng.random()
    if ground < 0.35:
        inner = picture(rng, w, h)
    elif ground < 0.55:
        inner = np.full((h, w, 3), vivid(rng) if rng.random() < 0.7 else _pick(rng, _INKS), np.uint8)
        if rng.random() < 0.6:  # a shape or a chevron on the field
            inner = _strokes(rng, w, h, tuple(int(v) for v in inner[0, 0]))
    elif ground < 0.8:
        pale = tuple(int(v) for v in rng.uniform(225, 252, 3))
        inner = _strokes(rng, w, h, pale)
    else:
        inner = _duotone(rng, w, h)
    frame = rng.random()
    patch = inner.copy()
    if frame < 0.6:  # a frame: white, cream or coloured
        colour = (248, 248, 246) if frame < 0.3 else vivid(rng)
        margin = max(2, int(min(w, h) * rng.uniform(0.04, 0.1)))
        patch[:] = colour
        patch[margin : h - margin, margin : w - margin] = cv2.resize(inner, (w - 2 * margin, h - 2 * margin))
    elif frame < 0.75:  # a thin rule inside the edge
        inset = max(2, int(min(w, h) * 0.05))
        cv2.rectangle(patch, (inset, inset), (w - inset, h - inset), _pick(rng, _INKS), 1)
    img = Image.fromarray(np.ascontiguousarray(patch[..., ::-1]))
    draw = ImageDraw.Draw(img)
    light_ground = float(patch.mean()) > 140  # dark lettering, mostly; white on a dark ground
    for _ in range(int(rng.integers(1, 4))):
        text = str(_pick(rng, _STAMP_WORDS if rng.random() < 0.6 else _VALUES))
        font = _font(rng, h * rng.uniform(0.08, 0.22))
        while font.size > 7 and font.getlength(text) > 0.9 * w:
            font = load_font(font.path, font.size - 2)
        x = float(rng.uniform(0.04, max(0.05, 0.96 - font.getlength(text) / w))) * w
        spot = int(rng.integers(3))  # along the top, across the middle, along the bottom
        y = (0.04 * h, 0.45 * h - font.size / 2, 0.96 * h - font.size * 1.1)[spot]
        y = min(max(0.0, y), h - font.size * 1.1)
        fill = (20, 20, 20) if light_ground and rng.random() < 0.8 else (250, 250, 250)
        outline = (
            dict(stroke_width=max(1, font.size // 12), stroke_fill=(0, 0, 0)) if rng.random() < 0.2 else {}
        )
        draw.text((x, y), text, font=font, fill=fill, **outline)
    patch = np.asarray(img)[..., ::-1].copy()
    alpha = np.full((h, w), 255, np.uint8)
    if rng.random() < 0.7:
        perforate(alpha, rng, dpi)
    return patch, alpha


def varied_meter(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    """A meter or PC Postage impression of a random layout, as an ink mask."""
    row = rng.random() < 0.25  # the legends in one or two rows beside a small code
    height = int(dpi * (rng.uniform(0.35, 0.6) if row else rng.uniform(0.7, 1.4)))
    width = int(dpi * rng.uniform(1.6, 3.3))
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    x, right = 3, width - 3
    if rng.random() < 0.25 and not row:  # a town-date circle on the left
        r = int(height * rng.uniform(0.3, 0.45))
        draw.ellipse((x, height // 2 - r, x + 2 * r, height // 2 + r), outline=255, width=max(1, dpi // 80))
        small = _font(rng, r * 0.35, ("sans",))
        for dy, text in ((-0.5, zip5), (0.0, postal_date(rng))):
            draw.text(
                (x + r - small.getlength(text) / 2, height / 2 + dy * r - small.size / 2),
                text,
                font=small,
                fill=255,
            )
        x += 2 * r + int(dpi * 0.08)
    code_side = 0
    if rng.random() < 0.8:
        code_side = int(height * (rng.uniform(0.8, 0.95) if row else rng.uniform(0.35, 0.85)))
        code_at = x if rng.random() < 0.7 else right - code_side
        code = data_matrix(rng, code_side, int(rng.integers(12, 32)))
        img.paste(255, (code_at, 2), Image.fromarray(code))
        if code_at == x:
            x += code_side + 6
        else:
            right -= code_side + 6
    legends = [str(_pick(rng, _METER_LEGENDS))]
    amount = f"${float(_pick(rng, (0.5, 0.57, 0.63, 0.69, 0.73, 1.16, 1.39, 4.84, 9.65))):.2f}"
    legends += [amount, postal_date(rng), f"ZIP {zip5}" if rng.random() < 0.5 else f"FROM {zip5}"]
    legends += [
        f"{int(rng.integers(10, 99))}{_pick(rng, ('S', 'H', 'D', 'M'))}{int(rng.integers(10**7, 10**8))}"
    ]
    if rng.random() < 0.4:
        legends.insert(int(rng.integers(len(legends))), str(_pick(rng, _METER_LEGENDS)))
    bottom = height
    if rng.random() < 0.3 and not row:  # a linear barcode under it all
        bar_h = int(height * rng.uniform(0.15, 0.25))
        img.paste(255, (3, height - bar_h - 2), Image.fromarray(linear_barcode(rng, width - 6, bar_h)))
        bottom = height - bar_h - 6
        if rng.random() < 0.6:
            draw.line((3, bottom - 2, width - 3, bottom - 2), fill=255, width=max(1, dpi // 90))
    if row:
        font = _font(rng, height * rng.uniform(0.22, 0.32))
        texts = ["  ".join(legends[:3]), "  ".join(legends[3:])]
        while font.size > 7 and max(font.getlength(text) for text in texts) > right - x:
            font = load_font(font.path, font.size - 1)
        for i, text in enumerate(texts):
            draw.text((x, 2 + i * font.size * 1.15), text, font=font, fill=255)
    else:
        y = 3
        base = max(7, int(bottom / (len(legends) * 1.25)))
        for text in legends:
            size = base * (1.6 if text == amount and rng.random() < 0.6 else 1.0)
            font = _font(rng, size)
            while font.size > 7 and font.getlength(text) > right - x:
                font = load_font(font.path, font.size - 1)
            if y + font.size > bottom:
                break
            draw.text((x, y), text, font=font, fill=255)
            y += int(font.size * 1.12)
    if rng.random() < 0.4:
        radius = int(height * rng.uniform(0.0, 0.1))
        draw.rounded_rectangle(
            (0, 0, width - 1, height - 1), radius=radius, outline=255, width=max(1, dpi // 90)
        )
    return np.asarray(img).copy()
