"""Reading the report text: encoding checks, lines, cells and markup removal.

The seed is text extracted from a PDF: tab-separated table rows with some HTML inside
cells (``<p>``, ``<ul><li>``, ``<b>``, ``<i>``, entities). :func:`clean_cell` turns a cell
into plain text, one line per paragraph or list item.

Examples
--------
>>> clean_cell("<ul> <li>- Một</li> <li>- Hai</li> </ul>")
'- Một\\n- Hai'
>>> clean_cell("<b>346.143</b>")
'346.143'
>>> clean_cell("<p>A &amp; B</p> <p>C</p>")
'A & B\\nC'
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.text import nfc

_BLOCK = re.compile(r"</?(?:p|li|ul|ol|div|br|tr|h\d)\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Line:
    """One line of the report: 1-based number, raw text and its tab-separated cells.

    Word and PDF reports are read into the same lines (one per paragraph or table row,
    cells joined by tabs, markup escaped); ``where`` then says where the line is in the
    original (``"bảng 2, hàng 15"``) and ``number`` only orders the lines.
    """

    number: int
    text: str
    where: str = ""

    @property
    def cells(self) -> list[str]:
        """The tab-separated cells, as written."""
        return self.text.split("\t")


@dataclass(frozen=True)
class Report:
    """A report read into memory (NFC text) with its checksum."""

    path: Path
    lines: tuple[Line, ...]
    sha256: str
    format: str = "text"

    def locate(self, number: int | None) -> int | str | None:
        """The location of line ``number`` as a person finds it in the original.

        The line number itself for a text report; ``"bảng 2, hàng 15"`` (Word) or
        ``"trang 3, bảng 1, hàng 4"`` (PDF) for the others.
        """
        if number is None or self.format == "text":
            return number
        return self.lines[number - 1].where or number


def read_report(path: Path) -> Report:
    """Read a report file as UTF-8 text (BOM accepted), NFC-normalised.

    Parameters
    ----------
    path : Path
        The ``.txt`` report.

    Raises
    ------
    DataError
        The file is missing, is a folder, is empty or is not UTF-8 text.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.txt"
    >>> _ = p.write_text("a\\tb\\n", encoding="utf-8")
    >>> read_report(p).lines[0].cells
    ['a', 'b']
    """
    path = Path(path)
    if not path.exists():
        raise DataError(Problem(_("the report file does not exist"), file=path,
                                fix=_("check the path (e.g. {example})").format(
                                    example="datasets/sources/000_aa68a87f1e8bdfdf.txt")))
    if not path.is_file():
        raise DataError(Problem(_("the report path is not a file"), file=path,
                                fix=_("pass the report file itself, not a folder")))
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        raise DataError(Problem(
            _("the report is not UTF-8 text (byte 0x{byte} at offset {offset})").format(
                byte=f"{data[err.start]:02x}", offset=err.start), file=path, line=line,
            fix=_("re-export or convert the report to UTF-8 (e.g. {example})").format(
                example="iconv -f WINDOWS-1258 -t UTF-8"))) from None
    if not text.strip():
        raise DataError(Problem(_("the report is empty"), file=path,
                                fix=_("pass the full text of the published report")))
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    lines = tuple(Line(i, t) for i, t in enumerate(text.split("\n"), start=1))
    return Report(path, lines, hashlib.sha256(data).hexdigest())


def cells_line(number: int, cells: list[list[str]], where: str) -> Line:
    """A table row read from a Word or PDF report, as a line of the text format.

    Each cell is a list of paragraphs; they are escaped and joined with ``<br>`` so that
    :func:`clean_cell` gives them back one per line, and cells are joined by tabs.

    Examples
    --------
    >>> ln = cells_line(7, [["1"], ["A & B", "C"]], "bảng 1, hàng 2")
    >>> [clean_cell(c) for c in ln.cells]
    ['1', 'A & B\\nC']
    """
    text = "\t".join("<br>".join(html.escape(_SPACES.sub(" ", nfc(p)).strip(), quote=False)
                                 for p in paragraphs if p.strip())
                      for paragraphs in cells)
    return Line(number, text, where)


def paragraph_line(number: int, text: str, where: str) -> Line:
    """A paragraph outside the tables of a Word or PDF report, as one line of text."""
    return Line(number, _SPACES.sub(" ", nfc(text).replace("\t", " ")).strip(), where)


def clean_cell(text: str) -> str:
    """Plain text of one cell: markup removed, one line per paragraph or list item.

    Parameters
    ----------
    text : str
        The cell as written in the report.

    Returns
    -------
    str
        Lines separated by ``\\n``, each stripped, empty lines dropped.
    """
    text = _BLOCK.sub("\n", text)
    text = _TAG.sub("", text)
    text = html.unescape(text)
    out = []
    for part in text.split("\n"):
        part = _SPACES.sub(" ", part).strip()
        if part:
            out.append(part)
    return "\n".join(out)


def join_continuation(before: str, after: str) -> str:
    """Append a continuation fragment (the next page's part of a cell) to ``before``.

    A fragment that continues mid-sentence is joined to the last line with a space (or
    with nothing after a trailing ``-`` or ``/``, as in ``"222/BC-"`` + ``"UBND"``);
    after a finished sentence it starts a new line.

    Examples
    --------
    >>> join_continuation("Ban hành Báo cáo số 222/BC-", "UBND ngày 08/9/2022")
    'Ban hành Báo cáo số 222/BC-UBND ngày 08/9/2022'
    >>> join_continuation("quyền sử", "dụng đất")
    'quyền sử dụng đất'
    >>> join_continuation("Đã xong.", "- Việc khác")
    'Đã xong.\\n- Việc khác'
    """
    if not before:
        return after
    if not after:
        return before
    tail = before.rstrip()
    if tail.endswith((".", ";", "!", "?", ":")) and not after[:1].islower():
        return f"{tail}\n{after}"
    if tail.endswith(("-", "/")) and not tail.endswith((" -", " /")):
        return tail + after
    return f"{tail} {after}"


def complete_report() -> str:
    """The fix for a report whose text stops early or lacks a part."""
    return _("use the complete report (every page, both appendices)")


def wrong_cells(found: int, expected: int) -> str:
    """A table row with the wrong number of cells."""
    return _("the row has {found} cells, expected {expected}").format(found=found,
                                                                       expected=expected)


def restore_cell() -> str:
    """The fix for a row that lost a cell."""
    return _("restore the missing column (cells are separated by tabs; a blank cell is still "
             "a cell)")
