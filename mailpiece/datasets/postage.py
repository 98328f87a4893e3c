"""Postage as it appears in the top right corner: adhesive stamps, postage-meter impressions, permit
imprints. Stamps are opaque patches with alpha; meters and permits are one-colour ink masks.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mailpiece.datasets.artwork import picture
from mailpiece.datasets.barcodes import data_matrix
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.grain import grain

# Meter and permit inks, BGR: fluorescent red, dark red, blue, black, purple-blue.
METER_INKS: tuple[tuple[int, int, int], ...] = (
    (70, 40, 240),
    (40, 30, 180),
    (150, 60, 20),
    (25, 25, 25),
    (130, 40, 60),
)
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def _pick(rng: np.random.Generator, items: tuple) -> object:
    return items[int(rng.integers(len(items)))]


def postal_date(rng: np.random.Generator) -> str:
    """A plausible date in one of the formats meters and postmarks print."""
    y, m, d = int(rng.integers(2019, 2027)), int(rng.integers(1, 13)), int(rng.integers(1, 29))
    return str(
        _pick(rng, (f"{m:02d}/{d:02d}/{y}", f"{MONTHS[m - 1]} {d:02d} {y}", f"{d:02d} {MONTHS[m - 1]} {y}"))
    )


def perforate(alpha: np.ndarray, rng: np.random.Generator, dpi: int) -> None:
    """Bite semicircles out of every edge (perforated) or ripple it (serpentine die cut)."""
    h, w = alpha.shape
    pitch = max(5, int(dpi * rng.uniform(0.06, 0.09)))
    if rng.random() < 0.6:
        r = max(2, int(pitch * rng.uniform(0.28, 0.38)))
        for x in range(pitch // 2, w, pitch):
            cv2.circle(alpha, (x, 0), r, 0, -1, cv2.LINE_AA)
            cv2.circle(alpha, (x, h - 1), r, 0, -1, cv2.LINE_AA)
        for y in range(pitch // 2, h, pitch):
            cv2.circle(alpha, (0, y), r, 0, -1, cv2.LINE_AA)
            cv2.circle(alpha, (w - 1, y), r, 0, -1, cv2.LINE_AA)
    else:
        amp = max(1.5, pitch * 0.2)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        wave_x = amp * (1 + np.sin(2 * np.pi * yy / pitch))
        wave_y = amp * (1 + np.sin(2 * np.pi * xx / pitch))
        inside = (xx >= wave_x) & (xx <= w - 1 - wave_x) & (yy >= wave_y) & (yy <= h - 1 - wave_y)
        alpha[~inside] = 0


def stamp(rng: np.random.Generator, width: int, height: int, dpi: int) -> tuple[np.ndarray, np.ndarray]:
    """One adhesive stamp: a white-bordered picture with "USA" and a denomination or FOREVER."""
    patch = np.full((height, width, 3), 248, np.uint8)
    margin = max(3, int(min(width, height) * rng.uniform(0.05, 0.1)))
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    patch[margin : margin + inner_h, margin : margin + inner_w] = picture(rng, inner_w, inner_h)
    img = Image.fromarray(np.ascontiguousarray(patch[..., ::-1]))
    draw = ImageDraw.Draw(img)
    face = pick_font(rng, styles=("sans", "serif"), bold_rate=0.6)
    light = rng.random() < 0.5
    fill = (250, 250, 250) if light else (20, 20, 30)
    small = load_font(face.path, max(8, int(inner_h * rng.uniform(0.12, 0.18))))
    denomination = str(
        _pick(rng, ("FOREVER", "FOREVER", "63", "68", "73", "$1", "$2", "10", "5", "USA FIRST-CLASS"))
    )
    corners = [(margin + 3, margin + 2), (margin + 3, height - margin - small.size - 4)]
    if rng.random() < 0.5:
        corners.reverse()
    draw.text(corners[0], "USA", font=small, fill=fill)
    if denomination.startswith(("F", "U")):
        font = _fitting(face.path, small.size, denomination, inner_w - 6)
        draw.text(corners[1], denomination, font=font, fill=fill)
    else:
        big = load_font(face.path, max(10, int(inner_h * rng.uniform(0.2, 0.3))))
        top, bottom = big.getbbox(denomination)[1], big.getbbox(denomination)[3]
        at_bottom = corners[1][1] > height / 2
        y = height - margin - 3 - bottom if at_bottom else margin + 2 - top
        draw.text((width - margin - big.getlength(denomination) - 3, y), denomination, font=big, fill=fill)
    patch = np.asarray(img)[..., ::-1].copy()
    alpha = np.full((height, width), 255, np.uint8)
    perforate(alpha, rng, dpi)
    return patch, alpha


def _fitting(path: str, size: int, text: str, room: float) -> ImageFont.FreeTypeFont:
    """The font at `size`, or smaller so `text` fits in `room` pixels."""
    font = load_font(path, max(7, size))
    length = font.getlength(text)
    if length > room > 0:
        font = load_font(path, max(7, int(font.size * room / length)))
    return font


def meter_mask(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    """A postage-meter impression as an ink mask: a 2-D code, amount, date, origin ZIP, meter number."""
    width, height = int(dpi * rng.uniform(1.9, 2.7)), int(dpi * rng.uniform(0.75, 1.05))
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    code_side = int(height * rng.uniform(0.7, 0.9))
    code_left = rng.random() < 0.75
    cx = 4 if code_left else width - code_side - 4
    cy = (height - code_side) // 2
    code = data_matrix(rng, code_side, int(rng.integers(14, 26)))
    img.paste(255, (cx, cy), Image.fromarray(code))
    face = pick_font(rng, styles=("sans", "mono", "serif"), bold_rate=0.5)
    tx = cx + code_side + 8 if code_left else 6
    value = float(rng.choice([0.5, 0.57, 0.63, 0.68, 0.73, 1.11, 1.35, 2.02, 4.84]))
    amount = f"${value:.2f}" if rng.random() < 0.7 else f"${value:06.2f}"  # meters often pad: $000.63
    lines = [
        (
            str(_pick(rng, ("US POSTAGE", "U.S. POSTAGE", "US POSTAGE AND FEES PAID", "FIRST-CLASS MAIL"))),
            0.13,
        ),
        (amount, 0.26),
        (postal_date(rng), 0.12),
        (f"ZIP {zip5}", 0.12),
        (
            f"{int(rng.integers(10, 99)):02d}{chr(65 + int(rng.integers(26)))}{int(rng.integers(1e7, 1e8))}",
            0.11,
        ),
    ]
    if rng.random() < 0.4:
        lines.insert(0, (str(_pick(rng, ("IMI", "ComBasPrice", "PRIORITY MAIL", "NEOPOST", "FP"))), 0.11))
    y = 3
    room = (width - 4 - tx) if code_left else (cx - 6 - tx)
    for text, frac in lines:
        font = _fitting(face.path, int(height * frac), text, room)
        draw.text((tx, y), text, font=font, fill=255)
        y += int(font.size * 1.1)
    if rng.random() < 0.5:
        draw.rounded_rectangle(
            (1, 1, width - 2, height - 2), radius=int(height * 0.08), outline=255, width=max(1, dpi // 100)
        )
    return _fade(np.asarray(img), rng)


PERMIT_TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("PRSRT STD", "US POSTAGE PAID", "{city} {st}", "PERMIT NO {no}"),
    ("PRESORTED", "STANDARD", "U.S. POSTAGE", "PAID", "{city}, {st}", "PERMIT #{no}"),
    ("FIRST-CLASS MAIL", "U.S. POSTAGE", "PAID", "{city} {st}", "PERMIT NO. {no}"),
    ("PRSRT FIRST CLASS", "US POSTAGE PAID", "{company}"),
    ("NONPROFIT ORG", "U.S. POSTAGE", "PAID", "{city} {st}", "PERMIT NO {no}"),
    ("MKT MAIL", "US POSTAGE", "PAID", "{company}"),
)


def permit_mask(rng: np.random.Generator, dpi: int, city: str, state: str, company: str) -> np.ndarray:
    """A boxed permit imprint ("PRSRT STD / US POSTAGE PAID / CITY ST / PERMIT NO 123") as an ink mask."""
    template = PERMIT_TEMPLATES[int(rng.integers(len(PERMIT_TEMPLATES)))]
    lines = [t.format(city=city, st=state, no=int(rng.integers(1, 9999)), company=company) for t in template]
    face = pick_font(rng, styles=("sans", "serif", "mono"), bold_rate=0.5, italic_rate=0.0)
    font = load_font(face.path, max(8, int(dpi * rng.uniform(0.085, 0.12))))
    widest = max(font.getlength(line) for line in lines)
    pitch = int(font.size * rng.uniform(1.05, 1.3))
    pad = int(font.size * rng.uniform(0.4, 0.9))
    width, height = int(widest + 2 * pad), pitch * len(lines) + 2 * pad
    img = Image.new("L", (width, height), 0)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text(((width - font.getlength(line)) / 2, pad + i * pitch), line, font=font, fill=255)
    stroke = max(1, int(dpi * rng.uniform(0.005, 0.015)))
    draw.rectangle((0, 0, width - 1, height - 1), outline=255, width=stroke)
    if rng.random() < 0.2:
        draw.rectangle(
            (stroke + 2, stroke + 2, width - stroke - 3, height - stroke - 3), outline=255, width=1
        )
    return _fade(np.asarray(img), rng)


def cancellation_mask(
    rng: np.random.Generator, dpi: int, width: int, height: int, city: str, state: str
) -> np.ndarray:
    """Wavy cancel lines and/or a circular postmark, drawn over a (width, height) area that covers stamps."""
    mask = np.zeros((height, width), np.uint8)
    thick = max(1, int(dpi * rng.uniform(0.008, 0.016)))
    if rng.random() < 0.8:
        n = int(rng.integers(4, 8))
        gap = height / (n + 1)
        amp, period, phase = gap * rng.uniform(0.15, 0.35), dpi * rng.uniform(0.25, 0.5), rng.uniform(0, 6.3)
        xs = np.arange(0, width, 2, dtype=np.float32)
        for i in range(1, n + 1):
            ys = gap * i + amp * np.sin(2 * np.pi * xs / period + phase)
            pts = np.stack([xs, ys], axis=1).astype(np.int32)
            cv2.polylines(mask, [pts], False, 255, thick, cv2.LINE_AA)
    if rng.random() < 0.6:
        r = int(min(height * 0.48, dpi * rng.uniform(0.35, 0.5)))
        cx, cy = int(rng.uniform(r, max(r + 1, width - r))), height // 2
        cv2.circle(mask, (cx, cy), r, 255, thick, cv2.LINE_AA)
        face = pick_font(rng, styles=("sans",), italic_rate=0.0)
        font = load_font(face.path, max(7, r // 4))
        img = Image.fromarray(mask)
        draw = ImageDraw.Draw(img)
        for text, dy in (
            (f"{city[:12]} {state}", -r * 0.55),
            (postal_date(rng), -r * 0.12),
            ("PM" if rng.random() < 0.5 else "AM", r * 0.3),
        ):
            draw.text((cx - font.getlength(text) / 2, cy + dy), text, font=font, fill=255)
        mask = np.asarray(img).copy()
    return _fade(mask, rng)


def _fade(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uneven inking: some impressions are light and speckled where the ink ran dry."""
    strength = float(rng.uniform(0.0, 0.7)) if rng.random() < 0.5 else 0.0
    if strength == 0.0:
        return mask
    keep = 1.0 - strength * np.clip(0.5 + grain(rng, *mask.shape) * 0.5, 0, 1)
    return (mask * keep).astype(np.uint8)
