"""Ranking methods, tie-breaks, canonical precision and classes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine.ranking import canonical, classify, rank_values


def test_competition_dense_ordinal() -> None:
    idx = np.array([70.0, 90.0, 85.0, 85.0, np.nan])
    assert rank_values([idx], "competition")[:4].tolist() == [4, 1, 2, 2]
    assert rank_values([idx], "dense")[:4].tolist() == [3, 1, 2, 2]
    assert rank_values([idx], "ordinal")[:4].tolist() == [4, 1, 2, 3]
    assert np.isnan(rank_values([idx], "competition")[4])


def test_tie_break_chain_splits_ties_in_order() -> None:
    index = np.array([85.0, 85.0, 85.0, 60.0])
    area3 = np.array([50.0, 70.0, 70.0, 100.0])
    late = np.array([-1.0, -3.0, -2.0, 0.0])        # negated: lower late rate is better
    assert rank_values([index, area3], "competition").tolist() == [3, 1, 1, 4]
    assert rank_values([index, area3, late], "competition").tolist() == [3, 2, 1, 4]


def test_canonical_precision_removes_false_differences_not_real_ones() -> None:
    raw = np.array([88.8888888891, 88.8888888889, 88.886])
    canon = canonical(raw, 6)
    assert rank_values([canon], "competition").tolist() == [1, 1, 3]
    # ranking at the 2-decimal display would wrongly tie the third with the first two
    assert rank_values([np.round(raw, 2)], "competition").tolist() == [1, 1, 1]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown ranking method"):
        rank_values([np.array([1.0])], "olympic")


def test_classes_highest_threshold_at_or_below() -> None:
    classes = [("Tốt", 80.0), ("Xuất sắc", 90.0), ("Khá", 70.0)]   # any order
    got = classify(np.array([100, 90, 89.9999, 80, 70, 69.99, np.nan]), classes, "Yếu")
    assert got.tolist() == ["Xuất sắc", "Xuất sắc", "Tốt", "Tốt", "Khá", "Yếu", None]


@given(st.lists(st.integers(0, 20), min_size=1, max_size=40))
def test_competition_rank_is_one_plus_number_strictly_better(values: list[int]) -> None:
    arr = np.array(values, dtype=float)
    ranks = rank_values([arr], "competition")
    for v, r in zip(arr, ranks, strict=True):
        assert r == 1 + int((arr > v).sum())
    dense = rank_values([arr], "dense")
    for v, r in zip(arr, dense, strict=True):
        assert r == 1 + len({x for x in arr if x > v})
    ordinal = rank_values([arr], "ordinal")
    assert sorted(ordinal.tolist()) == list(range(1, len(arr) + 1))
