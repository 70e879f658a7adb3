"""score(): ledger → areas → totals → ranks → classes, with policies and adjustments."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine import LEDGER_COLUMNS, explain, score
from scoring.errors import RuleError, UsageError
from scoring.rules.model import (
    Adjustment,
    Band,
    BandsRule,
    Component,
    FormulaRule,
    Leaf,
    ManualRule,
    Ranking,
    SurveyRule,
)
from tests.engine.helpers import dataset_of, indicators_of, on_time_leaf, rules_of, tree_of

NAN = float("nan")


def online_leaf(code: str = "7.1.1", max_points: float = 2.0) -> Leaf:
    """[50, ∞) → max, [0, 50) → 0 on online_rate."""
    return Leaf(code=code, name="Trực tuyến", max=max_points, rule=BandsRule(
        indicator="online_rate", bands=[Band(min=50, points=max_points),
                                        Band(max=50, points=0)]))


def two_area_rules(**kw):
    return rules_of({"t": tree_of({"3": [on_time_leaf("3.1.1", 4)], "7": [online_leaf()]})},
                    **kw)


def test_totals_are_sums_of_the_ledger_and_index_is_the_ratio() -> None:
    ds = dataset_of({"a": "t", "b": "t", "c": "t"})
    ind = indicators_of(on_time_rate={"a": 99, "b": 91, "c": 50},
                        online_rate={"a": 80, "b": 20, "c": NAN})
    r = score(two_area_rules(), ds, indicators=ind)
    # a: 4 + 2 of 6; b: 2 + 0 of 6; c: 0 of 4 (online not applicable → dropped)
    t = r.totals
    assert t.loc["a", ["points", "max_points"]].tolist() == [6.0, 6.0]
    assert t.loc["b", ["points", "max_points"]].tolist() == [2.0, 6.0]
    assert t.loc["c", ["points", "max_points"]].tolist() == [0.0, 4.0]
    assert t.loc["b", "index"] == pytest.approx(100 * 2 / 6)
    assert t["rank"].tolist() == [1, 2, 3]
    assert t.loc["a", "class"] == "Xuất sắc" and t.loc["b", "class"] == "Yếu"
    ledger = r.ledger
    assert list(ledger.columns) == list(LEDGER_COLUMNS)
    sums = ledger.groupby("agency_id")[["points", "max_points"]].sum()
    assert np.allclose(sums.loc[t.index].to_numpy(), t[["points", "max_points"]].to_numpy())
    areas = r.areas.set_index(["agency_id", "area"])
    assert areas.loc[("b", "3"), "index"] == pytest.approx(50.0)
    assert np.isnan(areas.loc[("c", "7"), "index"])
    row = ledger[(ledger.agency_id == "c") & (ledger.leaf == "7.1.1")].iloc[0]
    assert row["status"] == "not_applicable" and row["leaf_max"] == 2.0


def test_award_policy_keeps_the_max_and_gives_the_points() -> None:
    ds = dataset_of({"c": "t"})
    ind = indicators_of(on_time_rate={"c": 50}, online_rate={"c": NAN})
    r = score(two_area_rules(not_applicable="award"), ds, indicators=ind)
    assert r.totals.loc["c", ["points", "max_points"]].tolist() == [2.0, 6.0]


def test_only_ranked_agencies_of_rule_set_groups_are_scored() -> None:
    ds = dataset_of({"a": "t", "sub": "t", "x": "other"}, ranked={"sub": False})
    ind = indicators_of(on_time_rate={"a": 99, "sub": 99, "x": 99},
                        online_rate={"a": 99, "sub": 99, "x": 99})
    r = score(two_area_rules(), ds, indicators=ind)
    assert list(r.totals.index) == ["a"]
    assert set(r.ledger.agency_id) == {"a"}


def test_groups_ranked_separately_with_their_trees() -> None:
    rules = rules_of({"dept": tree_of({"3": [on_time_leaf("3.1.1", 4)]}),
                      "com": tree_of({"7": [online_leaf()]})},
                     groups=[("department", "dept"), ("commune", "com")])
    ds = dataset_of({"d1": "department", "c1": "commune", "d2": "department", "c2": "commune"})
    ind = indicators_of(on_time_rate={"d1": 91, "d2": 99, "c1": 99, "c2": 99},
                        online_rate={"d1": 0, "d2": 0, "c1": 60, "c2": 10})
    r = score(rules, ds, indicators=ind)
    assert list(r.totals.index) == ["d2", "d1", "c1", "c2"]      # group order, then rank
    assert r.totals["rank"].tolist() == [1, 2, 1, 2]
    assert set(r.ledger[r.ledger.agency_id == "c1"].leaf) == {"7.1.1"}


def test_tie_break_chain_from_the_rule_set() -> None:
    rules = two_area_rules(ranking=Ranking(tie_break=("7", "-late_rate")))
    ds = dataset_of({"a": "t", "b": "t", "c": "t"})
    # a and b: 4 of 6 (≈ 66.67); c: 2+2 = 4 of 6 too, but area 7 index 100 > 0
    ind = indicators_of(on_time_rate={"a": 99, "b": 99, "c": 91},
                        online_rate={"a": 10, "b": 10, "c": 90},
                        late_rate={"a": 3, "b": 1, "c": 5})
    r = score(rules, ds, indicators=ind)
    assert r.totals["index"].nunique() == 1
    assert r.totals["rank"].to_dict() == {"c": 1, "b": 2, "a": 3}
    plain = score(two_area_rules(), ds, indicators=ind).totals["rank"]
    assert plain.tolist() == [1, 1, 1]
    with pytest.raises(RuleError, match="khóa phân định thứ hạng 'nope'"):
        score(two_area_rules(ranking=Ranking(tie_break=("nope",))), ds, indicators=ind)


def test_dense_and_ordinal_from_the_rule_set() -> None:
    ds = dataset_of({"a": "t", "b": "t", "c": "t"})
    ind = indicators_of(on_time_rate={"a": 99, "b": 99, "c": 91},
                        online_rate={"a": 10, "b": 10, "c": 10})
    dense = score(two_area_rules(ranking=Ranking(method="dense")), ds, indicators=ind)
    assert dense.totals["rank"].to_dict() == {"a": 1, "b": 1, "c": 2}
    ordinal = score(two_area_rules(ranking=Ranking(method="ordinal")), ds, indicators=ind)
    assert ordinal.totals["rank"].to_dict() == {"a": 1, "b": 2, "c": 3}


# --------------------------------------------------------------------------- components
def _component_rules(when_missing: str):
    survey = Leaf(code="8.1.1", name="Hài lòng", max=4, rule=SurveyRule(missing="exclude"))
    manual = Leaf(code="8.1.2", name="Ý kiến", max=4, rule=ManualRule(missing="zero"))
    return rules_of({"t": tree_of({"3": [on_time_leaf("3.1.1", 4)], "8": [survey, manual]})},
                    components=[Component(id="appraisal", name="Thẩm định", areas=("3",)),
                                Component(id="survey", name="Điều tra", areas=("8",),
                                          when_missing=when_missing)])


def test_component_missing_rescale_drops_it_from_the_max() -> None:
    surveys = pd.DataFrame([("a", "8.1.1", 50.0)], columns=["agency_id", "leaf", "share"])
    ds = dataset_of({"a": "t", "b": "t"}, surveys=surveys)
    ind = indicators_of(on_time_rate={"a": 99, "b": 99})
    t = score(_component_rules("rescale"), ds, indicators=ind).totals
    # a: 4 + 2 (survey 50 % of 4) + 0 (manual missing → zero, of 4) of 12
    assert t.loc["a", ["points", "max_points"]].tolist() == [6.0, 12.0]
    # b: no survey, manual missing → the whole survey component leaves the max: 4 of 4
    assert t.loc["b", ["points", "max_points"]].tolist() == [4.0, 4.0]
    assert t.loc["b", "index"] == 100.0


def test_component_missing_zero_counts_the_full_max() -> None:
    ds = dataset_of({"b": "t"})
    ind = indicators_of(on_time_rate={"b": 99})
    t = score(_component_rules("zero"), ds, indicators=ind).totals
    assert t.loc["b", ["points", "max_points"]].tolist() == [4.0, 12.0]


# --------------------------------------------------------------------------- adjustments
def _adjusted_rules(bonus_cap: float = 1.0, deduction_cap: float = 3.0):
    return two_area_rules(adjustments=[
        Adjustment(code="T", name="Thưởng", kind="bonus", rule=ManualRule(), cap=bonus_cap),
        Adjustment(code="D", name="Trừ", kind="deduction",
                   rule=FormulaRule(expr="late * 0.5"), cap=deduction_cap)])


def test_bonus_and_deductions_capped_and_total_floored_at_zero() -> None:
    scores = pd.DataFrame([("a", "T", 5.0, None), ("b", "T", None, 0.5)],
                          columns=["agency_id", "leaf", "self_points", "appraised_points"])
    ds = dataset_of({"a": "t", "b": "t", "c": "t"}, scores=scores)
    ind = indicators_of(on_time_rate={"a": 99, "b": 91, "c": 50},
                        online_rate={"a": 80, "b": 80, "c": 0},
                        late={"a": 0, "b": 2, "c": 40})
    r = score(_adjusted_rules(), ds, indicators=ind)
    t = r.totals
    # a: 6 + bonus 5 capped at 1 = 7 of 6 → index capped at 100
    assert t.loc["a", ["points", "bonus", "deduction"]].tolist() == [7.0, 1.0, 0.0]
    assert t.loc["a", "index"] == 100.0
    # b: 2 + 2 + 0.5 − 1 (2 × 0.5) = 3.5 of 6
    assert t.loc["b", ["points", "bonus", "deduction"]].tolist() == [3.5, 0.5, 1.0]
    # c: 0 − 20 capped at 3 → −3 floored at 0
    assert t.loc["c", ["points", "deduction"]].tolist() == [0.0, 3.0]
    assert t.loc["c", "index"] == 0.0
    rows = explain(r, "b")
    assert rows["points"].sum() == pytest.approx(3.5)
    assert rows.loc[rows.leaf == "D", "points"].item() == -1.0
    assert rows.loc[rows.leaf == "T", ["status", "rule"]].iloc[0].tolist() == [
        "manual", "appraised_points"]
    assert rows.loc[rows.leaf == "D", "status"].item() == "scored"
    cap_row = explain(r, "a").set_index("leaf").loc["T"]
    assert cap_row["status"] == "capped" and cap_row["points"] == 1.0


@pytest.mark.usefixtures("english")  # asserts the message as written
def test_explain_unknown_agency_is_a_usage_error() -> None:
    ds = dataset_of({"a": "t"})
    r = score(two_area_rules(), ds, indicators=indicators_of(on_time_rate={"a": 99},
                                                             online_rate={"a": 99}))
    with pytest.raises(UsageError, match="not scored"):
        explain(r, "zzz")


def test_explain_rows_render_inputs_and_rule() -> None:
    ds = dataset_of({"a": "t"})
    r = score(two_area_rules(), ds, indicators=indicators_of(on_time_rate={"a": 90.925},
                                                             online_rate={"a": NAN}))
    rows = explain(r, "a").set_index("leaf")
    assert rows.loc["3.1.1", "inputs"] == "on_time_rate=90.925"
    assert rows.loc["3.1.1", "rule"] == "[90, 98) → 2"
    assert rows.loc["7.1.1", "rule"] == "not_applicable:drop"  # a code, in no language
    assert rows.loc["7.1.1", "inputs"] == "online_rate=—"
