"""The sampled plans: class balance, real ZIP/city/state combinations, and the variations the camera needs."""

from __future__ import annotations

from collections import Counter

import pytest
import zipcodes

from mailpiece.datasets import SynthConfig, sample_spec
from mailpiece.inspect.result import DAMAGE_KINDS, POSTAGE_KINDS

SPECS = [sample_spec(3, i) for i in range(400)]


def test_every_postage_and_damage_kind_appears() -> None:
    assert {s.postage_kind for s in SPECS} == set(POSTAGE_KINDS)
    assert {s.damage_kind for s in SPECS} == set(DAMAGE_KINDS)


def test_default_class_balance_is_roughly_the_configured_one() -> None:
    postage = Counter(s.postage_kind for s in SPECS)
    damage = Counter(s.damage_kind for s in SPECS)
    n = len(SPECS)
    for kind, share in SynthConfig().postage_mix:
        assert abs(postage[kind] / n - share) < 0.07, (kind, postage)
    assert abs(damage["none"] / n - 0.5) < 0.08


def test_destination_is_a_real_zip_city_state_combination() -> None:
    for spec in SPECS[:150]:
        a = spec.address
        matches = zipcodes.matching(a.zip5)
        assert matches, a.zip5
        assert matches[0]["city"].upper() == a.city and matches[0]["state"] == a.state
        last = a.lines[-1].upper()
        assert a.zip5 in last and a.state in last and a.city in last
        if a.zip4:
            assert f"{a.zip5}-{a.zip4}" in last


def test_return_address_has_a_different_zip() -> None:
    returns = [s for s in SPECS if s.return_address is not None]
    assert len(returns) > len(SPECS) // 2
    assert all(s.return_address.zip5 != s.address.zip5 for s in returns)


def test_greyscale_upside_down_flat_scans_windows_and_labels_all_appear() -> None:
    assert 0.12 < sum(s.grayscale for s in SPECS) / len(SPECS) < 0.3
    assert 0.14 < sum(s.orientation == 180 for s in SPECS) / len(SPECS) < 0.3
    assert any(s.flat_scan for s in SPECS)
    assert any(s.window for s in SPECS) and any(s.address_label for s in SPECS)
    assert not any(s.window and s.address_label for s in SPECS)
    assert all(-10.0 <= s.rotation_deg <= 10.0 for s in SPECS)


def test_a_config_can_change_the_balance() -> None:
    config = SynthConfig(postage_mix=(("meter", 1.0),), damage_mix=(("torn", 1.0),))
    specs = [sample_spec(0, i, config) for i in range(30)]
    assert {s.postage_kind for s in specs} == {"meter"} and {s.damage_kind for s in specs} == {"torn"}


def test_a_config_with_unknown_kinds_is_refused() -> None:
    with pytest.raises(ValueError):
        SynthConfig(postage_mix=(("coupon", 1.0),))


def test_config_round_trips_through_its_dict() -> None:
    config = SynthConfig(p_grayscale=0.5, damage_mix=(("none", 1.0), ("torn", 2.0)))
    assert SynthConfig.from_dict(config.to_dict()) == config


def test_negative_seed_is_refused() -> None:
    with pytest.raises(ValueError):
        sample_spec(-1, 0)


def test_settings_by_name_change_the_config_and_bad_ones_say_why() -> None:
    config = SynthConfig().with_options(
        ["p_advert_art=0.2", "postage_mix=stamp:1,none:1", "jpeg_quality=30-90", "max_piece_side_px=1200"]
    )
    assert config.p_advert_art == 0.2 and config.postage_mix == (("stamp", 1.0), ("none", 1.0))
    assert config.jpeg_quality == (30, 90) and config.max_piece_side_px == 1200
    assert SynthConfig().with_options([]) == SynthConfig()
    for bad, why in [("p_bogus=1", "NAME=VALUE"), ("p_window", "NAME=VALUE"), ("p_window=abc", "p_window"),
                     ("postage_mix=coupon:1", "postage_mix"), ("jpeg_quality=95-50", "jpeg_quality")]:
        with pytest.raises(ValueError, match=why):
            SynthConfig().with_options([bad])
