"""The ranking workbook's texts follow the language of the run (issue #10): Vietnamese by
default, English under ``--lang en``."""

from __future__ import annotations

import openpyxl
import pytest

from reports.workbook import write_workbook
from tests.reports.fixtures import make_result

DEPT = "PL I - Sở, ban, ngành"


def _texts(path, sheet):
    ws = openpyxl.load_workbook(path, read_only=True)[sheet]
    return {c for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}


def _write(tmp_path):
    path = tmp_path / "cchc.xlsx"
    write_workbook(make_result(), path)
    return path


def test_vietnamese_by_default(tmp_path):
    path = _write(tmp_path)
    heads = _texts(path, DEPT)
    assert {"STT", "Tổng điểm đạt", "Xếp hạng", "Xếp loại", "Số đơn vị theo xếp loại"} <= heads
    assert "Total points earned" not in heads
    assert "NGUỒN GỐC CỦA BẢNG TÍNH" in _texts(path, "Nguồn gốc")


@pytest.mark.usefixtures("english")
def test_english_headings_on_the_group_sheets(tmp_path):
    path = _write(tmp_path)
    first = openpyxl.load_workbook(path, read_only=True).sheetnames[0]  # group I's sheet
    heads = _texts(path, first)
    assert {"No.", "Agency or unit", "Total points earned", "PAR Index (%)", "Rank", "Class",
            "Units by class", "Grand total"} <= heads
    assert not heads & {"Tổng điểm đạt", "Xếp hạng", "Số đơn vị theo xếp loại"}
    assert "WORKBOOK PROVENANCE" in _texts(path, "Nguồn gốc")
    assert "SOURCE DATA CHECKS" in _texts(path, "Kiểm tra số liệu")
