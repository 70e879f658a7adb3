"""The ledger in chunks, as a CSV beside the workbook, or left out."""

from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest

import reports.workbook as wbmod
from reports.workbook import ledger_csv_path, write_workbook
from scoring.errors import UsageError
from scoring.vocabulary import column_label, sheet_label
from tests.reports.fixtures import make_result

STAMP = datetime(2023, 1, 1)


@pytest.fixture(scope="module")
def result():
    return make_result()


def _sheet_rows(path):
    wb = openpyxl.load_workbook(path, read_only=True)
    return [r for r in wb[sheet_label("ledger")].iter_rows(min_row=5, values_only=True)]


def test_chunks_give_the_same_sheet_and_report_progress(result, tmp_path, monkeypatch):
    whole = tmp_path / "whole.xlsx"
    write_workbook(result, whole, created=STAMP)
    monkeypatch.setattr(wbmod, "LEDGER_CHUNK", 7)
    seen: list[int] = []
    chunked = tmp_path / "chunked.xlsx"
    write_workbook(result, chunked, created=STAMP, progress=seen.append)
    assert _sheet_rows(chunked) == _sheet_rows(whole)
    assert len(_sheet_rows(whole)) == len(result.ledger)
    assert seen == sorted(seen) and seen[-1] == len(result.ledger)


def test_ledger_as_csv_beside_the_workbook(result, tmp_path):
    target = tmp_path / "cchc.xlsx"
    write_workbook(result, target, created=STAMP, ledger="csv")
    csv_path = ledger_csv_path(target)
    assert csv_path == tmp_path / "cchc-chi-tiet-diem.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the accents
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [column_label(k) for k in wbmod.LEDGER_COLUMNS]
    assert len(rows) - 1 == len(result.ledger)
    sheet = _sheet_rows(target)
    # the sheet says where the ledger is; the CSV has the sheet's rows
    wb = openpyxl.load_workbook(target, read_only=True)
    note = [c for r in wb[sheet_label("ledger")].iter_rows(values_only=True) for c in r if c]
    assert any(csv_path.name in str(c) for c in note)
    assert len(sheet) <= 1
    points = [float(r[9]) for r in rows[1:]]
    assert sum(points) == pytest.approx(float(result.ledger["points"].sum()))
    # both files exist now: without force, neither is replaced
    before = csv_path.read_bytes()
    with pytest.raises(UsageError):
        write_workbook(result, target, created=STAMP, ledger="csv")
    assert csv_path.read_bytes() == before
    write_workbook(result, target, created=STAMP, ledger="csv", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cchc-chi-tiet-diem.csv",
                                                           "cchc.xlsx"]


def test_no_ledger(result, tmp_path):
    target = tmp_path / "cchc.xlsx"
    write_workbook(result, target, created=STAMP, ledger="none")
    wb = openpyxl.load_workbook(target, read_only=True)
    texts = [c for r in wb[sheet_label("ledger")].iter_rows(values_only=True) for c in r if c]
    assert any("--ledger" in str(c) for c in texts)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cchc.xlsx"]
