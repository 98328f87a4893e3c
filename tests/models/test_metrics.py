"""The sorter's view of the CNN: catch rates, false rejects and the thresholds that meet a budget."""

from __future__ import annotations

import numpy as np

from mailpiece.models.metrics import balanced_accuracy, choose_thresholds, confusion_matrix, reject_rates


def test_reject_rates_count_each_group() -> None:
    p_unpaid = np.array([0.9, 0.2, 0.6, 0.1, 0.1, 0.7])
    p_damaged = np.array([0.1, 0.8, 0.1, 0.3, 0.1, 0.1])
    is_unpaid = np.array([True, True, False, False, False, False])
    is_damaged = np.array([False, True, False, True, False, False])
    r = reject_rates(p_unpaid, p_damaged, is_unpaid, is_damaged)
    assert (r.unpaid, r.damaged, r.good) == (2, 2, 3)
    assert r.unpaid_caught == 0.5  # 0.9 caught, 0.2 missed
    assert r.damaged_caught == 0.5  # 0.8 caught, 0.3 missed
    assert r.good_rejected == 2 / 3  # indices 2 and 5 flagged unpaid


def test_empty_groups_give_none_not_a_number() -> None:
    r = reject_rates(np.array([0.1]), np.array([0.1]), np.array([False]), np.array([False]))
    assert r.unpaid_caught is None and r.damaged_caught is None and r.good_rejected == 0.0


def test_chosen_thresholds_respect_the_false_reject_budget() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    is_unpaid = rng.random(n) < 0.3
    is_damaged = rng.random(n) < 0.3
    p_unpaid = np.clip(np.where(is_unpaid, 0.8, 0.2) + rng.normal(0, 0.15, n), 0, 1)
    p_damaged = np.clip(np.where(is_damaged, 0.8, 0.2) + rng.normal(0, 0.15, n), 0, 1)
    r = choose_thresholds(p_unpaid, p_damaged, is_unpaid, is_damaged, max_good_rejected=0.01)
    assert r.good_rejected is not None and r.good_rejected <= 0.01
    loose = reject_rates(p_unpaid, p_damaged, is_unpaid, is_damaged)
    assert loose.good_rejected is not None and loose.good_rejected > 0.01  # the budget did bind
    assert r.unpaid_caught is not None and r.unpaid_caught > 0.5


def test_confusion_and_balanced_accuracy() -> None:
    m = confusion_matrix(np.array([0, 0, 0, 0, 1, 2]), np.array([0, 0, 0, 1, 1, 0]), 4)
    assert m.tolist() == [[3, 1, 0, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    assert balanced_accuracy(m) == (0.75 + 1.0 + 0.0) / 3
