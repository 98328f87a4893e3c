"""The installed fonts that can draw an address (Latin letters, digits, punctuation), sorted by path so a
choice by index is deterministic on a given machine, and classed by style for weighted picking.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import ImageFont

FONT_ROOT = Path(os.environ.get("MAILPIECE_FONT_ROOT", "/usr/share/fonts"))
# Characters an address, a meter or a permit needs; a font lacking any of them is skipped.
_NEEDED = "AZaz09#-,.:$/&"
_SKIP_WORDS = ("Math", "Symbol", "Music", "D050000L", "Dingbat", "Emoji", "Biolinum_K")  # _K: keycaps


@dataclass(frozen=True, kw_only=True)
class FontFace:
    """One font file and its style, read from the file name."""

    path: str
    style: str  # "sans" | "serif" | "mono" | "script"
    bold: bool
    italic: bool
    condensed: bool


def _style(name: str) -> str:
    low = name.lower()
    if any(
        k in low
        for k in ("z003", "chancery", "hand", "script", "breip", "klaver", "humor", "comic", "kristi", "dkg")
    ):
        return "script"
    if any(k in low for k in ("mono", "courier", "cursor", "hack-", "firacode")):
        return "mono"
    serifs = ("serif", "roman", "c059", "p052", "bookman", "century", "palat", "times", "termes", "pagella")
    more_serifs = ("schola", "bonum", "libertine", "garamond", "gentium", "charis", "caladea", "accanthis")
    if any(k in low for k in serifs + more_serifs):
        return "serif"
    return "sans"


def _covers_latin(path: str) -> bool:
    """True when every needed character renders as its own glyph, not the missing-glyph box."""
    try:
        font = ImageFont.truetype(path, 24)
    except OSError:
        return False
    missing = bytes(font.getmask("\ue000"))
    seen = set()
    for ch in _NEEDED:
        mask = bytes(font.getmask(ch))
        if not mask or mask == missing or mask in seen:
            return False
        seen.add(mask)
    return True


@lru_cache(maxsize=1)
def font_catalogue() -> tuple[FontFace, ...]:
    """Every usable .ttf/.otf under FONT_ROOT, sorted by path."""
    paths = sorted(str(p) for p in FONT_ROOT.rglob("*") if p.suffix.lower() in (".ttf", ".otf"))
    faces = []
    for path in paths:
        name = Path(path).stem
        if any(w in name for w in _SKIP_WORDS):
            continue
        # Noto ships hundreds of scripts; the Latin ones are the plain Sans/Serif/Mono families.
        if name.startswith("Noto") and name.split("-")[0] not in (
            "NotoSans",
            "NotoSerif",
            "NotoSansMono",
            "NotoMono",
            "NotoSansDisplay",
            "NotoSerifDisplay",
        ):
            continue
        if not _covers_latin(path):
            continue
        low = name.lower()
        faces.append(
            FontFace(
                path=path,
                style=_style(name),
                bold=any(k in low for k in ("bold", "bd", "demi", "black", "heavy")),
                italic=any(k in low for k in ("ita", "oblique")),
                condensed=any(k in low for k in ("condensed", "narrow")),
            )
        )
    if not faces:
        raise RuntimeError(f"no usable fonts under {FONT_ROOT}; run scripts/install-system-deps.sh")
    return tuple(faces)


@lru_cache(maxsize=1024)
def load_font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    """A font at a pixel size, cached per process (loading is the slow part of drawing text)."""
    return ImageFont.truetype(path, max(6, int(size_px)))


def pick_font(
    rng: np.random.Generator,
    *,
    styles: tuple[str, ...] = ("sans", "serif", "mono"),
    italic_rate: float = 0.1,
    bold_rate: float | None = None,
) -> FontFace:
    """A font of one of `styles`; italics are kept rare because addresses are rarely italic."""
    style = styles[int(rng.integers(len(styles)))]
    pool = [f for f in font_catalogue() if f.style == style] or list(font_catalogue())
    want_italic = rng.random() < italic_rate
    narrowed = [f for f in pool if f.italic == want_italic] or pool
    if bold_rate is not None:
        want_bold = rng.random() < bold_rate
        narrowed = [f for f in narrowed if f.bold == want_bold] or narrowed
    return narrowed[int(rng.integers(len(narrowed)))]
