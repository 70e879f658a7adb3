"""``cchc rank`` for the annual cycle: self vs appraised vs survey columns, the sheet
"Thẩm định", and ``--previous`` (last year's workbook or a CSV of ids or names)."""

from __future__ import annotations

import openpyxl
import pytest

from cchc.cli import main
from scoring.dataset import load_dataset
from scoring.previous import read_previous
from scoring.vocabulary import sheet_label
from tests.reports.readback import ranking_rows

SHEET = "PL I - Sở, ban, ngành"


@pytest.fixture(scope="module")
def workbook(annual_data, tmp_path_factory):
    target = tmp_path_factory.mktemp("out") / "annual.xlsx"
    assert main(["rank", "--data", str(annual_data), "-o", str(target)]) == 0
    return target


def _rows(path, sheet=SHEET):
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = ranking_rows(wb[sheet])
    return {r["Cơ quan, đơn vị"]: r for r in rows if not r.get("_mean")}


@pytest.mark.slow
def test_group_sheet_shows_self_appraised_and_survey(workbook, annual_result) -> None:
    rows = _rows(workbook)
    tc = rows["Sở Tài chính"]
    points = annual_result.totals.at["so-tai-chinh", "points"]
    assert tc["Điểm điều tra XHH"] == pytest.approx(4.0)
    assert tc["Điểm thẩm định"] == pytest.approx(points - 4.0)
    assert tc["Điểm tự đánh giá"] == pytest.approx(points - 4.0 + 1.5)
    assert tc["Tổng điểm đạt"] == pytest.approx(points)
    tp = rows["Sở Tư pháp"]
    assert tp["Điểm tự đánh giá"] - tp["Điểm thẩm định"] == pytest.approx(1.0)
    assert tp["Điểm điều tra XHH"] is None  # no survey for the unit: blank, not 0
    assert rows["Sở Y tế"]["Điểm tự đánh giá"] is None  # appraised, no self points
    # appraised + survey = total on every row
    for r in rows.values():
        assert r["Điểm thẩm định"] + (r["Điểm điều tra XHH"] or 0) == pytest.approx(
            r["Tổng điểm đạt"])
    assert "Xếp hạng năm trước" not in tc  # only with --previous


@pytest.mark.slow
def test_appraisal_sheet_lists_each_difference_with_its_reason(workbook) -> None:
    wb = openpyxl.load_workbook(workbook, data_only=True)
    names = wb.sheetnames
    assert names.index("Thẩm định") == names.index(sheet_label("ledger")) - 1
    ws = wb["Thẩm định"]
    head = [c.value for c in ws[4]]
    assert head == ["Cơ quan, đơn vị", "Nhóm", "Mã", "Tiêu chí", "Điểm tự đánh giá",
                    "Điểm thẩm định", "Chênh lệch", "Lý do (Hội đồng thẩm định)"]
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=8)]
    got = [(r[0], r[2], r[4], r[5], r[6], r[7]) for r in body]
    assert got == [("Sở Tài chính", "1.2.1", 2, 1.5, -0.5, "thiếu hồ sơ"),
                   ("Sở Tài chính", "2.2.1", 3, 2, -1, "chậm ban hành"),
                   ("Sở Tư pháp", "4.1.1", 3, 2, -1, "vượt tối đa"),
                   ("Sở Y tế", "1.1.3", None, 1, None, "đơn vị không tự chấm")]
    # totals per unit below
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=9)]
    totals = {r[0]: r for r in values if r and r[0] in ("Sở Tài chính", "Sở Tư pháp")}
    # under the headings of the table above: leaves under "Mã", points under theirs
    assert [totals["Sở Tài chính"][c] for c in (2, 4, 5, 6)] == [2, 5, 3.5, -1.5]
    assert [totals["Sở Tư pháp"][c] for c in (2, 4, 5, 6)] == [1, 3, 2, -1]


def _change(rows, name):
    r = rows[name]
    return r["Xếp hạng năm trước"], r["Tăng/giảm"]


@pytest.fixture(scope="module")
def last_year(tmp_path_factory):
    """Last year's workbook: the bundled data without scores."""
    last = tmp_path_factory.mktemp("last") / "2021.xlsx"
    assert main(["rank", "-o", str(last)]) == 0
    return last


