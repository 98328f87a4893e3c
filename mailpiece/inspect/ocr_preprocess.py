"""Prepare an address-block crop for Tesseract: grey, dark ink on white, glyphs at a readable size.

Tesseract reads capitals 20-40 px tall on a clean white page best. Camera crops come with shading, blur,
faint or light-on-dark ink and belt showing past a torn edge; each step below removes one of those. A
crop that does not read one way may read another (bigger glyphs, darker ink, sharper edges), so the ways
are named recipes that the reader can try in turn (:data:`RESCUE_RECIPES`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import cv2
import numpy as np


@dataclass(frozen=True, kw_only=True)
class OcrRecipe:
    """One way to prepare a crop: glyph height, ink darkening, sharpening and binarisation."""

    name: str
    target_height_px: float = 28.0
    ink_percentile: float | None = 30.0  # this share of the ink becomes black (None: no stretch)
    ink_gamma: float = 1.0  # > 1 darkens grey (faint or blurred) ink while paper stays white
    sharpen: float = 0.0  # unsharp-mask amount; restores edges that blur spread
    binarize: bool = False
    local_ink: bool = False  # stretch each neighbourhood's own ink to black (pale print beside dark print)
    # Read by the reader's second recognition model (``AddressReader.second_ocr``), not its standard one.
    second_model: bool = False

    def apply(self, crop: np.ndarray, *, text_height_px: float | None = None) -> np.ndarray:
        """The crop prepared this way (uint8 grey, padded)."""
        return preprocess_for_ocr(
            crop,
            text_height_px=text_height_px,
            target_height_px=self.target_height_px,
            binarize=self.binarize,
            ink_percentile=self.ink_percentile,
            ink_gamma=self.ink_gamma,
            sharpen=self.sharpen,
            local_ink=self.local_ink,
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# 22 px glyphs: as many right ZIPs as 28 px (more, on 500 dev crops: 464 vs 456) for about 20% less
# Tesseract time; the rescue recipes keep 28 px, so a second look also sees the crop at another scale.
STANDARD_RECIPE = OcrRecipe(name="standard", target_height_px=22.0)
# Further tries for a crop that did not verify; each rescued different crops of blurred and faint print
# (docs/address-reading.md), together about half of the standard recipe's misses.
_DARKER_INK = OcrRecipe(name="darker-ink", ink_gamma=1.5)
_SHARPENED = OcrRecipe(name="sharpened", sharpen=1.0)
_BOLD_INK = OcrRecipe(name="bold-ink", ink_percentile=70.0)
# The same crops read by a second recognition model (Tesseract's larger English model: another network,
# so other misreadings): first as the standard recipe prepares it, then after the fast model's rescues,
# the two preparations that rescued pieces for it too (bold-ink 7 of 16 pieces won on four sets,
# darker-ink 1; sharpened none, so it is not paid for).
SECOND_MODEL_RECIPE = replace(STANDARD_RECIPE, name="second-model", second_model=True)
RESCUE_RECIPES: tuple[OcrRecipe, ...] = (
    SECOND_MODEL_RECIPE,
    _DARKER_INK,
    _SHARPENED,
    _BOLD_INK,
    *(replace(r, name=f"{r.name}-second-model", second_model=True) for r in (_BOLD_INK, _DARKER_INK)),
)
# The block's last line alone, read by a one-line engine as a second opinion on the ZIP (28 px glyphs).
LINE_RECIPE = OcrRecipe(name="last-line")
# Print a few grey levels off the paper (a worn ribbon, a pale inkjet, light-blue ink on a flat scan) is no
# ink to the global stretch, or is outweighed by a black barcode above it; here each neighbourhood's
# darkest print becomes black. Paired with the layout's faint print mask (ReadingAttempt.faint_pass).
FAINT_RECIPE = OcrRecipe(name="faint-ink", target_height_px=22.0, ink_percentile=None, local_ink=True)
# Second opinions on a faint block: the same local stretch at the other scale, and on the last line alone.
FAINT_CONFIRM_RECIPES: tuple[OcrRecipe, ...] = (
    OcrRecipe(name="faint-ink-28", ink_percentile=None, local_ink=True),
)
FAINT_LINE_RECIPE = OcrRecipe(name="faint-last-line", ink_percentile=None, local_ink=True)
# The stretch that blackens pale print also turns the paper's grain beside it grey, and Tesseract can
# read such a block as a line of noise (``SEARS, MI 49679`` in thin light-blue type, its other lines
# lost). A gamma under 1 lifts those greys back towards the paper, the palest most, while stroke cores
# stay dark. It is no better in general (as the faint recipe itself, on two held-out sets of 1,000 frames
# it read 4 pieces more and lost 4 that gamma 1 had read), so it is a second look at the faint pass's
# blocks, for pieces that nothing else read (ReadingAttempt.lifted_pass), with its own second opinions.
FAINT_LIFTED_GAMMA = 0.6
FAINT_LIFTED_RECIPE = replace(FAINT_RECIPE, name="faint-ink-lifted", ink_gamma=FAINT_LIFTED_GAMMA)
FAINT_LIFTED_CONFIRM_RECIPES: tuple[OcrRecipe, ...] = tuple(
    replace(r, name=f"{r.name}-lifted", ink_gamma=FAINT_LIFTED_GAMMA) for r in FAINT_CONFIRM_RECIPES
)
FAINT_LIFTED_LINE_RECIPE = replace(
    FAINT_LINE_RECIPE, name="faint-last-line-lifted", ink_gamma=FAINT_LIFTED_GAMMA
)


def as_grey(image: np.ndarray) -> np.ndarray:
    """A C-contiguous uint8 greyscale view of a grey, BGR or BGRA image; anything else is a ValueError."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY)
    if image.dtype != np.uint8 or image.ndim != 2:
        raise ValueError(f"OCR needs a uint8 greyscale or BGR image, got {image.dtype} {image.shape}")
    return np.ascontiguousarray(image)


