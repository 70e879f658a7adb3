"""The decision appendix as Word (read back with python-docx) and as PDF (LibreOffice)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from cchc.cli import main
from reports.annual import appendices
from reports.docx import build_appendix
from scoring.appraisal import compare_self


@pytest.fixture(scope="module")
def docx_file(annual_data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out")
    prev = folder / "prev.csv"
    prev.write_text("agency_id,rank,index\nso-tai-chinh,1,100\n", encoding="utf-8")
    target = folder / "phu-luc.docx"
    assert main(["rank", "--data", str(annual_data), "-o", str(folder / "x.xlsx"), "--docx",
                 str(target), "--previous", str(prev)]) == 0
    return target


def _cells(row):
    return [c.text for c in row.cells]


def test_one_landscape_a4_section_per_appendix_numbered_from_one(docx_file, annual_result) -> None:
    doc = Document(str(docx_file))
    present = set(annual_result.totals["group"])
    groups = [g for g in annual_result.rules.groups if g.id in present]
    assert len(doc.sections) == len(groups) == 3
    for k, section in enumerate(doc.sections):
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert abs(section.page_width - Mm(297)) < Mm(1)
        assert abs(section.page_height - Mm(210)) < Mm(1)
        pg = section._sectPr.find(qn("w:pgNumType"))
        assert pg is not None and pg.get(qn("w:start")) == "1"
        footer = section.footer
        assert not footer.is_linked_to_previous
        xml = footer.paragraphs[0]._p.xml
        assert "PAGE" in xml and "fldChar" in xml
        roman = ("I", "II", "III")[k]
        assert footer.paragraphs[0].text.startswith(f"Phụ lục {roman} – Trang")


def test_title_blocks_and_font(docx_file) -> None:
    doc = Document(str(docx_file))
    texts = [p.text for p in doc.paragraphs if p.text]
    assert texts[0] == "Phụ lục I"
    assert texts[1] == "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022 CỦA CÁC SỞ, BAN, NGÀNH"
    assert texts[2].startswith("(Kèm theo Quyết định số")
    assert "Phụ lục II" in texts and "Phụ lục III" in texts
    fonts = {el.get(qn("w:ascii")) for el in doc.element.body.iter(qn("w:rFonts"))}
    assert fonts == {"Times New Roman"}
    assert doc.styles["Normal"].font.name == "Times New Roman"


def test_ranking_table_with_repeated_heading_row(docx_file, annual_result) -> None:
    doc = Document(str(docx_file))
    ranking = [t for t in doc.tables if t.rows[0].cells[1].text == "Cơ quan, đơn vị"]
    assert len(ranking) == 3
    head = _cells(ranking[0].rows[0])
    assert head == ["STT", "Cơ quan, đơn vị", "Điểm tự đánh giá", "Điểm thẩm định",
                    "Điểm điều tra XHH", "Tổng điểm", "Chỉ số CCHC (%)", "Xếp hạng",
                    "Xếp loại", "Xếp hạng năm trước", "Tăng/giảm"]
    for table in ranking:
        tr = table.rows[0]._tr
        assert tr.trPr.find(qn("w:tblHeader")) is not None
        assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in table.rows[1:])
    depts = annual_result.totals[annual_result.totals["group"] == "department"]
    rows = {r[1]: r for r in map(_cells, ranking[0].rows[1:])}
    assert len(rows) == len(depts)
    tc = rows["Sở Tài chính"]
    rank = int(depts.at["so-tai-chinh", "rank"])
    assert tc[2:6] == ["17,00", "15,50", "4,00", "19,50"]
    assert tc[7] == str(rank) and tc[9:] == ["1", f"↓{rank - 1}"]
    assert rows["Sở Y tế"][10] == "mới" and rows["Sở Y tế"][2] == ""
    communes = _cells(ranking[2].rows[0])
    assert communes[2] == "Thuộc"  # communes share names: the district is shown


def test_class_counts_add_up(docx_file, annual_result) -> None:
    doc = Document(str(docx_file))
    counts = [t for t in doc.tables if t.rows[0].cells[1].text.startswith("Xếp loại (")]
    assert len(counts) == 3
    depts = annual_result.totals[annual_result.totals["group"] == "department"]
    body = [_cells(r) for r in counts[0].rows[1:]]
    assert body[-1][1:3] == ["Tổng cộng", str(len(depts))]
    by_class = depts["class"].value_counts()
    for row in body[:-1]:
        label = row[1].split(" (")[0]
        assert int(row[2]) == by_class.get(label, 0)


def test_build_without_previous_has_no_last_year_columns(annual_result) -> None:
    doc = build_appendix(appendices(annual_result, compare_self(annual_result)))
    assert "Tăng/giảm" not in [c.text for c in doc.tables[0].rows[0].cells]


def test_bad_target_fails_before_any_work(tmp_path, capsys) -> None:
    assert main(["rank", "-o", str(tmp_path / "a.xlsx"), "--docx",
                 str(tmp_path / "phu-luc.doc")]) == 2
    assert "--docx" in capsys.readouterr().err
    assert not (tmp_path / "a.xlsx").exists()
    assert main(["rank", "-o", str(tmp_path / "a.xlsx"), "--pdf",
                 str(tmp_path / "no" / "x.pdf")]) == 2
    assert not (tmp_path / "a.xlsx").exists()


def test_pdf_without_libreoffice_is_one_clear_message(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["rank", "-o", str(tmp_path / "a.xlsx"), "--pdf",
                 str(tmp_path / "x.pdf")]) == 2
    err = capsys.readouterr().err
    assert "LibreOffice" in err and "Traceback" not in err
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "a.xlsx").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed")
def test_pdf_is_a4_landscape_with_every_appendix(annual_data, tmp_path) -> None:
    target = tmp_path / "phu-luc.pdf"
    assert main(["rank", "--data", str(annual_data), "-o", str(tmp_path / "x.xlsx"), "--pdf",
                 str(target)]) == 0
    info = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True,
                          check=True).stdout
    assert "841.89 x 595.3" in info  # A4 landscape, in points
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = text.split("\f")
    for roman in ("I", "II", "III"):
        assert f"Phụ lục {roman} – Trang 1" in text
    # the heading row is repeated on every page of the long commune table
    commune_pages = [p for p in pages if "Phụ lục III – Trang" in p]
    assert len(commune_pages) > 1
    assert all("Cơ quan, đơn vị" in p for p in commune_pages)
    assert not list(tmp_path.glob(".cchc-*"))  # no temporary folder left behind
