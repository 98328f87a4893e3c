"""What the generator never draws: the CNN's calls on other stamp designs, meter styles, permit imprints
and damage renderings, beside the generator's own on the same pieces.

    .venv/bin/python bench/cnn_stress.py [--seed 21280] [--count 300] [--out /tmp/cnn-stress]
        [--variants original,stamps,meters,permits,torn,creased,stained,crushed] [--workers 2]
        [--checkpoint PATH ...]

Each variant renders the first COUNT frames of dataset SEED with the stock generator, except that one
kind of postage or damage is drawn by a held-out renderer of this script (not in the package, so no
training run ever sees it). The held-out renderer runs after the stock one has made its random draws, so
the rest of every frame (the address, the artwork, the belt, the camera) is the same as in ``original``:
a variant differs from it only in its postage or its damage. Then the inspector (tesserocr, on the CPU,
one core per job) reads every frame with each checkpoint (default: the shipped one; give
``--checkpoint`` more than once to compare models on the same frames) and the table gives, from the
records' reasons, the unpaid pieces caught, the damaged pieces caught, the good pieces rejected, and for
the variant's kind the share of pieces called unpaid (postage) or caught (damage). Nothing is asserted.

Held-out renderings:

- ``stamps``: minimalist stamps (a line drawing on white, straight die-cut edges), full-bleed pictures with
  outlined lettering, stamps framed in colour with the value on a band, one-ink engraved stamps (hatched),
  and large Priority Mail Express labels; 0.7-1.4 times the stock sizes.
- ``meters``: PC Postage labels (a large 2-D code, a rule, an IBI number and a linear barcode), analogue
  meter impressions (a town-date circle beside a framed indicium with digit cells and a row of stars), and
  one-line indicia (a small code and the values in a single row).
- ``permits``: the Postal Service's own "POSTAGE & FEES PAID / USPS / PERMIT NO. G-10", imprints ruled
  between lines, unboxed imprints, and rounded boxes with "BULK RATE" or "ECRWSS" lines.
- ``torn``: an edge chewed by a machine (a ragged strip missing along part of one side).
- ``creased``: a dog-eared corner folded over (the paper's plain back showing) or a letter's two sharp
  tri-fold lines.
- ``stained``: splatter (drops of a dark liquid and a smear).
- ``crushed``: wrinkles (a network of thin ridges and valleys) without the stock crush's facets.

Results of this check are in docs/cnn.md ("What the generator never draws").
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # one Tesseract thread, as in a worker

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

VARIANTS = ("original", "stamps", "meters", "permits", "torn", "creased", "stained", "crushed")
_KIND_OF = {"stamps": "stamp", "meters": "meter", "permits": "permit"}
_DAMAGE_OF = {"torn": "torn", "creased": "creased", "stained": "stained", "crushed": "crushed"}
_INKS = ((40, 40, 40), (120, 60, 20), (30, 30, 150), (40, 100, 30), (110, 40, 110), (20, 90, 160))


def _font(rng: np.random.Generator, size: int, styles: tuple[str, ...] = ("sans", "serif")):
    from mailpiece.datasets.fonts import load_font, pick_font

    return load_font(pick_font(rng, styles=styles, bold_rate=0.5, italic_rate=0.0).path, max(7, size))


def _pick(rng: np.random.Generator, items: tuple):
    return items[int(rng.integers(len(items)))]


# ----------------------------------------------------------------------------------------------- stamps
def _minimal(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A line drawing (a flower, a leaf or a house) in one or two inks on white, the value small."""
    img = Image.new("RGB", (w, h), (252, 252, 250))
    draw = ImageDraw.Draw(img)
    ink = tuple(int(c) for c in _pick(rng, _INKS))
    second = tuple(int(c) for c in _pick(rng, _INKS))
    line = max(1, min(w, h) // 45)
    cx, cy, r = w * rng.uniform(0.35, 0.65), h * rng.uniform(0.4, 0.6), min(w, h) * rng.uniform(0.18, 0.3)
    shape = int(rng.integers(3))
    if shape == 0:  # a flower: petals round a centre, a stem
        for k in range(int(rng.integers(5, 9))):
            a = 2 * np.pi * k / 7
            px, py = cx + r * 0.7 * np.cos(a), cy - h * 0.1 + r * 0.7 * np.sin(a)
            draw.ellipse(
                (px - r * 0.35, py - r * 0.35, px + r * 0.35, py + r * 0.35), outline=ink, width=line
            )
        draw.line((cx, cy - h * 0.1 + r * 0.4, cx, h * 0.85), fill=second, width=line)
    elif shape == 1:  # a leaf: two arcs and a vein
        draw.arc((cx - r, cy - r * 1.6, cx + r, cy + r * 1.6), 100, 260, fill=ink, width=line)
        draw.arc((cx - r, cy - r * 1.6, cx + r, cy + r * 1.6), -80, 80, fill=ink, width=line)
        draw.line((cx, cy - r * 1.5, cx, cy + r * 1.7), fill=second, width=line)
    else:  # a house: a square and a roof
        draw.rectangle((cx - r, cy - r * 0.3, cx + r, cy + r * 1.2), outline=ink, width=line)
        draw.polygon(
            [(cx - r * 1.2, cy - r * 0.3), (cx, cy - r * 1.3), (cx + r * 1.2, cy - r * 0.3)], outline=ink
        )
    font = _font(rng, int(h * rng.uniform(0.08, 0.12)))
    draw.text((w * 0.08, h * 0.05), "USA", font=font, fill=ink)
    draw.text((w * 0.08, h * 0.88 - font.size), str(_pick(rng, ("FOREVER", "73", "1"))), font=font, fill=ink)
    return np.asarray(img)[..., ::-1].copy()


def _bleed(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A picture to the edges, the lettering white with a dark outline."""
    from mailpiece.datasets.artwork import picture

    img = Image.fromarray(np.ascontiguousarray(picture(rng, w, h)[..., ::-1]))
    draw = ImageDraw.Draw(img)
    font = _font(rng, int(h * rng.uniform(0.1, 0.16)))
    stroke = max(1, font.size // 10)
    draw.text(
        (w * 0.06, h * 0.04),
        "USA",
        font=font,
        fill=(255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0),
    )
    value = str(_pick(rng, ("FOREVER", "68", "$1.50", "POSTCARD")))
    draw.text(
        (w * 0.06, h * 0.94 - font.size),
        value,
        font=font,
        fill=(255, 255, 255),
        stroke_width=stroke,
        stroke_fill=(0, 0, 0),
    )
    return np.asarray(img)[..., ::-1].copy()


def _banded(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A picture in a coloured frame, the value in a band of another colour along the bottom."""
    from mailpiece.datasets.artwork import picture, vivid

    frame = np.array(vivid(rng), np.uint8)
    patch = np.empty((h, w, 3), np.uint8)
    patch[:] = frame
    m = max(3, int(min(w, h) * rng.uniform(0.06, 0.1)))
    band = int(h * rng.uniform(0.18, 0.25))
    patch[m : h - band, m : w - m] = picture(rng, w - 2 * m, h - band - m)
    img = Image.fromarray(np.ascontiguousarray(patch[..., ::-1]))
    draw = ImageDraw.Draw(img)
    font = _font(rng, int(band * 0.6))
    text = f"USA {_pick(rng, ('FOREVER', '73', '2', 'FIRST-CLASS'))}"
    light = int(frame.mean()) < 128
    draw.text(
        (m + 2, h - band + (band - font.size) / 2),
        text,
        font=font,
        fill=(250, 250, 250) if light else (20, 20, 20),
    )
    return np.asarray(img)[..., ::-1].copy()


def _engraved(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """One ink on cream: an oval vignette of hatching (a portrait's shading), a frame line, lettering."""
    ink = np.array(_pick(rng, _INKS), np.float32)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = w / 2, h * rng.uniform(0.42, 0.5)
    inside = ((x - cx) / (w * 0.36)) ** 2 + ((y - cy) / (h * 0.34)) ** 2 < 1
    head = ((x - cx) / (w * 0.15)) ** 2 + ((y - cy + h * 0.06) / (h * 0.17)) ** 2 < 1
    pitch = max(2, int(min(w, h) / rng.uniform(25, 40)))
    hatch = (y.astype(int) % pitch) < max(1, pitch // 2)
    darkness = np.where(inside & ~head, hatch * 0.9, 0) + np.where(
        head, ((x.astype(int) % pitch) < 1) * 0.6, 0
    )
    darkness[:2] = darkness[-2:] = darkness[:, :2] = darkness[:, -2:] = 1.0
    cream = np.array((225, 240, 246), np.float32)
    patch = cream * (1 - darkness[..., None]) + ink * darkness[..., None]
    img = Image.fromarray(np.ascontiguousarray(patch.astype(np.uint8)[..., ::-1]))
    draw = ImageDraw.Draw(img)
    font = _font(rng, int(h * 0.1), styles=("serif",))
    fill = tuple(int(c) for c in ink[::-1])
    draw.text((w * 0.1, h * 0.85 - font.size * 0.2), "UNITED STATES", font=font, fill=fill)
    draw.text((w * 0.72, h * 0.05), str(_pick(rng, ("5c", "10", "29", "34"))), font=font, fill=fill)
    return np.asarray(img)[..., ::-1].copy()


def _express(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A large, wide Priority Mail Express stamp: a dark field, a chevron, big white lettering."""
    w, h = max(w, h) * 3 // 2, min(w, h)
    patch = np.empty((h, w, 3), np.uint8)
    patch[:] = _pick(rng, ((90, 40, 20), (40, 30, 140), (20, 20, 20)))
    img = Image.fromarray(np.ascontiguousarray(patch[..., ::-1]))
    draw = ImageDraw.Draw(img)
    draw.polygon([(w * 0.05, h * 0.2), (w * 0.25, h * 0.5), (w * 0.05, h * 0.8)], fill=(240, 240, 240))
    font = _font(rng, int(h * 0.16), styles=("sans",))
    draw.text((w * 0.3, h * 0.15), "PRIORITY MAIL", font=font, fill=(255, 255, 255))
    draw.text((w * 0.3, h * 0.42), "EXPRESS", font=font, fill=(255, 255, 255))
    draw.text(
        (w * 0.3, h * 0.7), f"USA ${_pick(rng, ('26.95', '28.75', '30.45'))}", font=font, fill=(255, 255, 255)
    )
    return np.asarray(img)[..., ::-1].copy()


def held_out_stamp(
    rng: np.random.Generator, width: int, height: int, dpi: int
) -> tuple[np.ndarray, np.ndarray]:
    scale = rng.uniform(0.7, 1.4)
    w, h = max(24, int(width * scale)), max(24, int(height * scale))
    design = _pick(rng, (_minimal, _bleed, _banded, _engraved, _express))
    patch = design(rng, w, h)
    alpha = np.full(patch.shape[:2], 255, np.uint8)
    if design is not _minimal and rng.random() < 0.5:  # a serpentine die cut
        from mailpiece.datasets.postage import perforate

        perforate(alpha, rng, dpi)
    elif design is _minimal:  # a thin grey edge, straight cut
        patch[[0, -1]] = patch[:, [0, -1]] = 205
    return patch, alpha


# ----------------------------------------------------------------------------------------------- meters
def _pc_label(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    from mailpiece.datasets.barcodes import data_matrix, linear_barcode
    from mailpiece.datasets.postage import postal_date

    w, h = int(dpi * rng.uniform(2.2, 3.0)), int(dpi * rng.uniform(1.0, 1.4))
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    side = int(h * 0.55)
    img.paste(255, (4, 4), Image.fromarray(data_matrix(rng, side, int(rng.integers(20, 32)))))
    tx = side + 12
    font = _font(rng, int(h * 0.1), styles=("sans",))
    big = _font(rng, int(h * 0.2), styles=("sans",))
    draw.text((tx, 4), "US POSTAGE  IMI", font=font, fill=255)
    draw.text((tx, 6 + font.size), f"${_pick(rng, ('0.73', '0.69', '1.39', '5.15'))}", font=big, fill=255)
    draw.text((tx, 10 + font.size + big.size), f"FROM {zip5}  {postal_date(rng)}", font=font, fill=255)
    draw.text(
        (tx, 12 + 2 * font.size + big.size),
        f"0{rng.integers(10, 99)}S000{rng.integers(10**6, 10**7)}",
        font=font,
        fill=255,
    )
    rule = int(h * 0.62)
    draw.line((4, rule, w - 4, rule), fill=255, width=max(1, dpi // 80))
    draw.text(
        (6, rule + 4),
        str(_pick(rng, ("FIRST-CLASS MAIL", "USPS FIRST-CLASS MAIL", "PRIORITY MAIL"))),
        font=font,
        fill=255,
    )
    mask = np.asarray(img).copy()
    top = rule + 8 + font.size
    if top < h - 8:
        mask[top : h - 4, 6 : w - 6] = linear_barcode(rng, w - 12, h - 4 - top, inked=0.5)
    return mask


def _analogue(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    from mailpiece.datasets.postage import postal_date

    w, h = int(dpi * rng.uniform(2.4, 3.0)), int(dpi * rng.uniform(0.9, 1.1))
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    r = int(h * 0.42)
    draw.ellipse((4, h // 2 - r, 4 + 2 * r, h // 2 + r), outline=255, width=2)
    small = _font(rng, int(h * 0.11), styles=("sans",))
    draw.text(
        (4 + r - small.getlength(postal_date(rng)) / 2, h // 2 - small.size / 2),
        postal_date(rng),
        font=small,
        fill=255,
    )
    draw.text((4 + r * 0.4, h // 2 - r * 0.7), f"{zip5}", font=small, fill=255)
    x0 = 2 * r + 18
    draw.rectangle((x0, 2, w - 3, h - 3), outline=255, width=2)
    draw.text((x0 + 6, 6), "UNITED STATES POSTAGE", font=small, fill=255)
    stars_y = 8 + small.size
    for k in range(7):
        sx = x0 + 10 + k * (w - x0 - 20) / 7
        draw.regular_polygon((sx + 5, stars_y + 5, 4), 5, fill=255)
    cells = "000.73" if rng.random() < 0.5 else "000.58"
    big = _font(rng, int(h * 0.3), styles=("mono", "sans"))
    cw = (w - x0 - 20) / len(cells)
    cy = stars_y + 16
    for k, ch in enumerate(cells):
        cx = x0 + 10 + k * cw
        draw.rectangle((cx, cy, cx + cw - 3, cy + big.size + 4), outline=255, width=1)
        draw.text((cx + 3, cy + 2), ch, font=big, fill=255)
    draw.text((x0 + 6, h - small.size - 6), f"PB{rng.integers(10**6, 10**7)}", font=small, fill=255)
    return np.asarray(img).copy()


def _one_line(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    from mailpiece.datasets.barcodes import data_matrix
    from mailpiece.datasets.postage import postal_date

    h = int(dpi * rng.uniform(0.4, 0.55))
    font = _font(rng, int(h * 0.26), styles=("sans", "mono"))
    text = f"US POSTAGE ${_pick(rng, ('0.73', '0.57', '2.03'))}  {postal_date(rng)}  FROM {zip5}"
    w = int(h + 12 + font.getlength(text) + 8)
    img = Image.new("L", (w, h), 0)
    img.paste(255, (2, 2), Image.fromarray(data_matrix(rng, h - 4, 16)))
    draw = ImageDraw.Draw(img)
    draw.text((h + 8, (h - font.size) / 2 - font.size * 0.35), text, font=font, fill=255)
    draw.text((h + 8, h / 2 + 1), f"{rng.integers(10**9, 10**10)}", font=font, fill=255)
    return np.asarray(img).copy()


def held_out_meter(rng: np.random.Generator, dpi: int, zip5: str) -> np.ndarray:
    return _pick(rng, (_pc_label, _analogue, _one_line))(rng, dpi, zip5)


# ---------------------------------------------------------------------------------------------- permits
def held_out_permit(rng: np.random.Generator, dpi: int, city: str, state: str, company: str) -> np.ndarray:
    style = int(rng.integers(4))
    no = int(rng.integers(1, 9999))
    lines = (
        ["POSTAGE & FEES PAID", "USPS", "PERMIT NO. G-10"],
        ["PRESORTED", "FIRST-CLASS MAIL", "U.S. POSTAGE PAID", f"{city} {state}", f"PERMIT NO. {no}"],
        ["PRSRT STD", "AUTO", "U.S. POSTAGE PAID", f"{company}"],
        ["BULK RATE", "U.S. POSTAGE", "PAID", f"PERMIT {no}", "ECRWSS"],
    )[style]
    font = _font(rng, int(dpi * rng.uniform(0.08, 0.11)), styles=("sans", "serif", "mono"))
    pitch = int(font.size * (1.5 if style == 1 else 1.15))
    pad = int(font.size * 0.6)
    w = int(max(font.getlength(t) for t in lines) + 2 * pad)
    h = pitch * len(lines) + 2 * pad
    img = Image.new("L", (w, h), 0)
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text(((w - font.getlength(text)) / 2, pad + i * pitch), text, font=font, fill=255)
        if style == 1 and i < len(lines) - 1:
            y = pad + (i + 1) * pitch - (pitch - font.size) // 2
            draw.line((3, y, w - 4, y), fill=255, width=1)
    if style in (0, 1):
        draw.rectangle((0, 0, w - 1, h - 1), outline=255, width=max(1, dpi // 70))
    elif style == 3:
        draw.rounded_rectangle((0, 0, w - 1, h - 1), radius=font.size, outline=255, width=2)
    return np.asarray(img).copy()


# ----------------------------------------------------------------------------------------------- damage
def held_out_tear(image, alpha, ink, rng, severity, target, postage_box) -> float:
    """An edge chewed by a machine: a ragged strip missing along part of one side."""
    from mailpiece.datasets.damage import ink_loss

    h, w = alpha.shape
    side = int(rng.integers(4))
    length = w if side in (0, 2) else h
    depth = (0.03 + 0.1 * severity) * min(h, w)
    start = rng.uniform(0, 0.5) * length
    span = rng.uniform(0.3, 0.7) * length
    t = np.arange(int(start), int(min(length, start + span)))
    if len(t) < 2:
        return 0.0
    profile = depth * (0.4 + 0.6 * np.sin(np.pi * (t - t[0]) / max(1, t[-1] - t[0])))
    profile = np.clip(profile + rng.normal(0, depth * 0.12, len(t)).cumsum() * 0.05, 1, None)
    cut = np.zeros((h, w), np.uint8)
    for ti, d in zip(t, profile.astype(int), strict=True):
        if side == 0:
            cut[:d, ti] = 255
        elif side == 2:
            cut[h - d :, ti] = 255
        elif side == 1:
            cut[ti, w - d :] = 255
        else:
            cut[ti, :d] = 255
    if postage_box is not None:
        x0, y0, x1, y1 = postage_box
        cut[y0:y1, x0:x1] = 0
    alpha[cut > 0] = 0
    rim = cv2.dilate(cut, np.ones((5, 5), np.uint8)) & ~cut
    image[rim > 0] = (image[rim > 0] * 0.4 + 255 * 0.6).astype(np.uint8)
    return ink_loss(ink[..., 1], cut > 0)


def held_out_crease(image, rng, severity) -> None:
    """A dog-eared corner folded over (its plain back showing, a shadow under the fold) or two sharp
    tri-fold lines across the piece."""
    h, w = image.shape[:2]
    if rng.random() < 0.5:
        leg = int((0.12 + 0.2 * severity) * min(h, w) * rng.uniform(0.8, 1.2))
        corner = int(rng.integers(4))
        pts = {0: [(0, 0), (leg, 0), (0, leg)], 1: [(w - 1, 0), (w - 1 - leg, 0), (w - 1, leg)],
               2: [(w - 1, h - 1), (w - 1 - leg, h - 1), (w - 1, h - 1 - leg)],
               3: [(0, h - 1), (leg, h - 1), (0, h - 1 - leg)]}[corner]  # fmt: skip
        tri = np.array(pts, np.int32)
        back = np.median(image.reshape(-1, 3), axis=0) * rng.uniform(0.85, 1.05)
        shadow = np.zeros((h, w), np.uint8)
        cv2.line(shadow, pts[1], pts[2], 255, max(3, leg // 15))
        shadow = cv2.GaussianBlur(shadow, (0, 0), max(2, leg / 25)).astype(np.float32) / 255
        image[:] = np.clip(image * (1 - 0.35 * shadow[..., None]), 0, 255).astype(np.uint8)
        cv2.fillConvexPoly(image, tri, tuple(float(v) for v in np.clip(back, 0, 255)), cv2.LINE_AA)
        cv2.line(image, pts[1], pts[2], tuple(float(v) * 0.7 for v in back), 2, cv2.LINE_AA)
        return
    factor = np.ones((h, w), np.float32)
    for k in (1, 2):
        y = int(h * k / 3 + rng.normal(0, h * 0.02))
        line = np.zeros((h, w), np.float32)
        cv2.line(line, (0, y), (w - 1, y + int(rng.normal(0, h * 0.01))), 1.0, max(1, int(1 + 2 * severity)))
        line = cv2.GaussianBlur(line, (0, 0), 1.0)
        factor *= 1 - (0.25 + 0.3 * severity) * line
        factor[y + 3 :] *= 1 - 0.04 * severity * k
    image[:] = np.clip(image * factor[..., None], 0, 255).astype(np.uint8)


def held_out_stain(image, ink, rng, severity, dpi, target) -> float:
    """Splatter: drops of a dark liquid and a smear, translucent (the text under it stays legible)."""
    h, w = image.shape[:2]
    opacity = np.zeros((h, w), np.float32)
    cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
    for _ in range(int(8 + 30 * severity)):
        r = dpi * rng.uniform(0.02, 0.08 + 0.1 * severity)
        dx, dy = rng.normal(0, dpi * (0.3 + 0.5 * severity), 2)
        axes = (max(1, int(r)), max(1, int(r * rng.uniform(0.5, 1.0))))
        cv2.ellipse(opacity, (int(cx + dx), int(cy + dy)), axes, float(rng.uniform(0, 180)), 0, 360,
                    float(rng.uniform(0.3, 0.7)), -1, cv2.LINE_AA)  # fmt: skip
    x1, y1 = cx + rng.normal(0, dpi), cy + rng.normal(0, dpi * 0.5)
    cv2.line(opacity, (int(cx), int(cy)), (int(x1), int(y1)), 0.35, max(2, int(dpi * 0.08)), cv2.LINE_AA)
    opacity = cv2.GaussianBlur(opacity, (0, 0), 1.5)
    colour = np.array(_pick(rng, ((40, 60, 90), (30, 30, 30), (60, 40, 120), (40, 90, 60))), np.float32)
    stained = image * (1 - opacity[..., None] * (1 - colour / 255.0))
    image[:] = np.clip(stained, 0, 255).astype(np.uint8)
    return 0.0


def held_out_crush(image, alpha, ink, rng, severity):
    """Wrinkles: a network of thin ridges and valleys, the sheet only a little warped."""
    h, w = image.shape[:2]
    ridges = np.zeros((h, w), np.float32)
    for _ in range(int(15 + 45 * severity)):
        x, y = rng.uniform(0, w), rng.uniform(0, h)
        pts = [(x, y)]
        angle = rng.uniform(0, 2 * np.pi)
        for _ in range(int(rng.integers(2, 6))):
            angle += rng.normal(0, 0.6)
            step = rng.uniform(0.03, 0.12) * max(h, w)
            x, y = x + step * np.cos(angle), y + step * np.sin(angle)
            pts.append((x, y))
        sign = 1.0 if rng.random() < 0.5 else -1.0
        thick = max(1, int(1 + 2 * severity))
        cv2.polylines(ridges, [np.array(pts, np.int32)], False, sign, thick, cv2.LINE_AA)
    ridges = cv2.GaussianBlur(ridges, (0, 0), 1.2)
    shade = 1 + (0.12 + 0.25 * severity) * np.clip(ridges, -1, 1)
    image = np.clip(image * shade[..., None], 0, 255).astype(np.uint8)
    return image, alpha, ink


# ------------------------------------------------------------------------------------------- rendering
def _same_draws(stock: Callable, held_out: Callable, *, copies: bool = False) -> Callable:
    """``held_out`` drawn with its own generator, after ``stock`` made its draws from the frame's one (its
    output dropped; with ``copies`` it works on copies of the arrays it would change in place), so
    everything drawn after matches the stock frame."""

    def draw(*args):
        rng = next(a for a in args if isinstance(a, np.random.Generator))
        twin = np.random.Generator(type(rng.bit_generator)())
        twin.bit_generator.state = rng.bit_generator.state
        own = np.random.default_rng([int(twin.integers(2**62)), 2])
        stock(*(a.copy() if copies and isinstance(a, np.ndarray) else a for a in args))
        return held_out(*(own if a is rng else a for a in args))

    return draw


def render_variant(args: tuple[str, int, int, Path]) -> Path:
    """Write the first ``count`` frames of ``seed`` with the variant's postage or damage under
    ``out/name`` (in a process of its own: the generator is patched there)."""
    name, seed, count, out = args
    from mailpiece.datasets import postage_corner, render
    from mailpiece.datasets.writer import write_dataset

    target = out / name
    labels = target / "labels.jsonl"
    if labels.is_file() and len(labels.read_text().splitlines()) == count:
        return target
    patches = {
        "stamps": (postage_corner, "stamp", held_out_stamp, False),
        "meters": (postage_corner, "meter_mask", held_out_meter, False),
        "permits": (postage_corner, "permit_mask", held_out_permit, False),
        "torn": (render, "tear", held_out_tear, True),
        "creased": (render, "crease", held_out_crease, True),
        "stained": (render, "stain", held_out_stain, True),
        "crushed": (render, "crush", held_out_crush, True),
    }
    if name in patches:
        module, attr, held_out, copies = patches[name]
        setattr(module, attr, _same_draws(getattr(module, attr), held_out, copies=copies))
    write_dataset(target, count, seed, workers=1, progress=False)
    return target


def _tag(checkpoint: Path | None) -> str:
    from mailpiece.models.checkpoint import default_checkpoint_path

    if checkpoint is None or checkpoint.resolve() == default_checkpoint_path().resolve():
        return "shipped"
    return checkpoint.parent.name if checkpoint.stem == "postage_damage" else checkpoint.stem


def score_variant(args: tuple[str, Path, int, Path | None]) -> tuple[tuple[str, str], dict]:
    """Inspect one variant's frames with one checkpoint and score the records' reasons."""
    name, folder, count, checkpoint = args
    from mailpiece.datasets.labels import read_labels
    from mailpiece.inspect.factory import build_inspector, use_one_core
    from mailpiece.inspect.frame import Frame

    use_one_core()
    inspector = build_inspector(cnn=True, device="cpu", checkpoint=checkpoint)
    kind, damage = _KIND_OF.get(name), _DAMAGE_OF.get(name)
    keys = (
        "unpaid",
        "unpaid_caught",
        "damaged",
        "damaged_caught",
        "good",
        "good_rejected",
        "kind",
        "kind_hit",
    )
    tally = dict.fromkeys(keys, 0)
    rows = []
    for label in read_labels(folder)[:count]:
        result = inspector(Frame.from_path(folder / label.image))
        reasons = set(result.reasons)
        unpaid, damaged = label.postage.kind == "none", label.damage.kind != "none"
        tally["unpaid"] += unpaid
        tally["unpaid_caught"] += unpaid and "no_postage" in reasons
        tally["damaged"] += damaged
        tally["damaged_caught"] += damaged and "damaged" in reasons
        good = not unpaid and not damaged
        tally["good"] += good
        tally["good_rejected"] += good and bool(reasons & {"no_postage", "damaged"})
        if damage is not None:
            if label.damage.kind == damage:
                tally["kind"] += 1
                tally["kind_hit"] += "damaged" in reasons
        elif not unpaid and label.postage.kind == (kind or label.postage.kind):
            tally["kind"] += 1
            tally["kind_hit"] += "no_postage" in reasons
        rows.append({"piece_id": label.piece_id, "reasons": sorted(reasons),
                     "postage": None if result.postage is None else result.postage.kind,
                     "damage": None if result.damage is None else result.damage.kind,
                     "true_postage": label.postage.kind, "true_damage": label.damage.kind})  # fmt: skip
    (folder / f"calls-{_tag(checkpoint)}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return (name, _tag(checkpoint)), tally


def main() -> None:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--seed", type=int, default=21280, help="the dataset seed the variants share")
    parser.add_argument("--count", type=int, default=300, help="frames per variant")
    parser.add_argument("--out", type=Path, default=Path("/tmp/cnn-stress"), help="where variants go")
    parser.add_argument(
        "--variants", default=",".join(VARIANTS), help="comma-separated, of: " + ", ".join(VARIANTS)
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="jobs run at once")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        action="append",
        help="a checkpoint to score (repeatable; default: shipped)",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = sorted(set(names) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    checkpoints = args.checkpoint or [None]
    spawn = multiprocessing.get_context("spawn")  # each variant patches the generator in its own process
    workers = max(1, args.workers)
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn, max_tasks_per_child=1) as pool:
        jobs = [(n, args.seed, args.count, args.out) for n in names]
        folders = dict(zip(names, pool.map(render_variant, jobs), strict=True))
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn) as pool:
        scores = dict(
            pool.map(score_variant, [(n, folders[n], args.count, c) for n in names for c in checkpoints])
        )

    def rate(num: str, den: str, s: dict) -> str:
        return f"{100 * s[num] / s[den]:.1f}% ({s[num]}/{s[den]})" if s[den] else "-"

    table = Table(title=f"seed {args.seed}, first {args.count} frames per variant (records' reasons)")
    columns = (
        "unpaid caught",
        "damaged caught",
        "good rejected",
        "its kind: paid called unpaid / damage caught",
    )
    for column in ("variant", "checkpoint", *columns):
        table.add_column(column, justify="left" if column in ("variant", "checkpoint") else "right")
    pairs = (("unpaid_caught", "unpaid"), ("damaged_caught", "damaged"), ("good_rejected", "good"))
    for (name, tag), s in scores.items():
        table.add_row(name, tag, *(rate(num, den, s) for num, den in (*pairs, ("kind_hit", "kind"))))
    Console().print(table)


if __name__ == "__main__":
    main()
