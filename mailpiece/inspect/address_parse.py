"""Split OCR'd address lines into name, street and the last line (city, state, ZIP, ZIP+4).

OCR confuses letters and digits, so the ZIP field is read with letters mapped to digits and the state
field with digits mapped to letters; every plausible reading is kept, best first, for the ZIP-directory
stage to check.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from mailpiece.inspect.address_fields import (
    DROPPED_CHAR_PENALTY,
    STATE_CODES,
    state_glued_to_city,
    state_readings,
)
from mailpiece.inspect.ocr import OcrLine
from mailpiece.inspect.zip_field import (
    LOST_DIGIT,
    LOST_ZIP,
    MAX_READINGS,
    WILDCARD,
    digit_readings,
    fits_zip_pattern,
    is_zip_pattern,
    split_zip,
    unknown_digits,
    zip_readings,
)

__all__ = [
    "LOST_DIGIT", "LOST_ZIP", "STATE_CODES", "WILDCARD", "LastLineReading", "ParsedAddress",
    "fits_zip_pattern", "is_zip_pattern", "parse_address", "unknown_digits",
]  # fmt: skip

_EDGE_JUNK = "\"'`.,:;|!~_-—–*()[]{}<>=+^«»“”‘’"
# Marks OCR reads off a window's edge, a fold or a rule between two words ("NASHVILLE TN|37213"): word breaks.
_WORD_BREAKS = re.compile(r"[,|\\/¦]")
_COUNTRY = {"USA", "US", "U.S.A.", "U.S.A", "U.S."}
# At most this many words may follow the state of such a line, with this many digits among them in all
# (more are a ZIP misread, not lost; letters OCR made of a ZIP's digits, ``ZOOBS``, count as lost).
LOST_ZIP_TAIL_WORDS = 2
LOST_ZIP_TAIL_DIGITS = 2
# Words of junk after a last line's ZIP that may be dropped (see _read_before_junk).
MAX_JUNK_WORDS = 4
# Hyphens, minus signs and dashes OCR or a font may give for a ZIP+4's hyphen, as ASCII hyphens.
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2212\ufe63\uff0d\u00ad"})
_CLEAN_ZIP = re.compile(r"\d{5}(-\d{4})?")
# What reading a last line without the city the line above it gave costs (see _wrapped): as much as a
# changed digit, so a town read there that fits a ZIP one digit off wins over the state alone.
WRAPPED_CITY_IGNORED = 1.0


@dataclass(frozen=True, kw_only=True)
class LastLineReading:
    """One way to read the last line; ``penalty`` is 0 for the literal reading and grows per guess."""

    zip5: str
    zip4: str | None
    state: str | None
    city: str | None
    penalty: float


@dataclass(frozen=True, kw_only=True)
class ParsedAddress:
    """An address block split into fields; ``readings`` holds every candidate last-line reading, best first.
    ``zip5`` is five digits, or a pattern when no line had a whole ZIP (the directory may fill it in from
    the town): four digits and one ``WILDCARD``, three and two (the end lost, or the start before a
    ZIP+4), four and ``LOST_DIGIT``, or ``LOST_ZIP`` (a city and state with no ZIP beside them).

    ``zip_confidence``/``city_confidence`` are the OCR confidences (0..1) of the words the ZIP and the
    city/state came from, or None when the lines were plain text.
    """

    lines: tuple[str, ...]
    name: str | None = None
    street: str | None = None
    city: str | None = None
    state: str | None = None
    zip5: str | None = None
    zip4: str | None = None
    last_line: str | None = None
    last_line_index: int | None = None
    readings: tuple[LastLineReading, ...] = ()
    zip_confidence: float | None = None
    city_confidence: float | None = None

    @property
    def readable(self) -> bool:
        """Whether a last line with a ZIP-shaped field was found at all."""
        return self.last_line_index is not None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lines"] = list(self.lines)
        d["readings"] = [asdict(r) for r in self.readings]
        return d


@dataclass(frozen=True, kw_only=True)
class _Token:
    text: str
    word: int  # index of the OCR word it came from, to look its confidence up


def parse_address(lines: Sequence[str | OcrLine]) -> ParsedAddress:
    """Parse address lines (plain text or OCR lines with word confidences) into a ``ParsedAddress``."""
    texts = tuple(line.text if isinstance(line, OcrLine) else str(line) for line in lines)
    best: tuple[int, list[LastLineReading], list[_Token], tuple[int, int]] | None = None
    best_rank = -1
    for index in range(len(texts) - 1, -1, -1):
        tokens = _tokens(texts[index])
        found = _read_last_line(tokens)
        if found is None:
            continue
        readings, spans = found
        rank = _last_line_rank(readings[0])
        if rank > best_rank:
            best, best_rank = (index, readings, tokens, spans), rank
        if rank == 3:
            break  # the last line with a state and a whole ZIP wins; junk lines after it were skipped
    if best is None:
        return ParsedAddress(lines=texts, **_name_and_street(texts, len(texts)))
    index, readings, tokens, (zip_start, zip_end) = best
    line: str | OcrLine = lines[index]
    above = index  # where the lines above the last line end (its city's line, when wrapped)
    if readings[0].city is None and index > 0 and (wrapped := _wrapped(lines[index - 1], line)) is not None:
        line, joined_readings, tokens, (zip_start, zip_end) = wrapped
        # The line's readings without a city stay, at the cost of a changed digit: a city was read.
        readings = joined_readings + [replace(r, penalty=r.penalty + WRAPPED_CITY_IGNORED) for r in readings]
        above = index - 1
    top = readings[0]
    confidences = _word_confidences(line)
    zip_words = {t.word for t in tokens[zip_start:zip_end]}
    city_words = {t.word for t in tokens[:zip_start]}  # the city and state words
    return ParsedAddress(
        lines=texts,
        **_name_and_street(texts, above),
        city=top.city,
        state=top.state,
        zip5=top.zip5,
        zip4=top.zip4,
        last_line=line.text if isinstance(line, OcrLine) else str(line),
        last_line_index=index,
        readings=tuple(readings[:MAX_READINGS]),
        zip_confidence=_mean_of(confidences, zip_words, low=True),
        city_confidence=_mean_of(confidences, city_words, low=False),
    )


def _wrapped(
    upper: str | OcrLine, lower: str | OcrLine
) -> tuple[str | OcrLine, list[LastLineReading], list[_Token], tuple[int, int]] | None:
    """A last line broken in two: the city (``SPRINGFIELD`` over ``IL 62701``) or the city and state
    (``SPRINGFIELD, IL`` over ``62701-1234``) on the line above the ZIP's. Read joined when the upper line
    has no digits (a street or box line has) and the joined line names a city and a state."""
    upper_text = upper.text if isinstance(upper, OcrLine) else str(upper)
    if not upper_text.strip() or any(c.isdigit() for c in upper_text):
        return None
    if isinstance(upper, OcrLine) and isinstance(lower, OcrLine):
        joined: str | OcrLine = OcrLine.from_words([*upper.words, *lower.words])
    else:
        joined = f"{upper_text} {lower.text if isinstance(lower, OcrLine) else lower}"
    tokens = _tokens(joined.text if isinstance(joined, OcrLine) else joined)
    found = _read_last_line(tokens)
    if found is None or found[0][0].city is None or found[0][0].state is None:
        return None
    readings, span = found
    if span[0] < len(_tokens(upper_text)):
        return None  # the ZIP must come from the lower line
    return joined, readings, tokens, span


def _last_line_rank(top: LastLineReading) -> int:
    """How good a last line the reading makes: 3 with a state and a whole ZIP, 2 with a state and a ZIP
    missing a character (a junk line below the address must not win over the real one above), 1 with a
    ZIP and no state, 0 with a state and no ZIP at all (the last resort: a city and state alone)."""
    if top.zip5 == LOST_ZIP:
        return 0
    if top.state is None:
        return 1
    return 3 if top.zip5.isdigit() else 2


def _tokens(text: str) -> list[_Token]:
    """Whitespace words, split again at commas and rule-like marks, with edge punctuation removed (ZIP+4
    hyphens kept)."""
    tokens = []
    text = text.translate(_DASHES)
    # A run of dashes is a gap OCR filled, not a ZIP+4 hyphen: "ULLIN IL--62992-1815".
    text = re.sub(r"[-–—~]{2,}", " ", text)
    # A dash or dot between a state and its ZIP is a gap too: "PORTER RANCH, CA-91326", "MN.55936".
    text = re.sub(r"(?<![A-Za-z])([A-Za-z]{2})[-–—~.](?=\d{3})", r"\1 ", text)
    # So is one between a city and a state glued to its ZIP: "GRAND MEADOW-MN.55936" (not WILKES-BARRE).
    text = re.sub(r"(?<=[A-Za-z])[-–—~.]([A-Z]{2}) ?(?=\d{3})", r" \1 ", text)
    for word_index, word in enumerate(text.split()):
        for piece in _WORD_BREAKS.split(word):
            piece = piece.strip(_EDGE_JUNK)
            if piece:
                tokens.append(_Token(text=piece, word=word_index))
    return tokens


def _read_last_line(tokens: list[_Token]) -> tuple[list[LastLineReading], tuple[int, int]] | None:
    """Read ``CITY ST ZIP[-ZIP4]`` from the right; return readings and the ZIP's token span."""
    texts = [t.text for t in tokens]
    while texts and (texts[-1].upper() in _COUNTRY or (len(texts[-1]) <= 2 and not texts[-1].isalnum())):
        texts.pop()  # a country name or a stray mark after the ZIP
    found = _read_zip_from_right(texts, 0.0)
    if found is None and len(texts) > 2 and len(texts[-1]) <= 2:
        # A letter or two after the ZIP ("04474 i"): a smudge or a bar of the barcode, read as text.
        found = _read_zip_from_right(texts[:-1], DROPPED_CHAR_PENALTY / 2)
    if found is None:
        found = _read_before_junk(texts)
    if found is None:
        found = _read_without_zip(texts)
    return found


