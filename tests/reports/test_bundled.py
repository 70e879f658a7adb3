"""The workbook of the bundled 2022 Khánh Hòa rules and data, read back and recalculated."""

from __future__ import annotations

import math
from datetime import datetime

import openpyxl
import pytest

from reports.render import find_soffice, recalculate
from reports.workbook import write_workbook
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from scoring.vocabulary import no_class_label, sheet_label
from tests.reports.readback import formula_cells, ranking_rows
from tests.reports.test_render import _need


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    result = score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
    path = tmp_path_factory.mktemp("bundled") / "cchc.xlsx"
    summary = write_workbook(result, path, created=datetime(2023, 2, 1))
    return result, summary, path


def test_every_index_rank_total_and_class_equals_the_engine(bundled):
    result, summary, path = bundled
    wb = openpyxl.load_workbook(path, data_only=True)
    totals = result.totals
    assert [g.group_id for g in summary.groups] == [
        g.id for g in result.rules.groups if (totals["group"] == g.id).any()]
    seen = 0
    for g in summary.groups:
        body = [r for r in ranking_rows(wb[g.sheet]) if "_mean" not in r]
        expected = totals[totals["group"] == g.group_id]
        assert len(body) == len(expected) == g.count
        for row, (aid, t) in zip(body, expected.iterrows(), strict=True):
            assert row["Cơ quan, đơn vị"] == t["agency"], aid
            assert math.isclose(row["Tổng điểm đạt"], t["points"], abs_tol=1e-9)
            assert math.isclose(row["Điểm tối đa"], t["max_points"], abs_tol=1e-9)
            if math.isnan(t["index"]):
                assert row["Chỉ số CCHC (%)"] is None and row["Xếp loại"] == no_class_label()
            else:
                assert math.isclose(row["Chỉ số CCHC (%)"], t["index"], abs_tol=1e-9)
                assert row["Xếp hạng"] == t["rank"] and row["Xếp loại"] == t["class"]
            seen += 1
    assert seen == len(totals)
    ledger = wb[sheet_label("ledger")]
    assert ledger.max_row - 4 == len(result.ledger)


def test_libreoffice_recalculates_the_bundled_workbook_to_the_stored_values(bundled, tmp_path):
    _need(find_soffice(), "LibreOffice")
    _, _, path = bundled
    stored = openpyxl.load_workbook(path, data_only=True)
    recalced = openpyxl.load_workbook(recalculate(path, tmp_path), data_only=True)
    cells = formula_cells(openpyxl.load_workbook(path, data_only=False))
    assert len(cells) > 200
    for sheet, coord in cells:
        want, got = stored[sheet][coord].value, recalced[sheet][coord].value
        assert isinstance(got, int | float), (sheet, coord, got)
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (sheet, coord, want, got)
