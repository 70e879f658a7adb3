"""Reading the report as a PDF with a text layer: tables found by their ruling lines.

pdfplumber finds each table of a page by the lines drawn around its cells and gives its
rows; the text outside tables becomes paragraphs, in reading order. A row that a page
break cut in two comes back as two rows — the second with an empty Stt — exactly the
continuation rows the text format has, so the same parser joins them. Inside a cell the
lines the page wrapped are joined back into sentences (:func:`join_continuation`); a new
line is kept after a finished sentence or before a list item. Each line remembers where it
is: ``"trang 3, hàng 4"`` (page 3, row 4 of its table, counting the header rows).

A scanned PDF (pictures of pages, no text layer) cannot be read: the message says so.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.importer.source import (
    Line,
    Report,
    cells_line,
    join_continuation,
    paragraph_line,
)

_LIST_ITEM = re.compile(r"^[-+•]\s+\S")
_NUMBER = re.compile(r"^[\d.,%]+(?:\s*\n\s*[\d.,%]+)+$")


def cell_paragraphs(text: str | None) -> list[str]:
    """The paragraphs of a PDF table cell: wrapped lines joined back.

    Examples
    --------
    >>> cell_paragraphs("Ban hành Chương trình\\nxúc tiến đầu tư")
    ['Ban hành Chương trình xúc tiến đầu tư']
    >>> cell_paragraphs("346.1\\n43")
    ['346.143']
    >>> cell_paragraphs("Đã xong.\\n- Việc khác")
    ['Đã xong.', '- Việc khác']
    >>> cell_paragraphs("tổ chức thực hiện\\n- Các sở, ban, ngành")
    ['tổ chức thực hiện', '- Các sở, ban, ngành']
    """
    if _NUMBER.match(text or ""):  # a number the column was too narrow for
        return [re.sub(r"\s+", "", text)]
    joined = ""
    for part in (text or "").split("\n"):
        part = part.strip()
        if joined and _LIST_ITEM.match(part):
            joined = f"{joined}\n{part}"
        else:
            joined = join_continuation(joined, part)
    return joined.split("\n") if joined else []


def _page_lines(page, number: int, start: int) -> list[Line]:
    """Lines of one page: table rows and the text around the tables, top to bottom."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:
        x = (obj["x0"] + obj["x1"]) / 2
        y = (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom
                       for x0, top, x1, bottom in boxes)

    items: list[tuple[float, int, object]] = []
    for text_line in page.filter(outside).extract_text_lines():
        items.append((text_line["top"], 0, text_line["text"]))
    for t, table in enumerate(tables, start=1):
        items.append((table.bbox[1], t, table))
    out: list[Line] = []
    for _top, t, item in sorted(items, key=lambda i: (i[0], i[1])):
        if isinstance(item, str):
            out.append(paragraph_line(start + len(out), item,
                                      _("page {p}").format(p=number)))
            continue
        for r, row in enumerate(item.extract(), start=1):
            where = (_("page {p}, row {r}").format(p=number, r=r) if len(tables) == 1 else
                     _("page {p}, table {t}, row {r}").format(p=number, t=t, r=r))
            out.append(cells_line(start + len(out), [cell_paragraphs(c) for c in row], where))
        out.append(Line(start + len(out), "", ""))
    return out


def read_pdf(path: Path) -> Report:
    """Read a ``.pdf`` report (with a text layer) into lines: paragraphs and table rows.

    Raises
    ------
    DataError
        The file is not a readable PDF, or it has no text layer (a scan).
    """
    import pdfplumber  # optional heavy dependency, only for PDF reports
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    path = Path(path)
    data = path.read_bytes()
    lines: list[Line] = []
    has_text = False
    try:
        with pdfplumber.open(str(path)) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                has_text = has_text or bool(page.chars)
                lines += _page_lines(page, number, len(lines) + 1)
    except (PdfminerException, PDFSyntaxError, ValueError, TypeError, KeyError) as err:
        raise DataError(Problem(
            _("the file is not a PDF that can be read ({error})").format(
                error=type(err).__name__),
            file=path,
            fix=_("export the report again as PDF, or import the Word file (.docx)"))) from None
    if not has_text:
        raise DataError(Problem(
            _("the PDF has no text layer: it is a scan (pictures of the pages), and its "
              "tables cannot be read"),
            file=path,
            fix=_("import the report as Word (.docx) or as a PDF exported from the Word "
                  "file; a scanned copy must first be run through text recognition (OCR) "
                  "and checked by hand")))
    return Report(path, tuple(lines), hashlib.sha256(data).hexdigest(), "pdf")
