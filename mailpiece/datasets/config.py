"""Knobs of the synthetic generator: class balance and how often each variation appears.

Proportions are (name, weight) pairs so the config stays frozen and hashable; weights need not sum to 1.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from mailpiece.datasets.labels import PIECE_TYPES
from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS

Mix = tuple[tuple[str, float], ...]


@dataclass(frozen=True, kw_only=True)
class SynthConfig:
    """How the generator samples pieces; the defaults give the project's reference class balance."""

    dpi: int = 150
    dpi_jitter: float = 0.12  # camera resolution varies +-12% around `dpi`
    max_piece_side_px: int = 1500  # flats are rendered at a lower dpi so frames stay below ~2000 px
    postage_mix: Mix = (("stamp", 0.35), ("meter", 0.20), ("permit", 0.15), ("none", 0.30))
    damage_mix: Mix = (
        ("none", 0.50),
        ("torn", 0.125),
        ("creased", 0.125),
        ("stained", 0.125),
        ("crushed", 0.125),
    )
    piece_mix: Mix = (
        ("envelope_10", 0.36),
        ("envelope_9", 0.08),
        ("envelope_6_75", 0.10),
        ("envelope_a7", 0.10),
        ("postcard", 0.14),
        ("flat_6x9", 0.12),
        ("flat_9x12", 0.10),
    )
    p_window: float = 0.25
    p_address_label: float = 0.15
    p_return_address: float = 0.8
    p_cancelled: float = 0.35  # of stamped pieces
    p_two_stamps: float = 0.15  # of stamped pieces
    p_decoy_art: float = 0.45  # of unpaid pieces: non-postage artwork near the top right
    p_decoy_art_paid: float = 0.15  # of paid pieces
    # Full-colour advertising (a picture panel and stickers) in the free space of any piece. 0 by default so
    # the frames of every seed rendered so far stay the same; a training set can ask for it.
    p_advert_art: float = 0.0
    # Stamps and meters of random designs (mailpiece.datasets.postage_styles), drawn from their own rng
    # stream: 0 by default, so the frames of every seed rendered so far stay the same.
    p_varied_postage: float = 0.0
    # Damage of random looks (mailpiece.datasets.damage_styles), likewise from its own stream; 0 by default.
    p_varied_damage: float = 0.0
    # Of the pieces with advertising, the share whose picture is printed to the piece's edge (full bleed),
    # in one ink or pale, sometimes fading out (piece_face): 0 by default, so every seed renders as before.
    p_bleed_advert: float = 0.0
    p_damage_over_address: float = 0.06  # of torn/stained pieces: damage destroys the address
    p_upside_down: float = 0.22
    p_grayscale: float = 0.2
    p_flat_scan: float = 0.1
    max_rotation_deg: float = 10.0
    jpeg_quality: tuple[int, int] = (50, 95)

    def __post_init__(self) -> None:
        for name, allowed in (
            ("postage_mix", POSTAGE_KINDS),
            ("damage_mix", DAMAGE_KINDS),
            ("piece_mix", PIECE_TYPES),
        ):
            mix = getattr(self, name)
            unknown = [k for k, _ in mix if k not in allowed]
            if unknown or sum(w for _, w in mix) <= 0 or any(w < 0 for _, w in mix):
                raise ValueError(f"{name} must give non-negative weights to {allowed}, got {mix}")
        lo, hi = self.jpeg_quality
        if not 1 <= lo <= hi <= 100:
            raise ValueError(f"jpeg_quality must be a range within 1..100, got {self.jpeg_quality}")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            d[f.name] = dict(value) if f.name.endswith("_mix") else value
        d["jpeg_quality"] = list(self.jpeg_quality)
        return d

    def with_options(self, options: list[str]) -> SynthConfig:
        """This config with ``NAME=VALUE`` settings applied (``p_advert_art=0.2``, ``jpeg_quality=30-90``,
        ``postage_mix=stamp:1,none:1``); an unknown name or a bad value is a ValueError that says why."""
        changes: dict[str, Any] = {}
        known = {f.name: f for f in fields(self)}
        for option in options:
            name, sep, text = option.partition("=")
            name = name.strip()
            if not sep or name not in known:
                raise ValueError(f"{option!r}: expected NAME=VALUE with NAME one of {', '.join(known)}")
            current = getattr(self, name)
            try:
                if name.endswith("_mix"):
                    pairs = (part.split(":") for part in text.split(","))
                    value: Any = tuple((kind.strip(), float(weight)) for kind, weight in pairs)
                elif name == "jpeg_quality":
                    lo, hi = text.split("-")
                    value = (int(lo), int(hi))
                else:
                    value = type(current)(text)
            except ValueError as err:
                raise ValueError(f"{option!r}: {current!r} is the form {name} takes ({err})") from None
            changes[name] = value
        return replace(self, **changes)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SynthConfig:
        """Rebuild a config from `to_dict()` output (as saved in a dataset's README)."""
        kw: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in d:
                value = d[f.name]
                if f.name.endswith("_mix"):
                    value = tuple((str(k), float(w)) for k, w in dict(value).items())
                elif f.name == "jpeg_quality":
                    value = (int(value[0]), int(value[1]))
                kw[f.name] = value
        return cls(**kw)
