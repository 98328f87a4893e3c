"""The upright face of a mail piece: paper, postage, return address, destination, and the printed
clutter real mail carries (endorsements, slogans, logos, barcodes), with the boxes the label needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mailpiece.datasets.address_block import place_address
from mailpiece.datasets.artwork import ENDORSEMENTS, SLOGANS, logo, vivid
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.lettering import ADDRESS_INKS, LIGHT_INKS, ink_onto, paint_onto, text_mask
from mailpiece.datasets.paper import blank_paper, pick_stock, shade_edges
from mailpiece.datasets.postage_corner import is_free, place_decoy, place_postage
from mailpiece.datasets.spec import PieceSpec

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class PieceFace:
    """The rendered upright piece and where its destination and postage are, in piece pixels."""

    image: np.ndarray  # uint8 (H, W, 3) BGR
    address_box: Box
    postage_box: Box | None
    address_ink: np.ndarray  # uint8 (H, W), > 0 on destination text


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
        if is_free(box, taken, paper.shape[1], paper.shape[0]):
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
    postage_box = place_postage(paper, rng, spec)
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
        place_decoy(paper, rng, spec, taken)
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
