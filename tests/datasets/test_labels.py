"""The labels.jsonl contract: PieceLabel round-trips through JSON with exactly the agreed keys."""

from __future__ import annotations

import json

import pytest

from mailpiece.datasets import PieceLabel, SyntheticFrame
from mailpiece.datasets.labels import PIECE_TYPES
from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS

TOP_KEYS = {
    "piece_id",
    "image",
    "seed",
    "index",
    "piece_type",
    "window",
    "address_label",
    "dpi",
    "width",
    "height",
    "address",
    "return_address",
    "postage",
    "damage",
    "orientation",
    "rotation_deg",
    "grayscale",
    "flat_scan",
    "jpeg_quality",
    "piece_quad",
    "piece_size",
    "address_box",
    "postage_box",
    "sortable",
}
ADDRESS_KEYS = {"name", "company", "street", "unit", "city", "state", "zip5", "zip4", "lines"}


def test_label_json_has_exactly_the_contract_keys(frames: list[SyntheticFrame]) -> None:
    for frame in frames:
        d = json.loads(json.dumps(frame.label.to_dict()))
        assert set(d) == TOP_KEYS
        assert set(d["address"]) == ADDRESS_KEYS
        assert d["return_address"] is None or set(d["return_address"]) == ADDRESS_KEYS
        assert set(d["postage"]) == {"kind", "cancelled"} and set(d["damage"]) == {"kind", "severity"}
        assert d["piece_type"] in PIECE_TYPES
        assert d["postage"]["kind"] in POSTAGE_KINDS and d["damage"]["kind"] in DAMAGE_KINDS
        assert d["orientation"] in (0, 180)
        assert d["image"] == f"frames/{d['piece_id']}.jpg"
        assert len(d["piece_quad"]) == 4 and all(len(p) == 2 for p in d["piece_quad"])


def test_label_round_trips_through_json(frames: list[SyntheticFrame]) -> None:
    for frame in frames:
        d = frame.label.to_dict()
        again = PieceLabel.from_dict(json.loads(json.dumps(d)))
        assert again.to_dict() == d


def test_from_dict_rejects_a_line_missing_a_field(frames: list[SyntheticFrame]) -> None:
    d = frames[0].label.to_dict()
    del d["address_box"]
    with pytest.raises(KeyError):
        PieceLabel.from_dict(d)


def test_severity_is_zero_exactly_when_undamaged(frames: list[SyntheticFrame]) -> None:
    for frame in frames:
        damage = frame.label.damage
        assert (damage.severity == 0.0) == (damage.kind == "none")
        assert 0.0 <= damage.severity <= 1.0
