"""Which reader reads a report: text (the seed format), Word (``.docx``) or PDF.

All three give the same :class:`scoring.importer.source.Report` — lines of tab-separated
cells — so one parser reads every format; only the location of a line differs (line
number, ``bảng 2, hàng 15``, ``trang 3, bảng 1, hàng 4``).
"""

from __future__ import annotations

from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.importer.pdf import read_pdf
from scoring.importer.source import Report, read_report
from scoring.importer.word import read_docx

REPORT_FORMATS = {".docx": "docx", ".pdf": "pdf"}


def read_source(path: Path) -> Report:
    """Read a report in any supported format, chosen by its extension.

    ``.docx`` → Word tables, ``.pdf`` → the PDF's text layer, anything else → the text
    format (UTF-8, tab-separated rows).

    Raises
    ------
    DataError
        A missing file, an old ``.doc``/``.rtf`` file, or a file its reader cannot read.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".doc", ".rtf", ".odt") and path.is_file():
        raise DataError(Problem(
            _("{suffix} files are not read directly").format(suffix=suffix), file=path,
            fix=_("open the report in Word or LibreOffice and save it as .docx (Word "
                  "document), then import the .docx")))
    fmt = REPORT_FORMATS.get(suffix)
    if fmt is None or not path.is_file():
        return read_report(path)
    if fmt == "docx":
        return read_docx(path)
    return read_pdf(path)
