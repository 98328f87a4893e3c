"""Damage drawn on the upright piece: tears (paper missing, belt shows through), creases, stains and
crushing. Each takes a severity in [0, 1]; even light damage is visible as its kind.

Every function works in place on the piece image and its opacity mask (255 = paper present) and keeps
the ground truth honest: tears and stains return the share of the destination's last line (city, state,
ZIP) that they destroyed. `ink` maps are (H, W, 2): all address text, and its last line alone.
"""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.datasets.grain import grain, smooth_field
from mailpiece.datasets.tears import tear_outline

Box = tuple[int, int, int, int]


def box_cover(cut: np.ndarray, box: Box) -> float:
    """Fraction of `box` that the cut removes."""
    x0, y0, x1, y1 = box
    region = cut[y0:y1, x0:x1]
    return float((region > 0).mean()) if region.size else 0.0


def ink_loss(ink: np.ndarray, destroyed: np.ndarray) -> float:
    """Fraction of address ink pixels that `destroyed` (bool) covers."""
    text = ink > 60
    total = int(text.sum())
    return float((text & destroyed).sum()) / total if total else 0.0


def tear(
    image: np.ndarray,
    alpha: np.ndarray,
    ink: np.ndarray,
    rng: np.random.Generator,
    severity: float,
    target: Box | None,
    postage_box: Box | None,
) -> float:
    """Remove a jagged chunk of paper; the fresh edge shows pale fibres. Returns the ZIP-line loss.

    Tears keep clear of the postage (its kind must stay visible) and of the address, unless aimed at
    `target` (the address's last line), which they then tear through.
    """
    h, w = alpha.shape
    for _ in range(10):
        poly = tear_outline(rng, w, h, severity, target)
        cut = np.zeros((h, w), np.uint8)
        cv2.fillPoly(cut, [poly], 255)
        clear_of_postage = postage_box is None or box_cover(cut, postage_box) < 0.03
        loss = ink_loss(ink[..., 1], cut > 0)
        if clear_of_postage and (loss > 0.1 if target else ink_loss(ink[..., 0], cut > 0) == 0.0):
            break
    alpha[cut > 0] = 0
    # The fresh edge shows the paper's pale core: lighten a thin rim around the cut (in its bounding box).
    x, y, bw, bh = cv2.boundingRect(poly)
    x0, y0, x1, y1 = max(0, x - 3), max(0, y - 3), min(w, x + bw + 3), min(h, y + bh + 3)
    if x1 > x0 and y1 > y0:
        local = cut[y0:y1, x0:x1]
        rim = cv2.dilate(local, np.ones((5, 5), np.uint8)) & ~local
        region = image[y0:y1, x0:x1]
        region[rim > 0] = (region[rim > 0] * 0.35 + 255 * 0.65).astype(np.uint8)
    return loss


def _profile_lookup(d: np.ndarray, table: np.ndarray, d_min: float, step: float) -> np.ndarray:
    """Evaluate a 1-D profile sampled every `step` from `d_min` at every value of `d` (fast, via remap)."""
    map_x = (d - d_min) * (1.0 / step)
    map_y = np.zeros_like(map_x)
    return cv2.remap(
        table[None, :].astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


def crease(image: np.ndarray, rng: np.random.Generator, severity: float) -> None:
    """One or two folds: two panels lit differently, a dark valley line and a bright ridge beside it."""
    h, w = image.shape[:2]
    xs, ys = np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32)
    factor = np.ones((h, w), np.float32)
    for _ in range(2 if severity > 0.55 and rng.random() < 0.6 else 1):
        if rng.random() < 0.65:  # a letter fold across the short way
            px, py = w * rng.uniform(0.25, 0.75), h / 2
            angle = np.pi / 2 + rng.uniform(-0.15, 0.15)
        else:  # a diagonal or lengthwise fold
            px, py = w * rng.uniform(0.2, 0.8), h * rng.uniform(0.3, 0.7)
            angle = rng.uniform(0, np.pi)
        # Signed distance to the fold line; the shading is a function of it alone.
        d = np.add.outer(-(ys - py) * np.float32(np.cos(angle)), (xs - px) * np.float32(np.sin(angle)))
        reach = float(np.hypot(w, h))
        step = 0.25
        t = np.arange(-reach, reach, step, dtype=np.float32)
        tilt = 0.03 + 0.1 * severity
        width = 1.0 + 3.0 * severity
        profile = np.where(t > 0, 1.0 + tilt * 0.4, 1.0 - tilt)
        profile *= 1.0 - (0.12 + 0.3 * severity) * np.exp(-((t / width) ** 2))
        profile *= 1.0 + (0.05 + 0.12 * severity) * np.exp(-(((t - 2.5 * width) / (1.5 * width)) ** 2))
        factor *= _profile_lookup(d, profile, -reach, step)
    factor8 = cv2.cvtColor(np.clip(factor * 128.0, 0, 255).astype(np.uint8), cv2.COLOR_GRAY2BGR)
    image[:] = cv2.multiply(image, factor8, scale=1 / 128.0)


