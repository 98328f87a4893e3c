"""The upright face of a mail piece: paper, postage, return address, destination, and the printed
clutter real mail carries (endorsements, slogans, logos, barcodes), with the boxes the label needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.datasets.address_block import place_address
from mailpiece.datasets.artwork import ENDORSEMENTS, SLOGANS, burst, logo, picture, seal, vivid
from mailpiece.datasets.fonts import load_font, pick_font
from mailpiece.datasets.lettering import ADDRESS_INKS, LIGHT_INKS, ink_onto, paint_onto, text_mask
from mailpiece.datasets.paper import blank_paper, pick_stock, shade_edges
from mailpiece.datasets.postage_corner import is_free, overlaps, place_decoy, place_postage
from mailpiece.datasets.spec import PieceSpec, rng_for

Box = tuple[int, int, int, int]


@dataclass(frozen=True, kw_only=True)
class PieceFace:
    """The rendered upright piece and where its destination and postage are, in piece pixels."""

    image: np.ndarray  # uint8 (H, W, 3) BGR
    address_box: Box
    postage_box: Box | None
    address_ink: np.ndarray  # uint8 (H, W, 2): destination text, and its last (ZIP) line alone


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


def _printed_border(paper: np.ndarray, rng: np.random.Generator, area: Box, dpi: int) -> Box:
    """A branded colour band along the bottom, or an airmail chevron border; returns the area left."""
    h, w = paper.shape[:2]
    if rng.random() < 0.75:
        band = int(dpi * rng.uniform(0.2, 0.55))
        colour = vivid(rng)
        paper[h - band :] = colour
        if rng.random() < 0.6:
            text = SLOGANS[int(rng.integers(len(SLOGANS)))]
            face = pick_font(rng, styles=("sans", "serif"), bold_rate=0.8)
            mask = text_mask([text], load_font(face.path, int(band * 0.55)))
            ink_onto(
                paper,
                mask,
                int(w * rng.uniform(0.05, 0.5)),
                h - band + band // 8,
                (250, 250, 250),
                cover=True,
            )
        return area[0], area[1], area[2], min(area[3], h - band - int(dpi * 0.1))
    width = int(dpi * rng.uniform(0.12, 0.22))
    pitch = int(width * rng.uniform(2.5, 4.0))
    colours = ((40, 40, 200), (150, 60, 20))  # red and blue, BGR
    for k, x in enumerate(range(-pitch, w + h + pitch, pitch // 2)):
        stripe = np.array([[x, 0], [x + pitch // 3, 0], [x + pitch // 3 - width, width], [x - width, width]])
        for edge in (stripe, stripe * [1, -1] + [0, h]):  # top and bottom edges
            cv2.fillConvexPoly(paper, edge.astype(np.int32), colours[k % 2], cv2.LINE_AA)
        for edge in (stripe[:, ::-1], stripe[:, ::-1] * [-1, 1] + [w, 0]):  # left and right edges
            cv2.fillConvexPoly(paper, edge.astype(np.int32), colours[k % 2], cv2.LINE_AA)
    return max(area[0], width + 4), area[1], min(area[2], w - width - 4), min(area[3], h - width - 4)


def _free_spot(
    rng: np.random.Generator, size: tuple[int, int], taken: list[Box], shape: tuple[int, ...], pad: int
) -> tuple[int, int] | None:
    """A random (x, y) where a (w, h) patch keeps `pad` pixels clear of all of `taken`; None if none."""
    (pw, ph), (h, w) = size, shape[:2]
    for _ in range(30):
        x, y = int(rng.integers(0, max(1, w - pw))), int(rng.integers(0, max(1, h - ph)))
        clear = (x - pad, y - pad, x + pw + pad, y + ph + pad)
        if is_free((x, y, x + pw, y + ph), [], w, h) and not any(overlaps(clear, t) for t in taken):
            return x, y
    return None


def _advertising(
    paper: np.ndarray, rng: np.random.Generator, dpi: int, taken: list[Box], *, bleed: bool = False
) -> None:
    """Full-colour advertising in the free space: a picture panel, then a few bursts, seals or logos.
    With ``bleed`` the panel is printed to the piece's edge instead (:func:`_bleeding_picture`).

    It draws from its own rng stream, so a piece without it is pixel for pixel what it was before.
    """
    h, w = paper.shape[:2]
    pad = int(dpi * 0.08)
    if bleed:
        _bleeding_picture(paper, rng, taken, pad)
    # The panel's size is drawn with or without ``bleed``, so the stickers' draws after it (and the frames
    # measured in docs/cnn.md) stay as they are.
    pw, ph = int(w * rng.uniform(0.2, 0.45)), int(h * rng.uniform(0.25, 0.5))
    spot = None if bleed else _free_spot(rng, (pw, ph), taken, paper.shape, pad)
    if spot is not None:
        x, y = spot
        paper[y : y + ph, x : x + pw] = picture(rng, pw, ph)
        taken.append((x, y, x + pw, y + ph))
    for _ in range(int(rng.integers(0, 3))):
        size, kind = int(dpi * rng.uniform(0.5, 1.2)), rng.random()
        if kind < 0.4:
            patch, alpha = burst(rng, size)
        elif kind < 0.7:
            patch, alpha = seal(rng, size)
        else:
            patch, alpha = logo(rng, int(size * 0.6), "BEST DEALS")
        spot = _free_spot(rng, alpha.shape[::-1], taken, paper.shape, pad)
        if spot is not None:
            paint_onto(paper, patch, alpha, *spot)
            taken.append((spot[0], spot[1], spot[0] + alpha.shape[1], spot[1] + alpha.shape[0]))


def _bleeding_picture(paper: np.ndarray, rng: np.random.Generator, taken: list[Box], pad: int) -> None:
    """A picture printed to the edge of the piece, as much advertising mail is: into a corner, or a band
    along a whole side; kept clear of the text and postage in ``taken``. A third are printed in one ink
    (grey), a third pale (a tint: the picture blended into the paper), and a third fade out towards the
    middle of the piece: soft, ink-coloured areas at the edge that are neither a stain nor a tear."""
    h, w = paper.shape[:2]
    for _ in range(30):
        if rng.random() < 0.5:  # into a corner
            pw, ph = int(w * rng.uniform(0.2, 0.5)), int(h * rng.uniform(0.3, 0.7))
            x, y = (0, w - pw)[int(rng.integers(2))], (0, h - ph)[int(rng.integers(2))]
        elif rng.random() < 0.6:  # a band along the top or the bottom
            pw, ph = w, int(h * rng.uniform(0.1, 0.3))
            x, y = 0, (0, h - ph)[int(rng.integers(2))]
        else:  # a band down the left or the right side
            pw, ph = int(w * rng.uniform(0.08, 0.25)), h
            x, y = (0, w - pw)[int(rng.integers(2))], 0
        clear = (x - pad, y - pad, x + pw + pad, y + ph + pad)
        if not any(overlaps(clear, t) for t in taken):
            break
    else:
        return
    image = picture(rng, pw, ph).astype(np.float32)
    if rng.random() < 1 / 3:
        image = np.repeat(image.mean(axis=2, keepdims=True), 3, axis=2)
    if rng.random() < 1 / 3:
        alpha = np.full((ph, pw, 1), rng.uniform(0.25, 0.6), np.float32)
    else:
        alpha = np.ones((ph, pw, 1), np.float32)
    if rng.random() < 1 / 3:  # fading out away from the edges it touches
        ramp_x = np.ones(pw, np.float32) if pw == w else np.linspace(1.0, 0.0, pw, dtype=np.float32)
        ramp_y = np.ones(ph, np.float32) if ph == h else np.linspace(1.0, 0.0, ph, dtype=np.float32)
        ramp_x = ramp_x if x == 0 else ramp_x[::-1]
        ramp_y = ramp_y if y == 0 else ramp_y[::-1]
        alpha = alpha * np.sqrt(np.minimum(ramp_x[None, :], ramp_y[:, None]))[..., None]
    region = paper[y : y + ph, x : x + pw].astype(np.float32)
    paper[y : y + ph, x : x + pw] = np.clip(region * (1 - alpha) + image * alpha, 0, 255).astype(np.uint8)
    taken.append((x, y, x + pw, y + ph))


def render_face(spec: PieceSpec, rng: np.random.Generator) -> PieceFace:
    """Draw the upright piece described by `spec`."""
    w, h = spec.size_px
    dpi = spec.dpi
    stock, colour = pick_stock(rng, spec.piece_type)
    paper = blank_paper(rng, w, h, colour, fibrous=stock in ("kraft", "manila", "grey_recycled"))
    dark = float(np.mean(colour)) < 110
    taken: list[Box] = []
    area = (int(0.05 * w), 0, w - int(0.04 * w), h - int(0.06 * h))
    if spec.piece_type != "postcard" and rng.random() < 0.18:
        area = _printed_border(paper, rng, area, dpi)
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
    if spec.advert_art:
        _advertising(paper, rng_for(spec.seed, spec.index, 2), spec.dpi, taken, bleed=spec.bleed_advert)
    shade_edges(paper, rng)
    return PieceFace(image=paper, address_box=block.box, postage_box=postage_box, address_ink=block.ink)
