"""Monte Carlo rank intervals: determinism, ordering, and each perturbation checked against
the real engine run on the correspondingly changed rule set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import score
from scoring.errors import UsageError
from scoring.rules.model import Area, Criterion, Tree
from scoring.simulate.montecarlo import band_points, simulate
from scoring.simulate.uncertainty import Uncertainty
from tests.simulate.helpers import make_data, make_rules, on_time_leaf

ALL = Uncertainty.model_validate({
    "leaf_max": [{"leaf": "1.1.2", "range": [1, 5]}],
    "band_shift": [{"leaf": "1.1.1", "by": 3}],
    "leave_one_out": {"leaves": "all", "probability": 0.5},
    "perturb": [{"sd": 0.1}]})


@pytest.fixture(scope="module")
def nominal():
    ds, ind = make_data(n=20, groups=("d", "x"))
    return score(make_rules(groups=("d", "x")), ds, indicators=ind)


def test_no_uncertainty_gives_the_nominal_rank_as_every_interval(nominal) -> None:
    sim = simulate(nominal, Uncertainty(), runs=40, seed=3)
    a = sim.agencies
    engine_rank = nominal.totals.loc[a.index, "rank"].astype(int)
    for col in ("nominal_rank", "median_rank", "p05_rank", "p95_rank", "mean_rank"):
        assert (a[col] == engine_rank).all(), col
    assert (a["p_nominal_class"] == 1.0).all()
    assert ((a["p_top_k"] == 1.0) == (engine_rank <= 3)).all()
    assert (sim.groups["mean_abs_rank_shift"] == 0).all()


def test_same_seed_same_output_other_seed_other_output(nominal) -> None:
    one = simulate(nominal, ALL, runs=300, seed=7)
    two = simulate(nominal, ALL, runs=300, seed=7)
    pd.testing.assert_frame_equal(one.agencies, two.agencies)
    pd.testing.assert_frame_equal(one.sensitivity, two.sensitivity)
    other = simulate(nominal, ALL, runs=300, seed=8)
    assert not one.agencies["mean_rank"].equals(other.agencies["mean_rank"])


def test_chunking_does_not_change_the_draws(nominal, monkeypatch) -> None:
    whole = simulate(nominal, ALL, runs=300, seed=1, sensitivity=False)
    monkeypatch.setattr("scoring.simulate.montecarlo.CHUNK", 7)
    pieces = simulate(nominal, ALL, runs=300, seed=1, sensitivity=False)
    pd.testing.assert_frame_equal(whole.agencies, pieces.agencies)


def test_percentiles_are_ordered_and_within_the_group(nominal) -> None:
    a = simulate(nominal, ALL, runs=500, seed=2).agencies
    assert (a["p05_rank"] <= a["median_rank"]).all()
    assert (a["median_rank"] <= a["p95_rank"]).all()
    assert ((a["mean_rank"] >= 1) & (a["mean_rank"] <= 20)).all()
    assert (a["p05_rank"] >= 1).all() and (a["p95_rank"] <= 20).all()
    probs = a[[c for c in a.columns if c.startswith("p_class_")]]
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert (a["p_nominal_class"] < 1).any()           # the uncertainty does move classes


def _ranks_of(result) -> pd.Series:
    return result.totals["rank"].astype(int)


def test_leaf_max_equals_rescoring_with_that_max(nominal) -> None:
    # a proportional leaf: changing its max scales its points exactly like the engine does
    unc = Uncertainty.model_validate({"leaf_max": [{"leaf": "1.1.2", "range": [7.5, 7.5]}]})
    sim = simulate(nominal, unc, runs=5, seed=0, sensitivity=False)
    rescored = score(make_rules(groups=("d", "x"), online_max=7.5), nominal.dataset,
                     indicators=nominal.indicators)
    expected = _ranks_of(rescored).reindex(sim.agencies.index)
    assert (sim.agencies["median_rank"] == expected).all()
    assert (sim.agencies["p05_rank"] == expected).all()
    assert (sim.agencies["nominal_rank"] != expected).any()   # the change matters


def test_leave_one_out_equals_rescoring_without_the_leaf(nominal) -> None:
    unc = Uncertainty.model_validate({"leave_one_out": {"leaves": ["2.1.1"]}})
    sim = simulate(nominal, unc, runs=5, seed=0, sensitivity=False)
    rules = make_rules(groups=("d", "x"))
    tree = rules.trees["t"]
    without = Tree(name=tree.name, areas=[tree.areas[0]])
    rescored = score(rules.replace(trees={"t": without.model_dump()}), nominal.dataset,
                     indicators=nominal.indicators)
    expected = _ranks_of(rescored).reindex(sim.agencies.index)
    assert (sim.agencies["median_rank"] == expected).all()
    assert (sim.agencies["nominal_rank"] != expected).any()


@settings(max_examples=25)
@given(shift=st.floats(-10, 10).map(lambda x: round(x, 3)),
       values=st.lists(st.floats(0, 100).map(lambda x: round(x, 1)), min_size=1, max_size=20))
def test_band_shift_equals_the_engine_on_shifted_thresholds(shift: float,
                                                           values: list[float]) -> None:
    leaf = on_time_leaf(cut=95.0)
    # inner bounds (80, 95) move; the domain edges stay
    moved = Tree(name="t", areas=[Area(code="1", name="a", criteria=[Criterion(
        code="1.1", name="c", leaves=[on_time_leaf(cut=95.0 + shift).model_copy(update={
            "rule": leaf.rule.model_copy(update={"bands": tuple(
                b.model_copy(update={
                    "min": None if b.min is None else (b.min if b.min == 0 else b.min + shift),
                    "max": None if b.max is None else b.max + shift})
                for b in leaf.rule.bands)})})])])])
    from scoring.engine import evaluate_leaf
    ind = pd.DataFrame({"on_time_rate": values}, index=[f"a{i}" for i in range(len(values))])
    engine = evaluate_leaf(next(moved.leaves())[2], ind).points
    ours = band_points(leaf.rule, np.array(values), np.array([shift]))[0]
    assert ours.tolist() == engine.tolist()


def test_band_shift_moves_only_values_near_a_threshold(nominal) -> None:
    # a value farther than `by` from both inner thresholds (80, 95) cannot change band
    values = nominal.indicators["on_time_rate"]
    gap = float(np.minimum((values - 95).abs(), (values - 80).abs()).min())
    assert gap > 0
    small = Uncertainty.model_validate({"band_shift": [{"leaf": "1.1.1", "by": gap * 0.9}]})
    a = simulate(nominal, small, runs=50, seed=1).agencies
    assert (a["p05_rank"] == a["nominal_rank"]).all() and (a["p95_rank"] == a["nominal_rank"]).all()
    big = Uncertainty.model_validate({"band_shift": [{"leaf": "1.1.1", "by": 10}]})
    b = simulate(nominal, big, runs=50, seed=1).agencies
    assert (b["p05_rank"] != b["p95_rank"]).any()


def test_perturb_keeps_points_within_the_leaf_and_touches_only_manual(nominal) -> None:
    # noise on a leaf kind the rule set does not have → nothing moves, and a note says so
    unc = Uncertainty.model_validate({"perturb": [{"kinds": ["survey"], "sd": 0.5}]})
    sim = simulate(nominal, unc, runs=30, seed=1)
    assert (sim.agencies["p95_rank"] == sim.agencies["nominal_rank"]).all()
    assert any("touches no" in n for n in sim.notes)
    manual = Uncertainty.model_validate({"perturb": [{"kinds": ["manual"], "sd": 0.3}]})
    assert (simulate(nominal, manual, runs=200, seed=1).agencies["p95_rank"]
            > simulate(nominal, manual, runs=200, seed=1).agencies["p05_rank"]).any()


def test_sensitivity_ranks_the_source_that_moves_ranks(nominal) -> None:
    unc = Uncertainty.model_validate({
        "leaf_max": [{"leaf": "1.1.1", "range": [2, 2]}],        # the declared max: no effect
        "perturb": [{"kinds": ["manual"], "sd": 0.3}]})
    sens = simulate(nominal, unc, runs=200, seed=4).sensitivity
    for g in ("d", "x"):
        rows = sens[sens["group"] == g].set_index("source")
        assert rows.index[0] == "perturb manual"
        assert rows.loc["leaf_max 1.1.1", "mean_abs_rank_shift"] == 0
        assert rows.loc["leaf_max 1.1.1", "variance_share"] == 0
        assert rows.loc["perturb manual", "variance_share"] == pytest.approx(1.0)


def test_band_shift_on_a_formula_leaf_is_refused(nominal) -> None:
    unc = Uncertainty.model_validate({"band_shift": [{"leaf": "1.1.2", "by": 1}]})
    with pytest.raises(UsageError, match="band_shift needs a bands leaf"):
        simulate(nominal, unc, runs=5, seed=0)


def test_runs_must_be_positive(nominal) -> None:
    with pytest.raises(UsageError, match="runs"):
        simulate(nominal, Uncertainty(), runs=0, seed=0)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), sd=st.floats(0.01, 1.0), by=st.floats(0.1, 20),
       lo=st.floats(0.5, 3), width=st.floats(0, 3), p=st.floats(0.05, 1))
def test_intervals_are_ordered_for_any_declaration(nominal, seed: int, sd: float, by: float,
                                                   lo: float, width: float,
                                                   p: float) -> None:
    unc = Uncertainty.model_validate({
        "leaf_max": [{"leaf": "1.1.2", "range": [lo, lo + width]}],
        "band_shift": [{"leaf": "1.1.1", "by": by}],
        "leave_one_out": {"leaves": "all", "probability": p},
        "perturb": [{"kinds": ["manual"], "sd": sd}]})
    sim = simulate(nominal, unc, runs=30, seed=seed, sensitivity=False)
    a = sim.agencies
    assert (a["p05_rank"] <= a["median_rank"]).all() and (a["median_rank"] <= a["p95_rank"]).all()
    assert ((a["p05_rank"] >= 1) & (a["p95_rank"] <= 20)).all()
    probs = a[[c for c in a.columns if c.startswith("p_class_")]].sum(axis=1)
    assert np.allclose(probs, 1.0)
    assert ((a["p_top_k"] >= 0) & (a["p_top_k"] <= 1)).all()
    # competition ranks never exceed ordinal ones: the mean rank of a group of 20 is ≤ 10.5
    assert (a.groupby("group")["mean_rank"].mean() <= 10.5 + 1e-9).all()


def test_an_agency_without_index_is_left_out_with_a_note() -> None:
    ds, ind = make_data(n=8)
    empty = ds.agencies.index[2]
    ind = ind.copy()
    ind.loc[empty, ["on_time_rate", "online_rate"]] = np.nan
    ds = ds.replace(scores=ds.scores[ds.scores["agency_id"] != empty])
    result = score(make_rules(), ds, indicators=ind)
    assert pd.isna(result.totals.loc[empty, "rank"])
    sim = simulate(result, ALL, runs=20, seed=1)
    assert empty not in sim.agencies.index and len(sim.agencies) == 7
    assert any(empty in note for note in sim.notes)
    assert (sim.agencies["p95_rank"] <= 7).all()
