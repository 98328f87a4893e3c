"""The top right corner of a piece: the postage (stamps, a meter impression or tape, a permit imprint),
cancellations over stamps, and the non-postage artwork that makes hard negatives.
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from mailpiece.datasets.artwork import burst, logo, seal, vivid
from mailpiece.datasets.barcodes import qr_like
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.lettering import ink_onto, paint_onto, text_mask
from mailpiece.datasets.paper import label_sticker
from mailpiece.datasets.postage import METER_INKS, cancellation_mask, meter_mask, permit_mask, stamp
from mailpiece.datasets.postage_styles import varied_meter, varied_stamp
from mailpiece.datasets.spec import PieceSpec, rng_for

Box = tuple[int, int, int, int]


def overlaps(a: Box, b: Box) -> bool:
    """True when two (x0, y0, x1, y1) boxes share any area."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def is_free(box: Box, taken: list[Box], w: int, h: int) -> bool:
    """True when `box` lies on a (w, h) piece and touches nothing in `taken`."""
    inside = box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h
    return inside and not any(overlaps(box, t) for t in taken)


def turned(patch: np.ndarray, alpha: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """A patch and its alpha rotated by `angle` degrees on a canvas grown to hold the corners."""
    h, w = alpha.shape
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    cos, sin = abs(rot[0, 0]), abs(rot[0, 1])
    nw, nh = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    rot[:, 2] += ((nw - w) / 2, (nh - h) / 2)
    patch = cv2.warpAffine(patch, rot, (nw, nh), flags=cv2.INTER_LINEAR)
    alpha = cv2.warpAffine(alpha, rot, (nw, nh), flags=cv2.INTER_LINEAR)
    return patch, alpha


def _design(spec: PieceSpec, stock: Callable, varied: Callable) -> Callable:
    """The postage design to draw: the stock one, or for ``spec.varied_postage`` a random design from the
    piece's own stream 3, drawn after the stock design made its draws from the frame's stream (and was
    dropped), so everything drawn after the postage is as on the stock piece."""
    if not spec.varied_postage:
        return stock
    own = rng_for(spec.seed, spec.index, 3)

    def draw(rng: np.random.Generator, *args):
        stock(rng, *args)
        return varied(own, *args)

    return draw


def _stamps(paper: np.ndarray, rng: np.random.Generator, spec: PieceSpec, right: int, top: int) -> Box:
    """One or two stamps, stuck on by hand (often a little crooked), then perhaps cancelled."""
    dpi = spec.dpi
    make_stamp = _design(spec, stamp, varied_stamp)
    sw, sh = int(dpi * rng.uniform(0.8, 1.15)), int(dpi * rng.uniform(0.9, 1.3))
    if rng.random() < 0.3:
        sw, sh = sh, sw
    x1, boxes = right, []
    for _ in range(spec.stamp_count):
        patch, alpha = make_stamp(rng, sw, sh, dpi)
        if rng.random() < 0.6:
            patch, alpha = turned(patch, alpha, float(rng.normal(0, 3.0)))
        ph, pw = alpha.shape
        y = top + int(rng.integers(-3, 8))
        shadow = cv2.GaussianBlur(alpha, (0, 0), 1.2)
        ink_onto(paper, shadow, x1 - pw + 1, y + 1, (0, 0, 0), 0.2)
        paint_onto(paper, patch, alpha, x1 - pw, y)
        boxes.append((x1 - pw, y, x1, y + ph))
        x1 -= pw + int(dpi * rng.uniform(-0.02, 0.12))
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), right, max(b[3] for b in boxes))
    if spec.cancelled:
        ret = spec.return_address or spec.address
        cw = box[2] - box[0] + int(dpi * rng.uniform(0.8, 2.2))
        mask = cancellation_mask(rng, dpi, cw, box[3] - box[1] + 10, ret.city, ret.state)
        ink = (25, 25, 25) if rng.random() < 0.7 else (90, 40, 30)
        x = box[2] - cw + int(rng.integers(-10, 20))
        ink_onto(paper, mask, x, box[1] - 5, ink, float(rng.uniform(0.6, 1.0)))
    return box


