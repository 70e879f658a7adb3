"""Self-assessed vs appraised vs survey points (scoring/appraisal.py), worked by hand.

The data is the bundled dataset plus the scores.csv / surveys.csv of
:mod:`tests.annual_data`; the expected figures are in that module's docstring.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from scoring.appraisal import agency_manual_points, compare_self, ledger_rows, self_assessed
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules


def test_totals_split_into_appraised_and_survey(annual_result) -> None:
    view = compare_self(annual_result)
    t = view.totals
    assert list(t.index) == list(annual_result.totals.index)
    # appraised + survey = the engine's total, for every unit
    total = t["appraised_points"] + t["survey_points"].fillna(0)
    assert (total - annual_result.totals["points"]).abs().max() < 1e-9
    assert t.at["so-tai-chinh", "survey_points"] == pytest.approx(4.0)
    assert math.isnan(t.at["so-tu-phap", "survey_points"])
    assert not t.at["so-tu-phap", "has_survey"]


def test_self_total_counts_the_units_own_points(annual_result) -> None:
    t = compare_self(annual_result).totals
    # Sở Tài chính: self 1 + 2 + 3 on the leaves the council appraised 1 + 1.5 + 2
    assert t.at["so-tai-chinh", "self_points"] - t.at["so-tai-chinh", "appraised_points"] \
        == pytest.approx(6 - 4.5)
    # Sở Tư pháp: self 5 on 4.1.1 counts 3 (the leaf's max); appraised 2
    assert t.at["so-tu-phap", "self_points"] - t.at["so-tu-phap", "appraised_points"] \
        == pytest.approx(1.0)
    # no self points at all: blank, not zero
    assert math.isnan(t.at["so-y-te", "self_points"])
    assert math.isnan(t.at["so-cong-thuong", "self_points"])


def test_differences_list_appraised_leaves_that_differ(annual_result) -> None:
    d = compare_self(annual_result).differences
    got = [(r.agency_id, r.leaf, None if pd.isna(r.self_points) else r.self_points,
            r.appraised_points, r.note) for r in d.itertuples()]
    assert got == [("so-tai-chinh", "1.2.1", 2.0, 1.5, "thiếu hồ sơ"),
                   ("so-tai-chinh", "2.2.1", 3.0, 2.0, "chậm ban hành"),
                   ("so-tu-phap", "4.1.1", 3.0, 2.0, "vượt tối đa"),
                   ("so-y-te", "1.1.3", None, 1.0, "đơn vị không tự chấm")]
    per_unit = compare_self(annual_result).unit_differences().set_index("agency_id")
    assert per_unit.at["so-tai-chinh", "difference"] == pytest.approx(-1.5)
    assert per_unit.at["so-tai-chinh", "leaves"] == 2
    assert math.isnan(per_unit.at["so-y-te", "difference"])


def test_engine_results_are_not_changed(annual_result) -> None:
    before = annual_result.totals.copy()
    compare_self(annual_result)
    pd.testing.assert_frame_equal(annual_result.totals, before)
    again = score(annual_result.rules, annual_result.dataset)
    pd.testing.assert_frame_equal(again.totals, before)


def test_self_assessed_dataset_drops_only_the_appraisal(annual_result) -> None:
    ds = self_assessed(annual_result.dataset)
    assert ds.scores["appraised_points"].isna().all()
    pd.testing.assert_series_equal(ds.scores["self_points"],
                                   annual_result.dataset.scores["self_points"])
    assert annual_result.dataset.scores["appraised_points"].notna().any()


def test_one_agency_both_points_per_manual_leaf(annual_result) -> None:
    rows = agency_manual_points(annual_result, "so-tu-phap").set_index("leaf")
    assert rows.at["1.1.1", "self_points"] == 1.0
    assert math.isnan(rows.at["1.1.1", "appraised_points"])
    assert (rows.at["4.1.1", "self_points"], rows.at["4.1.1", "appraised_points"]) == (3.0, 2.0)
    assert agency_manual_points(annual_result, "so-cong-thuong").empty


def test_no_scores_table_gives_blank_self_and_survey() -> None:
    res = score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
    view = compare_self(res)
    assert view.totals["self_points"].isna().all()
    assert view.totals["survey_points"].isna().all()
    assert (view.totals["appraised_points"] - res.totals["points"]).abs().max() < 1e-12
    assert view.differences.empty


def test_ledger_rows_match_the_ledger(annual_result) -> None:
    kinds = frozenset({"manual", "survey", "deduction"})
    got = ledger_rows(annual_result, kinds).reset_index(drop=True)
    led = annual_result.ledger
    want = led[led["kind"].isin(kinds)][list(got.columns)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
