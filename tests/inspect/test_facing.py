"""Facing: which way up a piece reads, the CNN hint, and reading it that way with real OCR."""

from __future__ import annotations

import os

import cv2
import numpy as np
import pytest

from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.facing import face_and_read, guess_orientation, rotate_180
from mailpiece.inspect.ocr import build_ocr_engine, find_second_tessdata
from mailpiece.inspect.ocr_preprocess import RESCUE_RECIPES, STANDARD_RECIPE
from mailpiece.inspect.reader import AddressReader
from mailpiece.inspect.zip_directory import ZipDirectory
from tests.inspect.test_address_block import draw_piece
from tests.inspect.test_reader import upright_piece

THRESHOLDS = AddressThresholds()


@pytest.fixture(scope="module")
def reader() -> AddressReader:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engine = build_ocr_engine("tesserocr", time_budget_ms=5000)
    return AddressReader(engine, ZipDirectory.shared(), THRESHOLDS)


def _grey(piece: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(piece, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


@pytest.mark.parametrize("index", [0, 3])
@pytest.mark.parametrize("turned", [False, True])
@pytest.mark.parametrize("grey", [False, True])
def test_pieces_are_faced_and_read_either_way_up(reader, index: int, turned: bool, grey: bool) -> None:
    piece, zip5 = upright_piece(index)
    piece = _grey(piece) if grey else piece
    faced = face_and_read(rotate_180(piece) if turned else piece, reader)
    assert faced.orientation == (180 if turned else 0)
    assert faced.reading.address is not None and faced.reading.address.zip5 == zip5
    assert faced.reading.reject_reasons(THRESHOLDS) == ()
    assert np.array_equal(faced.piece, piece), "the faced piece is the piece the right way up"


def test_layout_cues_guess_the_way_up_of_a_drawn_piece() -> None:
    piece = draw_piece()
    assert guess_orientation(piece).orientation == 0
    assert guess_orientation(rotate_180(piece)).orientation == 180


def test_a_sure_hint_sets_the_first_guess_but_ocr_has_the_last_word(reader) -> None:
    piece, zip5 = upright_piece(0)
    assert guess_orientation(piece, upside_down=0.97).orientation == 180
    faced = face_and_read(piece, reader, upside_down=0.97)  # the CNN is sure, and wrong
    assert faced.orientation == 0 and faced.reading.address.zip5 == zip5


def test_a_wrong_guess_costs_one_junk_read_not_a_pass_over_every_block() -> None:
    from tests.inspect.test_reader import CountingEngine

    counting = AddressReader(
        CountingEngine(build_ocr_engine("tesserocr")), ZipDirectory.shared(), THRESHOLDS
    )
    for index in (1, 3):  # the turned pieces have several candidate blocks: 4 reads each before
        piece, zip5 = upright_piece(index)
        counting.ocr.calls = 0
        faced = face_and_read(piece, counting, upside_down=0.97)  # sure, and wrong
        assert faced.orientation == 0 and faced.reading.address.zip5 == zip5
        assert counting.ocr.calls == 2, "the turned block reads as junk, so the other way up is next"


def test_a_piece_that_reads_as_text_is_rescued_before_it_is_turned() -> None:
    piece = draw_piece()
    piece[415:470, 830:1150] = piece[650, 20]  # paint the ZIP out: the block reads as text, never verifies
    reads: list[tuple[bool, tuple, str]] = []  # (the piece as given, block, recipe) for each OCR pass

    class Recording(AddressReader):
        def read_block(self, faced, candidate, recipe=STANDARD_RECIPE, **kwargs):
            reads.append((faced is piece, candidate.box, recipe.name))
            return super().read_block(faced, candidate, recipe, **kwargs)

    second = build_ocr_engine("tesserocr", tessdata=find_second_tessdata())
    recording = Recording(build_ocr_engine("tesserocr"), ZipDirectory.shared(), THRESHOLDS, second_ocr=second)
    assert recording.rescue_recipes == RESCUE_RECIPES
    faced = face_and_read(piece, recording)
    assert faced.orientation == 0 and faced.reading.reject_reasons(THRESHOLDS) != ()
    turned_at = next((i for i, (upright, _, _) in enumerate(reads) if not upright), len(reads))
    rescue = {recipe.name for recipe in RESCUE_RECIPES}
    rescued = [name for upright, _, name in reads[:turned_at] if upright and name in rescue]
    assert len(rescued) >= len(RESCUE_RECIPES), f"the other way up was read first: {reads}"
    assert len(set(reads)) == len(reads), f"a block was read twice with the same recipe: {reads}"


def test_an_unsure_hint_leaves_the_layout_cues_in_charge() -> None:
    piece = draw_piece()
    for hint in (0.45, 0.6, 0.85):
        assert guess_orientation(piece, upside_down=hint) == guess_orientation(piece)


def test_turning_twice_gives_the_piece_back() -> None:
    piece = draw_piece()
    assert np.array_equal(rotate_180(rotate_180(piece)), piece)
    assert np.array_equal(rotate_180(piece)[0, 0], piece[-1, -1])


def test_pale_print_is_found_and_read_by_the_last_resort_faint_pass(reader) -> None:
    # Light-grey print 16 levels under the paper, slightly out of focus, below a black barcode-like row:
    # too pale for the first layout and for the global ink stretch (the bars set its black level), so the
    # first passes and the rescue recipes read nothing; the faint pass finds the lines and stretches each
    # neighbourhood's own ink.
    piece = draw_piece(paper=(251, 251, 251), ink=(235, 235, 235))
    for i in range(40):
        piece[300 : 316 if i % 2 else 326, 620 + 12 * i : 625 + 12 * i] = 15
    piece = cv2.GaussianBlur(piece, (0, 0), 1.0)
    assert reader.read(piece).address is None
    faced = face_and_read(piece, reader)
    assert faced.orientation == 0 and faced.reading.recipe == "faint-ink"
    assert faced.reading.address.zip5 == "06103" and faced.reading.reject_reasons(THRESHOLDS) == ()
