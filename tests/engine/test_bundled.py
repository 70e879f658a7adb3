"""The bundled rule set and its variant on the bundled 2022 dataset."""

from __future__ import annotations

import numpy as np
import pytest

from scoring.dataset import load_dataset
from scoring.engine import explain, run_rule_tests, score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES, REPO_ROOT
from scoring.rules.loader import load_rules

VARIANT = REPO_ROOT / "rules" / "khanh-hoa-2022-online3"


@pytest.fixture(scope="module")
def ds():
    return load_dataset(BUNDLED_DATASET)


@pytest.fixture(scope="module")
def result(ds):
    return score(load_rules(BUNDLED_RULES), ds)


def test_bundled_rules_pass_their_own_tests_and_cover_every_data_leaf() -> None:
    rules = load_rules(BUNDLED_RULES)
    assert run_rule_tests(rules) == []
    tested = {t.leaf for t in rules.tests}
    data_leaves = {leaf.code for t in rules.trees.values() for _, _, leaf in t.leaves()
                   if leaf.rule.kind in ("bands", "formula", "tasks")}
    assert data_leaves == {"1.1.2", "3.2.1", "3.2.2", "7.2.1"}
    assert data_leaves <= tested
    assert rules.source.kind == "simulation" and "98 %" in rules.source.assumptions
    for tree in rules.trees.values():
        assert tree.total_max == 100
        assert [a.code for a in tree.areas] == [str(i) for i in range(1, 9)]


@pytest.mark.usefixtures("english")
def test_a_broken_expectation_is_reported() -> None:
    rules = load_rules(BUNDLED_RULES)
    bad = rules.replace(tests=[{"leaf": "3.2.1", "indicators": {"on_time_rate": 97.0},
                                "expect": 4}])
    problems = run_rule_tests(bad)
    assert len(problems) == 1 and "expects 4 points but the rule gives 3" in problems[0].message


def test_so_du_lich_by_hand(result) -> None:
    # Phụ lục 2 row 3: resolved 573 (521 on time), pending 10, late 52, online 283 of 569.
    # 3.2.1: 521/573 = 90.92 % → band [90, 95) → 2 of 4
    # 3.2.2: 52/(573+10) = 8.92 % → 2 × (1 − 8.92/5) < 0 → 0 of 2
    # 7.2.1: 283/569 = 49.74 % → band [30, 50) → 1 of 2
    # 1.1.2: leads no task of the plan → not applicable, dropped; manual/survey excluded.
    t = result.totals.loc["so-du-lich"]
    assert (t["points"], t["max_points"]) == (3.0, 8.0)
    assert t["index"] == pytest.approx(37.5)
    assert t["class"] == "Yếu"
    dep = result.totals[result.totals["group"] == "department"]
    assert t["rank"] == 1 + int((dep["index"].round(4) > round(t["index"], 4)).sum())
    rows = explain(result, "so-du-lich").set_index("leaf")
    assert rows.loc["3.2.1", "points"] == 2 and rows.loc["7.2.1", "points"] == 1
    assert rows.loc["1.1.2", "status"] == "not_applicable"


def test_ledger_is_the_single_source(result) -> None:
    sums = result.ledger.groupby("agency_id")[["points", "max_points"]].sum()
    t = result.totals
    raw = sums.loc[t.index]
    assert np.allclose(np.maximum(raw["points"], 0), t["points"])
    assert np.allclose(raw["max_points"], t["max_points"])
    area_sums = result.areas.groupby("agency_id")["points"].sum().loc[t.index]
    assert np.allclose(area_sums + t["bonus"] - t["deduction"], t["points"])
    assert set(t["group"]) == {"department", "district", "commune"}
    ranked = result.dataset.ranked_agencies()
    assert set(t.index) == set(ranked.index)


def test_variant_online_worth_three(ds) -> None:
    rules = load_rules(VARIANT)
    assert rules.leaf("7.2.1").max == 3 and rules.leaf("7.2.4").max == 1
    t = score(rules, ds).totals.loc["so-du-lich"]
    # online 49.74 % → [30, 50) → 1.5 of 3; the rest as in the base: 2 + 0 + 1.5 of 9
    assert (t["points"], t["max_points"]) == (3.5, 9.0)
