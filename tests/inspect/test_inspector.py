"""The inspector end to end on real frames: one record per frame, the right ZIP, bad input handled."""

from __future__ import annotations

import io
import json
import struct
import zlib
from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image

from mailpiece.datasets import encode, render_frame
from mailpiece.datasets.config import SynthConfig
from mailpiece.datasets.render import render_spec
from mailpiece.datasets.spec import sample_spec
from mailpiece.inspect.config import AddressThresholds, InspectConfig
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.inspector import Inspector
from mailpiece.inspect.result import REASON_CODES, Result

# Undamaged, upright, colour frames; the tests turn and grey them themselves.
CLEAN = SynthConfig(damage_mix=(("none", 1.0),), p_upside_down=0.0, p_grayscale=0.0, p_flat_scan=0.0)
SEED = 31
READABLE = (0, 1, 3, 5, 8, 10)  # a flat, envelopes, a postcard


def _frame(index: int, image: np.ndarray | None = None) -> tuple[Frame, str]:
    synthetic = render_frame(SEED, index, CLEAN)
    data = encode(synthetic) if image is None else image
    return Frame(piece_id=f"piece_{index}", source="test", data=data), synthetic.label.address.zip5


def _check_record(result: Result) -> None:
    record = json.loads(json.dumps(result.to_dict()))
    assert record["decision"] in ("sort", "reject")
    assert (record["decision"] == "reject") == bool(record["reasons"])
    assert all(code in REASON_CODES for code in record["reasons"])
    assert Result.from_dict(record).to_dict() == record


@pytest.mark.parametrize("index", READABLE)
def test_clean_frames_are_sorted_on_the_right_zip(address_inspector, index: int) -> None:
    frame, zip5 = _frame(index)
    result = address_inspector(frame)
    _check_record(result)
    assert result.decision == "sort", result.to_dict()
    assert result.address.zip5 == zip5 and result.address.verified
    assert result.orientation == 0
    assert result.bin == address_inspector.sort_plan.bin_for(zip5)


@pytest.mark.parametrize("index", READABLE[:4])
def test_upside_down_frames_are_turned_and_read(address_inspector, index: int) -> None:
    synthetic = render_frame(SEED, index, CLEAN)
    turned = cv2.rotate(synthetic.image, cv2.ROTATE_180)
    result = address_inspector(Frame(piece_id="t", source="test", data=turned))
    assert result.address is not None and result.address.zip5 == synthetic.label.address.zip5
    assert result.orientation == 180


@pytest.mark.parametrize("index", READABLE[:4])
def test_greyscale_frames_are_read(address_inspector, index: int) -> None:
    synthetic = render_frame(SEED, index, CLEAN)
    grey = cv2.cvtColor(cv2.cvtColor(synthetic.image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    result = address_inspector(Frame(piece_id="g", source="test", data=grey))
    assert result.address is not None and result.address.zip5 == synthetic.label.address.zip5


@pytest.mark.parametrize(("index", "style"), [(0, "zip"), (7, "zip"), (8, "city"), (9, "city")])
def test_a_last_line_broken_in_two_is_read(address_inspector, index: int, style: str) -> None:
    """Layouts the generator does not draw: the ZIP on a line of its own under the city and state, or
    the city on its own above the state and ZIP (piece 8's ZIP is misread by one digit there, and the town
    read on the line above corrects it)."""
    spec = sample_spec(SEED, index, CLEAN)
    address = spec.address
    head, zip_part = address.lines[-1].rsplit(address.zip5, 1)
    zip_part = address.zip5 + zip_part
    city = head.rstrip(", ")[: -len(address.state)].rstrip(", ")
    split = [head.rstrip(), zip_part] if style == "zip" else [city, f"{address.state} {zip_part}"]
    broken = replace(spec, address=replace(address, lines=(*address.lines[:-1], *split)))
    result = address_inspector(Frame(piece_id="b", source="test", data=encode(render_spec(broken))))
    assert result.decision == "sort", result.to_dict()
    assert result.address.zip5 == address.zip5 and result.address.city == address.city


def test_the_return_address_is_never_taken_for_the_destination(address_inspector) -> None:
    checked = 0
    for index in range(12):
        synthetic = render_frame(SEED, index, CLEAN)
        if synthetic.label.return_address is None:
            continue
        result = address_inspector(Frame(piece_id="r", source="test", data=encode(synthetic)))
        if result.address is not None and result.address.zip5 is not None:
            assert result.address.zip5 != synthetic.label.return_address.zip5
            checked += 1
    assert checked >= 6


def test_geometry_in_the_record_lies_inside_the_frame(address_inspector) -> None:
    frame, _ = _frame(READABLE[1])
    synthetic = render_frame(SEED, READABLE[1], CLEAN)
    height, width = synthetic.image.shape[:2]
    result = address_inspector(frame)
    assert len(result.piece_quad) == 4
    assert all(-1 <= x <= width and -1 <= y <= height for x, y in result.piece_quad)
    x0, y0, x1, y1 = result.address_box
    assert 0 <= x0 < x1 <= width + 1 and 0 <= y0 < y1 <= height + 1
    # The box found holds the labelled destination block's centre.
    lx0, ly0, lx1, ly1 = synthetic.label.address_box
    assert x0 <= (lx0 + lx1) / 2 <= x1 and y0 <= (ly0 + ly1) / 2 <= y1


def _png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), "white").save(buffer, "PNG")
    return buffer.getvalue()


