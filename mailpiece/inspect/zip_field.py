"""The ZIP field of an address's last line: split off the words before it and read as digits, or as a
pattern with unknown or lost digits (:data:`WILDCARD`, :data:`LOST_DIGIT`, :data:`LOST_ZIP`) that only
the ZIP directory can fill in from the town's own ZIPs.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from mailpiece.inspect.address_fields import (
    DIGIT_READINGS,
    DROPPED_CHAR_PENALTY,
    LETTER_READINGS,
    STATE_CODES,
    state_readings,
)

__all__ = [
    "LOST_DIGIT", "LOST_ZIP", "MAX_READINGS", "WILDCARD", "ZipField", "digit_readings", "fits_zip_pattern",
    "is_zip_pattern", "partly_read_as", "split_zip", "unknown_digits", "zip_readings",
]  # fmt: skip

# A ZIP character that is no digit's misreading: a reading with it is a pattern for the directory to fill.
WILDCARD = "?"
WILDCARD_MIN_DIGITS = 3
# A ZIP read with one digit lost somewhere ("4301" for 43017 or 43001): "4301*", the four digits read, in
# order, and the mark. Only the directory can place it, and only when one of the town's ZIPs fits.
LOST_DIGIT = "*"
# A last line whose ZIP was lost altogether ("NEOSHO RAPIDS, KS 1": a stain, a fold or a faint field):
# only a town with a single ZIP, read exactly beside its state, can fill it in.
LOST_ZIP = WILDCARD * 5
MAX_READINGS = 16
_ZIP_SEPARATORS = "-–—~."
# A ZIP+4 whose ZIP lost digits ("573-2374" for 95573-2374: a crease across its start).
_SHORT_ZIP_PLUS4 = re.compile(r"(\d{3,4})[-–—~](\d{4})")


def is_zip_pattern(zip5: str) -> bool:
    """Whether a read ZIP has unknown or lost digits (``WILDCARD``, ``LOST_DIGIT``) for the directory."""
    return not zip5.isdigit()


def fits_zip_pattern(zip5: str, pattern: str) -> bool:
    """Whether a directory ZIP matches a ZIP read with unknown (``WILDCARD``) or a lost digit."""
    if LOST_DIGIT in pattern:
        read = pattern.replace(LOST_DIGIT, "")
        return any(zip5[:i] + zip5[i + 1 :] == read for i in range(5))
    return all(p in (WILDCARD, z) for z, p in zip(zip5, pattern, strict=True))


def partly_read_as(pattern: str, zip5: str) -> bool:
    """Whether a ZIP read incompletely could be ``zip5`` misread in one digit at most: the digits read, in
    place (around ``WILDCARD``, or against either end of ``zip5`` for a ``LOST_DIGIT``), differ from it in
    none, or in one beside at least three that agree. ``LOST_ZIP`` (nothing read) contradicts nothing."""
    if LOST_DIGIT in pattern:
        read = pattern.replace(LOST_DIGIT, "")
        return any(_few_misread(read, zip5[i : i + len(read)]) for i in (0, 5 - len(read)))
    pairs = [(p, z) for p, z in zip(pattern, zip5, strict=True) if p != WILDCARD]
    return _few_misread("".join(p for p, _ in pairs), "".join(z for _, z in pairs))


def _few_misread(read: str, true: str) -> bool:
    wrong = sum(a != b for a, b in zip(read, true, strict=True))
    return wrong == 0 or (wrong == 1 and len(read) - wrong >= 3)


def unknown_digits(zip5: str) -> int:
    """How many digits of a read ZIP are unknown or lost."""
    return zip5.count(WILDCARD) + zip5.count(LOST_DIGIT)


@dataclass(frozen=True)
class ZipField:
    """The ZIP field of a last line as split from its tokens, before any digit is guessed."""

    text: str  # five characters; six with a stray mark; three or four when the rest was lost
    zip4: str | None
    glued_state: str | None  # "CT" of "CT06103"
    needs_state: bool = False  # only a state beside it makes this a ZIP (a stray mark, a lost digit)
    front_lost: bool = False  # three digits before a ZIP+4: the ZIP's start was lost, not its end


def split_zip(tail: list[str]) -> ZipField | None:
    """Split the tokens after the city into a ZIP field, or None.

    Accepts ``06103``, ``06103-1234``, ``061031234``, ``06103 1234``, ``CT06103`` and stray dots or
    quotes inside the ZIP (``061.03``). Beside a state only: a gap inside the ZIP (``627 01``, a
    letter-spaced ZIP read as two words), a stray mark in the ZIP (``594408``), a
    ZIP+4 whose hyphen was read as a digit (``5655649534``), a ZIP whose end a stain or the crop took
    (``168``, ``4301``: the directory may fill it in from the town's own ZIPs), and a ZIP+4 whose ZIP
    lost digits (``573-2374``: three digits there lost the ZIP's start, the end sits at the hyphen).
    """
    joined = "".join(tail)
    if len(tail) == 2 and len(joined) == 5 and joined.isdigit() and len(tail[1]) != 4:
        return ZipField(joined, None, None, needs_state=True)  # "627 01": a gap OCR saw in a spaced ZIP
    if len(tail) > 2 or (len(tail) == 2 and len(tail[1]) != 4):
        return None
    if len(tail) == 1 and len(joined) >= 7 and _glued_state(joined[:2]) and not joined[2].isalpha():
        # "CT06103", "1A52561" (IA); unless the rest makes no ZIP: "GO718-9026" is a ZIP whose 0s were
        # read as letters.
        field = _zip_field(joined[2:], glued=joined[:2], single=True)
        if field is not None:
            return field
    return _zip_field(joined, glued=None, single=len(tail) == 1)


def _glued_state(pair: str) -> bool:
    """Whether two characters glued to the front of a ZIP can be its state: two letters, or a letter and a
    digit that reads as a letter where the pair then makes a real state (``1A`` for IA, ``C0`` for CO)."""
    if pair.isalpha():
        return True
    if not any(c.isalpha() for c in pair) or not all(c.isalpha() or c in LETTER_READINGS for c in pair):
        return False
    return any(state in STATE_CODES for state, _, _ in state_readings([pair]))


def _zip_field(joined: str, *, glued: str | None, single: bool) -> ZipField | None:
    """The ZIP field in the joined text of the tokens after the city (see :func:`split_zip`)."""
    if len(joined) >= 7 and joined[5] in _ZIP_SEPARATORS:
        return ZipField(joined[:5], joined[6:] if len(joined) <= 10 else None, glued)
    short = _SHORT_ZIP_PLUS4.fullmatch(joined)
    if short and single and not glued:
        zip5, zip4 = short.groups()
        return ZipField(zip5, zip4, None, needs_state=True, front_lost=len(zip5) == 3)
    joined = "".join(c for c in joined if c not in ".,'`")
    if any(c in _ZIP_SEPARATORS for c in joined[:5]):
        return None  # a hyphen inside the first five: "S732-9" is not ZIP 57329 with a stray mark
    if len(joined) == 5:
        return ZipField(joined, None, glued)
    if len(joined) == 9:
        return ZipField(joined[:5], joined[5:], glued)
    if not single:
        return None
    if len(joined) == 6:  # a stray mark in the ZIP
        return ZipField(joined, None, glued, needs_state=True)
    if glued:
        return None
    if len(joined) == 10 and joined.isdigit():  # "56556-9534" with its hyphen read as a digit
        return ZipField(joined[:5], joined[6:], None, needs_state=True)
    if len(joined) in (3, 4) and joined.isdigit():  # the end of the ZIP lost
        return ZipField(joined, None, None, needs_state=True)
    return None


def digit_readings(text: str, *, min_digits: int, wildcard: bool = False) -> list[tuple[str, float]]:
    """Every digit string the field could be, with a penalty: 0.1 per letter read as its usual digit.

    With ``wildcard``, one character that is no digit's misreading (``7Sa07``, ``0%501``: a blurred
    digit) stays unknown as ``WILDCARD``; only the directory can fill it in, from the town's own ZIPs.
    """
    digits = sum(c.isdigit() for c in text)
    if digits < min_digits:
        return []
    choices = []
    unknown = 0
    for char in text:
        if char.isdigit():
            choices.append([(char, 0.0)])
        elif char in DIGIT_READINGS:
            options = DIGIT_READINGS[char]
            choices.append([(digit, 0.1 + rank) for rank, digit in enumerate(options)])
        elif wildcard and unknown == 0:
            unknown += 1
            choices.append([(WILDCARD, 0.0)])
        else:
            return []
    if unknown and digits < WILDCARD_MIN_DIGITS:
        return []  # too little of the ZIP was read as digits to narrow the town's ZIPs down
    readings = [
        ("".join(d for d, _ in combo), sum(p for _, p in combo)) for combo in itertools.product(*choices)
    ]
    return sorted(readings, key=lambda r: r[1])[:MAX_READINGS]


def zip_readings(text: str, *, min_digits: int, wildcard: bool = False) -> list[tuple[str, float]]:
    """Readings of a 5-character ZIP field (one unknown character allowed with ``wildcard``); a
    6-character one is read with each character dropped in turn; a 4-digit one as a pattern with its
    lost digit unknown at each place in turn, a 3-digit one as the first three digits."""
    if len(text) == 5:
        return digit_readings(text, min_digits=min_digits, wildcard=wildcard)
    if len(text) == 4:
        return [(text + LOST_DIGIT, DROPPED_CHAR_PENALTY)]
    if len(text) == 3:
        return [(text + 2 * WILDCARD, DROPPED_CHAR_PENALTY)]
    best: dict[str, float] = {}
    for i in range(len(text)):
        for digits, penalty in digit_readings(text[:i] + text[i + 1 :], min_digits=min_digits):
            best[digits] = min(best.get(digits, 99.0), penalty + DROPPED_CHAR_PENALTY)
    return sorted(best.items(), key=lambda r: r[1])[:MAX_READINGS]
