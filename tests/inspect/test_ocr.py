"""OCR engines on rendered address blocks: real Tesseract through tesserocr and through the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from mailpiece.inspect.ocr import (
    OcrTimeout,
    PytesseractEngine,
    TesserocrEngine,
    build_ocr_engine,
    call_budget_ms,
    estimate_text_height,
    find_tessdata,
    preprocess_for_ocr,
)
from mailpiece.inspect.ocr_preprocess import (
    FAINT_LIFTED_RECIPE,
    FAINT_RECIPE,
    RESCUE_RECIPES,
    STANDARD_RECIPE,
)

FONTS = Path("/usr/share/fonts/truetype")
ADDRESS = ("JOHN Q PUBLIC", "1234 MAIN ST APT 5", "HARTFORD CT 06103-1234")


def render_block(lines, font: str = "dejavu/DejaVuSans.ttf", size: int = 28, pad: int = 14) -> np.ndarray:
    """Dark text on white, as BGR, the way an address-block crop arrives."""
    face = ImageFont.truetype(str(FONTS / font), size)
    width = max(int(face.getlength(line)) for line in lines) + 2 * pad
    pitch = int(size * 1.3)
    image = Image.new("L", (width, pitch * len(lines) + 2 * pad), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * pitch), line, font=face, fill=20)
    return cv2.cvtColor(np.asarray(image), cv2.COLOR_GRAY2BGR)


@pytest.fixture(scope="module")
def engines():
    os.environ["OMP_THREAD_LIMIT"] = "1"
    tess = TesserocrEngine()
    yield {"tesserocr": tess, "pytesseract": PytesseractEngine()}
    tess.close()


@pytest.mark.parametrize("name", ["tesserocr", "pytesseract"])
@pytest.mark.parametrize(
    ("font", "size"), [("dejavu/DejaVuSans.ttf", 28), ("liberation/LiberationSerif-Regular.ttf", 13)]
)
def test_engine_reads_a_known_address(engines, name: str, font: str, size: int) -> None:
    crop = preprocess_for_ocr(render_block(ADDRESS, font, size))
    lines = engines[name].read_lines(crop)
    assert [line.text for line in lines] == list(ADDRESS)
    height, width = crop.shape
    for line in lines:
        assert 0.5 < line.confidence <= 1.0
        assert [w.text for w in line.words] == line.text.split()
        for word in line.words:
            x0, y0, x1, y1 = word.box
            assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
            lx0, ly0, lx1, ly1 = line.box
            assert lx0 <= x0 and ly0 <= y0 and x1 <= lx1 and y1 <= ly1


@pytest.mark.parametrize(
    "lines",
    [
        ADDRESS,
        ("Maria Gonzalez", "77 Ocean Blvd", "Miami Beach, FL 33139"),
        ("ACME SUPPLY CO", "ATTN RECEIVING", "PO BOX 4410", "SAINT PAUL MN 55101"),
    ],
)
def test_both_engines_give_the_same_lines(engines, lines) -> None:
    crop = preprocess_for_ocr(render_block(lines, "freefont/FreeSans.ttf", 24))
    a, b = (engines[name].read_lines(crop) for name in ("tesserocr", "pytesseract"))
    assert [line.text for line in a] == [line.text for line in b] == list(lines)
    for line_a, line_b in zip(a, b, strict=True):
        assert [w.box for w in line_a.words] == [w.box for w in line_b.words]
        assert line_a.confidence == pytest.approx(line_b.confidence, abs=0.1)


def test_preprocess_scales_text_to_the_target_height() -> None:
    for size in (10, 60):
        crop = render_block(ADDRESS, size=size)
        out = preprocess_for_ocr(crop, target_height_px=28)
        assert out.dtype == np.uint8 and out.ndim == 2
        assert 20 <= estimate_text_height(out) <= 36
        binary = preprocess_for_ocr(crop, target_height_px=28, binarize=True)
        assert set(np.unique(binary)) <= {0, 255}, "binarised on request"
        assert (out[:16] == 255).all() and (out[:, -16:] == 255).all(), "white border"
    hinted = preprocess_for_ocr(render_block(ADDRESS, size=28), text_height_px=14.0, binarize=False)
    assert hinted.shape[0] > 1.7 * render_block(ADDRESS, size=28).shape[0], "the height hint doubles the crop"


def test_preprocess_fixes_light_text_on_dark_and_uneven_light(engines) -> None:
    crop = render_block(ADDRESS, "liberation/LiberationSans-Regular.ttf", 20).astype(np.float32)
    ramp = np.linspace(1.0, 0.4, crop.shape[1], dtype=np.float32)[None, :, None]
    shadowed = (crop * ramp).astype(np.uint8)
    inverted = 255 - render_block(ADDRESS, size=22)
    # Black print on paper in poor light: the ground is as dark as a navy label's, but the print is darker
    # still, so it must not be inverted.
    dim = (render_block(ADDRESS, size=22).astype(np.float32) * 0.33 + 6).astype(np.uint8)  # paper at 90
    for crop in (shadowed, inverted, dim):
        out = preprocess_for_ocr(crop)
        assert np.median(out) >= 240, "dark text on white"
        assert [line.text for line in engines["tesserocr"].read_lines(out)][-1] == ADDRESS[-1]


def test_blank_crop_reads_no_lines(engines) -> None:
    blank = np.full((120, 300), 255, np.uint8)
    assert estimate_text_height(blank) is None
    for engine in engines.values():
        assert engine.read_lines(preprocess_for_ocr(blank)) == []


def test_bad_input_and_unknown_engine_are_errors(engines) -> None:
    with pytest.raises(ValueError, match="uint8"):
        engines["tesserocr"].read_lines(np.zeros((50, 50), np.float32))
    with pytest.raises(ValueError, match="unknown OCR engine"):
        build_ocr_engine("easyocr")
    assert build_ocr_engine("auto").name == "tesserocr"


@pytest.mark.parametrize("engine_class", [TesserocrEngine, PytesseractEngine])
def test_time_budget_raises_ocr_timeout_and_the_engine_recovers(engine_class) -> None:
    page = render_block(("LINE OF TEXT 1234567890 ABCDEFGHIJ",) * 30, size=30)
    engine = engine_class(time_budget_ms=2)
    with pytest.raises(OcrTimeout):
        engine.read_lines(page)
    engine.time_budget_ms = None  # the same engine (for tesserocr, the same API object) still works
    assert engine.read_lines(render_block(ADDRESS))[-1].text == ADDRESS[-1]
    with pytest.raises(OcrTimeout, match="after the 2 ms"):  # one call capped below the engine's budget
        engine.read_lines(page, timeout_ms=2.7)
    assert engine.read_lines(render_block(ADDRESS), timeout_ms=None)[-1].text == ADDRESS[-1]


def test_a_call_gets_the_tighter_of_the_engine_budget_and_its_own_cap() -> None:
    assert call_budget_ms(None, None) is None
    assert call_budget_ms(2000, None) == 2000
    assert call_budget_ms(None, 350.6) == 350
    assert call_budget_ms(2000, 120.0) == 120 and call_budget_ms(100, 900.0) == 100
    assert call_budget_ms(2000, -5.0) == 1, "a spent budget still means a limit, never 0 (no limit)"


def test_tessdata_is_found_and_prefix_respected(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    default = find_tessdata()
    assert (default / "eng.traineddata").is_file()
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "eng.traineddata").symlink_to(default / "eng.traineddata")
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    assert find_tessdata() == tmp_path / "tessdata"


def test_faint_print_beside_a_black_barcode_is_stretched_to_black(engines) -> None:
    crop = render_block(ADDRESS, size=24).astype(np.float32)
    faint = (255 - (255 - crop) * 0.35).astype(np.uint8)  # grey ink, about 90 levels below the paper
    faint[-12:-4, 14:340:6] = 0  # a row of black bars under the block, as a barcode is
    faint[-12:-4, 15:340:6] = 0
    out = preprocess_for_ocr(faint)
    ink = out[out < 200]
    assert ink.size and np.percentile(ink, 30) < 40, "the faint ink is dark now, not only the bar"
    assert [line.text for line in engines["tesserocr"].read_lines(out)][2] == ADDRESS[-1]
    untouched = preprocess_for_ocr(faint, ink_percentile=None)
    assert np.percentile(untouched[untouched < 200], 30) > np.percentile(ink, 30)


def test_the_lifted_faint_recipe_keeps_the_paper_grain_it_stretches_from_reading_as_print(engines) -> None:
    # Print 20 levels under the paper on grainy stock: stretching each neighbourhood's darkest print to
    # black also stretches the grain beside it to mid grey: Tesseract lost the first line in it and read a
    # line of noise below the last (the faint recipe); the lifted recipe's gamma takes those greys back
    # towards the paper.
    crop = cv2.cvtColor(render_block(ADDRESS, size=22), cv2.COLOR_BGR2GRAY).astype(np.float32)
    faint = 250 - (255 - crop) * 0.08
    noise = np.random.default_rng(7).normal(0, 1, faint.shape).astype(np.float32)
    grain = cv2.GaussianBlur(noise, (0, 0), 1.0)
    faint = np.clip(faint + grain * 2.0 / grain.std(), 0, 255).astype(np.uint8)
    lifted, plain = FAINT_LIFTED_RECIPE.apply(faint), FAINT_RECIPE.apply(faint)
    texts = [line.text for line in engines["tesserocr"].read_lines(lifted)]
    assert ADDRESS[-1] in texts[-1] and any(ADDRESS[0] in text for text in texts), texts
    assert not any(ADDRESS[0] in line.text for line in engines["tesserocr"].read_lines(plain))
    assert ((lifted >= 60) & (lifted < 200)).sum() < 0.8 * ((plain >= 60) & (plain < 200)).sum()


def test_bold_blurred_print_is_not_mistaken_for_belt_and_whitened() -> None:
    crop = render_block(ADDRESS, "liberation/LiberationSans-Bold.ttf", 30)
    blurred = cv2.GaussianBlur(crop, (0, 0), 2.5)
    out = preprocess_for_ocr(blurred, ink_percentile=None)
    assert (out < 128).mean() > 0.5 * (preprocess_for_ocr(crop, ink_percentile=None) < 128).mean()
    belt = crop.copy()
    belt[:, -60:] = 20  # belt showing past a torn edge, along the crop's side
    flat = preprocess_for_ocr(belt, ink_percentile=None)
    assert (flat[:, -40:] == 255).mean() > 0.9, "dark background reaching the edge becomes paper"


def test_every_recipe_gives_a_padded_grey_image_and_rescues_differ() -> None:
    crop = render_block(ADDRESS, size=18)
    recipes = [STANDARD_RECIPE, *RESCUE_RECIPES]
    images = [recipe.apply(crop) for recipe in recipes]
    for image in images:
        assert image.dtype == np.uint8 and image.ndim == 2 and (image[:16] == 255).all()
    assert len({recipe.name for recipe in recipes}) == len(recipes)
    # Each rescue differs from every earlier one in the crop it prepares or in the model that reads it.
    for i, (recipe, image) in enumerate(zip(recipes, images, strict=True)):
        for earlier, before in zip(recipes[:i], images[:i], strict=True):
            same_image = image.shape == before.shape and np.array_equal(image, before)
            assert not same_image or recipe.second_model != earlier.second_model, (recipe, earlier)
    assert [r.second_model for r in RESCUE_RECIPES].count(True) == 3, "the standard crop and two rescues"
    assert STANDARD_RECIPE.to_dict()["name"] == "standard"
