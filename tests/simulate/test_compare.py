"""compare(): self-comparison, mirror symmetry, per-leaf differences adding up."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.rules.model import Adjustment, ManualRule
from scoring.simulate.compare import FLOOR_LEAF, _kendall_s, compare
from tests.simulate.helpers import make_data, make_rules


@pytest.fixture(scope="module")
def data():
    return make_data(n=15, groups=("d", "x"))


def _score(rules, data):
    ds, ind = data
    return score(rules, ds, indicators=ind)


def _pair(data, cut: float, online_max: float):
    """The base rules and a variant (cut-off ``cut``, online leaf max) scored on ``data``."""
    a = _score(make_rules(groups=("d", "x")), data)
    b = _score(make_rules(groups=("d", "x"), cut=cut, online_max=online_max).replace(id="b"),
               data)
    return a, b


def test_a_rule_set_compared_with_itself_shows_no_shift(data) -> None:
    a = _score(make_rules(groups=("d", "x")), data)
    c = compare(a, a)
    assert (c.agencies["rank_shift"] == 0).all()
    assert (c.agencies["points_diff"] == 0).all()
    assert not c.agencies["class_changed"].any()
    assert c.leaves.empty
    assert (c.groups["spearman"] == 1).all() and (c.groups["kendall"] == 1).all()
    assert (c.groups["mean_abs_rank_shift"] == 0).all()


@settings(max_examples=15)
@given(cut=st.sampled_from([85.0, 90.0, 97.0]), online_max=st.sampled_from([1.0, 5.0]))
def test_compare_mirrors(data, cut: float, online_max: float) -> None:
    a, b = _pair(data, cut, online_max)
    ab = compare(a, b).agencies
    ba = compare(b, a).agencies.reindex(ab.index)
    assert (ab["rank_shift"] == -ba["rank_shift"]).all()
    assert np.allclose(ab["points_diff"], -ba["points_diff"])
    assert (ab["class_a"] == ba["class_b"]).all() and (ab["class_b"] == ba["class_a"]).all()
    assert (ab["class_changed"] == ba["class_changed"]).all()
    g_ab, g_ba = compare(a, b).groups, compare(b, a).groups
    assert np.allclose(g_ab[["spearman", "kendall"]], g_ba[["spearman", "kendall"]])


@settings(max_examples=15)
@given(cut=st.sampled_from([82.0, 90.0, 99.0]), online_max=st.sampled_from([1.0, 4.0, 6.0]))
def test_per_leaf_differences_add_up_to_the_points_difference(data, cut: float,
                                                             online_max: float) -> None:
    a, b = _pair(data, cut, online_max)
    c = compare(a, b)
    sums = c.leaves.groupby("agency_id")["diff"].sum().reindex(c.agencies.index).fillna(0)
    assert np.allclose(sums, c.agencies["points_diff"])
    assert FLOOR_LEAF not in set(c.leaves["leaf"])          # no bonus or deduction here
    assert set(c.leaves["leaf"]) <= {"1.1.1", "1.1.2"}      # the manual leaf 2.1.1 is unchanged


def test_the_changed_leaf_and_its_difference_are_reported(data) -> None:
    ds, ind = data
    a = _score(make_rules(groups=("d", "x")), data)
    b = _score(make_rules(groups=("d", "x"), online_max=6.0).replace(id="b"), data)
    c = compare(a, b)
    # the online leaf is online_rate / 100 × max: going 3 → 6 adds online_rate × 3 / 100
    expected = ind["online_rate"] * 3 / 100
    got = c.leaves.set_index("agency_id")["diff"]
    assert set(c.leaves["leaf"]) == {"1.1.2"}
    assert np.allclose(got.reindex(expected.index), expected)
    assert (c.agencies["leaves"].str.startswith("1.1.2: +")).all()


def test_the_floor_at_zero_is_its_own_row(data) -> None:
    ds, ind = data
    rules = make_rules(groups=("d", "x"))
    harsh = rules.replace(id="harsh", adjustments=[Adjustment(
        code="D", name="Điểm trừ", kind="deduction", rule=ManualRule(), cap=100).model_dump()])
    first = ds.agencies.index[0]
    extra = pd.DataFrame({"agency_id": [first], "leaf": ["D"], "self_points": [float("nan")],
                          "appraised_points": [50.0], "note": [""]})
    scores = pd.concat([ds.scores, extra], ignore_index=True) if len(ds.scores) else extra
    ds2 = ds.replace(scores=scores)
    a = score(rules, ds2, indicators=ind)
    b = score(harsh, ds2, indicators=ind)
    c = compare(a, b)
    rows = c.leaf_diff(first).set_index("leaf")
    assert rows.loc["D", "diff"] == -50.0
    assert c.agencies.loc[first, "points_b"] == 0.0
    assert rows["diff"].sum() == pytest.approx(-c.agencies.loc[first, "points_a"])
    assert FLOOR_LEAF in rows.index


def test_two_datasets_under_one_rule_set(data) -> None:
    ds, ind = data
    rules = make_rules(groups=("d", "x"))
    better = ind.copy()
    agency = ind.index[3]
    better.loc[agency, "on_time_rate"] = 99.9
    better.loc[agency, "online_rate"] = 100.0
    a = score(rules, ds, indicators=ind)
    b = score(rules, ds.replace(name="test-2"), indicators=better)
    c = compare(a, b)
    assert c.label_a == "test" and c.label_b == "test-2"
    moved = c.agencies[c.agencies["points_diff"] != 0]
    assert list(moved.index) == [agency]
    assert c.agencies.loc[agency, "rank_shift"] <= 0
    others = c.agencies.drop(index=agency)
    assert (others["rank_shift"] >= 0).all()     # nobody else can improve


def test_agencies_ranked_on_one_side_only(data) -> None:
    ds, ind = data
    rules = make_rules(groups=("d", "x"))
    gone = ds.agencies.index[0]
    ds_b = ds.replace(name="b", agencies=ds.agencies.drop(index=gone))
    c = compare(score(rules, ds, indicators=ind), score(rules, ds_b, indicators=ind))
    assert pd.isna(c.agencies.loc[gone, "rank_b"])
    assert c.groups.loc[ds.agencies.loc[gone, "group"], "agencies"] == 14


@settings(max_examples=40)
@given(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=2, max_size=60))
def test_kendall_matches_the_pairwise_count(pairs) -> None:
    """The O(n log n) count equals Σ sign(Δa)·sign(Δb) over every pair (ties included)."""
    a = np.array([p[0] for p in pairs], dtype=float)
    b = np.array([p[1] for p in pairs], dtype=float)
    n = len(a)
    s = sum(np.sign(a[j] - a[i]) * np.sign(b[j] - b[i])
            for i in range(n) for j in range(i + 1, n))
    assert _kendall_s(a, b) == s


@settings(max_examples=10)
@given(cut=st.sampled_from([82.0, 90.0, 99.0]), online_max=st.sampled_from([1.0, 4.0, 6.0]))
def test_leaf_differences_match_a_merge_of_the_two_ledgers(data, cut: float,
                                                           online_max: float) -> None:
    """The array walk gives the rows a plain merge of the two ledgers on (agency, leaf)."""
    a, b = _pair(data, cut, online_max)
    got = compare(a, b).leaves
    m = a.ledger.merge(b.ledger, on=["agency_id", "leaf"], how="outer", suffixes=("_a", "_b"))
    m["diff"] = m["points_b"].fillna(0) - m["points_a"].fillna(0)
    m = m[m["diff"].abs() > 1e-12]
    key = ["agency_id", "leaf"]
    want = m.sort_values(key).reset_index(drop=True)
    have = got.sort_values(key).reset_index(drop=True)
    assert list(have[key].itertuples(index=False)) == list(want[key].itertuples(index=False))
    assert np.allclose(have["diff"], want["diff"])
    assert np.allclose(have["points_a"], want["points_a"])
    assert list(have["name"]) == list(want["name_b"].fillna(want["name_a"]))
