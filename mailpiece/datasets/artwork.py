"""Printed colour artwork: stamp pictures, company logos, advertising bursts and charity seals.

Logos, bursts and seals near the top right are hard negatives: colourful, postage-sized, but not postage.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image, ImageDraw

from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.grain import smooth_field

SLOGANS = (
    "FREE GIFT INSIDE",
    "OPEN NOW!",
    "LIMITED TIME",
    "YOU'RE PRE-APPROVED",
    "SAVE 50%",
    "ACT NOW",
    "IMPORTANT INFORMATION",
    "SPECIAL OFFER",
    "DON'T MISS OUT",
    "THANK YOU!",
    "NEW",
    "SALE",
    "YOUR NEW CARD IS HERE",
    "EXCLUSIVE MEMBER RATE",
    "CALL TODAY",
)
ENDORSEMENTS = (
    "RETURN SERVICE REQUESTED",
    "ADDRESS SERVICE REQUESTED",
    "CHANGE SERVICE REQUESTED",
    "ELECTRONIC SERVICE REQUESTED",
    "TIME SENSITIVE",
    "TIME SENSITIVE MATERIAL",
    "PRSRT STD",
    "IMPORTANT TAX DOCUMENT",
    "DATED MATERIAL - OPEN IMMEDIATELY",
    "DO NOT BEND",
    "PHOTOS - DO NOT BEND",
    "FORWARDING SERVICE REQUESTED",
    "OFFICIAL BUSINESS",
    "PERSONAL & CONFIDENTIAL",
)


def vivid(rng: np.random.Generator) -> tuple[int, int, int]:
    """A saturated printing colour, BGR."""
    hsv = np.uint8([[[rng.integers(0, 180), rng.integers(120, 256), rng.integers(90, 240)]]])
    return tuple(int(v) for v in cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0])


def _gradient(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A two-colour linear gradient in a random direction, sometimes fading to a pale tint."""
    c1, c2 = np.array(vivid(rng), np.float32), np.array(vivid(rng), np.float32)
    if rng.random() < 0.4:
        c2 = (c2 + 255.0 * 2) / 3.0
    angle = rng.uniform(0, np.pi)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    t = xx * np.cos(angle) + yy * np.sin(angle)
    t = (t - t.min()) / max(1e-6, float(np.ptp(t)))
    return (c1 * (1 - t[..., None]) + c2 * t[..., None]).astype(np.uint8)


