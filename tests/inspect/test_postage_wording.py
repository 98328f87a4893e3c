"""An empty 'PLACE STAMP HERE' box is no postage, and a box that says 'US POSTAGE PAID' is a permit: the
wording, the box read with real OCR, the inspector."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.ocr import build_ocr_engine
from mailpiece.inspect.postage_box import find_postage_box
from mailpiece.inspect.postage_wording import (
    asks_for_postage,
    outlined_box,
    paid_kind,
    read_paid_wording,
    read_postage_wording,
    says_paid,
    says_stamp,
)
from mailpiece.inspect.result import ClassCall
from tests.inspect.test_address_block import FONT, draw_piece


@pytest.mark.parametrize(
    "text",
    [
        "PLACE STAMP HERE",
        "Place\nStamp\nHere",
        "PLACE FIRST-CLASS STAMP HERE",
        "PLACF STAMP HFRE",  # OCR slips
        "AFFIX POSTAGE",
        "POSTAGE HERE",
        "FIRST CLASS POSTAGE REQUIRED",
    ],
)
def test_words_that_ask_for_a_stamp(text: str) -> None:
    assert asks_for_postage(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "NO POSTAGE NECESSARY IF MAILED IN THE UNITED STATES",  # business reply mail is prepaid
        "PRSRT STD US POSTAGE PAID PERMIT NO 1234",
        "POSTAGE WILL BE PAID BY ADDRESSEE",
        "USA FOREVER",
        "FIRST-CLASS MAIL US POSTAGE $0.73",
        "STAMPS.COM 0004512345 JAN 05 2026",
    ],
)
def test_postage_and_other_print_do_not(text: str) -> None:
    assert not asks_for_postage(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("PRSRT STD US POSTAGE PAID AUSTIN TX PERMIT NO 1234", "permit"),
        ("PRESORTED\nSTANDARD\nU.S. POSTAGE\nPAID\nPERMIT #45", "permit"),
        ("NONPROFIT ORG U.S. P0STAGE PAID", "permit"),  # an OCR slip
        ("FIRST-CLASS MAIL PERMIT N0. 12", "permit"),
        ("US POSTAGE $0.73 062S0012345", "meter"),
        ("POSTAGE WILL BE PAID BY ADDRESSEE", "permit"),  # business reply mail is prepaid
    ],
)
def test_words_that_say_the_postage_is_paid(text: str, kind: str) -> None:
    assert says_paid(text) and paid_kind(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PLACE STAMP HERE",
        "FIRST CLASS POSTAGE REQUIRED",
        "NO POSTAGE NECESSARY IF MAILED IN THE UNITED STATES",
        "PRSRT STD",  # an endorsement, also printed on pieces that still need postage
        "USA FOREVER",
        "PERMIT ME TO INTRODUCE",
        "SALE 50% OFF",
    ],
)
def test_other_print_does_not_say_paid(text: str) -> None:
    assert not says_paid(text)


@pytest.mark.parametrize(
    "text",
    [
        "USA 73",
        "73 USA",
        "USA FOREVER",
        "USA %s | FOREVE",  # an OCR slip
        "GLOBAL FOREVER",
        "PRIORITY MAIL | EXPRESS | USA $30.45",
        "_ 34 | UNITED STATES",
        "UNITED STATES 5C",
        "U.S.A. 2",
    ],
)
def test_a_stamps_own_words(text: str) -> None:
    assert says_stamp(text) and not says_paid(text) and paid_kind(text) == "stamp"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "USA",  # a return address's country
        "FOREVER",
        "FRIENDS FOREVER",
        "MADE IN USA",
        "SAVE 50% FREE GIFT",
        "JOHN SMITH 12 MAIN ST BOSTON MA 02110 USA",
        "=e | UNITED STATES",
        "PLACE STAMP HERE USA 1",
        "NO POSTAGE NECESSARY IF MAILED IN THE UNITED STATES",
    ],
)
def test_other_print_is_no_stamp(text: str) -> None:
    assert not says_stamp(text)


def test_us_postage_over_a_meters_id_says_paid_though_its_amount_is_misread() -> None:
    for text in ("US POSTAGE $ | - 8756943991", "U.S. POSTAGE § | a 5193160830"):
        assert says_paid(text) and paid_kind(text) == "meter"
    assert not says_paid("US POSTAGE 1234") and not says_paid("POSTAGE 8756943991")


def permit_imprint(piece: np.ndarray, x: int = 1150, y: int = 40) -> np.ndarray:
    """A ruled 200x150 permit box, ``PRSRT STD / US POSTAGE PAID / PERMIT NO 123`` in 17 px capitals."""
    image = Image.fromarray(cv2.cvtColor(piece, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    draw.rectangle((x, y, x + 200, y + 150), outline=(40, 40, 40), width=2)
    font = ImageFont.truetype(str(FONT), 17)
    for k, line in enumerate(("PRSRT STD", "US POSTAGE", "PAID", "PERMIT NO 123")):
        draw.text((x + 18, y + 18 + 29 * k), line, font=font, fill=(40, 40, 40))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def place_stamp_box(
    piece: np.ndarray,
    x: int = 1220,
    y: int = 40,
    *,
    size: tuple[int, int] = (120, 140),
    step: int = 6,
    dot: int = 3,
    text_px: int = 16,
    ink: tuple[int, int, int] = (40, 40, 40),
) -> np.ndarray:
    """A dotted box of ``size`` (a ``dot`` px square every ``step`` px) with PLACE / STAMP / HERE in
    ``text_px`` px capitals, drawn at (x, y)."""
    image = Image.fromarray(cv2.cvtColor(piece, cv2.COLOR_BGR2RGB))
    draw = ImageDraw.Draw(image)
    width, height = size
    for i in range(0, width, step):
        draw.rectangle((x + i, y, x + i + dot - 1, y + dot - 1), fill=ink)
        draw.rectangle((x + i, y + height - dot + 1, x + i + dot - 1, y + height), fill=ink)
    for j in range(0, height, step):
        draw.rectangle((x, y + j, x + dot - 1, y + j + dot - 1), fill=ink)
        draw.rectangle((x + width - dot + 1, y + j, x + width, y + j + dot - 1), fill=ink)
    font = ImageFont.truetype(str(FONT), text_px)
    for k, word in enumerate(("PLACE", "STAMP", "HERE")):
        draw.text((x + 30, y + 35 + round(1.5 * text_px) * k), word, font=font, fill=ink)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def stamp(piece: np.ndarray, x: int, y: int) -> np.ndarray:
    piece = piece.copy()
    piece[y : y + 150, x : x + 125] = (40, 90, 200)  # a red stamp ...
    piece[y + 20 : y + 130, x + 15 : x + 110] = (200, 160, 40)  # ... with a blue picture
    return piece


@pytest.fixture(scope="module")
def ocr():
    return build_ocr_engine("tesserocr")


def test_an_empty_box_reads_as_asking_for_a_stamp(ocr) -> None:
    piece = place_stamp_box(draw_piece())
    box = find_postage_box(piece)
    assert box is not None, "the box's print is the patch in the postage corner"
    assert asks_for_postage(read_postage_wording(piece, box, ocr) or "")


def test_a_stamp_on_the_box_or_beside_it_keeps_the_piece_paid(ocr) -> None:
    boxed = place_stamp_box(draw_piece())
    covered = stamp(boxed, 1215, 35)
    assert read_postage_wording(covered, find_postage_box(covered), ocr) is None
    beside = stamp(place_stamp_box(draw_piece(), x=1000, y=60), 1240, 30)
    box = find_postage_box(beside, exclude=find_postage_box(beside))
    assert box is not None, "two patches in the corner: the box and the stamp"
    for first in (find_postage_box(beside), box):
        assert read_postage_wording(beside, first, ocr) is None


def test_plain_print_and_no_box_read_as_nothing(ocr) -> None:
    piece = draw_piece()
    assert read_postage_wording(piece, None, ocr) is None
    assert read_postage_wording(piece, (620, 330, 1100, 470), ocr) is None  # the address: no request
    assert read_paid_wording(piece, None, ocr) is None
    assert read_paid_wording(piece, (620, 330, 1100, 470), ocr) is None  # the address says nothing paid


def flat_with_a_small_box() -> np.ndarray:
    """A 12-inch flat at 125 dpi: an address, and in the corner a dotted 110x130 box with PLACE / STAMP /
    HERE in 13 px capitals: too sparse a patch at the postage finder's working size."""
    image = Image.new("RGB", (1500, 1100), (236, 232, 226))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 30)
    for k, line in enumerate(("JANE Q DOE", "12 MAIN ST", "HARTFORD CT 06103")):
        draw.text((600, 520 + 42 * k), line, font=font, fill=(30, 30, 30))
    flat = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    return place_stamp_box(flat, 1360, 25, size=(110, 130), step=5, dot=2, text_px=13, ink=(60, 60, 60))


