"""Damage of many looks, for training the CNN to know damage it has not seen (domain randomisation).

The stock renderings (:mod:`mailpiece.datasets.damage`) are one family each: a torn-off corner or a bite
out of an edge, a straight fold with two panels lit differently, a round blotch with a tide line, a sheet
of shaded facets. Real mail is damaged in many more ways, and a model that saw one family misses the
others: with the stock renderings only, the shipped checkpoint caught about half of the stains and
three fifths of the tears that ``bench/cnn_stress.py`` draws its own way.

So these renderings are put together at random from parts, not drawn from a fixed list:

- **torn**: a hole punched through, a slit opened from an edge, a row of nicks, a straight-sided notch a
  machine cut; the fresh edge pale, shadowed, frayed or plain; often two of them.
- **creased**: one to four folds, straight, bent or ending inside the piece, each with its own depth,
  width, ridge and panel tilt (some a dark line only, some a bright ridge only).
- **stained**: lobed blots, dragged smears, drips that ran, textured grime and ink blots, in coffee, wine,
  ink, rust, oil or dirt colours, translucent, with or without a tide line; over the address (the
  planned ``damage_over_address``), an opaque spill through the last line.
- **crushed** (:mod:`mailpiece.datasets.crush_styles`): soft pillowing, accordion ridges across one
  axis, a crumpled edge, creases out from the points a fist gripped (each lit on one flank, shaded on the
  other), with the sheet and its outline warped.

Each function has the signature and the contract of its stock counterpart (same arguments, the same
share of the last line destroyed returned, the postage left visible, the address left legible unless a
``target`` is given). ``SynthConfig.p_varied_damage`` is the share of damaged pieces drawn so (0 by
default: the frames of every seed rendered so far stay the same).
"""

from __future__ import annotations

import cv2
import numpy as np

from mailpiece.datasets.damage import box_cover, ink_loss, tear
from mailpiece.datasets.grain import smooth_field
from mailpiece.datasets.tears import ragged

Box = tuple[int, int, int, int]

__all__ = ["varied_crease", "varied_stain", "varied_tear"]

# Colours (BGR) a stain can take: coffee, tea, red wine, blue ink, black ink, rust, oil, green, grime.
_STAIN_COLOURS = (
    (60, 95, 140), (110, 150, 190), (70, 40, 120), (140, 60, 30), (35, 35, 40),
    (50, 90, 160), (100, 160, 175), (60, 110, 60), (95, 100, 105),
)  # fmt: skip


def _blob(rng: np.random.Generator, cx: float, cy: float, rx: float, ry: float, wobble: float) -> np.ndarray:
    """int32 outline of a closed, lumpy blob: an ellipse whose radius wanders by up to ``wobble``."""
    n = 96
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    radius = np.ones(n)
    for k in range(2, 7):
        radius += wobble / k * rng.normal() * np.cos(k * t + rng.uniform(0, 2 * np.pi))
    radius = np.clip(radius, 0.35, None)
    angle = rng.uniform(0, np.pi)
    x, y = rx * radius * np.cos(t), ry * radius * np.sin(t)
    xs = cx + x * np.cos(angle) - y * np.sin(angle)
    ys = cy + x * np.sin(angle) + y * np.cos(angle)
    return np.stack([xs, ys], 1).astype(np.int32)


