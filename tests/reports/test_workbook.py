"""The workbook, read back with openpyxl and compared with hand-worked and engine values."""

from __future__ import annotations

import math
import os
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

import reports.workbook as wbmod
from reports.workbook import default_filename, summarise, write_workbook
from reports.xlsx import write_rows
from scoring.engine import STATUSES
from scoring.errors import UsageError
from scoring.files import check_output
from scoring.vocabulary import no_class_label, sheet_label, status_label
from tests.reports.fixtures import EXPECTED, NAMES, make_result
from tests.reports.readback import find_row, open_both, ranking_rows

DEPT, COMMUNE = "PL I - Sở, ban, ngành", "PL II - UBND cấp xã"
STAMP = datetime(2023, 1, 1, 8, 30, 0)


@pytest.fixture(scope="module")
def result():
    return make_result()


@pytest.fixture(scope="module")
def book(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("wb") / "cchc.xlsx"
    summary = write_workbook(result, path, created=STAMP)
    formulas, values = open_both(path)
    return summary, formulas, values


def _close(a, b, tol=1e-9):
    return a is not None and b is not None and abs(float(a) - float(b)) <= tol


def test_sheets_in_order(book):
    summary, formulas, _ = book
    # the Vietnamese names as written (code and the other tests look them up by key)
    assert formulas.sheetnames == [DEPT, "Biểu đồ I", COMMUNE, "Biểu đồ II", "Thẩm định",
                                   "Chi tiết điểm",
                                   "Số liệu đầu vào",
                                   "Kiểm tra số liệu", "Bộ tiêu chí", "Nguồn gốc"]
    assert list(summary.sheets) == formulas.sheetnames


@pytest.mark.parametrize("sheet", [DEPT, COMMUNE])
def test_every_total_index_rank_class_matches_hand_and_engine(book, result, sheet):
    _, _, values = book
    rows = ranking_rows(values[sheet])
    body = [r for r in rows if "_mean" not in r]
    by_name = {v: k for k, v in NAMES.items()}
    group = "department" if sheet == DEPT else "commune"
    expected_ids = [a for a in result.totals.index if result.totals.at[a, "group"] == group]
    assert [by_name[r["Cơ quan, đơn vị"]] for r in body] == expected_ids  # engine order
    assert [r["STT"] for r in body] == list(range(1, len(body) + 1))
    for r in body:
        aid = by_name[r["Cơ quan, đơn vị"]]
        pts, mx, idx, rank, klass = EXPECTED[aid]
        t = result.totals.loc[aid]
        assert _close(r["Tổng điểm đạt"], pts) and _close(r["Tổng điểm đạt"], t["points"])
        assert _close(r["Điểm tối đa"], mx)
        if idx is None:
            assert r["Chỉ số CCHC (%)"] is None and r["Xếp hạng"] is None
            assert r["Xếp loại"] == no_class_label()
        else:
            assert _close(r["Chỉ số CCHC (%)"], idx) and _close(r["Chỉ số CCHC (%)"], t["index"])
            assert r["Xếp hạng"] == rank == t["rank"]
            assert r["Xếp loại"] == klass == t["class"]


def test_area_points_and_area_index_come_from_the_engine(book, result):
    _, _, values = book
    rows = [r for r in ranking_rows(values[DEPT]) if "_mean" not in r]
    areas = result.areas.set_index(["agency_id", "area"])
    # hand-worked: Sở Tư pháp earns 3 (of 4) in area 1, 3 in area 2, 3 in area 3
    tu_phap = next(r for r in rows if r["Cơ quan, đơn vị"] == "Sở Tư pháp")
    assert (tu_phap["pts:1"], tu_phap["pts:2"], tu_phap["pts:3"]) == (3, 3, 3)
    assert tu_phap["idx:1"] == 75
    by_name = {v: k for k, v in NAMES.items()}
    for r in rows:
        aid = by_name[r["Cơ quan, đơn vị"]]
        for code in ("1", "2", "3"):
            engine_idx = areas.loc[(aid, code), "index"]
            if areas.loc[(aid, code), "max_points"] == 0:
                # +Sở Y tế: no task arose, area 2 counts nothing: blank, not 0 points
                assert math.isnan(engine_idx)
                assert r[f"pts:{code}"] is None and r[f"idx:{code}"] is None
            else:
                assert _close(r[f"pts:{code}"], areas.loc[(aid, code), "points"])
                assert _close(r[f"idx:{code}"], engine_idx)
    y_te = next(r for r in rows if r["Cơ quan, đơn vị"] == "+Sở Y tế")
    assert y_te["pts:2"] is None


def test_mean_row_and_class_counts(book):
    _, formulas, values = book
    mean = ranking_rows(values[DEPT])[-1]
    assert _close(mean["Chỉ số CCHC (%)"], (95 + 500 / 7 + 67.5 + 50) / 4)
    assert _close(mean["Tổng điểm đạt"], (9.5 + 5 + 6.75 + 3.5) / 4)
    ws_f = formulas[DEPT]
    mean_row = find_row(ws_f, 1, "Trung bình")
    assert ws_f.cell(mean_row, 3).value.startswith("=AVERAGE(")
    ws = values[DEPT]
    start = find_row(ws, 1, "Số đơn vị theo xếp loại") + 2
    counts = {}
    for k in range(start, start + 6):
        label = ws.cell(k, 2).value
        if label == "Tổng cộng" or ws.cell(k, 1).value == "Tổng cộng":
            break
        counts[label.split(" (")[0]] = (ws.cell(k, 3).value, ws.cell(k, 4).value)
    assert counts == {"Xuất sắc": (1, 25), "Tốt": (0, 0), "Khá": (1, 25),
                      "Trung bình": (2, 50)}


def test_commune_counts_include_unclassified_and_no_index(book):
    _, _, values = book
    ws = values[COMMUNE]
    start = find_row(ws, 1, "Số đơn vị theo xếp loại") + 2
    labels = [ws.cell(k, 2).value for k in range(start, start + 6)]
    assert labels[4].startswith("Yếu") and labels[5].startswith(no_class_label())
    assert [ws.cell(k, 3).value for k in range(start, start + 6)] == [0, 1, 2, 0, 1, 1]


def test_formulas_carry_values_and_reproduce_the_engine(book):
    _, formulas, values = book
    ws_f, ws_v = formulas[DEPT], values[DEPT]
    total_col = next(c for c in range(1, 20) if ws_f.cell(7, c).value == "Tổng điểm đạt")
    cell_f = ws_f.cell(8, total_col).value
    assert cell_f.startswith("=MAX(0,SUM(")  # area points + bonus − deduction
    assert ws_v.cell(8, total_col).value == 9.5
    n_formulas = sum(1 for row in ws_f.iter_rows() for c in row if c.data_type == "f")
    n_cached = sum(1 for row in ws_f.iter_rows() for c in row
                   if c.data_type == "f" and ws_v[c.coordinate].value is not None)
    assert n_formulas > 20 and n_cached == n_formulas


def test_text_that_looks_like_a_formula_stays_text(book):
    _, formulas, _ = book
    seen = set()
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value in NAMES.values():
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    seen.add(cell.value)
                if cell.data_type == "f":
                    assert "HYPERLINK" not in cell.value
    assert {NAMES["d-eq"], NAMES["d-plus"], NAMES["d-at"], NAMES["c-minus"]} <= seen
    findings = formulas[sheet_label("findings")]
    msg = find_row(findings, 7, "=published")
    assert findings.cell(msg, 7).data_type == "s"


def test_ledger_sheet_has_every_row_with_vietnamese_status(book, result):
    _, formulas, values = book
    ws = values[sheet_label("ledger")]
    head = 4
    heads = [ws.cell(head, c).value for c in range(1, ws.max_column + 1)]
    assert heads[:2] == ["Mã đơn vị", "Cơ quan, đơn vị"] and "Trạng thái" in heads
    rows = list(ws.iter_rows(min_row=head + 1, values_only=True))
    assert len(rows) == len(result.ledger)
    col = {h: i for i, h in enumerate(heads)}
    for got, (_, exp) in zip(rows, result.ledger.iterrows(), strict=True):
        assert got[col["Mã đơn vị"]] == exp["agency_id"]
        assert got[col["Mã tiêu chí thành phần"]] == exp["leaf"]
        assert abs((got[col["Điểm đạt"]] or 0) - exp["points"]) < 1e-12
    statuses = {r[col["Trạng thái"]] for r in rows}
    assert statuses <= {status_label(s) for s in STATUSES}
    assert "Không phát sinh" in {status_label(s) for s in STATUSES}
    assert {"Không phát sinh", "Điểm thẩm định", status_label("missing")} <= statuses
    # why did +Sở Y tế get 0 of 0 for tasks: the row says not applicable
    y_te = [r for r in rows if r[col["Mã đơn vị"]] == "d-plus" and
            r[col["Mã tiêu chí thành phần"]] == "2.1.1"]
    assert y_te[0][col["Trạng thái"]] == "Không phát sinh"
    assert formulas[sheet_label("ledger")].auto_filter.ref.startswith("A4:")


def test_inputs_findings_rules_provenance(book, result):
    _, _, values = book
    inputs = values[sheet_label("inputs")]
    heads = [inputs.cell(4, c).value for c in range(1, inputs.max_column + 1)]
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in heads and "Được xếp hạng" in heads
    ids = [inputs.cell(r, 1).value for r in range(5, inputs.max_row + 1)]
    assert ids == list(result.dataset.agencies.index)  # every agency, ranked or not
    rate = heads.index("Tỷ lệ hồ sơ giải quyết đúng hạn") + 1
    assert inputs.cell(5 + ids.index("d-eq"), rate).value == 92
    assert inputs.cell(5 + ids.index("c-none"), rate).value is None

    findings = values[sheet_label("findings")]
    assert findings.cell(5, 1).value == "Cảnh báo" and findings.cell(6, 1).value == "Lỗi"
    assert findings.cell(5, 3).value == "Xã Diên Điền"

    rules = values[sheet_label("rules")]
    texts = [rules.cell(r, 4).value or "" for r in range(1, rules.max_row + 1)]
    assert any(t.startswith("Tỷ lệ hồ sơ giải quyết đúng hạn ≥ 98 %: 2 điểm\n"
                            "Từ 95 % đến dưới 98 %: 1 điểm") for t in texts)

    prov = values[sheet_label("provenance")]
    items = {prov.cell(r, 1).value: prov.cell(r, 2).value for r in range(5, prov.max_row + 1)}
    assert items["Mã băm bộ tiêu chí (sha256)"] == "ab" * 32
    assert items["Mã băm bộ dữ liệu (sha256)"] == "99" * 32
    assert items["Bộ tiêu chí (mã)"] == "test-2022" and items["Phiên bản bộ tiêu chí"] == "1.0"
    assert items["Thời điểm lập (UTC)"] == "2023-01-01 08:30:00"
    assert items["Phiên bản phần mềm (cchc)"]


def test_print_and_screen_setup(book):
    _, formulas, _ = book
    ws = formulas[DEPT]
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1)  # absent means 1 page wide
    assert ws.page_setup.fitToHeight == 0  # as many pages tall as needed
    assert ws.print_title_rows == "$6:$7"
    assert ws.freeze_panes == "C8"
    assert ws.auto_filter.ref.startswith("A7:")
    assert ws.conditional_formatting  # classes coloured
    assert ws.cell(8, 2).font.name == "Times New Roman"
    assert ws.column_dimensions["B"].width >= len("=HYPERLINK(\"http://example.invalid\"")
    assert ws.cell(1, 1).value == "Phụ lục I"
    # the fixture's rule set is a simulation: a trial, never under the official title
    assert ws.cell(2, 1).value == "KẾT QUẢ THỬ NGHIỆM (KHÔNG CHÍNH THỨC): KẾT QUẢ CHỈ SỐ CẢI " \
                                  "CÁCH HÀNH CHÍNH NĂM 2022 CỦA CÁC SỞ, BAN, NGÀNH"
    assert "15/12/2021 – 14/12/2022" in ws.cell(4, 1).value
    assert len(ws._charts) == 1  # the per-area chart, on screen beside its table
    # the ranked chart prints on its own chart sheet, right after the group's sheet
    chart_sheet = formulas[sheet_label("chart", n="I")]
    assert chart_sheet.pageSetup.orientation == "landscape"
    assert str(chart_sheet.pageSetup.paperSize) == "9"
    assert len(chart_sheet._charts) == 1


