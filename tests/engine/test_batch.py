"""The batched tree evaluation agrees with the per-leaf evaluators; its helpers."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import LEAF_EVALUATORS, LeafOutcome, evaluate_leaf, register_leaf_kind, score
from scoring.engine.batch import (
    MAX_TREE_CACHES,
    agency_positions,
    dataset_index,
    factorize_text,
)
from scoring.engine.leaves import LeafTables
from scoring.engine.ranking import rank_values, rank_within
from scoring.errors import DataError
from scoring.rules.model import (
    Band,
    BandsRule,
    FormulaRule,
    Leaf,
    ManualRule,
    SurveyRule,
    TasksRule,
)
from tests.engine.helpers import TASK_COLS, dataset_of, on_time_leaf, rules_of, tree_of

NAN = float("nan")


# --------------------------------------------------------------------------- text codes
def test_factorize_text_merges_equal_texts_held_by_distinct_objects() -> None:
    a, b = "so-a", "".join(["so-", "a"])
    assert a is not b
    codes, texts = factorize_text(np.array([a, "so-b", b, None, NAN, 7], dtype=object))
    assert codes.tolist() == [0, 1, 0, -1, -1, 2]
    assert texts.tolist() == ["so-a", "so-b", "7"]


@given(st.lists(st.sampled_from(["1.1", "1.2", "2.1", None]), max_size=60),
       st.booleans())
def test_factorize_text_is_pandas_factorize(values: list, sort: bool) -> None:
    # fresh objects for every cell (no sharing) or, sorted, long runs of shared objects
    cells = sorted(values, key=str) if sort else ["".join(v) if v else v for v in values]
    codes, texts = factorize_text(np.array(cells, dtype=object))
    expect, uniques = pd.factorize(pd.Series(cells, dtype=object))
    assert codes.tolist() == expect.tolist()
    assert texts.tolist() == list(uniques)


def test_factorize_text_codes_the_text_not_the_value() -> None:
    # 1, 1.0 and True are equal (and hash alike) in Python, but their texts differ;
    # the int 1 and the str "1" differ in Python, but their texts are equal
    codes, texts = factorize_text(np.array([1, "1", 1.0, True, None], dtype=object))
    assert codes.tolist() == [0, 0, 1, 2, -1]
    assert texts.tolist() == ["1", "1.0", "True"]


def test_agency_positions_matches_ids_by_text() -> None:
    ids = pd.Index(["a", "b", "c"])
    values = np.array(["c", "".join(["a"]), "zz", "c", None], dtype=object)
    assert agency_positions(values, ids).tolist() == [2, 0, -1, 2, -1]
    assert agency_positions(np.array([1, 2]), pd.Index(["2", "1"])).tolist() == [1, 0]


# --------------------------------------------------------------------------- ranks
@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from([50.0, 70.0, 70.0, 90.0, NAN]),
                          st.sampled_from([1.0, 2.0, NAN])), min_size=1, max_size=30),
       st.sampled_from(["competition", "dense", "ordinal"]))
def test_rank_within_is_rank_values_per_group(rows: list, method: str) -> None:
    group = np.array([r[0] for r in rows])
    keys = [np.array([r[1] for r in rows]), np.array([r[2] for r in rows])]
    got = rank_within(group, keys, method)
    for g in set(group.tolist()):
        sel = group == g
        np.testing.assert_array_equal(got[sel], rank_values([k[sel] for k in keys], method))


# --------------------------------------------------------------------------- tree
IDS = ["a", "b", "c", "d", "e", "f"]
MANUAL_IDS = ["a", "b", "c", "z"]          # z is not an agency of the dataset


def mixed_leaves() -> list[Leaf]:
    """One leaf of each kind and variant (hit policies, modes, missing policies)."""
    unique = BandsRule(indicator="on_time_rate", bands=[
        Band(min=90, points=2), Band(min=50, max=90, points=1), Band(max=50, points=0)])
    first = BandsRule(indicator="online_rate", hit="first", bands=[
        Band(min=80, points=2), Band(min=40, points=1), Band(min=60, max=70, points=0.5)])
    return [
        Leaf(code="1.1.1", name="u", max=2, rule=unique),
        Leaf(code="1.1.2", name="f", max=2, rule=first, not_applicable="award"),
        Leaf(code="1.1.3", name="above", max=2, rule=BandsRule(   # 90 and over: no band
            indicator="online_rate", domain=(0, 89),
            bands=[Band(min=0, max=30, points=2), Band(min=30, max=90, points=1)])),
        Leaf(code="2.1.1", name="rate", max=3, rule=TasksRule()),
        Leaf(code="2.1.2", name="tb", max=2, rule=TasksRule(mode="bands", bands=[
            Band(min=0, max=50, points=0), Band(min=50, max=90, points=1),
            Band(min=90, points=2)])),
        Leaf(code="3.1.1", name="fx", max=2,
             rule=FormulaRule(expr="max_points * on_time_rate / 80"),
             applies_if="online_rate > 20"),
        Leaf(code="3.1.2", name="fx2", max=1.5, rule=FormulaRule(expr="online_rate / 50"),
             applies_if="online_rate > 20", not_applicable="award"),
        Leaf(code="4.1.1", name="m", max=1.5, rule=ManualRule(missing="zero")),
        Leaf(code="4.1.2", name="m2", max=1, rule=ManualRule(missing="exclude")),
        Leaf(code="5.1.1", name="s", max=3, rule=SurveyRule()),
        Leaf(code="5.1.2", name="so", max=3,
             rule=SurveyRule(options={"A": 100, "B": 50, "C": 0}, missing="zero")),
    ]


def mixed_rules():
    leaves = mixed_leaves()
    areas = {}
    for leaf in leaves:
        areas.setdefault(leaf.code[0], []).append(leaf)
    return rules_of({"t": tree_of(areas)})


value = st.one_of(st.floats(0, 120, allow_nan=False), st.just(NAN))
count = st.one_of(st.integers(0, 4).map(float), st.just(NAN))


@st.composite
def data(draw):
    n = len(IDS)
    ind = pd.DataFrame({
        "on_time_rate": draw(st.lists(value, min_size=n, max_size=n)),
        "online_rate": draw(st.lists(value, min_size=n, max_size=n)),
        **{c: draw(st.lists(count, min_size=n, max_size=n)) for c in TASK_COLS}},
        index=IDS)
    scores = []
    for aid in MANUAL_IDS:
        for leaf in ("4.1.1", "4.1.2"):
            if draw(st.booleans()):
                scores.append((aid, leaf, draw(value), draw(value)))
    surveys = []
    for aid in IDS:
        if draw(st.booleans()):
            surveys.append((aid, "5.1.1", None, NAN, draw(value)))
        for opt in draw(st.lists(st.sampled_from("ABC"), max_size=3)):
            surveys.append((aid, "5.1.2", opt, draw(count), NAN))
    return (ind,
            pd.DataFrame(scores, columns=["agency_id", "leaf", "self_points",
                                          "appraised_points"]),
            pd.DataFrame(surveys, columns=["agency_id", "leaf", "option", "count", "share"]))


@settings(max_examples=80, deadline=None)
@given(data())
def test_batched_tree_is_the_per_leaf_evaluation(case) -> None:
    ind, scores, surveys = case
    rules = mixed_rules()
    ds = dataset_of({a: "t" for a in IDS}, scores=scores, surveys=surveys)
    block = score(rules, ds, indicators=ind).blocks[0]
    tables = LeafTables(scores=scores, surveys=surveys)
    labels = np.asarray(block.rule_labels, dtype=object)
    for row, leaf in enumerate(mixed_leaves()):
        one = evaluate_leaf(leaf, ind, tables, not_applicable=rules.not_applicable)
        np.testing.assert_array_equal(block.value[row], one.value, err_msg=leaf.code)
        np.testing.assert_array_equal(block.points[row], one.points, err_msg=leaf.code)
        np.testing.assert_array_equal(block.max_points[row], one.max_points,
                                      err_msg=leaf.code)
        assert block.status[row].tolist() == one.status.tolist(), leaf.code
        assert labels[block.rule[row]].tolist() == one.rule_names(), leaf.code
        assert list(block.inputs[row]) == list(one.inputs), leaf.code


def test_a_replaced_evaluator_is_used_for_its_kind() -> None:
    rules = rules_of({"t": tree_of({"3": [on_time_leaf("3.1.1", 2)]})})
    ds = dataset_of({"a": "t", "b": "t"})
    ind = pd.DataFrame({"on_time_rate": [99.0, 10.0]}, index=["a", "b"])
    assert score(rules, ds, indicators=ind).totals["points"].tolist() == [2.0, 0.0]
    builtin = LEAF_EVALUATORS["bands"]

    @register_leaf_kind("bands")
    def half(leaf, ctx):
        n = ctx.n
        return LeafOutcome(value=np.zeros(n), points=np.full(n, 0.5), max_points=np.ones(n),
                           status=np.zeros(n, dtype=np.int8), rule=np.zeros(n, dtype=int),
                           rule_labels=("nửa",), inputs={})
    try:
        result = score(rules, ds, indicators=ind)
        assert result.totals["points"].tolist() == [0.5, 0.5]
        assert result.ledger["rule"].tolist() == ["nửa", "nửa"]
    finally:
        register_leaf_kind("bands")(builtin)
    assert score(rules, ds, indicators=ind).totals["points"].tolist() == [2.0, 0.0]


def test_two_rows_for_one_manual_leaf_is_a_data_error() -> None:
    rules = rules_of({"t": tree_of({"4": [Leaf(code="4.1.1", name="m", max=2,
                                               rule=ManualRule())]})})
    scores = pd.DataFrame({"agency_id": ["a", "b", "b"], "leaf": ["4.1.1"] * 3,
                           "self_points": [1.0, 1.0, 2.0], "appraised_points": NAN})
    ds = dataset_of({"a": "t", "b": "t"}, scores=scores)
    with pytest.raises(DataError, match="agency b has two rows for leaf 4.1.1"):
        score(rules, ds, indicators=pd.DataFrame(index=["a", "b"]))


def test_an_unmapped_survey_option_is_a_data_error() -> None:
    rules = rules_of({"t": tree_of({"8": [Leaf(code="8.1.1", name="s", max=2, rule=SurveyRule(
        options={"A": 100, "B": 0}))]})})
    surveys = pd.DataFrame({"agency_id": ["a", "a"], "leaf": ["8.1.1"] * 2,
                            "option": ["A", "E"], "count": [3.0, 1.0], "share": NAN})
    ds = dataset_of({"a": "t"}, surveys=surveys)
    with pytest.raises(DataError, match=r"option\(s\) \['E'\]"):
        score(rules, ds, indicators=pd.DataFrame(index=["a"]))


# --------------------------------------------------------------------------- dataset index
def manual_rules(max_points: float):
    return rules_of({"t": tree_of({"4": [
        Leaf(code="4.1.1", name="m", max=max_points, rule=ManualRule()),
        Leaf(code="4.1.2", name="m2", max=1, rule=ManualRule(missing="zero"))]})})


def manual_dataset():
    scores = pd.DataFrame({"agency_id": ["b", "a", "zz", "a"],
                           "leaf": ["4.1.1", "4.1.1", "4.1.1", "4.1.2"],
                           "self_points": [3.0, 1.0, 5.0, 0.5],
                           "appraised_points": [NAN, 2.5, NAN, NAN]})
    return dataset_of({"a": "t", "b": "t"}, scores=scores)


def test_the_dataset_index_is_built_once_per_dataset_object() -> None:
    ds = manual_dataset()
    first = dataset_index(ds)
    assert dataset_index(ds) is first
    assert dataset_index(ds.replace()) is not first       # a copy is indexed afresh
    table = first.table("scores")
    assert table.agency.tolist() == [1, 0, -1, 0]         # zz is not an agency
    assert table.leaf_code.tolist() == [0, 0, 0, 1]
    assert table.number("appraised_points")[1] == 2.5


def test_rule_variants_on_one_dataset_score_as_on_fresh_copies() -> None:
    ds = manual_dataset()
    ind = pd.DataFrame(index=["a", "b"])
    # a: 4.1.1 appraised 2.5 (cut to the max), 4.1.2 self 0.5; b: 4.1.1 self 3, 4.1.2 none
    expected = {2.0: [2.5, 2.0], 3.0: [3.0, 3.0]}
    for max_points in (2.0, 3.0, 2.0):
        warm = score(manual_rules(max_points), ds, indicators=ind).totals
        cold = score(manual_rules(max_points), ds.replace(), indicators=ind).totals
        assert warm["points"].tolist() == expected[max_points]
        pd.testing.assert_frame_equal(warm, cold)


def test_the_dataset_index_goes_with_its_dataset() -> None:
    ds = manual_dataset()
    score(manual_rules(2.0), ds, indicators=pd.DataFrame(index=["a", "b"]))
    index = weakref.ref(dataset_index(ds))
    del ds
    gc.collect()
    assert index() is None


# --------------------------------------------------------------------------- table caches
def assert_blocks_equal(a, b) -> None:
    for x, y in zip(a.blocks, b.blocks, strict=True):
        for name in ("value", "points", "max_points", "status", "rule"):
            np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)
        assert x.rule_labels == y.rule_labels
        for ix, iy in zip(x.inputs, y.inputs, strict=True):
            assert list(ix) == list(iy)
            for k in ix:
                np.testing.assert_array_equal(ix[k], iy[k], err_msg=k)
    pd.testing.assert_frame_equal(a.totals, b.totals)


@settings(max_examples=40, deadline=None)
@given(data(), data())
def test_a_warm_score_is_the_cold_score(case, other) -> None:
    # the second call on ``ds`` with the same rules reads the tables from the cache
    # built by the first; it must give what a fresh copy gives, whatever the indicators
    ind, scores, surveys = case
    rules = mixed_rules()
    ds = dataset_of({a: "t" for a in IDS}, scores=scores, surveys=surveys)
    first = score(rules, ds, indicators=ind)
    assert_blocks_equal(first, score(rules, ds.replace(), indicators=ind))
    assert_blocks_equal(score(rules, ds, indicators=ind), first)
    other_ind = other[0]
    assert_blocks_equal(score(rules, ds, indicators=other_ind),
                        score(rules, ds.replace(), indicators=other_ind))


def test_a_new_dataset_object_is_not_read_from_the_old_cache() -> None:
    rules = manual_rules(3.0)
    ind = pd.DataFrame(index=["a", "b"])
    ds = manual_dataset()
    assert score(rules, ds, indicators=ind).totals["points"].tolist() == [3.0, 3.0]
    # b's self-assessed 3 becomes 1: a changed table is a new dataset object
    scores = ds.scores.assign(self_points=[1.0, 1.0, 5.0, 0.5])
    changed = ds.replace(scores=scores)
    assert score(rules, changed, indicators=ind).totals["points"].tolist() == [3.0, 1.0]
    assert score(rules, ds, indicators=ind).totals["points"].tolist() == [3.0, 3.0]


def test_results_of_warm_calls_share_no_writable_arrays() -> None:
    rules = mixed_rules()
    ind = pd.DataFrame({"on_time_rate": 50.0, "online_rate": 30.0,
                        **{c: 1.0 for c in TASK_COLS}}, index=IDS)
    scores = pd.DataFrame({"agency_id": [MANUAL_IDS[0]], "leaf": ["4.1.1"],
                           "self_points": [1.0], "appraised_points": [NAN]})
    surveys = pd.DataFrame({"agency_id": [IDS[0], IDS[0]], "leaf": ["5.1.1", "5.1.2"],
                            "option": [None, "B"], "count": [NAN, 2.0],
                            "share": [80.0, NAN]})
    ds = dataset_of({a: "t" for a in IDS}, scores=scores, surveys=surveys)
    first = score(rules, ds, indicators=ind).blocks[0]
    codes = [m[2] for m in first.meta]
    for code in ("4.1.1", "5.1.1", "5.1.2"):
        row = codes.index(code)
        for arr in (first.value[row], first.points[row], *first.inputs[row].values()):
            arr[0] = -7.0                         # writable, and the caller's own
    again = score(rules, ds, indicators=ind).blocks[0]
    fresh = score(rules, ds.replace(), indicators=ind).blocks[0]
    for name in ("value", "points"):
        np.testing.assert_array_equal(getattr(again, name), getattr(fresh, name))
    assert again.value[codes.index("5.1.2"), 0] == 50.0       # option B = 50 %
    assert again.inputs[codes.index("4.1.1")]["self_points"][0] == 1.0


def test_a_data_error_is_raised_again_on_a_warm_call() -> None:
    rules = rules_of({"t": tree_of({"4": [Leaf(code="4.1.1", name="m", max=2,
                                               rule=ManualRule())]})})
    scores = pd.DataFrame({"agency_id": ["a", "b", "b"], "leaf": ["4.1.1"] * 3,
                           "self_points": [1.0, 1.0, 2.0], "appraised_points": NAN})
    ds = dataset_of({"a": "t", "b": "t"}, scores=scores)
    for _ in range(2):
        with pytest.raises(DataError, match="agency b has two rows for leaf 4.1.1"):
            score(rules, ds, indicators=pd.DataFrame(index=["a", "b"]))


def test_a_dataset_keeps_a_bounded_number_of_tree_caches() -> None:
    ds = manual_dataset()
    ind = pd.DataFrame(index=["a", "b"])
    variants = [manual_rules(2.0 + k) for k in range(MAX_TREE_CACHES + 2)]
    for rules in variants:
        score(rules, ds, indicators=ind)
        assert 1 <= len(dataset_index(ds)._trees) <= MAX_TREE_CACHES
    # a variant whose cache was dropped scores as before
    # (a: appraised 2.5 cut to 2 + self 0.5; b: self 3 cut to 2, 4.1.2 none)
    assert score(variants[0], ds, indicators=ind).totals["points"].tolist() == [2.5, 2.0]
