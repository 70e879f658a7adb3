"""The seed report as the files a province publishes, built for the tests (no binaries).

:func:`write_docx` writes the 2022 report as a Word document: paragraphs for the headings
and notes, and each appendix as ONE real Word table — a row per task (the page-break
fragments of the text joined back, as Word holds them), header rows marked to repeat on
every page, Phụ lục 2 with its two-level header made of merged cells. :func:`write_pdf`
prints that document to PDF with LibreOffice, as a user would. :func:`write_dossier_xlsx`
writes Phụ lục 2 as the statistics export of a provincial TTHC system: title rows, a
two-level merged header, numbers as numbers, group subtotal rows.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scoring.importer.source import clean_cell, join_continuation, read_report
from scoring.text import fold


@dataclass
class _Table:
    header: list[list[str]] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def seed_blocks(seed: Path) -> list[str | _Table]:
    """The seed as paragraphs (str) and tables (header rows, body rows of raw cells).

    Repeated header rows (page breaks) are dropped and a row with an empty Stt under a
    task is joined to that task cell by cell, as in the Word original.
    """
    blocks: list[str | _Table] = []
    table: _Table | None = None
    after_header = False
    for ln in read_report(seed).lines:
        text = ln.text.strip()
        if not text:
            continue
        cells = ln.cells
        if len(cells) == 1:
            blocks.append(text)
            table = None
            continue
        first = clean_cell(cells[0])
        if table is None:
            table = _Table()
            blocks.append(table)
        if fold(first) == "stt":
            if not table.header:
                table.header.append(cells)
            after_header = True
            continue
        sub_heading = after_header and len(cells) > 3 and fold(clean_cell(cells[3])) == "tong"
        after_header = False
        if sub_heading:
            if len(table.header) == 1:
                table.header.append(cells)
            continue
        if first == "" and table.rows and len(table.header) == 1:
            prev = table.rows[-1]
            table.rows[-1] = [join_continuation(clean_cell(a), clean_cell(b))
                              for a, b in zip(prev, cells, strict=True)]
            continue
        table.rows.append(cells)
    return blocks


def _fill(cell, raw: str) -> None:
    """Write a raw seed cell into a Word cell: one paragraph per line, bold kept."""
    lines = clean_cell(raw).split("\n") if raw else [""]
    bold = "<b>" in raw
    cell.paragraphs[0].text = ""
    for i, line in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.add_run(line).bold = bold


def _row_property(row, name: str) -> None:
    """Set an on/off row property (``w:tblHeader`` repeats it, ``w:cantSplit`` keeps it
    on one page)."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement(name))


# column widths (cm) of the two appendices on a landscape A4 page
_WIDTHS = {6: [1.0, 5.0, 3.5, 2.5, 5.0, 9.5], 14: [1.0, 6.2] + [1.55] * 12}


def write_docx(seed: Path, path: Path) -> Path:
    """Write the seed report as a Word document with real tables."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.styles["Normal"].font.size = Pt(8)
    for block in seed_blocks(seed):
        if isinstance(block, str):
            p = doc.add_paragraph()
            p.add_run(block.strip("* ")).bold = block.startswith("**")
            continue
        width = len(block.header[0])
        table = doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        table.autofit = False
        widths = _WIDTHS.get(width, [26.0 / width] * width)
        for column, cm in zip(table.columns, widths, strict=True):
            column.width = Cm(cm)
        for raw in (*block.header, *block.rows):
            row = table.add_row()
            for cell, text, cm in zip(row.cells, [*raw, *[""] * width][:width], widths,
                                      strict=True):
                cell.width = Cm(cm)
                _fill(cell, text)
        for r, row in enumerate(table.rows):
            if r < len(block.header):
                _row_property(row, "w:tblHeader")
            if width == 14:  # the statistics rows are one line each: never split
                _row_property(row, "w:cantSplit")
        if len(block.header) == 2:  # two-level header: merge as the published table
            top, sub = block.header
            for c in range(width):
                if clean_cell(top[c]) and c < len(sub) and not clean_cell(sub[c]):
                    table.cell(0, c).merge(table.cell(1, c))
            c = 0
            while c < width:
                end = c + 1
                while end < width and not clean_cell(top[end]) and clean_cell(sub[end]):
                    end += 1
                if end - c > 1:
                    table.cell(0, c).merge(table.cell(0, end - 1))
                c = end
    doc.save(str(path))
    return path


def soffice_convert(src: Path, target: str, out_dir: Path) -> Path:
    """Convert ``src`` with headless LibreOffice (its own profile), return the new file."""
    from reports.render import find_soffice

    exe = find_soffice()
    assert exe is not None, "LibreOffice is not installed"
    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as profile:
        subprocess.run([exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
                        "--convert-to", target, "--outdir", str(out_dir), str(src)],
                       check=True, capture_output=True, timeout=240,
                       env={**os.environ, "HOME": profile})
    out = out_dir / f"{src.stem}.{target.split(':')[0]}"
    assert out.is_file(), f"LibreOffice did not write {out}"
    return out


def write_pdf(seed: Path, path: Path) -> Path:
    """Print the Word version of the seed to PDF with LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        src = write_docx(seed, Path(tmp) / f"{path.stem}.docx")
        out = soffice_convert(src, "pdf", Path(tmp))
        path.write_bytes(out.read_bytes())
    return path


