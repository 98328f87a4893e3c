"""Scoring results against ground truth: the rates operators and ML engineers read."""

from __future__ import annotations

import pytest

from mailpiece.inspect.evaluation import Truth, score_addresses, score_cnn
from mailpiece.inspect.result import Address, ClassCall, Result


def _result(
    piece_id: str,
    zip5: str | None,
    *,
    reasons=(),
    confidence=0.95,
    verified=True,
    postage: ClassCall | None = None,
    damage: ClassCall | None = None,
) -> Result:
    address = (
        None
        if zip5 is None
        else Address(
            zip5=zip5, zip4=None, city="X", state="CT", lines=("x",), confidence=confidence, verified=verified
        )
    )
    return Result(
        piece_id=piece_id,
        source="t",
        decision="reject" if reasons else "sort",
        bin="B",
        reasons=tuple(reasons),
        address=address,
        postage=postage,
        damage=damage,
        orientation=0,
        timings_ms={"total": 10.0},
    )


def test_finalized_and_missorted_are_counted_as_defined() -> None:
    truths = [
        Truth(piece_id=p, zip5="06103", sortable=s)
        for p, s in [
            ("right", True),
            ("wrong", True),
            ("rejected", True),
            ("unsortable_right", False),
            ("unsortable_wrong", False),
        ]
    ]
    results = [
        _result("right", "06103"),
        _result("wrong", "06105"),
        _result("rejected", "06103", reasons=("low_confidence",), confidence=0.4),
        _result("unsortable_right", "06103"),
        _result("unsortable_wrong", "99999"),
    ]
    scores = score_addresses(results, truths)
    assert (scores.pieces, scores.sortable) == (5, 3)
    assert scores.finalized_right == 1 and scores.finalization_rate == pytest.approx(1 / 3)
    assert scores.missorted == 2 and scores.missort_rate == pytest.approx(2 / 5)
    assert scores.reasons == {"low_confidence": 1}
    assert scores.latency_ms["total"] == (10.0, 10.0)


def test_the_curve_trades_read_rate_for_errors() -> None:
    truths = [Truth(piece_id=str(i), zip5="06103", sortable=True) for i in range(4)]
    results = [
        _result("0", "06103", confidence=0.9),
        _result("1", "06103", confidence=0.5),
        _result("2", "06105", confidence=0.3),
        _result("3", None),
    ]
    curve = {round(p.threshold, 2): p for p in score_addresses(results, truths).curve}
    assert curve[0.0].read_rate == 0.5 and curve[0.0].error_rate == 0.25
    assert curve[0.4].read_rate == 0.5 and curve[0.4].error_rate == 0.0
    assert curve[0.6].read_rate == 0.25 and curve[0.6].error_rate == 0.0
    rates = [p.read_rate for p in curve.values()]
    assert rates == sorted(rates, reverse=True)


def test_cnn_scores_count_catches_and_false_rejects() -> None:
    def call(kind: str, score: float) -> ClassCall:
        return ClassCall(present=kind != "none", kind=kind, score=score)

    truths = [
        Truth(piece_id="unpaid", zip5=None, sortable=False, postage_kind="none", damage_kind="none"),
        Truth(piece_id="good", zip5=None, sortable=False, postage_kind="stamp", damage_kind="none"),
        Truth(piece_id="torn", zip5=None, sortable=False, postage_kind="meter", damage_kind="torn"),
    ]
    results = [
        _result("unpaid", None, postage=call("none", 0.1), damage=call("none", 0.1)),
        _result("good", None, postage=call("stamp", 0.9), damage=call("creased", 0.7)),
        _result("torn", None, postage=call("meter", 0.95), damage=call("torn", 0.8)),
    ]
    scores = score_cnn(results, truths, postage_threshold=0.5, damage_threshold=0.5)
    assert scores.at_config.unpaid_caught == 1.0 and scores.at_config.damaged_caught == 1.0
    assert scores.at_config.good_rejected == 1.0  # the good piece was called creased
    assert scores.postage.precision_recall()["none"] == (1.0, 1.0)
    assert scores.damage.confusion[0][2] == 1  # none called creased
    assert score_cnn([_result("good", None)], truths, postage_threshold=0.5, damage_threshold=0.5) is None


def test_the_sorters_rates_follow_the_records_calls_not_the_scores() -> None:
    truths = [Truth(piece_id="box", zip5=None, sortable=False, postage_kind="none", damage_kind="none")]
    # an empty stamp box the CNN scored as paid (0.95) and the postage-box wording overruled
    overruled = ClassCall(present=False, kind="none", score=0.95)
    undamaged = ClassCall(present=False, kind="none", score=0.1)
    results = [_result("box", None, postage=overruled, damage=undamaged)]
    scores = score_cnn(results, truths, postage_threshold=0.24, damage_threshold=0.78)
    assert scores.at_config.unpaid_caught == 1.0 and scores.at_config.postage_threshold == 0.24
    assert next(r for r in scores.curve if r.postage_threshold == 0.25).unpaid_caught == 0.0  # score alone
