"""The upright face of a mail piece: paper, postage, return address, destination, and the printed
clutter real mail carries (endorsements, slogans, logos, barcodes), with the boxes the label needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mailpiece.datasets.address_block import place_address
from mailpiece.datasets.artwork import ENDORSEMENTS, SLOGANS, burst, logo, seal, vivid
from mailpiece.datasets.barcodes import qr_like
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.lettering import ADDRESS_INKS, LIGHT_INKS, ink_onto, paint_onto, text_mask
from mailpiece.datasets.paper import blank_paper, pick_stock, shade_edges
from mailpiece.datasets.postage import METER_INKS, cancellation_mask, meter_mask, permit_mask, stamp
from mailpiece.datasets.spec import PieceSpec

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class PieceFace:
    """The rendered upright piece and where its destination and postage are, in piece pixels."""

    image: np.ndarray  # uint8 (H, W, 3) BGR
    address_box: Box
    postage_box: Box | None
    address_ink: np.ndarray  # uint8 (H, W), > 0 on destination text


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _free(box: Box, taken: list[Box], w: int, h: int) -> bool:
    inside = box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h
    return inside and not any(_overlaps(box, t) for t in taken)


def _postage(paper: np.ndarray, rng: np.random.Generator, spec: PieceSpec) -> Box | None:
    """Put the postage in the top right corner; returns its box (None for unpaid pieces)."""
    h, w = paper.shape[:2]
    dpi = spec.dpi
    right = w - int(dpi * rng.uniform(0.12, 0.45))
    top = int(dpi * rng.uniform(0.12, 0.4))
    ret = spec.return_address or spec.address
    if spec.postage_kind == "stamp":
        sw, sh = int(dpi * rng.uniform(0.8, 1.15)), int(dpi * rng.uniform(0.9, 1.3))
        if rng.random() < 0.3:
            sw, sh = sh, sw
        x1, boxes = right, []
        for _ in range(spec.stamp_count):
            patch, alpha = stamp(rng, sw, sh, dpi)
            y = top + int(rng.integers(-3, 8))
            paint_onto(paper, patch, alpha, x1 - sw, y)
            boxes.append((x1 - sw, y, x1, y + sh))
            x1 -= sw + int(dpi * rng.uniform(0.0, 0.12))
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), right, max(b[3] for b in boxes))
        if spec.cancelled:
            cw = box[2] - box[0] + int(dpi * rng.uniform(0.8, 2.2))
            mask = cancellation_mask(rng, dpi, cw, box[3] - box[1] + 10, ret.city, ret.state)
            ink_onto(
                paper,
                mask,
                box[2] - cw + int(rng.integers(-10, 20)),
                box[1] - 5,
                (25, 25, 25) if rng.random() < 0.7 else (90, 40, 30),
                float(rng.uniform(0.6, 1.0)),
            )
        return box
    if spec.postage_kind == "none":
        return None
    if spec.postage_kind == "meter":
        mask = meter_mask(rng, dpi, ret.zip5)
        ink = METER_INKS[int(rng.integers(len(METER_INKS)))]
    else:
        company = (ret.company or ret.name).split()[0]
        mask = permit_mask(rng, dpi, ret.city, ret.state, company)
        ink = METER_INKS[int(rng.integers(len(METER_INKS)))] if rng.random() < 0.4 else (25, 25, 25)
    x, y = right - mask.shape[1], top
    ink_onto(paper, mask, x, y, ink, float(rng.uniform(0.75, 1.0)))
    return x, y, right, y + mask.shape[0]


def _decoy(paper: np.ndarray, rng: np.random.Generator, spec: PieceSpec, taken: list[Box]) -> None:
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
        if _free((x, y, x + pw, y + ph), taken, w, h):
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
        mask[y : y + m.shape[0], x : x + m.shape[1]] = np.maximum(
            mask[y : y + m.shape[0], x : x + m.shape[1]], m[: size - y, : mask.shape[1] - x]
        )
    return mask


def _print_text(
    paper: np.ndarray,
    rng: np.random.Generator,
    lines: tuple[str, ...],
    size: int,
    taken: list[Box],
    anchors: list[tuple[int, int]],
    ink=None,
    light: bool = False,
) -> Box | None:
    """Print small text at the first free anchor; returns where it went."""
    face = pick_font(rng, styles=("sans", "serif", "mono"), bold_rate=0.4)
    mask = text_mask(lines, load_font(face.path, size), line_gap=float(rng.uniform(1.0, 1.3)))
    ph, pw = mask.shape
    for x, y in anchors:
        box = (x, y, x + pw, y + ph)
        if _free(box, taken, paper.shape[1], paper.shape[0]):
            inks = LIGHT_INKS if light else ADDRESS_INKS
            ink_onto(paper, mask, x, y, ink or inks[int(rng.integers(len(inks)))], cover=light)
            taken.append(box)
            return box
    return None


def render_face(spec: PieceSpec, rng: np.random.Generator) -> PieceFace:
    """Draw the upright piece described by `spec`."""
    w, h = spec.size_px
    dpi = spec.dpi
    stock, colour = pick_stock(rng, spec.piece_type)
    paper = blank_paper(rng, w, h, colour, fibrous=stock in ("kraft", "manila", "grey_recycled"))
    dark = float(np.mean(colour)) < 110
    taken: list[Box] = []
    area = (int(0.05 * w), 0, w - int(0.04 * w), h - int(0.06 * h))
    postage_box = _postage(paper, rng, spec)
    if postage_box is not None:
        taken.append(postage_box)
    if spec.piece_type == "postcard":
        x = int(w * rng.uniform(0.5, 0.58))
        ink_onto(
            paper, np.full((int(h * 0.7), max(1, dpi // 100)), 200, np.uint8), x, int(h * 0.18), (60, 60, 60)
        )
        area = (x + int(0.04 * w), 0, w - int(0.03 * w), h - int(0.05 * h))
    if spec.return_address is not None:
        margin = int(dpi * rng.uniform(0.15, 0.45))
        ret_lines = spec.return_address.lines
        size = int(dpi * rng.uniform(7.0, 10.0) / 72.0)
        if rng.random() < 0.3:
            patch, alpha = logo(rng, int(dpi * rng.uniform(0.3, 0.5)), spec.return_address.company or "MAIL")
            paint_onto(paper, patch, alpha, margin, margin)
            taken.append((margin, margin, margin + alpha.shape[1], margin + alpha.shape[0]))
            margin_y = margin + alpha.shape[0] + 4
        else:
            margin_y = margin
        _print_text(
            paper,
            rng,
            ret_lines,
            size,
            taken,
            [(margin, margin_y), (margin, margin_y + dpi // 4)],
            light=dark,
        )
    if spec.decoy_art:
        _decoy(paper, rng, spec, taken)
    mode = "window" if spec.window else ("label" if spec.address_label else "print")
    block = place_address(
        paper, rng, spec.address, dpi=dpi, mode=mode, area=area, keep_out=list(taken), light_ink=dark
    )
    taken.append(block.occupied)
    if rng.random() < 0.35:
        text = ENDORSEMENTS[int(rng.integers(len(ENDORSEMENTS)))]
        anchors = [(block.occupied[0], block.occupied[1] - int(dpi * 0.3)), (int(dpi * 0.3), int(h * 0.38))]
        _print_text(paper, rng, (text,), int(dpi * rng.uniform(8, 12) / 72), taken, anchors, light=dark)
    if rng.random() < 0.2:
        text = SLOGANS[int(rng.integers(len(SLOGANS)))]
        anchors = [
            (int(w * rng.uniform(0.03, 0.2)), int(h * rng.uniform(0.7, 0.85))),
            (int(w * 0.05), int(h * 0.45)),
        ]
        _print_text(paper, rng, (text,), int(dpi * rng.uniform(14, 30) / 72), taken, anchors, ink=vivid(rng))
    shade_edges(paper, rng)
    return PieceFace(image=paper, address_box=block.box, postage_box=postage_box, address_ink=block.ink)
