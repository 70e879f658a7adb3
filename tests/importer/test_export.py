"""``cchc import-dossiers``: the TTHC system export (built from the seed by
tests/importer/report_files.py) gives the text import's dossiers.csv; wrong names stop it
with their row and a suggestion, and nothing is written."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from cchc.cli import main
from reports.render import find_soffice
from scoring.errors import DataError
from scoring.i18n import language
from scoring.importer.dossier_import import import_dossiers
from scoring.importer.export import cell_number, find_header, known_columns, normalise
from scoring.importer.sheets import Cell, Sheet, read_sheets
from tests.importer.report_files import soffice_convert, strip_location, write_dossier_xlsx


@pytest.fixture
def dataset(text_dataset: Path, tmp_path: Path) -> Path:
    """A copy of the text import to write into."""
    out = tmp_path / "ds"
    shutil.copytree(text_dataset, out)
    return out


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _dossiers(folder: Path) -> list[dict[str, str]]:
    return strip_location((folder / "dossiers.csv").read_text("utf-8"), "source_line")


def test_excel_export_gives_the_text_import_dossiers(seed_report: Path, text_dataset: Path,
                                                     dataset: Path, tmp_path: Path) -> None:
    export = write_dossier_xlsx(seed_report, tmp_path / "thong-ke.xlsx")
    with language("vi"):
        result = import_dossiers(export, dataset)
    assert _dossiers(dataset) == _dossiers(text_dataset)
    assert result.header.row == 5 and result.header.depth == 2
    assert result.rows == 173 and result.subtotals == 12  # A, B, C, 8 districts, TỔNG
    places = [r["source_line"] for r in
              strip_location((dataset / "dossiers.csv").read_text("utf-8"), "")]
    assert places[0] == "trang tính Thống kê, hàng 9"  # after the title, header, (1)…(14)
    # the subtotal checks of the text import, now located in the sheet
    warnings = [f for f in result.findings if f.severity == "warning"]
    text_warnings = [r for r in strip_location(
        (text_dataset / "findings.csv").read_text("utf-8"), "line")
        if r["table"] == "dossiers" and r["severity"] == "warning"]
    assert [(f.agency, f.column, f.published, f.expected) for f in warnings] == \
        [(r["agency"], r["column"], r["published"], r["expected"]) for r in text_warnings]
    assert all(str(f.line).startswith("trang tính Thống kê, hàng ") for f in warnings)
    # the other findings (tasks, agencies) are kept, the dossier ones replaced
    after = strip_location((dataset / "findings.csv").read_text("utf-8"), "line")
    assert [r for r in after if r["table"] != "dossiers"] == \
        [r for r in strip_location((text_dataset / "findings.csv").read_text("utf-8"), "line")
         if r["table"] != "dossiers"]
    manifest = json.loads((dataset / "manifest.json").read_text("utf-8"))
    assert manifest["dossiers_source"]["file"] == "thong-ke.xlsx"
    assert manifest["dossiers_source"]["format"] == "xlsx"
    assert manifest["dossiers_source"]["period"] == {"start": "2021-12-15",
                                                     "end": "2022-12-14"}
    assert manifest["files"]["dossiers.csv"] != json.loads(
        (text_dataset / "manifest.json").read_text("utf-8"))["files"]["dossiers.csv"]


def test_misspelt_unit_is_reported_with_row_and_suggestion(
        seed_report: Path, dataset: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    export = write_dossier_xlsx(seed_report, tmp_path / "sai.xlsx",
                                rename={"Sở Du lịch": "Sở Du lic",
                                        "UBND xã Ninh Tây": "UBND xã Ninh Tay B"})
    before = _snapshot(dataset)
    with language("vi"):
        code = main(["import-dossiers", str(export), "--out", str(dataset)])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "sai.xlsx:trang tính Thống kê, hàng 11: unit: 'Sở Du lic'" in err
    assert "'Sở Du lịch' (so-du-lich)" in err
    assert "hàng 185" in err and "UBND xã Ninh Tây" in err  # every row is reported
    assert _snapshot(dataset) == before  # nothing written
    assert not [p for p in dataset.parent.iterdir() if p.name.startswith(".")]


def test_skip_and_new_units(seed_report: Path, dataset: Path, tmp_path: Path) -> None:
    export = write_dossier_xlsx(seed_report, tmp_path / "moi.xlsx",
                                rename={"UBND xã Ninh Tây": "UBND xã Ninh Tây Mới"})
    with language("en"):
        skipped = import_dossiers(export, dataset, skip=["UBND xã Ninh Tây Mới"])
    assert skipped.rows == 172 and len(skipped.skipped) == 1
    assert "ninh-hoa-xa-ninh-tay" not in (dataset / "dossiers.csv").read_text("utf-8")
    with language("en"):
        added = import_dossiers(export, dataset, new_units=True)
    assert [a.agency_id for a in added.new_agencies] == ["ubnd-xa-ninh-tay-moi"]
    new = added.new_agencies[0]
    assert (new.group, new.parent_id) == ("commune", "ubnd-thi-xa-ninh-hoa")
    assert "ubnd-xa-ninh-tay-moi,UBND xã Ninh Tây Mới,commune,ubnd-thi-xa-ninh-hoa" in \
        (dataset / "agencies.csv").read_text("utf-8")
    manifest = json.loads((dataset / "manifest.json").read_text("utf-8"))
    assert manifest["dossiers_source"]["new_agencies"] == ["ubnd-xa-ninh-tay-moi"]


def _tiny(tmp_path: Path, export_text: str) -> tuple[Path, Path]:
    """A dataset of three agencies (two communes share a name) and a CSV export."""
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "agencies.csv").write_text(
        "agency_id,name,group,parent_id,aliases\n"
        "so-y-te,Sở Y tế,department,,Sở YT\n"
        "a-xa-tan-an,UBND xã Tân An,commune,,\n"
        "b-xa-tan-an,UBND xã Tân An,commune,,\n", encoding="utf-8")
    export = tmp_path / "xuat.csv"
    export.write_text(export_text, encoding="utf-8")
    return folder, export


def test_csv_with_vietnamese_numbers_and_a_column_map(tmp_path: Path) -> None:
    out, export = _tiny(tmp_path, "Báo cáo tình hình giải quyết TTHC;;;;;\n"
                                  "Tên đơn vị;Nhận trong kỳ;Đã giải quyết;;;Ghi chú\n"
                                  ";;Tổng số;Đúng hạn;Quá hạn;\n"
                                  "Sở YT;1.234;1.200;1.190;10;\n"
                                  "Tổng cộng;1.234;1.200;1.190;10;\n")
    with language("en"), pytest.raises(DataError) as err:
        import_dossiers(export, out)
    assert "no column for received" in str(err.value) and "--columns" in str(err.value)
    column_map = tmp_path / "cot.yaml"
    column_map.write_text('columns:\n  received: "Nhận trong kỳ"\n', encoding="utf-8")
    result = import_dossiers(export, out, columns=column_map)
    assert result.rows == 1 and result.subtotals == 1 and not result.findings
    row = strip_location((out / "dossiers.csv").read_text("utf-8"), "source_line")[0]
    assert (row["agency_id"], row["received"], row["resolved"], row["resolved_late"]) == \
        ("so-y-te", "1234", "1200", "10")
    assert row["pending"] == ""  # not in the export: blank, never invented


def test_identities_become_findings(tmp_path: Path) -> None:
    out, export = _tiny(tmp_path, "Đơn vị,Tiếp nhận,Đã giải quyết,,\n,,Tổng,Đúng hạn,Trễ hạn\n"
                                  "Sở Y tế,50,40,30,5\nTổng,50,41,30,5\n")
    with language("en"):
        result = import_dossiers(export, out)
    found = {(f.agency, f.column, f.published, f.expected) for f in result.findings}
    assert ("so-y-te", "resolved", "40", "35") in found  # 40 ≠ 30 + 5
    assert ("Tổng", "resolved", "41", "40") in found  # the total ≠ the sum of its rows


def test_sub_groups_without_stt_are_checked_not_imported(tmp_path: Path) -> None:
    out, export = _tiny(tmp_path, "Đơn vị,Tiếp nhận,Đã giải quyết,,\n,,Tổng,Đúng hạn,Trễ hạn\n"
                                  "Thuộc huyện A,7,5,5,0\nSở Y tế,5,5,5,0\n"
                                  "Tổng cộng,6,5,5,0\n")
    with language("en"):
        result = import_dossiers(export, out)
    assert result.rows == 1 and result.subtotals == 2
    assert {(f.agency, f.column, f.published, f.expected) for f in result.findings} == {
        ("Thuộc huyện A", "received", "7", "5"), ("Tổng cộng", "received", "6", "7")}


def test_ambiguous_name_is_reported(tmp_path: Path) -> None:
    out, export = _tiny(tmp_path, "Đơn vị,Tiếp nhận,Đã giải quyết,,\n,,Tổng,Đúng hạn,Trễ hạn\n"
                                  "UBND xã Tân An,5,4,4,0\n")
    with language("en"), pytest.raises(DataError) as err:
        import_dossiers(export, out, new_units=True)
    assert "matches several agencies: a-xa-tan-an, b-xa-tan-an" in str(err.value)
    assert "xuat.csv:sheet xuat, row 3" in str(err.value)
    assert not (out / "dossiers.csv").exists()


def test_header_found_whatever_the_row_and_merges() -> None:
    rows = ((1, (Cell("Tiêu đề"),)), (2, ()),
            (3, (Cell("TT"), Cell("Cơ quan, đơn vị"), Cell("Tiếp nhận"), Cell("Đã xử lý"),
                 Cell("Đã xử lý", merged=True), Cell("Đã xử lý", merged=True))),
            (4, (Cell("TT", merged=True), Cell("Cơ quan, đơn vị", merged=True),
                 Cell("Tiếp nhận", merged=True), Cell("Tổng số"), Cell("Trước hạn"),
                 Cell("Quá hạn"))))
    header = find_header(Sheet("S", rows))
    assert header is not None and (header.row, header.depth, header.unit) == (3, 2, 1)
    assert header.columns == {"received": 2, "resolved": 3, "resolved_on_time": 4,
                              "resolved_late": 5}
    assert find_header(Sheet("S", rows[:2])) is None


def test_numbers_as_numbers_or_vietnamese_text() -> None:
    assert cell_number(Cell(1234)).value == 1234
    assert cell_number(Cell(1234.0)).value == 1234
    assert cell_number(Cell("1.234")).value == 1234
    assert cell_number(Cell("-")).value == 0
    assert cell_number(Cell(None)) is None
    rate = cell_number(Cell(0.4889, percent=True, decimals=2))
    assert f"{rate.value:.2f}" == "48.89" and rate.text == "48,89%"
    assert cell_number(Cell("2,33%")).value == 2.33
    with pytest.raises(ValueError):
        cell_number(Cell("mười"))
    assert normalise("Đúng hạn/ Trước hạn") == "dung han truoc han"
    names = dict(known_columns())
    assert "tiep nhan" in names["received"] and len(names) == 12


def test_unknown_sheet_and_missing_folder(seed_report: Path, dataset: Path,
                                          tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    export = write_dossier_xlsx(seed_report, tmp_path / "tk.xlsx")
    with language("en"):
        assert main(["import-dossiers", str(export), "--out", str(dataset),
                     "--sheet", "Sheet9"]) == 2
        assert main(["import-dossiers", str(export), "--out", str(tmp_path / "none")]) == 2
        assert main(["import-dossiers", str(tmp_path / "x.pdf"), "--out", str(dataset)]) == 1
    err = capsys.readouterr().err
    assert "no sheet named 'Sheet9'" in err and "Thống kê" in err
    assert "import the year's report first" in err
    assert "Traceback" not in err


@pytest.mark.slow
def test_xls_export(seed_report: Path, text_dataset: Path, dataset: Path,
                    tmp_path: Path) -> None:
    """An Excel 97-2003 file (LibreOffice converts the .xlsx) is read with xlrd."""
    if find_soffice() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI (apt-get install libreoffice-calc)")
        pytest.skip("LibreOffice is not installed; install it to make the .xls file")
    xlsx = write_dossier_xlsx(seed_report, tmp_path / "thong-ke.xlsx")
    xls = soffice_convert(xlsx, "xls", tmp_path / "xls")
    sheets = read_sheets(xls)
    assert [s.name for s in sheets] == ["Thông tin", "Thống kê"]
    with language("vi"):
        import_dossiers(xls, dataset)
    assert _dossiers(dataset) == _dossiers(text_dataset)
    assert openpyxl.load_workbook(xlsx).sheetnames == ["Thông tin", "Thống kê"]


def test_docs_list_every_known_name() -> None:
    """docs/nam-moi.md lists every header name the importer knows."""
    from scoring.importer.export import GROUPS, SINGLE, STT_NAMES, TOTAL_NAMES, UNIT_NAMES
    from scoring.paths import REPO_ROOT

    text = (REPO_ROOT / "docs" / "nam-moi.md").read_text("utf-8")
    section = text[text.index("### Tên cột đã biết"):text.index("### Tệp ánh xạ cột")]
    pieces = [f" {normalise(p)} " for p in section.replace(";", "|").replace("/", "|")
              .replace("(", "|").split("|")]
    names = [*SINGLE, *STT_NAMES, *UNIT_NAMES, *TOTAL_NAMES]
    for tops, subs in GROUPS:
        names += [*tops, *subs]
    missing = [n for n in names if not any(f" {n} " in p for p in pieces)]
    assert not missing, f"docs/nam-moi.md does not list {missing}"
