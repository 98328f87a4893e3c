"""The postage box for the review desk's overlay: on drawn pieces, and on real frames via the inspector."""

from __future__ import annotations

import numpy as np

from mailpiece.datasets import encode, render_frame
from mailpiece.datasets.config import SynthConfig
from mailpiece.inspect.frame import Frame
from mailpiece.inspect.postage_box import find_postage_box
from tests.inspect.test_address_block import draw_piece

SEED = 41


def _holds(box: tuple[int, int, int, int] | list[int], x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def test_a_stamp_beside_its_cancellation_is_boxed_and_a_bare_corner_is_not() -> None:
    piece = draw_piece()
    assert find_postage_box(piece) is None, "text and paper alone are no postage"
    piece[40:200, 1200:1340] = (40, 90, 200)  # a red stamp picture ...
    piece[60:180, 1220:1320] = (200, 160, 40)  # ... with a blue scene in it
    for row in range(50, 190, 12):  # a cancellation's wavy lines to its left
        xs = np.arange(950, 1190)
        ys = (row + 4 * np.sin(xs / 9.0)).astype(int)
        piece[ys, xs] = 60
    box = find_postage_box(piece)
    assert box is not None
    assert abs(box[0] - 1200) < 40 and abs(box[2] - 1340) < 40 and box[1] < 60 and abs(box[3] - 200) < 40


def test_tiny_and_blank_pieces_have_no_postage_box() -> None:
    assert find_postage_box(np.full((10, 30, 3), 200, np.uint8)) is None
    assert find_postage_box(np.full((600, 1200, 3), 235, np.uint8)) is None


def test_the_inspector_boxes_the_postage_it_calls_present_and_only_then(full_inspector) -> None:
    config = SynthConfig(damage_mix=(("none", 1.0),), p_flat_scan=0.0)
    pointed, called = 0, 0
    for index in range(16):
        synthetic = render_frame(SEED, index, config)
        label = synthetic.label
        result = full_inspector(Frame(piece_id=str(index), source="test", data=encode(synthetic))).to_dict()
        if not (result["postage"] or {}).get("present"):
            assert result["postage_box"] is None
            continue
        called += 1
        box = result["postage_box"]
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2) if box else None
        pointed += bool(centre and label.postage_box and _holds(label.postage_box, *centre))
    assert called >= 8 and pointed >= 0.75 * called, (pointed, called)
