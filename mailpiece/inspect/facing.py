"""Decide which way up a straightened piece reads, and read it that way.

Cheap cues give a first guess: postage sits top right and the destination block middle-to-lower right of
centre, and both move when the piece is turned 180°; an optional hint (the CNN's upside-down score) can
settle it. OCR then has the last word: when the guessed way up does not verify, the other way is read
too, and only the more promising of the two gets the slower rescue reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from mailpiece.inspect.address_block import TextLine, find_address_candidates, find_text_lines, turn_lines
from mailpiece.inspect.print_marks import dark_print
from mailpiece.inspect.reader import (
    AddressReader,
    AddressReading,
    OcrBudget,
    OcrBudgetSpent,
    ReadingAttempt,
)

# A hint this sure (probability of upside down, or of upright) overrides the layout cues.
HINT_TRUSTED = 0.9
# Print read the wrong way up comes back at this OCR confidence or below (median 0.38 over 120 pieces;
# unverified blocks read the right way up mostly above it).
JUNK_OCR_CONFIDENCE = 0.6


@dataclass(frozen=True, kw_only=True)
class FacingGuess:
    orientation: int  # 0 or 180: how far the piece must be turned to read it
    margin: float  # how strongly the cues agree; near 0 means "could be either"


@dataclass(frozen=True, kw_only=True)
class FacedReading:
    """The way up the piece was read, the piece turned that way, and the reading."""

    orientation: int
    piece: np.ndarray
    reading: AddressReading


def rotate_180(image: np.ndarray) -> np.ndarray:
    return cv2.rotate(image, cv2.ROTATE_180)


def corner_activity(piece: np.ndarray) -> tuple[float, float]:
    """Postage-like activity (ink + colour) in the top-right and the bottom-left corners."""
    height, width = piece.shape[:2]
    step = max(1, width // 480)  # subsample big pieces first: area-averaging all of one is slow, not needed
    small = cv2.resize(
        piece[::step, ::step], (240, max(8, round(240 * height / width))), interpolation=cv2.INTER_AREA
    )
    h, w = small.shape[:2]
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    saturation = cv2.cvtColor(small, cv2.COLOR_BGR2HSV)[:, :, 1]
    paper_sat = float(np.median(saturation))
    activity = dark_print(grey).astype(np.float32) + (saturation.astype(np.float32) - paper_sat > 60)
    ch, cw = max(1, int(0.4 * h)), max(1, int(0.25 * w))
    top_right = float(activity[:ch, w - cw :].mean())
    bottom_left = float(activity[h - ch :, :cw].mean())
    return top_right, bottom_left


def guess_orientation(
    piece: np.ndarray, *, upside_down: float | None = None, lines: list[TextLine] | None = None
) -> FacingGuess:
    """0 if the piece reads as it is, 180 if it should be turned.

    ``upside_down`` is an optional probability from another stage (the CNN) that the piece lies upside
    down; ``lines`` are the piece's text lines when already found.
    """
    if upside_down is not None and max(upside_down, 1 - upside_down) >= HINT_TRUSTED:
        return FacingGuess(orientation=180 if upside_down >= 0.5 else 0, margin=abs(upside_down - 0.5) * 2)
    top_right, bottom_left = corner_activity(piece)
    height, width = piece.shape[:2]
    lines = find_text_lines(piece)[0] if lines is None else lines
    upright = find_address_candidates(piece, limit=1, lines=lines)
    turned = find_address_candidates(piece, limit=1, lines=turn_lines(lines, width, height))
    layout = (upright[0].score if upright else 0.0) - (turned[0].score if turned else 0.0)
    margin = 2.0 * (top_right - bottom_left) + 0.5 * layout
    return FacingGuess(orientation=0 if margin >= 0 else 180, margin=abs(margin))


def face_and_read(
    piece: np.ndarray,
    reader: AddressReader,
    *,
    upside_down: float | None = None,
    budget: OcrBudget | None = None,
) -> FacedReading:
    """Read the piece the way up the cues suggest; if that does not verify, read it turned too, and
    spend the rescue reads on whichever way came closer.

    ``budget`` bounds the time for all of it (started by the caller): when it runs out, no further OCR
    pass starts and the best reading so far comes back marked ``out_of_time`` (review, with a message).
    """
    budget = budget or OcrBudget(None)
    tries: list[tuple[int, np.ndarray, ReadingAttempt]] = []
    try:
        return _face_and_read(piece, reader, upside_down, budget, tries)
    except OcrBudgetSpent as spent:  # raised by a read, so at least one way up has been tried
        orientation, faced, attempt = max(tries, key=lambda t: t[2].best.quality)
        return FacedReading(orientation=orientation, piece=faced, reading=attempt.cut_short(str(spent)))


def _face_and_read(
    piece: np.ndarray,
    reader: AddressReader,
    upside_down: float | None,
    budget: OcrBudget,
    tries: list[tuple[int, np.ndarray, ReadingAttempt]],
) -> FacedReading:
    height, width = piece.shape[:2]
    lines = find_text_lines(piece)[0]
    ways = {0: (piece, lines), 180: (rotate_180(piece), turn_lines(lines, width, height))}
    guess = guess_orientation(piece, upside_down=upside_down, lines=lines)
    for orientation in (guess.orientation, 180 - guess.orientation):
        faced, faced_lines = ways[orientation]
        tries.append((orientation, faced, ReadingAttempt(reader, faced, lines=faced_lines, budget=budget)))
    # The guessed way's best block first. If it reads as junk, the guess is likely wrong (upside-down
    # print reads with low OCR confidence): the other way's best block comes before the guessed way's
    # other blocks.
    guessed = tries[0][2]
    first = guessed.first_pass(blocks=1)
    junk = _looks_like_junk(guessed, first)
    if not junk:
        # The guessed way reads as text, so it is almost surely the right way up (turned print reads as
        # junk): its other blocks and the rescue recipes come before the other way. Reading the other way
        # first cost two or three wasted OCR passes on most pieces that needed a rescue.
        orientation, faced, attempt = tries[0]
        if _acceptable(reader, attempt.first_pass()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.confirm())
        if _acceptable(reader, attempt.rescue()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.settled())
    order = [1, 0] if junk else [0, 1]
    for orientation, faced, attempt in (tries[i] for i in order):
        if _acceptable(reader, attempt.first_pass()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.confirm())
    # Rescue the way up whose text read more like text first (upside-down print reads as junk with low
    # OCR confidence, even when a ZIP-shaped token turns up in it), then the other.
    by_promise = sorted(tries, key=lambda t: _promise(t[2]), reverse=True)
    for orientation, faced, attempt in by_promise:
        if _acceptable(reader, attempt.rescue()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.settled())
    # Print too pale for the first layout (a few grey levels off the paper) is looked for last.
    for orientation, faced, attempt in by_promise:
        if _acceptable(reader, attempt.faint_pass()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.settled())
    # ... and, when that read nothing to accept either way up, looked at again with the grain lifted.
    for orientation, faced, attempt in by_promise:
        if _acceptable(reader, attempt.lifted_pass()):
            return FacedReading(orientation=orientation, piece=faced, reading=attempt.settled())
    orientation, faced, attempt = max(tries, key=lambda t: t[2].settled().quality)
    return FacedReading(orientation=orientation, piece=faced, reading=attempt.settled())


def _looks_like_junk(attempt: ReadingAttempt, reading: AddressReading) -> bool:
    """Whether the first block read did not verify and read with the low OCR confidence of turned print."""
    verified = reading.address is not None and reading.address.verified
    return bool(attempt.readings) and not verified and reading.ocr_confidence < JUNK_OCR_CONFIDENCE


def _promise(attempt: ReadingAttempt) -> tuple[bool, float]:
    """How likely the attempt is to read with more effort: verified at all, then the OCR's confidence."""
    best = attempt.best
    verified = best.address is not None and best.address.verified
    return verified, max((r.ocr_confidence for _, r in attempt.readings), default=0.0)


def _acceptable(reader: AddressReader, reading: AddressReading) -> bool:
    address = reading.address
    return (
        address is not None and address.verified and address.confidence >= reader.thresholds.accept_confidence
    )