@pytest.mark.slow
def test_previous_from_last_years_workbook(tmp_path, annual_data, last_year) -> None:
    before = {k: v["Xếp hạng"] for k, v in _rows(last_year).items()}
    target = tmp_path / "2022.xlsx"
    assert main(["rank", "--data", str(annual_data), "-o", str(target),
                 "--previous", str(last_year)]) == 0
    rows = _rows(target)
    assert set(rows) == set(before)
    for r in rows.values():
        shift = before[r["Cơ quan, đơn vị"]] - r["Xếp hạng"]
        assert r["Xếp hạng năm trước"] == before[r["Cơ quan, đơn vị"]]
        assert r["Tăng/giảm"] == ("=" if shift == 0 else f"↑{shift}" if shift > 0
                                  else f"↓{-shift}")
    assert rows["Sở Tài chính"]["Xếp hạng"] > before["Sở Tài chính"]  # the appraisal cost it
    communes = _rows(target, "PL III - UBND cấp xã")
    assert all(r["Tăng/giảm"] for r in communes.values())  # every commune matched
    # next year, this workbook is PREV: its own rank is read, not last year's column
    again = read_previous(target, load_dataset(annual_data)).ranks
    assert again.at["so-tai-chinh", "rank"] == rows["Sở Tài chính"]["Xếp hạng"]


@pytest.mark.slow
def test_previous_from_an_english_workbook(tmp_path, annual_data, last_year) -> None:
    """Last year's workbook written under --lang en reads as the Vietnamese one."""
    english = tmp_path / "2021-en.xlsx"
    assert main(["--lang", "en", "rank", "-o", str(english)]) == 0
    ds = load_dataset(annual_data)
    vi, en = read_previous(last_year, ds).ranks, read_previous(english, ds).ranks
    assert len(vi) > 100 and vi["rank"].notna().all()
    assert en.equals(vi)


def _rank_with(tmp_path, annual_data, csv_text):
    """Run ``cchc rank --previous prev.csv`` with ``csv_text``; (exit code, workbook)."""
    prev = tmp_path / "prev.csv"
    prev.write_text(csv_text, encoding="utf-8")
    target = tmp_path / "out.xlsx"
    return main(["rank", "--data", str(annual_data), "-o", str(target), "--previous",
                 str(prev)]), target


@pytest.mark.slow
def test_previous_from_csv_with_ids_and_names(tmp_path, annual_data) -> None:
    code, target = _rank_with(tmp_path, annual_data,
                              'agency_id,rank,index\nso-tai-chinh,3,"90,5"\nSỞ TƯ PHÁP,15,70\n')
    assert code == 0
    rows = _rows(target)
    rank_tc = rows["Sở Tài chính"]["Xếp hạng"]
    assert _change(rows, "Sở Tài chính") == (3, f"↓{rank_tc - 3}")
    assert _change(rows, "Sở Tư pháp") == (15, "=")
    assert _change(rows, "Sở Y tế") == (None, "mới")


def test_previous_unknown_name_is_one_message_with_the_row(tmp_path, annual_data, capsys) -> None:
    code, target = _rank_with(tmp_path, annual_data,
                              "agency_id,rank,index\nso-tai-chinh,3,\nSở Tư phap lý,2,\n")
    assert code == 1
    err = capsys.readouterr().err
    assert "prev.csv:3" in err and "Sở Tư phap lý" in err and "Sở Tư pháp" in err
    assert "Traceback" not in err
    assert not target.exists()


def test_previous_bad_rank_and_duplicate_are_listed_together(tmp_path, annual_data, capsys) -> None:
    code, _target = _rank_with(tmp_path, annual_data,
                               "agency_id,rank,index\nso-tai-chinh,ba,\nSO TAI CHINH,2,\n")
    assert code == 1
    err = capsys.readouterr().err
    assert "prev.csv:2: rank" in err and "prev.csv:3" in err


def test_previous_missing_file(tmp_path, capsys) -> None:
    assert main(["rank", "-o", str(tmp_path / "o.xlsx"), "--previous",
                 str(tmp_path / "nope.csv")]) != 0
    assert "nope.csv" in capsys.readouterr().err


@pytest.mark.slow
def test_default_print_is_the_appendix_sheets(workbook) -> None:
    """The appendix sheets open selected as a group (Excel prints the active sheets by
    default, LibreOffice offers "selected sheets"); the others stay printable."""
    wb = openpyxl.load_workbook(workbook)
    appendix = [ws.title for ws in wb.worksheets if ws.title.startswith("PL ")]
    assert len(appendix) == 3
    assert wb.active.title == appendix[0]
    for ws in wb.worksheets:
        selected = bool(ws.sheet_view.tabSelected)
        assert selected == (ws.title in appendix), ws.title
        if ws.title in appendix:
            assert ws.print_area  # the ranking table, not the side blocks
            assert ws.print_title_rows  # heading rows repeated on every page
    for name in (sheet_label("ledger"), sheet_label("inputs")):
        ws = wb[name]
        assert ws.sheet_state == "visible"  # printable on request
        assert ws.page_setup.orientation == "landscape" and ws.print_title_rows
    for cs in wb.chartsheets:
        assert not cs.sheetViews.sheetView[0].tabSelected