def _read_without_zip(texts: list[str]) -> tuple[list[LastLineReading], tuple[int, int]] | None:
    """``CITY ST`` with its ZIP lost (``NEOSHO RAPIDS, KS 1``, ``ROCKFORD IL GO``): a state of two letters
    as printed after a city without digits, then at most ``LOST_ZIP_TAIL_WORDS`` words of junk with at
    most ``LOST_ZIP_TAIL_DIGITS`` digits (more would be a ZIP misread, not lost). The ZIP is
    ``LOST_ZIP``: the directory fills it in only from a town that has one ZIP."""
    for end in range(len(texts), max(1, len(texts) - LOST_ZIP_TAIL_WORDS - 1), -1):
        tail, state, city = texts[end:], texts[end - 1].upper(), texts[: end - 1]
        if sum(c.isdigit() for word in tail for c in word) > LOST_ZIP_TAIL_DIGITS:
            return None
        if state in STATE_CODES:  # two letters as printed
            if any(c.isdigit() for word in city for c in word):
                return None
            penalty = DROPPED_CHAR_PENALTY * len(tail)
            city_name = " ".join(city).upper()
            reading = LastLineReading(zip5=LOST_ZIP, zip4=None, state=state, city=city_name, penalty=penalty)
            return [reading], (end, len(texts))
    return None


