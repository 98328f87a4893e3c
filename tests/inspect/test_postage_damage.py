"""The CNN stage's thresholds: unset ones come from the checkpoint, set ones win, calls follow them."""

from __future__ import annotations

import json

import pytest

from mailpiece.inspect.config import CnnThresholds, InspectConfig
from mailpiece.inspect.lighting import even_out_light
from mailpiece.inspect.postage_damage import PostageDamageStage
from mailpiece.models.checkpoint import load_checkpoint
from mailpiece.models.predict import PieceScores
from tests.inspect.test_lighting import _falling_off, _piece


def _scores(p_none: float, p_undamaged: float) -> PieceScores:
    return PieceScores(
        postage={"stamp": 1.0 - p_none, "meter": 0.0, "permit": 0.0, "none": p_none},
        damage={"none": p_undamaged, "torn": 1.0 - p_undamaged, "creased": 0.0, "stained": 0.0,
                "crushed": 0.0},
        orientation={"upright": 1.0, "upside_down": 0.0},
        postage_kind="stamp" if p_none < 0.5 else "none",
        damage_kind="none" if p_undamaged >= 0.5 else "torn",
        upside_down=False,
    )


def test_unset_thresholds_come_from_the_shipped_checkpoint(full_inspector) -> None:
    recommended = load_checkpoint().info.metrics["recommended_thresholds"]
    in_force = full_inspector.config.cnn
    assert (in_force.no_postage, in_force.damaged) == (recommended["postage_none"], recommended["damaged"])
    assert full_inspector.postage_damage.thresholds == in_force


def test_configured_thresholds_override_the_checkpoint(full_inspector) -> None:
    classifier = full_inspector.postage_damage.classifier
    stage = PostageDamageStage(classifier, CnnThresholds(no_postage=0.9))
    assert stage.thresholds.no_postage == 0.9
    assert stage.thresholds.damaged == classifier.recommended_thresholds["damaged"]
    assert CnnThresholds().resolved(None) == CnnThresholds(no_postage=0.5, damaged=0.5)


def test_calls_follow_the_thresholds(full_inspector) -> None:
    stage = PostageDamageStage(full_inspector.postage_damage.classifier,
                               CnnThresholds(no_postage=0.3, damaged=0.7))
    postage, damage = stage.calls(_scores(p_none=0.35, p_undamaged=0.35))
    assert (postage.present, postage.kind) == (False, "none")  # P(none) 0.35 >= 0.3: unpaid
    assert (damage.present, damage.kind) == (False, "none")  # P(damaged) 0.65 < 0.7: not damaged
    postage, damage = stage.calls(_scores(p_none=0.25, p_undamaged=0.25))
    assert (postage.present, postage.kind, postage.score) == (True, "stamp", 0.75)
    assert (damage.present, damage.kind) == (True, "torn")


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.5])
def test_out_of_range_thresholds_are_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="no_postage"):
        InspectConfig(cnn=CnnThresholds(no_postage=bad))


def test_unsure_pieces_get_a_second_look_unless_it_is_turned_off(full_inspector) -> None:
    classifier = full_inspector.postage_damage.classifier
    assert full_inspector.postage_damage.second_view is not None  # on by default
    off = PostageDamageStage(classifier, CnnThresholds(second_view_postage=None, second_view_damage=None))
    assert off.second_view is None
    damage_only = PostageDamageStage(classifier, CnnThresholds(second_view_postage=None))
    assert damage_only.second_view is not None and damage_only.second_view.postage is None
    assert damage_only.thresholds.second_view_postage is None  # resolving keeps the bands


def test_second_look_bands_are_checked_and_survive_json() -> None:
    config = InspectConfig(cnn=CnnThresholds(second_view_postage=[0.1, 0.9]))
    assert config.cnn.second_view_postage == (0.1, 0.9)
    again = InspectConfig.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again.cnn == config.cnn
    with pytest.raises(ValueError, match="second_view_damage"):
        CnnThresholds(second_view_damage=(0.9, 0.2))


def test_unevenly_lit_pieces_are_evened_out_before_the_cnn_unless_turned_off(full_inspector) -> None:
    classifier = full_inspector.postage_damage.classifier
    assert full_inspector.postage_damage.even_light  # on by default
    on = full_inspector.postage_damage
    off = PostageDamageStage(classifier, CnnThresholds(even_light=False))
    lit = _piece()
    dim = _falling_off(lit)
    width = classifier.preprocess.config.input_size[1]
    evened = even_out_light(dim, max_width=width)
    assert evened is not dim
    assert on.scores([dim]) == classifier.predict([evened], second_view=on.second_view)
    assert off.scores([dim]) == classifier.predict([dim], second_view=off.second_view)
    assert on.scores([dim]) != off.scores([dim])
    assert on.scores([lit]) == off.scores([lit]), "an evenly lit piece is looked at as it is"
    config = InspectConfig(cnn=CnnThresholds(even_light=False))
    assert InspectConfig.from_dict(json.loads(json.dumps(config.to_dict()))).cnn.even_light is False