def _edge_point(rng: np.random.Generator, w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """A point on the piece's edge (away from the corners) and the unit vector pointing inwards."""
    side = int(rng.integers(4))
    u = rng.uniform(0.1, 0.9)
    return {
        0: (np.array([u * w, 0.0]), np.array([0.0, 1.0])),
        1: (np.array([w - 1.0, u * h]), np.array([-1.0, 0.0])),
        2: (np.array([u * w, h - 1.0]), np.array([0.0, -1.0])),
        3: (np.array([0.0, u * h]), np.array([1.0, 0.0])),
    }[side]


def _turned(vector: np.ndarray, angle: float) -> np.ndarray:
    """``vector`` rotated by ``angle`` radians."""
    cos, sin = np.cos(angle), np.sin(angle)
    return np.array([vector[0] * cos - vector[1] * sin, vector[0] * sin + vector[1] * cos])


# ------------------------------------------------------------------------------------------------ torn
def _hole(rng, w, h, size, rough, target) -> np.ndarray:
    if target is not None:
        x0, y0, x1, y1 = target
        cx, cy = rng.uniform(x0, x1), (y0 + y1) / 2
        r = max(size, 0.9 * (y1 - y0))
    else:
        cx, cy = rng.uniform(0.08, 0.92) * w, rng.uniform(0.12, 0.88) * h
        r = size
    outline = _blob(
        rng, cx, cy, r * rng.uniform(0.7, 1.4), r * rng.uniform(0.6, 1.1), 0.15 + 0.25 * rng.random()
    )
    return ragged(rng, np.vstack([outline, outline[:1]]).astype(np.float64), rough)


def _slit(rng, w, h, size, rough) -> np.ndarray:
    start, inward = _edge_point(rng, w, h)
    turn = rng.uniform(-0.6, 0.6)
    direction = _turned(inward, turn)
    length = size * rng.uniform(2.0, 5.0)
    mouth = size * rng.uniform(0.2, 0.7)
    across = np.array([-direction[1], direction[0]])
    tip = start + direction * length
    n = 40
    t = np.linspace(0, 1, n)[:, None]
    side_a = start + across * mouth / 2 + (tip - start - across * mouth / 2) * t
    side_b = tip + (start - across * mouth / 2 - tip) * t
    outside = start - inward * 8
    return np.vstack([ragged(rng, side_a, rough * 0.6), ragged(rng, side_b, rough * 0.6), [outside]])


def _nicks(rng, w, h, size, rough) -> list[np.ndarray]:
    start, inward = _edge_point(rng, w, h)
    along = np.array([inward[1], -inward[0]])
    shapes = []
    for _ in range(int(rng.integers(2, 6))):
        at = start + along * rng.uniform(-4, 4) * size
        at = np.clip(at, 0, [w - 1, h - 1])
        depth, half = size * rng.uniform(0.3, 0.9), size * rng.uniform(0.15, 0.5)
        if rng.random() < 0.5:  # a V
            pts = [at - along * half - inward * 6, at + inward * depth, at + along * half - inward * 6]
        else:  # a U
            t = np.linspace(0, np.pi, 12)[:, None]
            pts = list(at - inward * 6 + along * (half * np.cos(t)) + inward * (depth * np.sin(t)))
        shapes.append(ragged(rng, np.array(pts, np.float64), rough * 0.4))
    return shapes


def _notch(rng, w, h, size) -> np.ndarray:
    start, inward = _edge_point(rng, w, h)
    along = np.array([inward[1], -inward[0]])
    half, depth = size * rng.uniform(0.5, 2.0), size * rng.uniform(0.3, 1.0)
    skew = rng.uniform(-0.5, 0.5) * half
    corners = [
        start - along * half - inward * 6,
        start - along * half + inward * depth,
        start + along * (half + skew) + inward * depth,
        start + along * half - inward * 6,
    ]
    return np.array(corners)


def _torn_edge(image: np.ndarray, cut: np.ndarray, rng: np.random.Generator, short_side: int) -> None:
    """How the fresh edge looks: pale fibres, a shadow, a frayed band, or nothing (its width a share of
    the piece's short side)."""
    style = rng.random()
    if style < 0.2:
        return
    size = max(3, int(short_side * rng.uniform(0.004, 0.012)) | 1)
    band = cv2.dilate(cut, np.ones((size, size), np.uint8)) & ~cut
    ys, xs = np.nonzero(band)
    if not len(ys):
        return
    pixels = image[ys, xs].astype(np.float32)
    if style < 0.55:  # the paper's pale core
        mix = rng.uniform(0.4, 0.75)
        pixels = pixels * (1 - mix) + 255 * mix
    elif style < 0.8:  # the belt's shadow under a lifted edge
        pixels *= rng.uniform(0.45, 0.75)
    else:  # frayed: speckles of pale fibre
        keep = rng.random(len(ys)) < 0.5
        pixels[keep] = pixels[keep] * 0.3 + 255 * 0.7
    image[ys, xs] = np.clip(pixels, 0, 255).astype(np.uint8)


def varied_tear(
    image: np.ndarray,
    alpha: np.ndarray,
    ink: np.ndarray,
    rng: np.random.Generator,
    severity: float,
    target: Box | None,
    postage_box: Box | None,
) -> float:
    """Remove paper in one or two random ways (see the module); returns the share of the last line lost.

    Like the stock ``tear``: clear of the postage, and of the address unless ``target`` (the last line)
    is given, which a hole then punches through. Falls back to the stock outline when no random one fits.
    """
    h, w = alpha.shape
    size = min(h, w) * (0.03 + 0.09 * severity)
    rough = 1.0 + 2.5 * severity * rng.random()
    parts = 2 if rng.random() < 0.3 else 1
    whole = np.zeros((h, w), np.uint8)
    made = 0
    for _ in range(12 * parts):
        kind = "hole" if target is not None else str(rng.choice(["hole", "slit", "nicks", "notch"]))
        cut = np.zeros((h, w), np.uint8)
        if kind == "hole":
            polygons = [_hole(rng, w, h, size, rough, target)]
        elif kind == "slit":
            polygons = [_slit(rng, w, h, size, rough)]
        elif kind == "nicks":
            polygons = _nicks(rng, w, h, size, rough)
        else:
            polygons = [_notch(rng, w, h, size)]
        cv2.fillPoly(cut, [p.astype(np.int32) for p in polygons], 255)
        mask = cut > 0
        if (postage_box is not None and box_cover(mask, postage_box) >= 0.03) or not 0 < mask.mean() <= 0.25:
            continue
        if (ink_loss(ink[..., 1], mask) <= 0.1) if target is not None else ink_loss(ink[..., 0], mask) > 0:
            continue
        whole |= cut
        made += 1
        if made == parts or target is not None:
            break
    if not made:
        return tear(image, alpha, ink, rng, severity, target, postage_box)
    alpha[whole > 0] = 0
    _torn_edge(image, whole, rng, min(h, w))
    return ink_loss(ink[..., 1], whole > 0)


# --------------------------------------------------------------------------------------------- creased
def varied_crease(image: np.ndarray, rng: np.random.Generator, severity: float) -> None:
    """One to four folds, each straight, bent or ending inside the piece, with its own profile."""
    h, w = image.shape[:2]
    factor = np.ones((h, w), np.float32)
    count = 1 + int(rng.integers(0, 2 + int(severity > 0.5) * 2))
    for _ in range(count):
        line = np.zeros((h, w), np.uint8)
        start, inward = _edge_point(rng, w, h)
        turn = rng.uniform(-1.0, 1.0)
        direction = _turned(inward, turn)
        reach = float(np.hypot(w, h)) * (rng.uniform(0.3, 0.8) if rng.random() < 0.35 else 1.5)
        end = start + direction * reach
        bend = np.array([-direction[1], direction[0]]) * rng.normal(0, 0.08) * reach
        t = np.linspace(0, 1, 60)[:, None]
        path = (1 - t) ** 2 * start + 2 * (1 - t) * t * ((start + end) / 2 + bend) + t**2 * end
        cv2.polylines(line, [path.astype(np.int32)], False, 255, 1, cv2.LINE_8)
        if not line.any():
            continue
        d = np.minimum(cv2.distanceTransform(255 - line, cv2.DIST_L2, 3), 1e4)
        width = rng.uniform(0.8, 1.5 + 4.0 * severity)
        valley = rng.uniform(0.0, 0.15 + 0.35 * severity) if rng.random() < 0.85 else 0.0
        ridge = rng.uniform(0.0, 0.05 + 0.15 * severity) if rng.random() < 0.6 or valley == 0 else 0.0
        profile = 1.0 - valley * np.exp(-((d / width) ** 2))
        profile += ridge * np.exp(-(((d - 2.5 * width) / (1.5 * width)) ** 2))
        if reach > np.hypot(w, h):  # a fold across the whole piece: the two panels face the light apart
            xs, ys = np.arange(w)[None, :] - start[0], np.arange(h)[:, None] - start[1]
            cross = xs * direction[1] - ys * direction[0]
            tilt = rng.uniform(0.0, 0.04 + 0.1 * severity)
            profile *= np.where(cross > 0, 1.0 + tilt * rng.uniform(0, 0.5), 1.0 - tilt)
        factor *= profile.astype(np.float32)
    image[:] = np.clip(image * factor[..., None], 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------------- stained
def _stain_shape(rng: np.random.Generator, w: int, h: int, size: float) -> np.ndarray:
    """float32 (h, w) coverage in [0, 1] of one stain of a random kind."""
    mask = np.zeros((h, w), np.float32)
    cx, cy = rng.uniform(0.05, 0.95) * w, rng.uniform(0.05, 0.95) * h
    kind = rng.random()
    if kind < 0.3:  # a lobed blot
        for _ in range(int(rng.integers(1, 5))):
            ox, oy = rng.normal(0, size * 0.5, 2)
            r = size * rng.uniform(0.4, 1.0)
            cv2.fillPoly(
                mask, [_blob(rng, cx + ox, cy + oy, r, r * rng.uniform(0.6, 1.0), 0.3)], 1.0, cv2.LINE_AA
            )
    elif kind < 0.5:  # a smear dragged across
        angle = rng.uniform(0, 2 * np.pi)
        length = size * rng.uniform(2, 5)
        n = 30
        t = np.linspace(0, 1, n)
        xs = cx + np.cos(angle) * length * t + rng.normal(0, size * 0.05, n).cumsum()
        ys = cy + np.sin(angle) * length * t + rng.normal(0, size * 0.05, n).cumsum()
        thick = size * rng.uniform(0.2, 0.6)
        for i in range(n - 1):
            weight = float(1.0 - 0.7 * t[i])
            cv2.line(mask, (int(xs[i]), int(ys[i])), (int(xs[i + 1]), int(ys[i + 1])), weight,
                     max(2, int(thick * (1.0 - 0.5 * t[i]))), cv2.LINE_AA)  # fmt: skip
        mask *= np.clip(0.6 + 0.8 * smooth_field(rng, h, w, cells=int(rng.integers(10, 30))), 0, 1)
    elif kind < 0.65:  # a drop that ran
        r = size * rng.uniform(0.3, 0.7)
        cv2.fillPoly(mask, [_blob(rng, cx, cy, r, r, 0.2)], 1.0, cv2.LINE_AA)
        for _ in range(int(rng.integers(1, 4))):
            x = cx + rng.uniform(-r, r) * 0.7
            run = size * rng.uniform(1, 4)
            thick = max(2, int(r * rng.uniform(0.15, 0.4)))
            x1 = x + rng.normal(0, r * 0.3)
            cv2.line(mask, (int(x), int(cy)), (int(x1), int(cy + run)), 0.9, thick, cv2.LINE_AA)
            cv2.circle(mask, (int(x1), int(cy + run)), int(thick * 0.8), 1.0, -1, cv2.LINE_AA)
    elif kind < 0.92:  # grime: dirt in a soft patch, textured
        r = size * rng.uniform(0.8, 1.8)
        cv2.fillPoly(mask, [_blob(rng, cx, cy, r, r * rng.uniform(0.3, 1.0), 0.4)], 1.0, cv2.LINE_AA)
        mask = cv2.GaussianBlur(mask, (0, 0), r * 0.15 + 1)
        texture = rng.random((h, w)).astype(np.float32)
        texture = cv2.GaussianBlur(texture, (0, 0), rng.uniform(0.8, 3.0))
        mask *= np.clip((texture - texture.mean()) * rng.uniform(6, 14) + 0.6, 0, 1)
    else:  # an ink blot: dark, sharp-edged, a few drops beside it
        r = size * rng.uniform(0.2, 0.5)
        cv2.fillPoly(mask, [_blob(rng, cx, cy, r, r, 0.45)], 1.0, cv2.LINE_AA)
        for _ in range(int(rng.integers(0, 4))):
            a, dist = rng.uniform(0, 2 * np.pi), r * rng.uniform(1.3, 2.5)
            cv2.circle(mask, (int(cx + dist * np.cos(a)), int(cy + dist * np.sin(a))),
                       max(1, int(r * rng.uniform(0.05, 0.2))), 1.0, -1, cv2.LINE_AA)  # fmt: skip
    return mask


def varied_stain(
    image: np.ndarray,
    ink: np.ndarray,
    rng: np.random.Generator,
    severity: float,
    dpi: int,
    target: Box | None,
) -> float:
    """One to three stains of random kinds and colours, translucent (the text under them stays legible);
    with ``target``, an opaque spill through it. Returns the share of the last line destroyed."""
    h, w = image.shape[:2]
    size = dpi * (0.15 + 0.6 * severity) * rng.uniform(0.7, 1.3)
    destroyed = np.zeros((h, w), bool)
    if target is not None:
        x0, y0, x1, y1 = target
        r = 0.5 * max(x1 - x0, y1 - y0)
        cx = rng.uniform(x0 + 0.3 * (x1 - x0), x1)  # the ZIP's end of the line more often than not
        cover = np.zeros((h, w), np.float32)
        cv2.fillPoly(
            cover, [_blob(rng, cx, (y0 + y1) / 2, r, max(r * 0.4, 2.0 * (y1 - y0)), 0.3)], 1.0, cv2.LINE_AA
        )
        colour = np.asarray(_STAIN_COLOURS[int(rng.integers(len(_STAIN_COLOURS)))], np.float32) * 0.5
        region = image.astype(np.float32)
        image[:] = np.clip(region + (colour - region) * cover[..., None], 0, 255).astype(np.uint8)
        destroyed |= cover > 0.85
    for _ in range(1 + int(rng.random() < 0.35) + int(rng.random() < 0.15)):
        coverage = _stain_shape(rng, w, h, size)
        colour = np.asarray(_STAIN_COLOURS[int(rng.integers(len(_STAIN_COLOURS)))], np.float32)
        colour = np.clip(colour + rng.normal(0, 15, 3), 0, 255)
        strength = rng.uniform(0.15, 0.4) + 0.4 * severity  # translucent: liquid soaks in
        soft = rng.uniform(0.5, 4.0)
        coverage = cv2.GaussianBlur(coverage, (0, 0), soft)
        if rng.random() < 0.35:  # a tide line where the liquid dried
            wet = (coverage > 0.3).astype(np.uint8)
            edge = cv2.morphologyEx(wet, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8)).astype(np.float32)
            coverage = np.maximum(coverage * rng.uniform(0.3, 0.7), cv2.GaussianBlur(edge, (0, 0), 1.0))
        opacity = np.clip(coverage * strength, 0, 0.8)[..., None]
        stained = image * (1 - opacity * (1 - colour / 255.0))
        image[:] = np.clip(stained, 0, 255).astype(np.uint8)
    return ink_loss(ink[..., 1], destroyed)