def _read_before_junk(texts: list[str]) -> tuple[list[LastLineReading], tuple[int, int]] | None:
    """``CITY ST ZIP`` followed by words of junk (a patterned paper or a stain beside the line read as
    text: ``MANCHESTER 1A 52057 Go=egeee aa eee``): only a two-letter state (letters as printed, or digits
    read for letters) before a ZIP of five digits (or ZIP+4) as printed ends the line early, and each word
    dropped after them costs a dropped character."""
    for end in range(len(texts) - 1, 1, -1):
        dropped = len(texts) - end
        if dropped > MAX_JUNK_WORDS:
            break
        states = state_readings(texts[end - 2 : end - 1]) if len(texts[end - 2]) == 2 else []
        if _CLEAN_ZIP.fullmatch(texts[end - 1]) and any(state in STATE_CODES for state, _, _ in states):
            found = _read_zip_from_right(texts[:end], DROPPED_CHAR_PENALTY * dropped)
            if found is not None and found[0][0].state is not None:
                return found
    return None


def _read_zip_from_right(
    texts: list[str], extra_penalty: float
) -> tuple[list[LastLineReading], tuple[int, int]] | None:
    for zip_start in range(len(texts) - 1, max(-1, len(texts) - 3), -1):
        zip_field = split_zip(texts[zip_start:])
        if zip_field is None:
            continue
        zip_text, zip4_text, glued_state = zip_field.text, zip_field.zip4, zip_field.glued_state
        before = texts[:zip_start] + ([glued_state] if glued_state else [])
        states = state_readings(before)
        has_state = any(state for state, _, _ in states)
        # A state glued to the end of the city ("FEDORASD 573377"): a state too for a field that needs one.
        glued = state_glued_to_city(before) if not has_state else []
        if zip_field.needs_state:
            if not (has_state or glued):
                continue
            states = [s for s in states if s[0]]
        if len(zip_text) < 5:
            # Only a state read cleanly, after a city without digits: a suite, floor or box number on a
            # street line ("OAK LN STE 210", "5 CANYON BLVD FL 1107", "ELM ST APT 919") is no lost ZIP.
            states = [s for s in states if s[0] in STATE_CODES and s[1] == 0.0]
            if not (states or glued) or any(c.isdigit() for word in before[:-1] for c in word):
                continue
        stated = has_state or bool(glued)
        if zip_field.front_lost:
            zip_options = [(2 * WILDCARD + zip_text, DROPPED_CHAR_PENALTY)]
        else:
            zip_options = zip_readings(zip_text, min_digits=2 if stated else 3, wildcard=stated)
        if not zip_options:
            continue
        zip4_options = digit_readings(zip4_text, min_digits=2) if zip4_text else [("", 0.0)]
        zip4 = zip4_options[0][0] if zip4_options else None
        if zip4 is not None and len(zip4) != 4:
            zip4 = None  # "07001-000": a ZIP+4 has four digits; a shorter tail is no add-on to report
        places = [(st, sp, " ".join(before[: len(before) - used]).upper() or None) for st, sp, used in states]
        places += glued
        readings = [
            LastLineReading(
                zip5=z, zip4=zip4 or None, state=state, city=city, penalty=round(zp + sp + extra_penalty, 3)
            )
            for (z, zp), (state, sp, city) in itertools.product(zip_options, places)
        ]
        readings.sort(key=lambda r: r.penalty)
        return readings[:MAX_READINGS], (zip_start, len(texts))
    return None


def _name_and_street(texts: tuple[str, ...], last_index: int) -> dict[str, str | None]:
    """The line above the last line is the delivery (street) line; the first line, the addressee."""
    above = [t.strip() for t in texts[:last_index] if t.strip()]
    if not above:
        return {"name": None, "street": None}
    if len(above) == 1:
        looks_like_street = bool(
            re.match(r"^(\d|P\.?\s*O\.?\s*BOX|BOX|RR|HC|PSC|UNIT|CMR)", above[0].upper())
        )
        return {"name": None, "street": above[0]} if looks_like_street else {"name": above[0], "street": None}
    return {"name": above[0], "street": above[-1]}


def _word_confidences(line: str | OcrLine) -> list[float] | None:
    if not isinstance(line, OcrLine):
        return None
    # Token word indices count whitespace words of the line text; OCR words contain no spaces.
    return [w.confidence for w in line.words for _ in w.text.split()]


def _mean_of(confidences: list[float] | None, words: set[int], *, low: bool) -> float | None:
    if confidences is None:
        return None
    picked = [confidences[i] for i in sorted(words) if i < len(confidences)]
    if not picked:
        return None
    return round(min(picked) if low else sum(picked) / len(picked), 4)
