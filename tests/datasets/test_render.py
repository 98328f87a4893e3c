"""Rendered frames: deterministic, geometrically honest ground truth, and an address a real OCR can read."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from mailpiece.datasets import SynthConfig, SyntheticFrame, encode, render_frame

from .conftest import SEED


def test_same_seed_and_index_give_byte_identical_frames(frames: list[SyntheticFrame]) -> None:
    for i in (0, 5):
        again = render_frame(SEED, i)
        assert encode(again) == encode(frames[i])
        assert again.label == frames[i].label


def test_different_index_or_seed_gives_a_different_frame(frames: list[SyntheticFrame]) -> None:
    encoded = {encode(f) for f in frames}
    assert len(encoded) == len(frames)
    assert encode(render_frame(SEED + 1, 0)) != encode(frames[0])


def test_image_matches_the_label_size_and_is_bgr_uint8(frames: list[SyntheticFrame]) -> None:
    for f in frames:
        assert f.image.dtype == np.uint8 and f.image.ndim == 3 and f.image.shape[2] == 3
        assert f.image.shape[:2] == (f.label.height, f.label.width)
        assert max(f.image.shape[:2]) <= 2200


def test_boxes_and_quad_lie_inside_the_frame(frames: list[SyntheticFrame]) -> None:
    for f in frames:
        w, h = f.label.width, f.label.height
        for box in (f.label.address_box, f.label.postage_box):
            if box is None:
                continue
            x0, y0, x1, y1 = box
            assert 0 <= x0 < x1 <= w and 0 <= y0 < y1 <= h, (f.label.piece_id, box)
        quad = np.array(f.label.piece_quad)
        assert (quad >= -0.5).all() and (quad[:, 0] <= w + 0.5).all() and (quad[:, 1] <= h + 0.5).all()


def test_boxes_lie_inside_the_piece(frames: list[SyntheticFrame]) -> None:
    for f in frames:
        quad = np.array(f.label.piece_quad, np.float32)
        for box in (f.label.address_box, f.label.postage_box):
            if box is not None:
                cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
                assert cv2.pointPolygonTest(quad, (cx, cy), False) > 0, f.label.piece_id


def test_postage_box_is_null_exactly_for_unpaid_pieces(frames: list[SyntheticFrame]) -> None:
    for f in frames:
        assert (f.label.postage_box is None) == (f.label.postage.kind == "none")


def test_quad_starts_at_the_upright_top_left_even_upside_down() -> None:
    config = SynthConfig(p_upside_down=1.0, p_flat_scan=0.0)
    for i in range(2):
        label = render_frame(1, i, config).label
        tl, _, br, _ = np.array(label.piece_quad)
        assert tl[0] > br[0] and tl[1] > br[1]  # the upright top-left lies at the bottom right
    upright = render_frame(1, 0, SynthConfig(p_upside_down=0.0, p_flat_scan=0.0)).label
    tl, _, br, _ = np.array(upright.piece_quad)
    assert tl[0] < br[0] and tl[1] < br[1]


def test_postage_box_sits_in_the_upright_top_right(frames: list[SyntheticFrame]) -> None:
    for f in frames:
        if f.label.postage_box is None:
            continue
        quad = np.array(f.label.piece_quad, np.float32)
        w, h = f.label.piece_size
        to_upright = cv2.getPerspectiveTransform(quad, np.float32([[0, 0], [w, 0], [w, h], [0, h]]))
        x0, y0, x1, y1 = f.label.postage_box
        centre = cv2.perspectiveTransform(np.float32([[[(x0 + x1) / 2, (y0 + y1) / 2]]]), to_upright)[0, 0]
        assert centre[0] > 0.55 * w and centre[1] < 0.5 * h, f.label.piece_id


def test_greyscale_frames_encode_as_single_channel_jpeg() -> None:
    frame = render_frame(2, 0, SynthConfig(p_grayscale=1.0))
    decoded = cv2.imdecode(np.frombuffer(encode(frame), np.uint8), cv2.IMREAD_UNCHANGED)
    assert decoded.ndim == 2
    assert np.array_equal(frame.image[..., 0], frame.image[..., 2])


@pytest.mark.parametrize("kind", ["torn", "stained"])
def test_damage_aimed_at_the_address_makes_the_piece_unsortable(kind: str) -> None:
    aimed = SynthConfig(damage_mix=((kind, 1.0),), p_damage_over_address=1.0)
    assert sum(not render_frame(4, i, aimed).label.sortable for i in range(3)) >= 2
    elsewhere = SynthConfig(damage_mix=((kind, 1.0),), p_damage_over_address=0.0)
    assert all(render_frame(4, i, elsewhere).label.sortable for i in range(3))


def _read(frame: SyntheticFrame, api) -> str:
    x0, y0, x1, y1 = frame.label.address_box
    crop = frame.image[max(0, y0 - 8) : y1 + 8, max(0, x0 - 8) : x1 + 8]
    angle = frame.label.orientation + frame.label.rotation_deg
    h, w = crop.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    crop = cv2.warpAffine(crop, turn, (w, h), borderMode=cv2.BORDER_REPLICATE)
    crop = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    api.SetImage(Image.fromarray(cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)))
    return api.GetUTF8Text().replace(" ", "")


def test_tesseract_reads_the_destination_zip_on_most_frames(frames: list[SyntheticFrame]) -> None:
    tesserocr = pytest.importorskip("tesserocr")
    readable = [f for f in frames if f.label.sortable][:8]
    with tesserocr.PyTessBaseAPI(
        path="/usr/share/tesseract-ocr/5/tessdata/", psm=tesserocr.PSM.SINGLE_BLOCK
    ) as api:
        hits = sum(f.label.address.zip5 in _read(f, api) for f in readable)
    assert hits >= 0.6 * len(readable), f"{hits}/{len(readable)} ZIPs read"


def test_turning_back_by_orientation_plus_rotation_makes_the_piece_upright(
    frames: list[SyntheticFrame],
) -> None:
    for f in frames:
        turn = cv2.getRotationMatrix2D(
            (f.label.width / 2, f.label.height / 2), f.label.orientation + f.label.rotation_deg, 1.0
        )
        quad = cv2.transform(np.array([f.label.piece_quad], np.float64), turn)[0]
        tl, tr, br, bl = quad
        top_slope = abs(tr[1] - tl[1]) / (tr[0] - tl[0])  # positive width: the top edge runs left to right
        assert tr[0] > tl[0] and br[1] > tr[1] and top_slope < 0.08, f.label.piece_id


def test_advertising_art_is_added_without_moving_or_covering_anything_else() -> None:
    """p_advert_art adds a picture panel and stickers from its own rng stream: the plan, the boxes and the
    printed text are those of the same piece without it, and at 0 (the default) nothing changes."""
    from dataclasses import replace

    from mailpiece.datasets.piece_face import render_face
    from mailpiece.datasets.spec import rng_for, sample_spec

    spec = sample_spec(SEED, 2)
    with_art = sample_spec(SEED, 2, SynthConfig(p_advert_art=1.0))
    assert with_art.advert_art and not spec.advert_art and replace(with_art, advert_art=False) == spec
    plain = render_face(spec, rng_for(SEED, 2, 1))
    art = render_face(with_art, rng_for(SEED, 2, 1))
    assert (plain.address_box, plain.postage_box) == (art.address_box, art.postage_box)
    x0, y0, x1, y1 = plain.address_box
    assert np.array_equal(plain.image[y0:y1, x0:x1], art.image[y0:y1, x0:x1])
    assert np.array_equal(plain.address_ink, art.address_ink)
    assert (np.abs(plain.image.astype(int) - art.image.astype(int)).max(axis=2) > 30).mean() > 0.03


@pytest.mark.parametrize("index", range(6))
def test_bleeding_advertising_runs_to_the_edge_clear_of_the_address_and_postage(index: int) -> None:
    """p_bleed_advert prints the advertising picture to the piece's edge: the address, its ink and the
    postage stay as on the same piece with the panel in the free space, and at 0 nothing changes."""
    from dataclasses import replace

    from mailpiece.datasets.piece_face import render_face
    from mailpiece.datasets.spec import rng_for, sample_spec

    boxed = sample_spec(SEED, index, SynthConfig(p_advert_art=1.0))
    bleeding = sample_spec(SEED, index, SynthConfig(p_advert_art=1.0, p_bleed_advert=1.0))
    assert bleeding.bleed_advert and not boxed.bleed_advert and replace(bleeding, bleed_advert=False) == boxed
    plain, art = render_face(boxed, rng_for(SEED, index, 1)), render_face(bleeding, rng_for(SEED, index, 1))
    assert (plain.address_box, plain.postage_box) == (art.address_box, art.postage_box)
    assert np.array_equal(plain.address_ink, art.address_ink)
    x0, y0, x1, y1 = plain.address_box
    assert np.array_equal(plain.image[y0:y1, x0:x1], art.image[y0:y1, x0:x1])
    if plain.postage_box is not None:
        x0, y0, x1, y1 = plain.postage_box
        assert np.array_equal(plain.image[y0:y1, x0:x1], art.image[y0:y1, x0:x1])
    changed = np.abs(plain.image.astype(int) - art.image.astype(int)).max(axis=2) > 30
    rim = np.concatenate([changed[0], changed[-1], changed[:, 0], changed[:, -1]])
    assert changed.mean() < 0.5
    if changed.mean() > 0.02:  # a picture went on (there is not always room): it reaches the edge
        assert rim.mean() > 0.05