def _photo(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A photograph-like scene: a sky over layered, textured land in a random palette."""
    img = _gradient(rng, width, height)
    for layer in range(int(rng.integers(2, 5))):
        base = height * (0.35 + 0.15 * layer + rng.uniform(-0.1, 0.1))
        knots = rng.uniform(-0.15, 0.15, int(rng.integers(3, 9))) * height
        ridge = base + np.interp(np.arange(width), np.linspace(0, width - 1, knots.size), knots)
        below = np.arange(height, dtype=np.float32)[:, None] > ridge[None, :]
        shade = 0.8 + 0.2 * smooth_field(rng, height, width, cells=8)
        img[below] = (np.array(vivid(rng), np.float32) * shade[below][:, None]).astype(np.uint8)
    return img


def _flag(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A waving striped flag with a starred canton."""
    img = np.full((height, width, 3), 245, np.uint8)
    stripes = int(rng.integers(5, 14))
    for k in range(0, stripes, 2):
        cv2.rectangle(
            img, (0, int(k * height / stripes)), (width, int((k + 1) * height / stripes)), (50, 40, 190), -1
        )
    cw, ch = int(width * rng.uniform(0.35, 0.5)), int(height * rng.uniform(0.4, 0.6))
    cv2.rectangle(img, (0, 0), (cw, ch), (110, 50, 30), -1)
    for _ in range(int(rng.integers(6, 20))):
        cv2.circle(img, (int(rng.uniform(2, cw - 2)), int(rng.uniform(2, ch - 2))), 1, (250, 250, 250), -1)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    wave = np.sin(xx / max(4.0, width / rng.uniform(1.0, 2.5)) + rng.uniform(0, 6.3)) * height * 0.04
    return cv2.remap(img, xx, yy + wave, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def _portrait(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A head-and-shoulders silhouette on a plain or graded ground, as on commemorative stamps."""
    img = (
        _gradient(rng, width, height)
        if rng.random() < 0.5
        else np.full((height, width, 3), vivid(rng), np.uint8)
    )
    tone = tuple(int(v) for v in rng.integers(20, 120, 3))
    cx = int(width * rng.uniform(0.4, 0.6))
    cv2.ellipse(
        img,
        (cx, int(height * 0.42)),
        (int(width * 0.17), int(height * 0.2)),
        0,
        0,
        360,
        tone,
        -1,
        cv2.LINE_AA,
    )
    cv2.ellipse(
        img, (cx, height), (int(width * 0.38), int(height * 0.32)), 0, 180, 360, tone, -1, cv2.LINE_AA
    )
    return img


def picture(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A small printed picture: abstract shapes, a landscape photo, a flag, a portrait, or flowers."""
    theme = rng.random()
    if theme < 0.2:
        return cv2.GaussianBlur(_photo(rng, width, height), (3, 3), 0.8)
    if theme < 0.3:
        return _flag(rng, width, height)
    if theme < 0.4:
        return cv2.GaussianBlur(_portrait(rng, width, height), (3, 3), 0.7)
    img = _gradient(rng, width, height)
    if theme < 0.5:  # flowers: petals round a centre
        for _ in range(int(rng.integers(1, 4))):
            c = np.array([rng.uniform(0.2, 0.8) * width, rng.uniform(0.2, 0.8) * height])
            r = min(width, height) * rng.uniform(0.12, 0.25)
            petal = vivid(rng)
            for a in np.linspace(0, 2 * np.pi, int(rng.integers(5, 9)), endpoint=False):
                p = (c + r * np.array([np.cos(a), np.sin(a)])).astype(int)
                cv2.circle(img, (int(p[0]), int(p[1])), int(r * 0.6), petal, -1, cv2.LINE_AA)
            cv2.circle(img, (int(c[0]), int(c[1])), int(r * 0.45), vivid(rng), -1, cv2.LINE_AA)
        return cv2.GaussianBlur(img, (3, 3), 0.7)
    for _ in range(int(rng.integers(2, 7))):
        colour = vivid(rng)
        kind = rng.random()
        if kind < 0.3:
            centre = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            radius = int(rng.integers(3, max(4, min(width, height) // 2)))
            cv2.circle(img, centre, radius, colour, -1, cv2.LINE_AA)
        elif kind < 0.55:
            pts = np.stack([rng.integers(0, width, 5), rng.integers(0, height, 5)], axis=1).astype(np.int32)
            cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
        elif kind < 0.75:
            xs = np.linspace(0, width, int(rng.integers(3, 8)))
            ys = height * rng.uniform(0.4, 0.9, xs.size)
            pts = np.concatenate([np.stack([xs, ys], 1), [[width, height], [0, height]]]).astype(np.int32)
            cv2.fillPoly(img, [pts], colour, cv2.LINE_AA)
        elif kind < 0.88:
            n = int(rng.integers(3, 9))
            for i in range(0, n, 2):
                y0 = int(i * height / n)
                cv2.rectangle(img, (0, y0), (width, int(y0 + height / n)), colour, -1)
        else:
            blob = smooth_field(rng, height, width, cells=3) > rng.uniform(0.2, 0.6)
            img[blob] = colour
    return cv2.GaussianBlur(img, (3, 3), 0.7)


def _text_on(
    img: Image.Image, rng: np.random.Generator, text: str, box: tuple[int, int, int, int], fill
) -> None:
    """Centre `text` in `box`, shrinking the font until it fits."""
    x0, y0, x1, y1 = box
    face = pick_font(rng, styles=("sans", "serif"), bold_rate=0.8, italic_rate=0.2)
    size = max(7, int((y1 - y0) * 0.6))
    font = load_font(face.path, size)
    while size > 7 and font.getlength(text) > (x1 - x0) * 0.95:
        size = int(size * 0.85)
        font = load_font(face.path, size)
    ascent, descent = font.getmetrics()
    tx = x0 + ((x1 - x0) - font.getlength(text)) / 2
    ty = y0 + ((y1 - y0) - ascent - descent) / 2
    ImageDraw.Draw(img).text((tx, ty), text, font=font, fill=fill)


def logo(rng: np.random.Generator, height: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A company logo: a coloured emblem and the company's name beside it (patch BGR, alpha)."""
    width = int(height * rng.uniform(2.5, 4.5))
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    colour = vivid(rng)[::-1]
    shape = rng.random()
    if shape < 0.4:
        draw.ellipse((0, 0, height - 1, height - 1), fill=colour)
    elif shape < 0.7:
        draw.rounded_rectangle((0, 0, height - 1, height - 1), radius=height // 6, fill=colour)
    else:
        draw.polygon([(height // 2, 0), (height - 1, height - 1), (0, height - 1)], fill=colour)
    initials = "".join(w[0] for w in name.split()[:2])
    _text_on(img, rng, initials, (0, height // 5, height, height - height // 5), (255, 255, 255, 255))
    text_colour = colour if rng.random() < 0.5 else (30, 30, 30)
    _text_on(
        img, rng, name.split()[0], (height + 4, height // 6, width, height - height // 6), (*text_colour, 255)
    )
    rgba = np.asarray(img)
    return rgba[..., 2::-1].copy(), rgba[..., 3].copy()


def burst(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """An advertising starburst with a short slogan (patch BGR, alpha)."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    spikes = int(rng.integers(10, 24))
    angles = np.linspace(0, 2 * np.pi, 2 * spikes, endpoint=False)
    radii = np.where(np.arange(2 * spikes) % 2 == 0, size * 0.5, size * rng.uniform(0.36, 0.44))
    pts = [(size / 2 + r * np.cos(a), size / 2 + r * np.sin(a)) for r, a in zip(radii, angles, strict=True)]
    colour = vivid(rng)[::-1]
    ImageDraw.Draw(img).polygon(pts, fill=(*colour, 255))
    words = SLOGANS[int(rng.integers(len(SLOGANS)))].split()
    half = max(1, len(words) // 2)
    for i, part in enumerate((" ".join(words[:half]), " ".join(words[half:]))):
        if part:
            y0 = int(size * (0.3 + 0.2 * i))
            _text_on(
                img,
                rng,
                part,
                (int(size * 0.18), y0, int(size * 0.82), y0 + int(size * 0.2)),
                (255, 255, 255, 255),
            )
    rgba = np.asarray(img)
    return rgba[..., 2::-1].copy(), rgba[..., 3].copy()


def seal(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """A charity or holiday seal sticker: a round picture with a ring, no value printed (not postage)."""
    pic = picture(rng, size, size)
    alpha = np.zeros((size, size), np.uint8)
    cv2.circle(alpha, (size // 2, size // 2), size // 2 - 1, 255, -1, cv2.LINE_AA)
    cv2.circle(pic, (size // 2, size // 2), size // 2 - 2, vivid(rng), max(2, size // 12), cv2.LINE_AA)
    return pic, alpha