def stain(
    image: np.ndarray,
    ink: np.ndarray,
    rng: np.random.Generator,
    severity: float,
    dpi: int,
    target: Box | None,
) -> float:
    """A blotch (coffee, water ring, grease) with a tide line, or over `target` an opaque spill.

    Returns the share of the ZIP line destroyed (only an opaque spill destroys text).
    """
    h, w = image.shape[:2]
    radius = dpi * (0.3 + 1.0 * severity) * rng.uniform(0.7, 1.2)
    over_address = target is not None
    if target is not None:
        x0, y0, x1, y1 = target
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        radius = max(radius, 0.6 * max(x1 - x0, y1 - y0))
    else:
        cx, cy = rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.95) * h
    bx0, by0 = int(max(0, cx - radius * 1.6)), int(max(0, cy - radius * 1.6))
    bx1, by1 = int(min(w, cx + radius * 1.6)), int(min(h, cy + radius * 1.6))
    bh, bw = by1 - by0, bx1 - bx0
    yy, xx = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
    wobble = smooth_field(rng, bh, bw, cells=4, amplitude=float(rng.uniform(0.05, 0.35)))
    r = np.hypot((xx - cx) / rng.uniform(0.7, 1.3), yy - cy) / radius + wobble
    body = np.clip((1.0 - r) * 6.0, 0, 1) * (0.75 + 0.25 * smooth_field(rng, bh, bw, cells=6))
    ring = np.exp(-(((r - 1.0) / rng.uniform(0.03, 0.07)) ** 2))
    kind = rng.random()
    if over_address:  # a heavy spill (ink, tar, dark coffee) that hides the text under it
        colour, fill, rim = (40, 55, 75), 1.0, 1.0
        body = np.clip((1.0 - r) * 6.0, 0, 1)
    elif kind < 0.45:  # coffee or tea
        colour, fill, rim = (70, 120, 170), 0.12 + 0.35 * severity, 0.25 + 0.4 * severity
    elif kind < 0.75:  # water: little colour, a clear tide line
        colour, fill, rim = (150, 150, 140), 0.05 + 0.15 * severity, 0.25 + 0.4 * severity
    elif kind < 0.9:  # grease: an even, yellowish translucency without a rim
        colour, fill, rim = (120, 170, 185), 0.2 + 0.3 * severity, 0.0
    else:  # the ring a cup leaves, nothing inside
        colour, fill, rim = (60, 100, 150), 0.0, 0.35 + 0.45 * severity
    opacity = np.maximum(body * fill, ring * rim)
    opacity *= 1.0 + 0.04 * grain(rng, bh, bw)
    opacity = np.clip(opacity, 0, 0.97)[..., None]
    colour = np.asarray(colour, np.float32)
    region = image[by0:by1, bx0:bx1].astype(np.float32)
    if over_address:  # opaque: the spill covers ink and paper alike
        stained = region + (colour - region) * opacity
    else:  # translucent: the stain darkens what is under it, text stays legible
        stained = region * (1 - opacity * (1 - colour / 255.0))
    image[by0:by1, bx0:bx1] = np.clip(stained, 0, 255).astype(np.uint8)
    destroyed = np.zeros(ink.shape[:2], bool)
    destroyed[by0:by1, bx0:bx1] = opacity[..., 0] > (0.85 if over_address else 2.0)
    return ink_loss(ink[..., 1], destroyed)


def crush(
    image: np.ndarray, alpha: np.ndarray, ink: np.ndarray, rng: np.random.Generator, severity: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Crumple: many small shaded facets and a slight warp of the whole sheet and its outline."""
    h, w = image.shape[:2]
    n = int(30 + 120 * severity)
    pts = np.stack([rng.uniform(0, w, n), rng.uniform(0, h, n)], 1)
    pts = np.concatenate([pts, [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]]).astype(np.float32)
    subdiv = cv2.Subdiv2D((0, 0, w, h))
    subdiv.insert([(float(x), float(y)) for x, y in pts])
    shade = np.ones((h, w), np.float32)
    contrast = 0.03 + 0.12 * severity
    for tri in subdiv.getTriangleList():
        poly = tri.reshape(3, 2).astype(np.int32)
        cv2.fillConvexPoly(shade, poly, float(1.0 + rng.uniform(-contrast, contrast)), cv2.LINE_AA)
    shade = cv2.GaussianBlur(shade, (0, 0), 1.0 + severity)
    image = np.clip(image * shade[..., None], 0, 255).astype(np.uint8)
    amp = (1.5 + 6.0 * severity) * dpi_scale(w)
    dx = smooth_field(rng, h, w, cells=6, amplitude=amp)
    dy = smooth_field(rng, h, w, cells=6, amplitude=amp)
    return warp_sheet(image, alpha, ink, dx, dy)


def warp_sheet(
    image: np.ndarray, alpha: np.ndarray, ink: np.ndarray, dx: np.ndarray, dy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The sheet, its outline (``alpha``) and its ink maps, each pixel fetched from (x + dx, y + dy)."""
    h, w = alpha.shape
    map_x = np.arange(w, dtype=np.float32)[None, :] + dx
    map_y = np.arange(h, dtype=np.float32)[:, None] + dy
    bgra = cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
    bgra[..., 3] = alpha
    bgra, ink = (
        cv2.remap(a, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT) for a in (bgra, ink)
    )
    *colour, alpha = cv2.split(bgra)
    return cv2.merge(colour), alpha, ink


def dpi_scale(width: int) -> float:
    """Warp amplitudes scale with the piece's pixel size (a 1400 px envelope is the reference)."""
    return width / 1400.0
