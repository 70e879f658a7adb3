"""Hypothesis properties of the engine."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from scoring.engine import evaluate_leaf, score
from scoring.rules.model import (
    Adjustment,
    Band,
    BandsRule,
    FormulaRule,
    Leaf,
    ManualRule,
)
from tests.engine.helpers import dataset_of, indicators_of, rules_of, tree_of

rates = st.one_of(st.floats(0, 100, allow_nan=False), st.just(float("nan")))


def three_leaf_rules(**kw):
    def leaf(code: str, ind: str, top: float) -> Leaf:
        return Leaf(code=code, name=code, max=top, rule=BandsRule(indicator=ind, bands=[
            Band(min=90, points=top), Band(min=50, max=90, points=top / 2),
            Band(max=50, points=0)]))
    return rules_of({"t": tree_of({"3": [leaf("3.1.1", "on_time_rate", 4)],
                                   "7": [leaf("7.1.1", "online_rate", 2),
                                         leaf("7.1.2", "digitised_rate", 3)]})}, **kw)


@st.composite
def agencies_data(draw, min_size: int = 1, max_size: int = 12):
    n = draw(st.integers(min_size, max_size))
    ids = [f"a{i}" for i in range(n)]
    cols = {c: dict(zip(ids, draw(st.lists(rates, min_size=n, max_size=n)), strict=True))
            for c in ("on_time_rate", "online_rate", "digitised_rate")}
    return ids, indicators_of(**cols)


@given(agencies_data(min_size=2), st.randoms(use_true_random=False))
def test_permuting_agencies_changes_nothing(data, rnd) -> None:
    ids, ind = data
    rules = three_leaf_rules()
    base = score(rules, dataset_of(dict.fromkeys(ids, "t")), indicators=ind).totals
    shuffled = ids[:]
    rnd.shuffle(shuffled)
    other = score(rules, dataset_of(dict.fromkeys(shuffled, "t")),
                  indicators=ind.loc[shuffled[::-1]]).totals
    cols = ["points", "max_points", "index", "rank", "class"]
    pd.testing.assert_frame_equal(base.loc[ids, cols], other.loc[ids, cols])


@st.composite
def monotone_bands(draw):
    k = draw(st.integers(1, 5))
    cuts = sorted(draw(st.lists(st.floats(0, 100, allow_nan=False), min_size=k, max_size=k,
                                unique=True)))
    pts = sorted(draw(st.lists(st.floats(0, 10, allow_nan=False), min_size=k + 1,
                               max_size=k + 1)))
    edges = [None, *cuts, None]
    return [Band(min=edges[i], max=edges[i + 1], points=pts[i]) for i in range(k + 1)]


@given(monotone_bands(), st.lists(st.floats(-10, 110, allow_nan=False), min_size=1,
                                  max_size=20), st.floats(0, 50, allow_nan=False))
def test_raising_an_indicator_never_lowers_points_under_monotone_bands(bands, values, delta):
    leaf = Leaf(code="x", name="x", max=10, rule=BandsRule(indicator="v", bands=bands))
    low = evaluate_leaf(leaf, indicators_of(v=values)).points
    high = evaluate_leaf(leaf, indicators_of(v=[v + delta for v in values])).points
    assert (high >= low).all()


@given(agencies_data(), st.lists(st.floats(0, 50, allow_nan=False), min_size=12,
                                 max_size=12),
       st.lists(st.floats(0, 50, allow_nan=False), min_size=12, max_size=12))
def test_index_in_range_and_adjustment_caps_hold(data, bonus, late) -> None:
    ids, ind = data
    ind = ind.assign(late=late[:len(ids)])
    scores = pd.DataFrame({"agency_id": ids, "leaf": "T", "self_points": bonus[:len(ids)],
                           "appraised_points": np.nan})
    rules = three_leaf_rules(adjustments=[
        Adjustment(code="T", name="thưởng", kind="bonus", rule=ManualRule(), cap=1.5),
        Adjustment(code="D", name="trừ", kind="deduction", rule=FormulaRule(expr="late"),
                   cap=4)])
    r = score(rules, dataset_of(dict.fromkeys(ids, "t"), scores=scores), indicators=ind)
    t = r.totals
    idx = t["index"].dropna()
    assert ((idx >= 0) & (idx <= 100)).all()
    assert (t["bonus"] <= 1.5).all() and (t["bonus"] >= 0).all()
    assert (t["deduction"] <= 4).all() and (t["deduction"] >= 0).all()
    assert (t["points"] >= 0).all()
    leaf_rows = r.ledger[r.ledger["area"] != ""]
    assert (leaf_rows["points"] <= leaf_rows["max_points"] + 1e-9).all()


@given(agencies_data())
def test_not_applicable_leaves_leave_the_max(data) -> None:
    ids, ind = data
    t = score(three_leaf_rules(), dataset_of(dict.fromkeys(ids, "t")), indicators=ind).totals
    expected = (ind["on_time_rate"].notna() * 4 + ind["online_rate"].notna() * 2
                + ind["digitised_rate"].notna() * 3)
    assert (t.loc[ids, "max_points"].to_numpy() == expected.loc[ids].to_numpy()).all()


@given(st.lists(st.sampled_from([95.0, 60.0, 10.0]), min_size=2, max_size=15))
def test_equal_scores_share_a_rank_and_the_next_skips(values) -> None:
    ids = [f"a{i}" for i in range(len(values))]
    ind = indicators_of(on_time_rate=dict(zip(ids, values, strict=True)),
                        online_rate=dict.fromkeys(ids, 95.0),
                        digitised_rate=dict.fromkeys(ids, 95.0))
    t = score(three_leaf_rules(), dataset_of(dict.fromkeys(ids, "t")), indicators=ind).totals
    for aid, v in zip(ids, values, strict=True):
        better = sum(1 for w in values if w > v)
        assert t.loc[aid, "rank"] == 1 + better


@given(agencies_data(), agencies_data(), agencies_data())
def test_one_groups_data_never_moves_another_groups_ranks(a, b, b2) -> None:
    ids_a, ind_a = a
    ids_b, ind_b = b
    _, ind_b2 = b2
    ids_b = [f"b{i}" for i in range(len(ids_b))]
    ind_b.index = ids_b
    ind_b2 = ind_b2.iloc[:len(ids_b)].set_axis(ids_b[:len(ind_b2)])
    tree = three_leaf_rules().trees["t"]
    rules = rules_of({"t": tree}, groups=[("department", "t"), ("district", "t")])
    groups = {**dict.fromkeys(ids_a, "department"), **dict.fromkeys(ids_b, "district")}
    ds = dataset_of(groups)
    first = score(rules, ds, indicators=pd.concat([ind_a, ind_b])).totals
    second = score(rules, ds, indicators=pd.concat([ind_a, ind_b2])).totals
    pd.testing.assert_series_equal(first.loc[ids_a, "rank"], second.loc[ids_a, "rank"])
    pd.testing.assert_series_equal(first.loc[ids_a, "index"], second.loc[ids_a, "index"])