def place_postage(paper: np.ndarray, rng: np.random.Generator, spec: PieceSpec) -> Box | None:
    """Put the postage in the top right corner; returns its box (None for unpaid pieces)."""
    dpi = spec.dpi
    right = paper.shape[1] - int(dpi * rng.uniform(0.12, 0.45))
    top = int(dpi * rng.uniform(0.12, 0.4))
    ret = spec.return_address or spec.address
    if spec.postage_kind == "stamp":
        return _stamps(paper, rng, spec, right, top)
    if spec.postage_kind == "none":
        return None
    if spec.postage_kind == "meter":
        mask = _design(spec, meter_mask, varied_meter)(rng, dpi, ret.zip5)
        ink = METER_INKS[int(rng.integers(len(METER_INKS)))]
        on_tape = rng.random() < (0.5 if spec.piece_type.startswith("flat") else 0.15)
    else:
        company = (ret.company or ret.name).split()[0]
        mask = permit_mask(rng, dpi, ret.city, ret.state, company)
        ink = METER_INKS[int(rng.integers(len(METER_INKS)))] if rng.random() < 0.4 else (25, 25, 25)
        on_tape = False
    opacity = float(rng.uniform(0.75, 1.0))
    corner = paper[top : top + mask.shape[0], right - mask.shape[1] : right]
    on_tape = on_tape or float(corner.mean()) < 120  # dark stock: printed on a white tape or label
    if not on_tape:
        x, y = right - mask.shape[1], top
        ink_onto(paper, mask, x, y, ink, opacity)
        return x, y, right, y + mask.shape[0]
    # Meter tape (or a permit label): the impression printed on a white strip stuck onto the piece.
    pad = int(dpi * rng.uniform(0.05, 0.12))
    tape, alpha = label_sticker(rng, mask.shape[1] + 2 * pad, mask.shape[0] + 2 * pad)
    ink_onto(tape, mask, pad, pad, ink, opacity)
    if rng.random() < 0.5:
        tape, alpha = turned(tape, alpha, float(rng.normal(0, 2.0)))
    x, y = right - alpha.shape[1], top
    ink_onto(paper, cv2.GaussianBlur(alpha, (0, 0), 1.5), x + 2, y + 2, (0, 0, 0), 0.25)
    paint_onto(paper, tape, alpha, x, y)
    return x, y, right, y + alpha.shape[0]


def place_decoy(paper: np.ndarray, rng: np.random.Generator, spec: PieceSpec, taken: list[Box]) -> None:
    """Non-postage artwork near the top right: logos, bursts, seals, QR codes, a 'place stamp' box."""
    h, w = paper.shape[:2]
    size = int(spec.dpi * rng.uniform(0.7, 1.3))
    kind = rng.random()
    if kind < 0.25:
        patch, alpha = burst(rng, size)
    elif kind < 0.45:
        patch, alpha = seal(rng, size)
    elif kind < 0.7:
        patch, alpha = logo(rng, int(size * 0.6), (spec.return_address or spec.address).name)
    else:
        mask = qr_like(rng, int(size * 0.8)) if kind < 0.85 else _place_stamp_box(rng, size)
        patch = np.zeros((*mask.shape, 3), np.uint8)
        patch[:] = (20, 20, 20) if rng.random() < 0.7 else vivid(rng)
        alpha = mask
    ph, pw = alpha.shape
    for _ in range(12):
        x = int(w - pw - spec.dpi * rng.uniform(0.1, 1.6 if spec.postage_kind == "none" else 3.0))
        y = int(spec.dpi * rng.uniform(0.1, 0.8))
        if is_free((x, y, x + pw, y + ph), taken, w, h):
            paint_onto(paper, patch, alpha, x, y)
            taken.append((x, y, x + pw, y + ph))
            return


def _place_stamp_box(rng: np.random.Generator, size: int) -> np.ndarray:
    """The dotted 'PLACE STAMP HERE' square printed on postcards and reply envelopes."""
    mask = np.zeros((size, int(size * 0.85)), np.uint8)
    mask[:2, ::4] = mask[-2:, ::4] = 255
    mask[::4, :2] = mask[::4, -2:] = 255
    font = load_font(pick_font(rng, styles=("sans", "serif"), italic_rate=0.0).path, max(8, size // 9))
    for i, word in enumerate(("PLACE", "STAMP", "HERE")):
        m = text_mask([word], font)
        y, x = size // 4 + i * m.shape[0], max(0, (mask.shape[1] - m.shape[1]) // 2)
        region = mask[y : y + m.shape[0], x : x + m.shape[1]]
        np.maximum(region, m[: region.shape[0], : region.shape[1]], out=region)
    return mask