def test_summary(result):
    groups = summarise(result)
    assert [g.group_id for g in groups] == ["department", "commune"]
    assert groups[0].top == ((1, "Sở Tư pháp", 95.0), (2, "+Sở Y tế", 500 / 7),
                             (3, NAMES["d-eq"], 67.5))
    assert groups[1].top[1][0] == groups[1].top[2][0] == 2  # the tie
    assert dict(groups[1].classes)[no_class_label()] == 1
    assert default_filename(result) == "cchc-test-2022.xlsx"


def test_source_date_epoch_gives_identical_bytes(result, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672531200")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(result, a)
    write_workbook(result, b)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        core = z.read("docProps/core.xml").decode()
    assert "2023-01-01T00:00:00Z" in core


def test_bad_source_date_epoch(result, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        write_workbook(result, tmp_path / "a.xlsx")
    assert list(tmp_path.iterdir()) == []


def test_failure_keeps_the_earlier_workbook_and_leaves_no_temp(result, tmp_path, monkeypatch):
    target = tmp_path / "cchc.xlsx"
    write_workbook(result, target, created=STAMP)
    good = target.read_bytes()

    def boom(self, wb):
        wb.add_worksheet("half").write_string(0, 0, "half a workbook")
        raise RuntimeError("out of memory")

    monkeypatch.setattr(wbmod._Builder, "build", boom)
    with pytest.raises(RuntimeError):
        write_workbook(result, target, created=STAMP, force=True)
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["cchc.xlsx"]

    def full(self, wb):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(wbmod._Builder, "build", full)
    with pytest.raises(UsageError, match="cchc.xlsx") as err:
        write_workbook(result, target, created=STAMP, force=True)
    assert err.value.exit_code in (1, 2) and len(err.value.problems) == 1
    assert target.read_bytes() == good
    assert [p.name for p in tmp_path.iterdir()] == ["cchc.xlsx"]


def test_missing_folder_is_one_clear_message(result, tmp_path, english):
    with pytest.raises(UsageError) as err:
        write_workbook(result, tmp_path / "no" / "such" / "cchc.xlsx")
    assert "does not exist" in str(err.value) and "mkdir -p" in str(err.value)
    assert len(err.value.problems) == 1


def test_refuses_to_write_over_or_into_inputs(tmp_path, english):
    data = tmp_path / "data"
    data.mkdir()
    (data / "agencies.csv").write_text("agency_id\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("id: x\n", encoding="utf-8")
    for bad in (data / "out.xlsx", data / "agencies.xlsx"):
        with pytest.raises(UsageError, match="is inside an input"):
            check_output(bad, inputs=[rules, data])
    rules_x = tmp_path / "rules.xlsx"
    rules_x.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is an input"):
        check_output(rules_x, inputs=[rules_x, data], force=True)
    with pytest.raises(UsageError, match="does not end in .xlsx"):
        check_output(tmp_path / "out.csv")
    assert check_output(tmp_path / "ok.xlsx", inputs=[rules, data]) == tmp_path / "ok.xlsx"
    assert sorted(p.name for p in data.iterdir()) == ["agencies.csv"]


def test_written_file_gets_normal_permissions(result, tmp_path):
    target = tmp_path / "cchc.xlsx"
    write_workbook(result, target, created=STAMP)
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_long_ledger_continues_on_further_sheets(result, tmp_path, monkeypatch):
    monkeypatch.setattr(wbmod, "LEDGER_ROWS_PER_SHEET", 20)
    path = tmp_path / "split.xlsx"
    write_workbook(result, path, created=STAMP)
    wb = openpyxl.load_workbook(path, read_only=True)
    # 4 departments × (4 leaves + 2 adjustments) + 5 communes × (2 + 2) = 44 rows: 20+20+4
    assert len(result.ledger) == 4 * 6 + 5 * 4
    parts = [sheet_label("ledger"), "Chi tiết điểm (2)", "Chi tiết điểm (3)"]
    assert [s for s in wb.sheetnames if s.startswith("Chi tiết")] == parts
    rows = [r for p in parts for r in wb[p].iter_rows(min_row=5, values_only=True)]
    assert [(r[0], r[3]) for r in rows] == list(zip(result.ledger["agency_id"],
                                                  result.ledger["leaf"], strict=True))


TRICKY = ["=SUM(A1:A2)", "+84", "-1", "@x", " leading", "trailing ", "a & b < c > d",
          "_x0041_ stays", "bell\x07", "tab\tand\nnewline", "Xã Diên Điền", ""]


def _sheet(path: Path, constant_memory: bool):
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory,
                                         "strings_to_formulas": False})
    ws = wb.add_worksheet("s")
    fmt = wb.add_format({"num_format": "0.00", "border": 1})
    ws.write_string(0, 0, "heading")
    data = [list(TRICKY), [1.5, None, -2.0, 1e-7, 123456789.123, 0.1 + 0.2, None, 3.0,
                           4.0, 5.0, 6.0, 7.0]]
    write_rows(ws, 1, 0, [[v or None for v in data[0]], data[1]], numeric=[False, True],
               formats=[None, fmt])
    ws.autofilter(0, 0, len(TRICKY), 1)
    wb.close()
    return [[(c.value, c.number_format, c.data_type) for c in row]
            for row in openpyxl.load_workbook(path)["s"].iter_rows()]


def test_rows_read_back_the_same_streamed_or_not(tmp_path):
    fast = _sheet(tmp_path / "fast.xlsx", True)
    slow = _sheet(tmp_path / "slow.xlsx", False)
    # (openpyxl reads inline "_x005F_x0041_" literally; Excel shows "_x0041_" for both)
    assert [r for r in fast if "_x" not in str(r[0][0])] == \
        [r for r in slow if "_x" not in str(r[0][0])]
    # (openpyxl leaves Excel's _xHHHH_ escapes of "_x0041_" and "\x07" as written)
    plain = [i for i, t in enumerate(TRICKY) if "_x" not in t and "\x07" not in t]
    assert [fast[1 + i][0][0] for i in plain] == [TRICKY[i] or None for i in plain]
    assert all(r[0][2] in ("s", "n") for r in fast)  # text, never a formula
    # numbers keep their digits
    assert abs(fast[6][1][0] - (0.1 + 0.2)) < 1e-15 and fast[1][1][1] == "0.00"
    assert fast[5][1][0] == 123456789.123