def strip_location(csv_text: str, column: str) -> list[dict[str, str]]:
    """Rows of a CSV without one column (the location, which differs by format)."""
    import csv
    import io

    return [{k: v for k, v in row.items() if k != column}
            for row in csv.DictReader(io.StringIO(csv_text))]


def squash(text: str) -> str:
    """Text with every run of white space made one space (PDF line wrapping)."""
    return re.sub(r"\s+", " ", text).strip()


# the header of the provincial system's statistics export (two levels, merged cells)
EXPORT_GROUPS = (
    ("Tổng số hồ sơ tiếp nhận", ()),
    ("Đã giải quyết", ("Tổng số", "Đúng hạn/Trước hạn", "Trễ hạn")),
    ("Đang giải quyết", ("Tổng số", "Trong hạn", "Quá hạn")),
    ("Hồ sơ trễ hạn", ("Số lượng", "Tỷ lệ (%)")),
    ("Trực tuyến", ("Số hồ sơ trực tuyến", "Tổng số hồ sơ phát sinh", "Tỷ lệ (%)")),
)


def write_dossier_xlsx(seed: Path, path: Path, *, rename: dict[str, str] | None = None,
                       sheet: str = "Thống kê") -> Path:
    """Phụ lục 2 of the seed as a TTHC system export, on a sheet after a cover sheet: title
    rows, the period, a two-level merged header, a row of column numbers, numbers as
    numbers (rates as fractions shown as percentages), bold subtotal rows and a grand total
    merged over Stt and name.

    ``rename`` changes unit names (to misspell one). The values are read from the seed by
    the independent reader of tests/importer/seed_raw.py, not by the importer.
    """
    import openpyxl
    from openpyxl.styles import Alignment, Font

    from tests.importer.seed_raw import COLS, rows

    wb = openpyxl.Workbook()
    cover = wb.active  # systems put a cover sheet first: the table is found on the next one
    cover.title = "Thông tin"
    cover["A1"] = "Hệ thống thông tin giải quyết thủ tục hành chính tỉnh Khánh Hòa"
    cover["A2"] = "Đơn vị: Tổng số hồ sơ"
    ws = wb.create_sheet(sheet)
    ws["A1"] = "UBND TỈNH KHÁNH HÒA"
    ws["A2"] = "THỐNG KÊ TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH"
    ws.merge_cells("A2:N2")
    ws["A3"] = "Kỳ thống kê: Từ ngày 15/12/2021 đến ngày 14/12/2022"
    ws.merge_cells("A3:N3")
    top, sub = 5, 6
    ws.cell(top, 1, "STT")
    ws.merge_cells(start_row=top, start_column=1, end_row=sub, end_column=1)
    ws.cell(top, 2, "Đơn vị")
    ws.merge_cells(start_row=top, start_column=2, end_row=sub, end_column=2)
    col = 3
    for name, subs in EXPORT_GROUPS:
        ws.cell(top, col, name)
        if not subs:
            ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
            col += 1
            continue
        ws.merge_cells(start_row=top, start_column=col, end_row=top,
                       end_column=col + len(subs) - 1)
        for k, s in enumerate(subs):
            ws.cell(sub, col + k, s)
        col += len(subs)
    for c in range(1, 15):
        ws.cell(sub + 1, c, f"({c})")
        for r in (top, sub):
            ws.cell(r, c).font = Font(bold=True)
            ws.cell(r, c).alignment = Alignment(wrap_text=True, horizontal="center")
    r = sub + 2
    for row in rows(seed):
        label = (rename or {}).get(row["label"], row["label"])
        stt = int(row["stt"]) if row["stt"].isdigit() else row["stt"]
        bold = not isinstance(stt, int) and stt not in ("-", "+")
        if label == "TỔNG":
            ws.cell(r, 1, "TỔNG")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
        else:
            ws.cell(r, 1, stt)
            ws.cell(r, 2, label)
        for c, column in enumerate(COLS, start=3):
            value = row[column]
            if value is None:
                continue
            cell = ws.cell(r, c, value / 100 if column.endswith("_rate") else value)
            cell.number_format = "0.00%" if column.endswith("_rate") else "#,##0"
        for c in range(1, 15):
            ws.cell(r, c).font = Font(bold=bold)
        r += 1
    ws.cell(r + 1, 2, "Người lập biểu")
    wb.save(str(path))
    return path
