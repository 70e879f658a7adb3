"""The workbook in a real spreadsheet: headless LibreOffice opens it and recalculates every
formula; the recalculated values must equal the stored ones (the engine's numbers)."""

from __future__ import annotations

import os
import shutil
from datetime import datetime

import openpyxl
import pytest
import xlsxwriter

from reports.render import find_soffice, recalculate, render_png
from reports.workbook import write_workbook
from tests.reports.fixtures import make_result
from tests.reports.readback import formula_cells


def _need(tool: str | None, what: str) -> None:
    if tool is None:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is required in CI (apt-get install libreoffice-calc-nogui "
                        "poppler-utils)")
        pytest.skip(f"{what} is not installed; install it to run this check")


@pytest.fixture(scope="module")
def soffice():
    exe = find_soffice()
    _need(exe, "LibreOffice")
    return exe


def test_forced_recalculation_really_recalculates(soffice, tmp_path):
    # a formula whose stored result is deliberately wrong: only a real recalculation fixes it
    path = tmp_path / "poison.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_number(0, 0, 2)
    ws.write_number(0, 1, 3)
    ws.write_formula(0, 2, "=A1+B1", None, 99)
    wb.close()
    out = recalculate(path, tmp_path / "out")
    assert openpyxl.load_workbook(out, data_only=True).active["C1"].value == 5


def test_every_formula_recalculates_to_the_stored_value(soffice, tmp_path):
    path = tmp_path / "cchc.xlsx"
    write_workbook(make_result(), path, created=datetime(2023, 1, 1))
    formulas = openpyxl.load_workbook(path, data_only=False)
    stored = openpyxl.load_workbook(path, data_only=True)
    recalced = openpyxl.load_workbook(recalculate(path, tmp_path / "out"), data_only=True)
    cells = formula_cells(formulas)
    assert len(cells) > 40
    assert recalced.sheetnames == stored.sheetnames
    for sheet, coord in cells:
        want = stored[sheet][coord].value
        got = recalced[sheet][coord].value
        assert isinstance(got, int | float), (sheet, coord, got)
        assert abs(got - want) <= 1e-9 * max(1.0, abs(want)), (sheet, coord, want, got)
    # the text that looks like a formula is still text after a round trip
    assert recalced["PL I - Sở, ban, ngành"]["B10"].value.startswith("=HYPERLINK")


def test_ranking_sheet_renders_to_png(soffice, tmp_path):
    _need(shutil.which("pdftoppm"), "pdftoppm")
    path = tmp_path / "cchc.xlsx"
    write_workbook(make_result(), path, created=datetime(2023, 1, 1))
    pngs = render_png(path, tmp_path / "img", pages=(1, 1), dpi=40)
    assert len(pngs) == 1
    assert pngs[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