# A crop whose median level is below this has dark ground: a dark label, or paper in poor light.
DARK_GROUND = 110


def light_print_on_dark(grey: np.ndarray) -> bool:
    """Whether a crop holds light print on dark stock (a white address on a navy envelope): its ground
    is dark, and its print (the tail of the levels away from the ground) is lighter, not darker. Dark
    ground alone is not enough: a dimly lit or shaded piece has grey paper under black print."""
    low, ground, high = np.percentile(grey[::2, ::2], (2, 50, 98))
    return bool(ground < DARK_GROUND and high - ground > ground - low)


def estimate_text_height(grey: np.ndarray) -> float | None:
    """Typical glyph height in px from dark connected components (upper quartile, so capitals count)."""
    _, ink = cv2.threshold(as_grey(grey), 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    width, height, area = (stats[1:, k] for k in (cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT, cv2.CC_STAT_AREA))
    glyph = (height >= 4) & (height < 0.5 * ink.shape[0]) & (width <= 3 * height) & (area >= 8)
    if glyph.sum() < 3:
        return None
    return float(np.percentile(height[glyph], 75))


def preprocess_for_ocr(
    crop: np.ndarray,
    *,
    text_height_px: float | None = None,
    target_height_px: float = 28.0,
    binarize: bool = False,
    pad_px: int = 16,
    ink_percentile: float | None = 30.0,
    ink_gamma: float = 1.0,
    sharpen: float = 0.0,
    local_ink: bool = False,
) -> np.ndarray:
    """Grey, dark text on light, glyphs scaled to about ``target_height_px``, shading flattened, padded.

    Uneven lighting is divided out so a shadow across the label does not swallow a line; the ink is
    stretched to black (``ink_percentile``) so faint print next to a black barcode still survives
    Tesseract's global threshold; ``ink_gamma`` and ``sharpen`` are for blurred or faint print;
    ``binarize`` adds Otsu (on blurred frames Tesseract's own thresholding of the grey reads as well).
    """
    grey = as_grey(crop)
    if light_print_on_dark(grey):
        grey = 255 - grey
    height = text_height_px or estimate_text_height(grey)
    if height:
        scale = float(np.clip(target_height_px / height, 0.25, 4.0))
        if abs(scale - 1.0) > 0.15:
            size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
            grey = cv2.resize(grey, size, interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    glyph_px = int(target_height_px)
    flat = flatten_background(grey, glyph_px)
    if sharpen > 0:
        flat = unsharp(flat, sharpen, target_height_px / 10)
    if ink_percentile is not None:
        flat = stretch_ink(flat, ink_percentile)
    if local_ink:
        flat = stretch_ink_locally(flat, glyph_px)
    if ink_gamma != 1.0:
        lut = np.round(255 * (np.arange(256) / 255.0) ** ink_gamma).astype(np.uint8)
        flat = cv2.LUT(flat, lut)
    if binarize:
        _, flat = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return cv2.copyMakeBorder(flat, pad_px, pad_px, pad_px, pad_px, cv2.BORDER_CONSTANT, value=255)


def unsharp(grey: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    """An unsharp mask: ``amount`` times the detail finer than a Gaussian of ``sigma`` px added back
    (edges that blur spread are steepened again)."""
    blurred = cv2.GaussianBlur(grey, (0, 0), sigma)
    return cv2.addWeighted(grey, 1 + amount, blurred, -amount, 0)


def stretch_ink(flat: np.ndarray, percentile: float) -> np.ndarray:
    """Map the ink level at ``percentile`` of the ink pixels to black and paper (255) to white.

    Faint print beside a black barcode or logo otherwise falls on the paper side of a global threshold.
    """
    ink = flat[flat < 0.8 * 255]
    if ink.size < 50:
        return flat  # no print to speak of
    level = float(np.percentile(ink, percentile))
    if level > 200:
        return flat
    lut = np.clip((np.arange(256, dtype=np.float32) - level) * 255.0 / (255.0 - level), 0, 255)
    return cv2.LUT(flat, lut.astype(np.uint8))


# A neighbourhood whose darkest pixel is this light holds no print, only paper grain and JPEG noise.
_PAPER_ONLY = 242


def stretch_ink_locally(flat: np.ndarray, glyph_px: int) -> np.ndarray:
    """Map each neighbourhood's darkest level (over about two glyphs) to black and paper to white; areas
    with no print become plain white, so stretching cannot turn paper grain into strokes."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (2 * glyph_px + 1, glyph_px + 1))
    darkest = cv2.blur(cv2.erode(flat, kernel), (glyph_px, glyph_px)).astype(np.float32)
    stretched = (flat.astype(np.float32) - darkest) * 255.0 / np.maximum(255.0 - darkest, 1.0)
    out = np.clip(stretched, 0, 255).astype(np.uint8)
    out[darkest > _PAPER_ONLY] = 255
    return out


def flatten_background(grey: np.ndarray, glyph_px: int) -> np.ndarray:
    """Divide out the paper's shading (a closing wider than any glyph, done at quarter size).

    Background far darker than the paper (belt past a torn edge, a dark border) is not paper: it becomes
    white instead of stretching the contrast, which would thin the print to dots.
    """
    small = cv2.resize(
        grey, (max(1, grey.shape[1] // 4), max(1, grey.shape[0] // 4)), interpolation=cv2.INTER_AREA
    )
    side = max(3, (glyph_px * 3 // 4) | 1)
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    )
    background = cv2.resize(cv2.blur(background, (3, 3)), (grey.shape[1], grey.shape[0]), cv2.INTER_LINEAR)
    flat = cv2.divide(grey, np.maximum(background, 1), scale=255)
    not_paper = _not_paper(grey, glyph_px)
    if not_paper is not None:
        flat[not_paper] = 255
    return flat


def _not_paper(grey: np.ndarray, glyph_px: int) -> np.ndarray | None:
    """Dark regions that are not print: wider than a stroke, and reaching the crop's edge or bigger than
    a few glyphs. Heavy blurred letters also survive the closing, but sit inside the crop and are small."""
    half_glyph = max(3, (glyph_px // 2) | 1)
    filled = cv2.morphologyEx(
        grey, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (half_glyph, half_glyph))
    )
    dark = (filled < 0.55 * float(np.median(filled))).astype(np.uint8)
    if not dark.any():
        return None
    _, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    x, y, w, h, area = (stats[:, k] for k in range(5))
    height, width = dark.shape
    touches_edge = (x == 0) | (y == 0) | (x + w >= width) | (y + h >= height)
    keep = touches_edge | (area >= 6 * glyph_px * glyph_px)
    keep[0] = False
    if not keep.any():
        return None
    selected = keep[labels].astype(np.uint8)
    return cv2.dilate(selected, np.ones((5, 5), np.uint8)).astype(bool)
