"""The semantic plan of one synthetic piece, sampled before any pixel is drawn.

Splitting "what the piece is" (this module, cheap) from "how it looks" (the renderer) lets tests and
class-balance reports sample thousands of plans without rendering, the torchvision pattern of sampling
parameters first and applying them deterministically after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mailpiece.datasets.address_book import sample_address
from mailpiece.datasets.config import Mix, SynthConfig
from mailpiece.datasets.labels import AddressLabel

# Upright size in inches (width, height): the long side runs left to right as the address reads.
PIECE_INCHES: dict[str, tuple[float, float]] = {
    "envelope_10": (9.5, 4.125),
    "envelope_9": (8.875, 3.875),
    "envelope_6_75": (6.5, 3.625),
    "envelope_a7": (7.25, 5.25),
    "postcard": (6.0, 4.25),
    "flat_6x9": (9.0, 6.0),
    "flat_9x12": (12.0, 9.0),
}
_SMALL_POSTCARD = (5.5, 3.5)
_WINDOW_TYPES = ("envelope_10", "envelope_9", "envelope_6_75", "flat_6x9")


@dataclass(frozen=True, kw_only=True)
class PieceSpec:
    """Everything about a piece that its label states, decided from the rng stream (seed, index, 0)."""

    seed: int
    index: int
    piece_type: str
    inches: tuple[float, float]
    dpi: int
    window: bool
    address_label: bool
    address: AddressLabel
    return_address: AddressLabel | None
    postage_kind: str
    cancelled: bool
    stamp_count: int
    decoy_art: bool
    advert_art: bool
    damage_kind: str
    severity: float
    damage_over_address: bool
    orientation: int
    rotation_deg: float
    grayscale: bool
    flat_scan: bool
    jpeg_quality: int
    varied_postage: bool = False  # stamps and meters of random designs (postage_styles)
    varied_damage: bool = False  # damage of random looks (damage_styles)
    bleed_advert: bool = False  # the advertising picture printed to the piece's edge (piece_face)

    @property
    def size_px(self) -> tuple[int, int]:
        """Upright piece size in pixels at this piece's dpi."""
        return round(self.inches[0] * self.dpi), round(self.inches[1] * self.dpi)


def rng_for(seed: int, index: int, stream: int) -> np.random.Generator:
    """The generator for one independent stream of one frame; a pure function of its arguments."""
    if seed < 0 or index < 0:
        raise ValueError(f"seed and index must be non-negative, got seed={seed} index={index}")
    return np.random.default_rng([seed, index, stream])


def choose(rng: np.random.Generator, mix: Mix) -> str:
    """One name from a (name, weight) mix."""
    names = [k for k, _ in mix]
    weights = np.asarray([w for _, w in mix], np.float64)
    return names[int(rng.choice(len(names), p=weights / weights.sum()))]


def sample_spec(seed: int, index: int, config: SynthConfig = SynthConfig()) -> PieceSpec:
    """The plan for frame `index` of dataset `seed`: classes, text, orientation, camera settings."""
    rng = rng_for(seed, index, 0)
    piece_type = choose(rng, config.piece_mix)
    inches = PIECE_INCHES[piece_type]
    if piece_type == "postcard" and rng.random() < 0.4:
        inches = _SMALL_POSTCARD
    dpi = config.dpi * (1.0 + rng.uniform(-config.dpi_jitter, config.dpi_jitter))
    dpi = int(round(min(dpi, config.max_piece_side_px / max(inches))))
    window = piece_type in _WINDOW_TYPES and rng.random() < config.p_window
    address_label = not window and piece_type != "postcard" and rng.random() < config.p_address_label
    address = sample_address(rng)
    return_address = None
    if rng.random() < config.p_return_address:
        return_address = sample_address(rng, avoid_zip5=address.zip5, business_rate=0.45)
    postage_kind = choose(rng, config.postage_mix)
    is_stamp = postage_kind == "stamp"
    cancelled = is_stamp and rng.random() < config.p_cancelled
    stamp_count = 2 if is_stamp and rng.random() < config.p_two_stamps else (1 if is_stamp else 0)
    p_decoy = config.p_decoy_art if postage_kind == "none" else config.p_decoy_art_paid
    decoy_art = bool(rng.random() < p_decoy)
    damage_kind = choose(rng, config.damage_mix)
    severity = 0.0 if damage_kind == "none" else round(float(rng.uniform(0.15, 1.0)), 3)
    over_address = damage_kind in ("torn", "stained") and rng.random() < config.p_damage_over_address
    flat_scan = bool(rng.random() < config.p_flat_scan)
    max_rot = min(config.max_rotation_deg, 2.0) if flat_scan else config.max_rotation_deg
    lo, hi = config.jpeg_quality
    return PieceSpec(
        seed=seed,
        index=index,
        piece_type=piece_type,
        inches=inches,
        dpi=dpi,
        window=bool(window),
        address_label=bool(address_label),
        address=address,
        return_address=return_address,
        postage_kind=postage_kind,
        cancelled=bool(cancelled),
        stamp_count=stamp_count,
        decoy_art=decoy_art,
        damage_kind=damage_kind,
        severity=severity,
        damage_over_address=bool(over_address),
        orientation=180 if rng.random() < config.p_upside_down else 0,
        rotation_deg=round(float(rng.uniform(-max_rot, max_rot)), 2),
        grayscale=bool(rng.random() < config.p_grayscale),
        flat_scan=flat_scan,
        jpeg_quality=int(rng.integers(lo, hi + 1)),
        advert_art=bool(rng.random() < config.p_advert_art),  # drawn last: earlier draws stay as they were
        varied_postage=bool(rng.random() < config.p_varied_postage),  # after it, for the same reason
        varied_damage=bool(rng.random() < config.p_varied_damage),  # after it, for the same reason
        bleed_advert=bool(rng.random() < config.p_bleed_advert),  # after it, for the same reason
    )