def test_a_sparse_outlined_box_on_a_flat_is_found_by_its_outline_and_read(ocr) -> None:
    piece = flat_with_a_small_box()
    assert find_postage_box(piece) is None, "too sparse for the dense-ink finder"
    x0, y0, x1, y1 = outlined_box(piece)
    assert abs(x0 - 1360) <= 4 and abs(y0 - 25) <= 4 and abs(x1 - 1471) <= 4 and abs(y1 - 156) <= 4
    assert asks_for_postage(read_postage_wording(piece, None, ocr) or "")
    assert outlined_box(draw_piece()) is None and outlined_box(permit_imprint(draw_piece())) is not None
    assert read_postage_wording(stamp(piece, 1355, 20), None, ocr) is None, "a stamp stuck on the box"


def test_a_permit_box_reads_as_paid_and_an_empty_stamp_box_does_not(ocr) -> None:
    piece = permit_imprint(draw_piece())
    box = find_postage_box(piece)
    assert box is not None, "the imprint is the patch in the postage corner"
    assert says_paid(read_paid_wording(piece, box, ocr) or "")
    empty = place_stamp_box(draw_piece())
    assert read_paid_wording(empty, find_postage_box(empty), ocr) is None


def test_the_inspector_overrules_an_unsure_paid_call_on_an_empty_box(full_inspector) -> None:
    def prepared(piece: np.ndarray):
        data = cv2.imencode(".png", piece)[1].tobytes()
        return full_inspector.prepare(Frame(piece_id="p", source="test", data=data))

    undamaged = ClassCall(present=False, kind="none", score=0.01)
    unsure = ClassCall(present=True, kind="stamp", score=0.95)  # what the CNN made of such boxes
    result = full_inspector.finish(prepared(place_stamp_box(draw_piece())), (unsure, undamaged))
    assert result.decision == "reject" and "no_postage" in result.reasons
    assert result.postage.present is False and result.postage.score == 0.95
    assert "PLACE STAMP HERE" in result.message
    sure = ClassCall(present=True, kind="stamp", score=0.995)  # too sure to spend an OCR pass on
    assert full_inspector.finish(prepared(place_stamp_box(draw_piece())), (sure, undamaged)).postage.present
    assert full_inspector.finish(prepared(draw_piece()), (unsure, undamaged)).postage.present


def test_the_inspector_overrules_an_unpaid_call_on_a_permit_imprint(full_inspector) -> None:
    def prepared(piece: np.ndarray):
        data = cv2.imencode(".png", piece)[1].tobytes()
        return full_inspector.prepare(Frame(piece_id="p", source="test", data=data))

    undamaged = ClassCall(present=False, kind="none", score=0.01)
    unpaid = ClassCall(present=False, kind="none", score=0.02)  # the CNN on a face it never saw
    result = full_inspector.finish(prepared(permit_imprint(draw_piece())), (unpaid, undamaged))
    assert "no_postage" not in result.reasons and result.decision == "sort", result.message
    assert result.postage.present and result.postage.kind == "permit" and result.postage.score == 0.02
    assert "POSTAGE" in result.message and result.postage_box is not None
    # No box of print, or a box that asks for a stamp: the unpaid call stands.
    for piece in (draw_piece(), place_stamp_box(draw_piece())):
        result = full_inspector.finish(prepared(piece), (unpaid, undamaged))
        assert "no_postage" in result.reasons and not result.postage.present
