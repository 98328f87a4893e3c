"""The shipped result-record schema: real records validate, and each way of breaking the contract fails."""

from __future__ import annotations

import copy
import json

import pytest

from mailpiece.inspect.frame import Frame
from mailpiece.inspect.record_schema import RecordInvalid, record_errors, record_schema, validate_record
from mailpiece.inspect.result import REASON_CODES, Result, bad_image


@pytest.fixture(scope="module")
def real_records(full_inspector) -> list[dict]:
    """Records the real inspector (OCR + shipped CNN) makes of six synthetic frames, through JSON."""
    from mailpiece.datasets.render import encode, render_frame

    frames = [Frame(piece_id=f"piece_{i}", source=f"synthetic:3#{i}", data=encode(render_frame(3, i)))
              for i in range(6)]
    return [json.loads(json.dumps(full_inspector(frame).to_dict())) for frame in frames]


def _sorted_record() -> dict:
    return {
        "piece_id": "piece_0042", "source": "frames/piece_0042.jpg", "decision": "sort", "bin": "B07",
        "reasons": [], "address": {"zip5": "06103", "zip4": "1234", "city": "HARTFORD", "state": "CT",
                                   "lines": ["JANE DOE", "HARTFORD CT 06103-1234"], "confidence": 0.97,
                                   "verified": True},
        "postage": {"present": True, "kind": "stamp", "score": 0.99},
        "damage": {"present": False, "kind": "none", "score": 0.02},
        "orientation": 0, "message": None, "model": "postage-damage@abc",
        "timings_ms": {"decode": 4.1, "total": 60.2},
        "piece_quad": [[1.0, 2.0], [3.0, 2.0], [3.0, 4.0], [1.0, 4.0]], "address_box": [1, 2, 3, 4],
        "postage_box": None,
    }


def test_the_schema_is_draft_2020_12_and_names_every_reason_code() -> None:
    schema = record_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert tuple(schema["$defs"]["reason"]["enum"]) == REASON_CODES


def test_records_of_the_real_inspector_validate(real_records: list[dict]) -> None:
    assert {r["decision"] for r in real_records} == {"sort", "reject"}  # both shapes are exercised
    for record in real_records:
        validate_record(record)
        validate_record(Result.from_dict(record).to_dict())  # and the round trip sinks rely on


def test_bad_image_and_processing_error_records_validate() -> None:
    validate_record(bad_image("x", "x.jpg", "empty input: no bytes", "REJECT").to_dict())
    validate_record(Result(piece_id="y", source="y.jpg", decision="reject", bin="REJECT",
                           reasons=("processing_error",), message="workers failed 3 times").to_dict())


def test_the_documented_example_validates_and_unknown_extra_fields_are_allowed() -> None:
    validate_record(_sorted_record())
    validate_record({**_sorted_record(), "conveyor": "line 3"})


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda r: r.pop("timings_ms"), "(record)"),
        (lambda r: r.update(decision="maybe"), "decision"),
        (lambda r: r.update(reasons=["no_postage"]), "reasons"),  # sorted with a reason
        (lambda r: r.update(decision="reject", reasons=[]), "reasons"),  # rejected without one
        (lambda r: r.update(decision="reject", reasons=["misdirected"]), "reasons/0"),
        (lambda r: r.update(decision="reject", reasons=["damaged", "damaged"]), "reasons"),
        (lambda r: r.update(decision="reject", reasons=["bad_image"], message=None), "message"),
        (lambda r: r.update(address=None), "address"),  # sorted without an address
        (lambda r: r["address"].update(zip5="O6IO3"), "address/zip5"),  # "verified" but not a ZIP
        (lambda r: r["address"].update(confidence=1.5), "address/confidence"),
        (lambda r: r["postage"].update(kind="coupon"), "postage/kind"),
        (lambda r: r["postage"].update(present=False), "postage/kind"),  # absent, yet a stamp
        (lambda r: r["damage"].update(score=-0.1), "damage/score"),
        (lambda r: r.update(orientation=45), "orientation"),
        (lambda r: r["timings_ms"].update(ocr="slow"), "timings_ms/ocr"),
        (lambda r: r.update(address_box=[1, 2, 3]), "address_box"),
    ],
)
def test_each_broken_contract_is_caught(change, where: str) -> None:
    record = copy.deepcopy(_sorted_record())
    change(record)
    errors = record_errors(record)
    assert any(e.startswith(f"{where}:") for e in errors), errors
    with pytest.raises(RecordInvalid, match="piece_0042"):
        validate_record(record)
