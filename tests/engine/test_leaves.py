"""Each leaf kind and policy, on hand-computed examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from scoring.engine.leaves import LeafTables, evaluate_leaf, lookup_bands
from scoring.errors import DataError, RuleError
from scoring.rules.model import (
    Band,
    BandsRule,
    FormulaRule,
    Leaf,
    ManualRule,
    SurveyRule,
    TasksRule,
)
from tests.engine.helpers import indicators_of, on_time_leaf, with_tasks

NAN = float("nan")


# --------------------------------------------------------------------------- bands
def test_bands_min_inclusive_max_exclusive() -> None:
    # [98, ∞) → 2, [90, 98) → 1, [0, 90) → 0: 98 is in the top band, 97.999 is not.
    ind = indicators_of(on_time_rate={"a": 98.0, "b": 97.999, "c": 90.0, "d": 89.99,
                                      "e": 0.0})
    out = evaluate_leaf(on_time_leaf(), ind)
    assert out.points.tolist() == [2.0, 1.0, 1.0, 0.0, 0.0]
    assert out.status_names() == ["scored"] * 5
    assert out.rule_names()[0] == "[98, +∞) → 2"
    assert out.rule_names()[1] == "[90, 98) → 1"


def test_bands_nan_is_not_applicable_and_dropped_by_default() -> None:
    ind = indicators_of(on_time_rate={"a": NAN, "b": 99.0})
    out = evaluate_leaf(on_time_leaf(), ind)
    assert out.status_names() == ["not_applicable", "scored"]
    assert out.points.tolist() == [0.0, 2.0]
    assert out.max_points.tolist() == [0.0, 2.0]


def test_not_applicable_award_gives_full_points() -> None:
    ind = indicators_of(on_time_rate={"a": NAN, "b": 91.0})
    out = evaluate_leaf(on_time_leaf(), ind, not_applicable="award")
    assert out.points.tolist() == [2.0, 1.0]
    assert out.max_points.tolist() == [2.0, 2.0]
    assert out.status_names()[0] == "not_applicable"


def test_leaf_policy_overrides_rule_set_policy() -> None:
    ind = indicators_of(on_time_rate={"a": NAN})
    out = evaluate_leaf(on_time_leaf(not_applicable="award"), ind, not_applicable="drop")
    assert (out.points[0], out.max_points[0]) == (2.0, 2.0)


def test_lower_is_better_bands_and_first_hit_policy() -> None:
    # late rate: [0, 1) → 2, [1, 5) → 1, [5, ∞) → 0
    late = Leaf(code="x", name="trễ", max=2, rule=BandsRule(indicator="late_rate", bands=[
        Band(min=0, max=1, points=2), Band(min=1, max=5, points=1), Band(min=5, points=0)]))
    out = evaluate_leaf(late, indicators_of(late_rate={"a": 0, "b": 1, "c": 4.99, "d": 8.92}))
    assert out.points.tolist() == [2.0, 1.0, 1.0, 0.0]
    # hit: first — overlapping bands, the first listed that holds the value wins
    first = Leaf(code="y", name="y", max=3, rule=BandsRule(indicator="v", hit="first", bands=[
        Band(min=90, points=3), Band(min=50, points=2), Band(min=0, points=1)]))
    assert evaluate_leaf(first, indicators_of(v=[95, 60, 10])).points.tolist() == [3, 2, 1]


def test_value_outside_every_band_scores_zero() -> None:
    leaf = Leaf(code="x", name="x", max=2, rule=BandsRule(indicator="v", bands=[
        Band(min=50, points=2)]))
    out = evaluate_leaf(leaf, indicators_of(v=[10.0, 60.0]))
    assert out.points.tolist() == [0.0, 2.0]
    assert out.status_names() == ["scored", "scored"]
    assert out.rule_names()[0] == "no_band → 0"


def test_lookup_bands_matches_contains() -> None:
    bands = (Band(min=95, points=2), Band(min=80, max=95, points=1), Band(max=80, points=0))
    values = np.array([-5.0, 0.0, 79.999, 80.0, 94.99, 95.0, 1000.0])
    points, idx = lookup_bands(values, bands)
    expected = [next(b.points for b in bands if b.contains(v)) for v in values]
    assert points.tolist() == expected
    assert (idx >= 0).all()


def test_unknown_indicator_is_a_rule_error() -> None:
    with pytest.raises(RuleError, match="on_time_rate"):
        evaluate_leaf(on_time_leaf(), indicators_of(late_rate=[1.0]))


# --------------------------------------------------------------------------- formula
def test_formula_clipped_to_max_and_capped_status() -> None:
    leaf = Leaf(code="f", name="f", max=2,
                rule=FormulaRule(expr="max_points * (1 - late_rate / 5)"))
    out = evaluate_leaf(leaf, indicators_of(late_rate=[0.0, 2.5, 8.92, -5.0, NAN]))
    # 2×1 = 2; 2×0.5 = 1; 2×(1−1.784) < 0 → 0; 2×2 = 4 → capped at 2; NaN → n/a (dropped)
    assert out.points.tolist() == [2.0, 1.0, 0.0, 2.0, 0.0]
    assert out.status_names() == ["scored", "scored", "scored", "capped", "not_applicable"]
    assert out.max_points.tolist() == [2.0, 2.0, 2.0, 2.0, 0.0]
    assert out.value[3] == pytest.approx(4.0)


def test_applies_if_false_makes_leaf_not_applicable() -> None:
    leaf = on_time_leaf(applies_if="received >= 10")
    ind = indicators_of(on_time_rate=[99.0, 99.0], received=[50.0, 3.0])
    out = evaluate_leaf(leaf, ind)
    assert out.status_names() == ["scored", "not_applicable"]
    assert out.max_points.tolist() == [2.0, 0.0]


# --------------------------------------------------------------------------- tasks
def _tasks_frame(counts: dict[str, tuple[int, ...]]) -> pd.DataFrame:
    base = pd.DataFrame(index=pd.Index(list(counts), name="agency_id"))
    return with_tasks(base, counts)


def test_tasks_rate_mode() -> None:
    leaf = Leaf(code="t", name="t", max=3, rule=TasksRule())  # weights 1, 0.5, 0, 0
    ind = _tasks_frame({"a": (4, 0, 0, 0, 0), "b": (3, 1, 0, 0, 0), "c": (1, 0, 0, 1, 1),
                        "d": (0, 0, 0, 0, 2), "e": (0, 0, 0, 0, 0), "f": (0, 0, 2, 0, 0)})
    out = evaluate_leaf(leaf, ind)
    # a 3×4/4; b 3×3.5/4; c 3×1/2 (not arising left out); d, e none arose; f 0 of 2
    assert out.points.tolist() == [3.0, 2.625, 1.5, 0.0, 0.0, 0.0]
    assert out.status_names() == ["scored", "scored", "scored", "not_applicable",
                                  "not_applicable", "scored"]
    assert out.max_points.tolist() == [3.0, 3.0, 3.0, 0.0, 0.0, 3.0]
    assert out.value[1] == pytest.approx(87.5)


def test_tasks_bands_mode() -> None:
    leaf = Leaf(code="t", name="t", max=2, rule=TasksRule(mode="bands", bands=[
        Band(min=100, points=2), Band(min=50, max=100, points=1), Band(min=0, max=50, points=0)]))
    out = evaluate_leaf(leaf, _tasks_frame({"a": (2, 0, 0, 0, 0), "b": (1, 1, 0, 0, 0),
                                            "c": (0, 1, 1, 0, 0)}))
    # rates: 100 %, 75 %, 25 %
    assert out.points.tolist() == [2.0, 1.0, 0.0]


# --------------------------------------------------------------------------- manual
def _scores(rows: list[tuple[str, str, float | None, float | None]]) -> LeafTables:
    return LeafTables(scores=pd.DataFrame(rows, columns=["agency_id", "leaf", "self_points",
                                                         "appraised_points"]))


def test_manual_appraised_wins_and_is_capped() -> None:
    leaf = Leaf(code="1.1", name="m", max=2, rule=ManualRule(missing="exclude"))
    tables = _scores([("a", "1.1", 2.0, 1.5), ("b", "1.1", 1.0, None), ("c", "1.1", 1.0, 3.0),
                      ("d", "other", 2.0, 2.0)])
    ind = pd.DataFrame(index=pd.Index(["a", "b", "c", "d"], name="agency_id"))
    out = evaluate_leaf(leaf, ind, tables)
    assert out.points.tolist() == [1.5, 1.0, 2.0, 0.0]
    assert out.status_names() == ["manual", "manual", "capped", "missing"]
    assert out.max_points.tolist() == [2.0, 2.0, 2.0, 0.0]   # exclude: d leaves the max
    assert out.rule_names()[:2] == ["appraised_points", "self_points"]


def test_manual_missing_zero_keeps_the_max() -> None:
    leaf = Leaf(code="1.1", name="m", max=2, rule=ManualRule(missing="zero"))
    ind = pd.DataFrame(index=pd.Index(["a"], name="agency_id"))
    out = evaluate_leaf(leaf, ind, _scores([]))
    assert (out.points[0], out.max_points[0], out.status_names()[0]) == (0.0, 2.0, "missing")


@pytest.mark.usefixtures("english")
def test_manual_duplicate_rows_are_a_data_error() -> None:
    leaf = Leaf(code="1.1", name="m", max=2, rule=ManualRule())
    ind = pd.DataFrame(index=pd.Index(["a"], name="agency_id"))
    with pytest.raises(DataError, match="two rows"):
        evaluate_leaf(leaf, ind, _scores([("a", "1.1", 1, 1), ("a", "1.1", 2, 2)]))


# --------------------------------------------------------------------------- survey
def test_survey_option_counts_to_share() -> None:
    leaf = Leaf(code="8.1", name="s", max=5,
                rule=SurveyRule(options={"A": 100, "B": 60, "C": 20, "D": 0}))
    surveys = pd.DataFrame([("a", "8.1", "A", 6), ("a", "8.1", "B", 2), ("a", "8.1", "D", 2),
                            ("b", "8.1", "C", 4)],
                           columns=["agency_id", "leaf", "option", "count"])
    ind = pd.DataFrame(index=pd.Index(["a", "b", "c"], name="agency_id"))
    out = evaluate_leaf(leaf, ind, LeafTables(surveys=surveys))
    # a: (6×100 + 2×60 + 2×0)/10 = 72 % → 3.6; b: 20 % → 1; c: no answers → excluded
    assert out.value[:2].tolist() == pytest.approx([72.0, 20.0])
    assert out.points.tolist() == pytest.approx([3.6, 1.0, 0.0])
    assert out.max_points.tolist() == [5.0, 5.0, 0.0]
    assert out.status_names() == ["scored", "scored", "missing"]


def test_survey_share_column_and_unknown_option() -> None:
    leaf = Leaf(code="8.1", name="s", max=4, rule=SurveyRule(missing="zero"))
    surveys = pd.DataFrame([("a", "8.1", 75.0)], columns=["agency_id", "leaf", "share"])
    ind = pd.DataFrame(index=pd.Index(["a", "b"], name="agency_id"))
    out = evaluate_leaf(leaf, ind, LeafTables(surveys=surveys))
    assert out.points.tolist() == [3.0, 0.0]
    assert out.max_points.tolist() == [4.0, 4.0]
    bad = Leaf(code="8.1", name="s", max=4, rule=SurveyRule(options={"A": 100}))
    rows = pd.DataFrame([("a", "8.1", "E", 1)], columns=["agency_id", "leaf", "option", "count"])
    with pytest.raises(DataError, match="'E'"):
        evaluate_leaf(bad, ind, LeafTables(surveys=rows))
