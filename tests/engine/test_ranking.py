"""Ranking methods, tie-breaks, canonical precision and classes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import score
from scoring.engine.ranking import canonical, classify, rank
from scoring.expressions import compile_expression
from scoring.rules.model import FormulaRule, Leaf
from tests.engine.helpers import dataset_of, indicators_of, rules_of, tree_of


def test_competition_dense_ordinal() -> None:
    idx = np.array([70.0, 90.0, 85.0, 85.0, np.nan])
    assert rank([idx], "competition")[:4].tolist() == [4, 1, 2, 2]
    assert rank([idx], "dense")[:4].tolist() == [3, 1, 2, 2]
    assert rank([idx], "ordinal")[:4].tolist() == [4, 1, 2, 3]
    assert np.isnan(rank([idx], "competition")[4])


def test_tie_break_chain_splits_ties_in_order() -> None:
    index = np.array([85.0, 85.0, 85.0, 60.0])
    area3 = np.array([50.0, 70.0, 70.0, 100.0])
    late = np.array([-1.0, -3.0, -2.0, 0.0])        # negated: lower late rate is better
    assert rank([index, area3], "competition").tolist() == [3, 1, 1, 4]
    assert rank([index, area3, late], "competition").tolist() == [3, 2, 1, 4]


def test_canonical_precision_removes_false_differences_not_real_ones() -> None:
    raw = np.array([88.8888888891, 88.8888888889, 88.886])
    canon = canonical(raw, 6)
    assert rank([canon], "competition").tolist() == [1, 1, 3]
    # ranking at the 2-decimal display would wrongly tie the third with the first two
    assert rank([np.round(raw, 2)], "competition").tolist() == [1, 1, 1]


def test_unknown_method() -> None:
    with pytest.raises(ValueError, match="unknown ranking method"):
        rank([np.array([1.0])], "olympic")


def test_classes_highest_threshold_at_or_below() -> None:
    classes = [("Tốt", 80.0), ("Xuất sắc", 90.0), ("Khá", 70.0)]   # any order
    got = classify(np.array([100, 90, 89.9999, 80, 70, 69.99, np.nan]), classes, "Yếu")
    assert got.tolist() == ["Xuất sắc", "Xuất sắc", "Tốt", "Tốt", "Khá", "Yếu", None]


@given(st.lists(st.integers(0, 20), min_size=1, max_size=40))
def test_competition_rank_is_one_plus_number_strictly_better(values: list[int]) -> None:
    arr = np.array(values, dtype=float)
    ranks = rank([arr], "competition")
    for v, r in zip(arr, ranks, strict=True):
        assert r == 1 + int((arr > v).sum())
    dense = rank([arr], "dense")
    for v, r in zip(arr, dense, strict=True):
        assert r == 1 + len({x for x in arr if x > v})
    ordinal = rank([arr], "ordinal")
    assert sorted(ordinal.tolist()) == list(range(1, len(arr) + 1))


keys_strategy = st.integers(2, 12).flatmap(lambda n: st.lists(
    st.lists(st.sampled_from([1.0, 2.0, 3.0, np.nan]), min_size=n, max_size=n),
    min_size=1, max_size=3))


@given(keys=keys_strategy, method=st.sampled_from(["competition", "dense", "ordinal"]),
       data=st.data())
def test_ranks_within_groups_and_runs_are_ranks_of_each_part(keys, method, data) -> None:
    arrays = [np.array(k) for k in keys]
    n = len(arrays[0])
    group = np.array(data.draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    together = rank(arrays, method, group)
    for g in np.unique(group):
        sel = group == g
        alone = rank([a[sel] for a in arrays], method)
        np.testing.assert_array_equal(together[sel], alone)
    runs = rank([np.stack([a, a[::-1]]) for a in arrays], method)
    np.testing.assert_array_equal(runs[0], rank(arrays, method))
    np.testing.assert_array_equal(runs[1], rank([a[::-1] for a in arrays], method))


def test_canonical_rounds_halves_away_from_zero_as_excel() -> None:
    # numpy's round gives 2.67, 90.12, 0.12 and -2.67 here (half to even, binary value)
    got = canonical(np.array([2.675, 90.125, 0.125, -2.675, 90.115, np.nan]), 2)
    assert got[:5].tolist() == [2.68, 90.13, 0.13, -2.68, 90.12]
    assert np.isnan(got[5])


@given(st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 4))
def test_formula_round_is_the_canonical_rounding(x: float, digits: int) -> None:
    expr = compile_expression(f"round(v, {digits})", ["v"])
    assert expr.evaluate({"v": np.array([x])})[0] == canonical(np.array([x]), digits)[0]


def test_units_that_show_the_same_index_share_the_rank() -> None:
    leaf = Leaf(code="1.1.1", name="v", max=100, rule=FormulaRule(expr="v"))
    rules = rules_of({"t": tree_of({"1": [leaf]})})
    assert rules.ranking.precision == 2                 # the digits the appendix shows
    ids = ["a", "b", "c"]
    ind = indicators_of(v=dict(zip(ids, [85.554, 85.5549, 85.5449], strict=True)))
    t = score(rules, dataset_of(dict.fromkeys(ids, "t")), indicators=ind).totals
    assert t.loc[ids, "rank"].tolist() == [1, 1, 3]     # 85.55, 85.55, 85.54