HOSTILE = {
    "empty": b"",
    "random": np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "html": b"<!doctype html><html><body>not a picture</body></html>",
    "truncated_jpeg": encode(render_frame(SEED, 0, CLEAN))[:3000],
    "one_pixel": _tiny_png(),
    "huge_header": _png_claiming(100_000, 100_000),
    "nan_array": np.full((100, 100, 3), np.nan, dtype=np.float32),
    "belt_only": np.full((600, 1200, 3), 35, dtype=np.uint8),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_gives_one_bad_image_record(address_inspector, name: str) -> None:
    result = address_inspector(Frame(piece_id=name, source=f"hostile/{name}", data=HOSTILE[name]))
    _check_record(result)
    assert result.reasons == ("bad_image",)
    assert result.decision == "reject" and result.bin == address_inspector.sort_plan.reject_bin
    assert result.message
    assert result.piece_id == name


def test_a_frame_past_its_ocr_budget_is_rejected_for_review_with_a_message(address_inspector) -> None:
    hurried = Inspector(
        config=InspectConfig(ocr_budget_ms=1), reader=address_inspector.reader,
        sort_plan=address_inspector.sort_plan,
    )  # fmt: skip
    frame, _ = _frame(READABLE[0])
    result = hurried(frame)
    _check_record(result)
    assert result.reasons == ("low_confidence",) and result.bin == hurried.sort_plan.reject_bin
    assert "OCR time budget of 1 ms" in result.message
    assert address_inspector(frame).message is None, "the default budget leaves a clean frame alone"
    with pytest.raises(ValueError, match="ocr_budget_ms"):
        InspectConfig(ocr_budget_ms=0)
    assert InspectConfig.from_dict(InspectConfig(ocr_budget_ms=800).to_dict()).ocr_budget_ms == 800


def test_an_address_held_back_says_why_for_the_review_desk(address_inspector) -> None:
    strict = Inspector(
        config=InspectConfig(address=AddressThresholds(accept_confidence=1.0)),
        reader=address_inspector.reader, sort_plan=address_inspector.sort_plan,
    )  # fmt: skip
    frame, zip5 = _frame(READABLE[0])
    held = strict(frame)
    assert held.reasons == ("low_confidence",) and held.address.zip5 == zip5
    assert held.message.startswith("address: ") and f"{zip5} " in held.message, held.message

    synthetic = render_frame(SEED, READABLE[0], CLEAN)
    blank = synthetic.image.copy()
    x0, y0, x1, y1 = (int(v) for v in synthetic.label.address_box)
    blank[y0:y1, x0:x1] = blank[y0 - 3, x0 - 3]  # the address painted over in the paper's colour
    unread = address_inspector(Frame(piece_id="blank", source="test", data=blank))
    address_reasons = set(unread.reasons) - {"no_postage", "damaged"}
    assert address_reasons and unread.message.startswith("address: "), unread.to_dict()


# Frames whose last line is misread in one digit (NEW YORK NY 16055, HOUMA LA 70384) in a town with other
# ZIPs one keystroke from the true one: the directory repairs the ZIP and no reading disputes it.
LONE_REPAIRS = ((21220, 146, "10055"), (21220, 786, "70364"))


@pytest.mark.parametrize("seed, index, zip5", LONE_REPAIRS)
def test_a_lone_zip_repair_is_sorted_unless_the_config_holds_it(address_inspector, seed, index, zip5) -> None:
    from mailpiece.inspect.factory import build_inspector

    synthetic = render_frame(seed, index)
    assert synthetic.label.address.zip5 == zip5
    frame = Frame(piece_id=f"piece_{index}", source="test", data=encode(synthetic))
    result = address_inspector(frame)
    assert result.decision == "sort" and result.address.zip5 == zip5, result.to_dict()
    assert result.address.confidence >= AddressThresholds().accept_confidence
    config = InspectConfig(address=AddressThresholds(sort_lone_zip_repairs=False))
    held = build_inspector(config=config, cnn=False)(frame)
    assert held.reasons == ("low_confidence",) and held.address.zip5 == zip5
    assert "no second reading agrees" in held.message, held.message


def test_prepare_then_finish_equals_one_call(address_inspector) -> None:
    frame, _ = _frame(READABLE[0])
    whole = address_inspector(frame).to_dict()
    prepared = address_inspector.prepare(frame)
    halves = address_inspector.finish(prepared, None).to_dict()
    for record in (whole, halves):
        record.pop("timings_ms")
    assert whole == halves


@pytest.mark.parametrize("turn", [False, True])
def test_with_the_cnn_postage_and_damage_are_called_and_the_piece_faced(full_inspector, turn: bool) -> None:
    faced_right = 0
    for index in READABLE[:4]:
        synthetic = render_frame(SEED, index, CLEAN)
        image = cv2.rotate(synthetic.image, cv2.ROTATE_180) if turn else synthetic.image
        result = full_inspector(Frame(piece_id=f"c{index}", source="test", data=image))
        _check_record(result)
        assert result.model and result.model.startswith("postage-damage@")
        assert result.postage.kind in ("stamp", "meter", "permit", "none")
        assert result.damage.kind in ("none", "torn", "creased", "stained", "crushed")
        assert result.postage.present == (result.postage.kind != "none")
        assert ("no_postage" in result.reasons) == (not result.postage.present)
        assert ("damaged" in result.reasons) == result.damage.present
        assert result.timings_ms["cnn"] > 0
        faced_right += result.orientation == (180 if turn else 0)
        assert result.address is not None and result.address.zip5 == synthetic.label.address.zip5
    assert faced_right == 4


# Frames of the generator's default mix that the fast model alone does not read (both went to review)
# and the second model does: as the standard recipe prepares it, and with the bold-ink preparation.
SECOND_MODEL_READS = ((21140, 406, "second-model"), (21100, 529, "bold-ink-second-model"))


def test_the_second_model_reads_pieces_the_fast_model_cannot(address_inspector) -> None:
    from mailpiece.inspect.factory import build_inspector

    one_model = build_inspector(config=InspectConfig(second_ocr_model=False), cnn=False)
    for seed, index, recipe in SECOND_MODEL_READS:
        synthetic = render_frame(seed, index)
        frame = Frame(piece_id=f"piece_{index}", source="test", data=encode(synthetic))
        zip5 = synthetic.label.address.zip5
        prepared = address_inspector.prepare(frame)
        assert prepared.reading.recipe == recipe and prepared.reading.address.zip5 == zip5, (seed, index)
        result = address_inspector.finish(prepared, None)
        assert result.decision == "sort" and result.address.zip5 == zip5
        assert one_model(frame).decision == "reject", "the fast model alone reads it: pick another frame"


# Frames of the default mix where a fold runs through the address block, glued to its glyphs: the layout
# made one line of the fold and the print it touched, and the block lost its city line (both unread).
FOLDED_READS = ((21170, 513), (21100, 939))


@pytest.mark.parametrize("seed, index", FOLDED_READS)
def test_a_fold_through_the_address_does_not_hide_its_last_line(address_inspector, seed, index) -> None:
    synthetic = render_frame(seed, index)
    assert synthetic.label.damage.kind == "creased"
    result = address_inspector(Frame(piece_id=f"piece_{index}", source="test", data=encode(synthetic)))
    assert result.decision == "sort" and result.address.zip5 == synthetic.label.address.zip5


def test_the_inspector_reads_with_a_second_model_unless_the_config_turns_it_off(address_inspector) -> None:
    from mailpiece.inspect.factory import build_inspector
    from mailpiece.inspect.ocr_preprocess import RESCUE_RECIPES

    assert address_inspector.reader.second_ocr is not None
    assert address_inspector.reader.rescue_recipes == RESCUE_RECIPES
    config = InspectConfig(second_ocr_model=False)
    assert InspectConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    one_model = build_inspector(config=config, cnn=False)
    assert one_model.reader.second_ocr is None
    assert not any(recipe.second_model for recipe in one_model.reader.rescue_recipes)
    frame, zip5 = _frame(READABLE[0])
    result = one_model(frame)
    assert result.decision == "sort" and result.address.zip5 == zip5
