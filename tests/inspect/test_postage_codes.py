"""A QR code where the postage goes is no postage; a stamp, a meter's Data Matrix or a permit is."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from mailpiece.datasets import encode, render_frame
from mailpiece.datasets.barcodes import data_matrix
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.locate import locate_piece
from mailpiece.inspect.postage_box import find_postage_box
from mailpiece.inspect.postage_codes import finder_patterns, qr_code_alone, qr_code_box
from mailpiece.inspect.result import ClassCall
from tests.inspect.test_address_block import draw_piece
from tests.inspect.test_postage_wording import permit_imprint, stamp


def qr_code(module_px: float, text: str = "https://example.com/offer/2026") -> np.ndarray:
    """A genuine QR code (OpenCV's encoder, with its quiet zone) as ink 0/1, ``module_px`` per module."""
    cells = cv2.QRCodeEncoder.create().encode(text) < 128
    side = round(cells.shape[0] * module_px)
    return cv2.resize(cells.astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)


def print_code(piece: np.ndarray, code: np.ndarray, x: int, y: int, ink: tuple[int, int, int]) -> np.ndarray:
    """``piece`` with the 0/1 ``code`` printed at (x, y) in ``ink``, softened like print seen by a camera."""
    piece = piece.copy()
    h, w = code.shape
    area = piece[y : y + h, x : x + w]
    area[code > 0] = ink
    piece[y : y + h, x : x + w] = cv2.GaussianBlur(area, (3, 3), 0.8)
    return piece


def jpeg(image: np.ndarray, quality: int = 60) -> np.ndarray:
    return cv2.imdecode(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1], cv2.IMREAD_COLOR)


@pytest.mark.parametrize("module_px", [3, 4, 6])
def test_a_qr_code_alone_in_the_postage_corner_is_found(module_px: int) -> None:
    code = qr_code(module_px)
    piece = jpeg(print_code(draw_piece(), code, 1350 - code.shape[1], 30, (30, 30, 30)))
    box = find_postage_box(piece)
    assert box is not None, "the code is the dense patch in the postage corner"
    found = qr_code_box(piece, box)
    assert found is not None
    rows, cols = np.flatnonzero(code.any(axis=1)), np.flatnonzero(code.any(axis=0))  # inside the quiet zone
    x0, y0 = 1350 - code.shape[1] + cols[0], 30 + rows[0]
    x1, y1 = 1350 - code.shape[1] + cols[-1] + 1, 30 + rows[-1] + 1
    assert max(abs(a - b) for a, b in zip(found, (x0, y0, x1, y1), strict=True)) <= module_px + 2, found
    assert qr_code_alone(piece, box)


def test_a_light_code_on_dark_stock_is_found_too() -> None:
    code = qr_code(4)
    navy = draw_piece(paper=(90, 40, 20), ink=(230, 230, 230))
    piece = jpeg(print_code(navy, code, 1220, 30, (200, 120, 230)))  # a pink code on a navy flat
    assert finder_patterns(cv2.cvtColor(piece[30:166, 1220:1356], cv2.COLOR_BGR2GRAY)) == []
    assert qr_code_alone(piece, find_postage_box(piece))


def test_postage_is_no_qr_code() -> None:
    rng = np.random.default_rng(3)
    matrix = data_matrix(rng, 110, 22) > 0  # a meter's Data Matrix: an L finder and clock tracks
    meter = print_code(draw_piece(), matrix.astype(np.uint8), 1230, 40, (60, 30, 160))
    for piece in (stamp(draw_piece(), 1220, 30), permit_imprint(draw_piece()), meter, draw_piece()):
        box = find_postage_box(piece)
        assert box is None or qr_code_box(piece, box) is None
        assert not qr_code_alone(piece, box)


def test_a_stamp_beside_the_code_keeps_the_piece_paid() -> None:
    code = qr_code(3)
    # Joined into one patch with the code, and stuck further along the top with a gap between them.
    for stamp_x in (1040 + code.shape[1], 1160 + code.shape[1]):
        piece = stamp(print_code(draw_piece(), code, 1000, 40, (30, 30, 30)), stamp_x, 30)
        box = find_postage_box(piece)
        assert not qr_code_alone(piece, box)
        code_box = (1000, 40, 1000 + code.shape[1], 40 + code.shape[0])
        assert not qr_code_alone(piece, code_box), "a second patch beside the code is postage"


def test_a_code_joined_to_a_meter_imprint_is_part_of_it() -> None:
    """A QR code printed just left of a meter's indicium: the postage finder takes both as one patch."""
    code = qr_code(4)
    rng = np.random.default_rng(5)
    matrix = (data_matrix(rng, 90, 20) > 0).astype(np.uint8)
    piece = print_code(draw_piece(), code, 1000, 40, (30, 30, 30))
    piece = print_code(piece, matrix, 1020 + code.shape[1], 50, (40, 40, 170))
    legend = 1130 + code.shape[1]
    cv2.putText(piece, "US POSTAGE", (legend, 70), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (40, 40, 170), 2)
    cv2.putText(piece, "$0.73", (legend, 110), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (40, 40, 170), 2)
    box = find_postage_box(piece)
    assert box is not None and qr_code_box(piece, box) is not None, "the box holds the code and more"
    assert not qr_code_alone(piece, box)


def test_the_inspector_overrules_an_unsure_paid_call_on_a_lone_qr_code(full_inspector) -> None:
    def prepared(piece: np.ndarray):
        data = cv2.imencode(".png", piece)[1].tobytes()
        return full_inspector.prepare(Frame(piece_id="p", source="test", data=data))

    code = qr_code(4)
    with_code = print_code(draw_piece(), code, 1350 - code.shape[1], 30, (30, 30, 30))
    undamaged = ClassCall(present=False, kind="none", score=0.01)
    unsure = ClassCall(present=True, kind="stamp", score=0.9)  # what the CNN made of such codes on flats
    result = full_inspector.finish(prepared(with_code), (unsure, undamaged))
    assert result.decision == "reject" and "no_postage" in result.reasons
    assert result.postage.present is False and result.postage.score == 0.9 and "QR code" in result.message
    sure = ClassCall(present=True, kind="stamp", score=0.995)
    assert full_inspector.finish(prepared(with_code), (sure, undamaged)).postage.present
    beside = stamp(with_code, 1000, 30)
    assert full_inspector.finish(prepared(beside), (unsure, undamaged)).postage.present


def test_a_rendered_flat_with_a_qr_code_in_the_corner() -> None:
    """A generated 12-inch flat, no postage, a QR code where the stamp would go: blurred, JPEG-compressed,
    2-3 px modules. The CNN called it a stamp at 0.96 (seed 21250, frame 596)."""
    frame = render_frame(21250, 596)
    assert frame.label.postage.kind == "none" and frame.label.orientation == 0
    image = cv2.imdecode(np.frombuffer(encode(frame), np.uint8), cv2.IMREAD_COLOR)
    piece = locate_piece(image).image
    assert qr_code_alone(piece, find_postage_box(piece))
