"""The ranking workbook's texts follow the language of the run (issue #10): Vietnamese by
default, English under ``--lang en``."""

from __future__ import annotations

import openpyxl
import pytest

from reports.workbook import write_workbook
from scoring.vocabulary import no_class_label, sheet_label
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
    assert "NGUỒN GỐC CỦA BẢNG TÍNH" in _texts(path, sheet_label("provenance"))


@pytest.mark.usefixtures("english")
def test_english_headings_on_the_group_sheets(tmp_path):
    path = _write(tmp_path)
    first = openpyxl.load_workbook(path, read_only=True).sheetnames[0]  # group I's sheet
    heads = _texts(path, first)
    assert {"No.", "Agency or unit", "Total points earned", "PAR Index (%)", "Rank", "Class",
            "Units by class", "Grand total"} <= heads
    assert not heads & {"Tổng điểm đạt", "Xếp hạng", "Số đơn vị theo xếp loại"}
    assert "WORKBOOK PROVENANCE" in _texts(path, sheet_label("provenance"))
    assert "SOURCE DATA CHECKS" in _texts(path, sheet_label("findings"))


@pytest.mark.usefixtures("english")
def test_english_sheet_names_and_no_class(tmp_path):
    """The fixed sheets and the no-class value read English under --lang en (the Vietnamese
    names are checked in test_workbook.test_sheets_in_order)."""
    path = _write(tmp_path)
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[1] == "Chart I" and names[3] == "Chart II"
    assert names[-5:] == ["Score details", "Input data", "Data checks", "Rule set",
                          "Provenance"]
    assert no_class_label() == "Not enough data"
    assert "Not enough data" in {c for n in (names[0], names[2]) for c in _texts(path, n)}


@pytest.mark.usefixtures("english")
def test_english_group_sheets_are_named_in_whole_words(tmp_path):
    """An English group name is too long for a 31-character tab: the tab takes the group's
    short name ("Appendix I - Departments"), never a name cut in the middle."""
    path = _write(tmp_path)
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names[0] == "Appendix I - Departments" and names[2] == "Appendix II - Communes"
    assert all(n == n.strip() and len(n) <= 31 for n in names)
