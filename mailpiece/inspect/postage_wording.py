"""What the print where the postage goes says: a box that reads ``PLACE STAMP HERE`` holds no stamp, and
one that reads ``US POSTAGE PAID`` or ``PERMIT NO 123`` is a permit imprint, which pays for the piece.

Courtesy-reply envelopes and postcards print a box where the sender's stamp goes. Empty, it is an outline
with a few words in the postage corner, and at the CNN's input size (a 1,500 px piece shrunk to 384 px)
it looks much like a permit imprint, which is also a box of small print. So the CNN calls it paid; these
boxes were every unpaid piece it missed on a fresh seed. Read at full resolution the words settle it: the
box found by :func:`~mailpiece.inspect.postage_box.find_postage_box` is read with the address OCR engine,
and words that ask for a stamp (``PLACE STAMP HERE``, ``AFFIX POSTAGE``, ``POSTAGE REQUIRED``) mean the
box is still empty. A stamp stuck on the box hides its words; one stuck beside it is found as a second
patch, and then the piece keeps the CNN's call.

The other way round: a permit imprint set in a face the CNN never saw (condensed, typewriter) can look to
it like no postage at all, and bulk mail carries such imprints by the million. When the CNN calls a piece
unpaid, a box of print where the postage goes is read, and words that say the postage is paid
(:func:`says_paid`) overrule it. So do a stamp's own words (:func:`says_stamp`: ``USA 73``, ``USA
FOREVER``, ``34 UNITED STATES``): a stamp of a design the CNN never saw (a Priority Mail Express label, an
engraving, line art on white) still says what it is.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from mailpiece.inspect.ocr import OcrEngine, OcrTimeout
from mailpiece.inspect.ocr_preprocess import OcrRecipe, as_grey
from mailpiece.inspect.place_names import edit_distance
from mailpiece.inspect.postage_box import find_postage_box
from mailpiece.inspect.print_marks import dark_print

# Box print is small (8-12 pt); read at the size the address rescue recipes use.
WORDING_RECIPE = OcrRecipe(name="postage-wording", target_height_px=28.0)
_MARGIN_PX = 6  # around the box: its outline and edge letters must be inside the crop
_TIMEOUT_MS = 300.0  # a corner full of texture must not hold the worker
_MIN_LINES = 2  # lines of print in the box before it is worth an OCR pass
_CLEAR_INK = 0.02  # share of the paper right of the box in print marks: more is an imprint there
_ASKING = ("PLACE", "AFFIX", "APPLY", "PUT")  # verbs of "put a stamp here"
_STAMP = ("STAMP", "POSTAGE")
_NEEDED = ("REQUIRED", "NEEDED", "NECESSARY")
_PERMIT = ("PERMIT",)
_AMOUNT = re.compile(r"\$ ?\d")  # a meter prints its amount; a permit imprint does not
# A stamp's value: 1-99 (cents, or a 1 for a dollar), 5C, 29¢, $2, $1.50, $28.75.
_VALUE = re.compile(r"\$?\d{1,2}[C¢]?|\$\d{1,3}\.\d{2}")
# A meter's or a PC Postage label's ID: a run of eight digits or more (062S0012345678, 8756943991).
_METER_ID = re.compile(r"\d{8,}")
# An outlined box (outlined_box): searched in the right 30 % of the piece and its top 45 %, each side 4-20 %
# of the piece's width, and its outline present along at least 60 % of every side.
_OUTLINE_CORNER = 0.3
_OUTLINE_SIDE = (0.04, 0.2)
_OUTLINE_CLOSED = 0.6


def asks_for_postage(text: str) -> bool:
    """Whether print reads as an instruction to put postage there (OCR slips of a letter allowed).

    ``NO POSTAGE NECESSARY`` (business reply mail, which is prepaid) is not such an instruction.
    """
    words = re.findall(r"[A-Z]+", text.upper())
    for i, word in enumerate(words):
        if not _like(word, _STAMP):
            continue
        before, after = words[max(0, i - 3) : i], words[i + 1 : i + 3]
        if words[max(0, i - 1) : i] == ["NO"]:
            continue
        if any(_like(w, _ASKING) for w in before) or "HERE" in after:
            return True
        if any(_like(w, _NEEDED) for w in after[:1]):
            return True
    return False


def says_paid(text: str) -> bool:
    """Whether print reads as a permit imprint's or a meter's word that the postage is paid
    (``US POSTAGE PAID``, ``U.S. POSTAGE / PAID``, ``PERMIT NO. 123``, ``PERMIT #45``, ``US POSTAGE
    $0.73``, ``US POSTAGE`` over a meter's long ID; OCR slips of a letter allowed). Print that asks for a
    stamp never does, nor ``NO POSTAGE NECESSARY``.
    """
    if asks_for_postage(text):
        return False
    words = re.findall(r"[A-Z0-9#]+", text.upper())
    amount = _AMOUNT.search(text) is not None
    meter_id = _METER_ID.search(text) is not None
    for i, word in enumerate(words):
        after = words[i + 1 : i + 4]
        if _like(word, _STAMP) and words[max(0, i - 1) : i] != ["NO"] and ("PAID" in after or amount):
            return True
        if (
            _like(word, ("POSTAGE",))
            and (words[max(0, i - 1) : i] == ["US"] or words[max(0, i - 2) : i] == ["U", "S"])
            and meter_id
        ):
            return True  # "US POSTAGE" over a meter's ID, its amount misread ("US POSTAGE $ / 8756943991")
        if _like(word, _PERMIT) and after and (after[0] in ("NO", "N0") or after[0][0] in "#0123456789"):
            return True
    return False


def says_stamp(text: str) -> bool:
    """Whether print reads as a stamp's own lettering: ``USA`` or ``UNITED STATES`` within three words of
    a value (``USA 73``, ``34 UNITED STATES``, ``USA $28.75``, ``USA 1``), or ``FOREVER`` within three
    words of ``USA``, ``US``, ``STATES``, ``FIRST-CLASS`` or ``GLOBAL`` (one OCR slip allowed in it).

    Stamp designs are countless and a CNN trained on some calls others no postage (docs/cnn.md, "What
    the generator never draws"); most say what they are in words a postage box's OCR pass reads. A
    lone number, a lone ``USA`` (a return address's country) or ``FOREVER`` alone are not enough.
    """
    if asks_for_postage(text):
        return False
    words = re.findall(r"[A-Z0-9$.¢-]+", text.upper().replace(",", "."))
    words = [w.strip(".-") for w in words if w.strip(".-")]
    country = [i for i, w in enumerate(words) if w in ("USA", "U.S.A", "STATES")]
    values = [i for i, w in enumerate(words) if _VALUE.fullmatch(w)]
    if any(abs(c - v) <= 3 for c in country for v in values):
        return True
    forever = [i for i, w in enumerate(words) if _like(w, ("FOREVER",))]
    near = [i for i, w in enumerate(words) if w in ("USA", "US", "U.S.A", "STATES", "FIRST-CLASS", "GLOBAL")]
    return any(abs(f - n) <= 3 for f in forever for n in near)


def paid_kind(text: str) -> str:
    """The postage kind print that says paid stands for: ``stamp`` for a stamp's lettering
    (:func:`says_stamp`) that says nothing of postage paid, ``meter`` with an amount or a meter's long
    ID, else ``permit``."""
    if says_stamp(text) and not says_paid(text):
        return "stamp"
    return "meter" if _AMOUNT.search(text) or _METER_ID.search(text) else "permit"


def _like(word: str, targets: tuple[str, ...]) -> bool:
    """The word is one of ``targets``, or one letter off a target of five letters or more."""
    return any(word == t or (len(t) >= 5 and edit_distance(word, t, 1) <= 1) for t in targets)


def read_postage_wording(
    piece: np.ndarray, box: tuple[int, int, int, int] | None, ocr: OcrEngine
) -> str | None:
    """The text of the postage box when it asks for a stamp and nothing else is where postage goes;
    None otherwise (no box, no rows of print in it, other words, or a stamp or imprint beside it).

    Only a box holding lines of print is read (a permit's or a meter's print, such a box; not a stamp's
    picture), so most pieces cost no OCR pass here.
    """
    text = _read_box(piece, box, ocr)
    if text is None or not asks_for_postage(text):
        outline = outlined_box(piece)
        if outline is None or outline == box:
            return None
        x0, y0, x1, y1 = box = outline
        inset = max(3, min(x1 - x0, y1 - y0) // 12)  # inside the outline: its dots read as junk glyphs
        text = _read_box(piece, (x0 + inset, y0 + inset, x1 - inset, y1 - inset), ocr, margin=0)
        if text is None or not asks_for_postage(text):
            return None
    if find_postage_box(piece, exclude=box) is not None or not _clear_to_the_right(piece, box):
        return None  # something else where postage goes: a stamp stuck beside the box, an imprint
    return text


def outlined_box(piece: np.ndarray) -> tuple[int, int, int, int] | None:
    """A box of a stamp's size drawn as an outline (rules, dashes or dots) in the postage corner, nearest
    the corner; None when there is none.

    An empty ``PLACE STAMP HERE`` box is an outline around a few small words: too sparse for
    :func:`~mailpiece.inspect.postage_box.find_postage_box`, which looks for dense ink at a working size
    (on a 12-inch flat it finds nothing). Here the corner is searched at full resolution: print strokes
    are joined along rows and columns, what runs straight for a few dashes is kept as rules, and a
    rectangle of rules closed on all four sides is the box.
    """
    height, width = piece.shape[:2]
    x_start, y_end = int(width * (1 - _OUTLINE_CORNER)), max(1, int(height * _OUTLINE_CORNER * 1.5))
    ink = dark_print(as_grey(piece[:y_end, x_start:]), size=15, depth=25).astype(np.uint8)
    join = max(9, width // 120)  # a dotted outline's gaps, a few px at the usual resolutions
    rows = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _rect(join, 1))
    columns = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, _rect(1, join))
    rules = cv2.morphologyEx(rows, cv2.MORPH_OPEN, _rect(4 * join, 1))
    rules |= cv2.morphologyEx(columns, cv2.MORPH_OPEN, _rect(1, 4 * join))
    edge = max(2, width // 150)  # the piece's own edges (shading, a sliver of belt) are no outline
    rules[:edge], rules[:, -edge:] = 0, 0
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(rules, _rect(3, 3)), connectivity=8)
    best, best_distance = None, float("inf")
    for k in range(1, count):
        x, y, w, h, _ = stats[k]
        if not (_OUTLINE_SIDE[0] * width <= min(w, h) and max(w, h) <= _OUTLINE_SIDE[1] * width):
            continue
        if not 0.6 <= w / h <= 1.7:
            continue
        outline = labels[y : y + h, x : x + w] == k
        band = max(3, min(w, h) // 12)
        sides = (
            outline[:band].any(axis=0), outline[-band:].any(axis=0),
            outline[:, :band].any(axis=1), outline[:, -band:].any(axis=1),
        )  # fmt: skip
        if min(float(side.mean()) for side in sides) < _OUTLINE_CLOSED:
            continue
        distance = float(np.hypot(ink.shape[1] - (x + w), y))
        if distance < best_distance:
            best, best_distance = (int(x) + x_start, int(y), int(x + w) + x_start, int(y + h)), distance
    return best


def _rect(width: int, height: int) -> np.ndarray:
    """A rectangular structuring element ``width`` x ``height`` px."""
    return cv2.getStructuringElement(cv2.MORPH_RECT, (width, height))


def read_paid_wording(piece: np.ndarray, box: tuple[int, int, int, int] | None, ocr: OcrEngine) -> str | None:
    """The text of the postage box when it says the postage is paid (:func:`says_paid`: a permit
    imprint, a meter's legend) or is a stamp's lettering (:func:`says_stamp`); None otherwise. Only a box
    holding lines of print is read."""
    text = _read_box(piece, box, ocr)
    return text if text is not None and (says_paid(text) or says_stamp(text)) else None


def _read_box(
    piece: np.ndarray, box: tuple[int, int, int, int] | None, ocr: OcrEngine, *, margin: int = _MARGIN_PX
) -> str | None:
    """The box's print (with ``margin`` px around it) as one line of text; None without a box, without
    rows of print in it (a stamp's picture), or when the OCR pass runs out of time."""
    if box is None:
        return None
    x0, y0, x1, y1 = box
    crop = piece[max(0, y0 - margin) : y1 + margin, max(0, x0 - margin) : x1 + margin]
    if min(crop.shape[:2]) < 8 or _lines_of_print(crop, max_height=max(5, crop.shape[0] // 3)) < _MIN_LINES:
        return None
    try:
        lines = ocr.read_lines(WORDING_RECIPE.apply(crop), timeout_ms=_TIMEOUT_MS)
    except OcrTimeout:
        return None
    return " ".join(line.text for line in lines)


def _print(crop: np.ndarray) -> np.ndarray:
    """Strokes of print in a full-resolution crop (0/1), clearly darker than their surroundings, without
    the long rules of a box's outline."""
    ink = dark_print(as_grey(crop), size=15, depth=40).astype(np.uint8)
    rules = cv2.morphologyEx(ink, cv2.MORPH_OPEN, _rect(31, 1))
    rules |= cv2.morphologyEx(ink, cv2.MORPH_OPEN, _rect(1, 31))
    return ink & (1 - rules)


def _marks(mask: np.ndarray, max_height: int) -> np.ndarray:
    """Stats (x, y, w, h, area) of the mask's components 5 to ``max_height`` px tall."""
    stats = cv2.connectedComponentsWithStats(mask, connectivity=8)[2][1:]
    return stats[(stats[:, 3] >= 5) & (stats[:, 3] <= max_height)]


def _lines_of_print(crop: np.ndarray, max_height: int) -> int:
    """How many lines of print the crop holds: strokes joined along rows, over twice as wide as tall and
    solid enough. Letters of small blurred print touch, so lines are counted rather than characters; a
    dotted outline's dots are too small to count, and a stamp's picture joins into blobs, not lines."""
    row = _rect(9, 1)
    joined = cv2.morphologyEx(_print(crop), cv2.MORPH_CLOSE, row)
    lines = _marks(joined, max_height)
    widths, heights, areas = lines[:, 2], lines[:, 3], lines[:, 4]
    return int(((widths >= 2 * heights) & (areas >= 0.3 * widths * heights)).sum())


def _clear_to_the_right(piece: np.ndarray, box: tuple[int, int, int, int]) -> bool:
    """Whether the paper between the box and the piece's right edge, down to the box's bottom, is almost
    bare of print: such boxes are printed in the corner itself, so print there is an imprint (a permit,
    a meter) that pays for the piece. The box's own outline is dots and rules, which do not count."""
    height, width = piece.shape[:2]
    margin = max(2, width // 60)
    strip = piece[margin : min(height, box[3]), box[2] : width - margin]
    if min(strip.shape[:2]) < 8:
        return True
    marks = _marks(_print(strip), max_height=max(5, (box[3] - box[1]) // 3))
    return float(marks[:, 4].sum()) <= _CLEAR_INK * strip.shape[0] * strip.shape[1]
