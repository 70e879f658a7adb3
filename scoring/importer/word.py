"""Reading the report as a Word document (``.docx``): paragraphs and real tables.

The appendices of a report published as Word are tables. They are read as tables — row
by row, cell by cell, with merged cells expanded to the grid — into the lines of the text
format (:class:`scoring.importer.source.Line`), so the same parsers read them. A
horizontally merged cell (``gridSpan``) keeps its text in its first grid column and leaves
the others blank; a vertically merged continuation (``vMerge``) is blank, exactly as the
header of the text report. Each line remembers where it is: ``"bảng 2, hàng 15"`` (table
2, row 15, counting the header rows) or ``"đoạn 4"`` (paragraph 4 outside tables).
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.importer.source import Line, Report, cells_line, paragraph_line

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _paragraph_text(p) -> str:
    """The text of a ``w:p`` element: runs, tabs as spaces, breaks as new lines."""
    out: list[str] = []
    for el in p.iter():
        if el.tag == f"{_W}t":
            out.append(el.text or "")
        elif el.tag == f"{_W}tab":
            out.append(" ")
        elif el.tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def _cell_paragraphs(tc) -> list[str]:
    """The paragraphs of one cell (nested tables read paragraph by paragraph)."""
    return [_paragraph_text(p) for p in tc.iter(f"{_W}p")]


def _row_cells(tr) -> list[list[str]]:
    """One table row on the grid: merged cells expanded, continuations blank."""
    cells: list[list[str]] = []
    props = tr.find(f"{_W}trPr")
    before = props.find(f"{_W}gridBefore") if props is not None else None
    if before is not None:
        cells += [[] for _ in range(int(before.get(f"{_W}val", "0")))]
    for tc in tr.findall(f"{_W}tc"):
        tc_pr = tc.find(f"{_W}tcPr")
        span, continued = 1, False
        if tc_pr is not None:
            grid_span = tc_pr.find(f"{_W}gridSpan")
            if grid_span is not None:
                span = int(grid_span.get(f"{_W}val", "1"))
            v_merge = tc_pr.find(f"{_W}vMerge")
            continued = v_merge is not None and v_merge.get(f"{_W}val") in (None, "continue")
        cells.append([] if continued else _cell_paragraphs(tc))
        cells += [[] for _ in range(span - 1)]
    return cells


def read_docx(path: Path) -> Report:
    """Read a ``.docx`` report into lines: one per paragraph and per table row.

    Parameters
    ----------
    path : Path
        The Word file.

    Raises
    ------
    DataError
        The file is not a Word (.docx) document.
    """
    import docx  # optional heavy dependency, only for Word reports
    from docx.opc.exceptions import OpcError

    path = Path(path)
    data = path.read_bytes()
    try:
        document = docx.Document(str(path))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError) as err:
        raise DataError(Problem(
            _("the file is not a Word document (.docx) that can be opened ({error})").format(
                error=type(err).__name__),
            file=path,
            fix=_("open it in Word or LibreOffice and save it again as .docx"))) from None
    lines: list[Line] = []
    n_tables = n_paragraphs = 0
    for block in document.element.body.iterchildren():
        if block.tag == f"{_W}p":
            n_paragraphs += 1
            for part in _paragraph_text(block).split("\n"):
                lines.append(paragraph_line(len(lines) + 1, part,
                                            _("paragraph {n}").format(n=n_paragraphs)))
        elif block.tag == f"{_W}tbl":
            n_tables += 1
            for r, tr in enumerate(block.findall(f"{_W}tr"), start=1):
                lines.append(cells_line(len(lines) + 1, _row_cells(tr),
                                        _("table {t}, row {r}").format(t=n_tables, r=r)))
            lines.append(Line(len(lines) + 1, "", ""))
    return Report(path, tuple(lines), hashlib.sha256(data).hexdigest(), "docx")
