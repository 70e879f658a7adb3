"""Reading a spreadsheet export (``.xlsx``, ``.xls``, ``.csv``) into a grid of cells.

Every cell keeps its value as the file holds it (a number, or text) and whether it is
shown as a percentage; merged cells are filled with the value of their first cell, so a
two-level header reads the same whatever the merges. Rows keep their spreadsheet number.

``.xls`` (Excel 97–2003) is read with xlrd; ``.csv`` must be UTF-8 (a BOM is accepted),
separated by ``,``, ``;`` or tabs.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.text import nfc


@dataclass(frozen=True)
class Cell:
    """One cell: its value (``int``/``float``/``str``/``None``) and number format facts."""

    value: object = None
    percent: bool = False
    decimals: int | None = None
    merged: bool = False  # filled from the first cell of a merged range


@dataclass(frozen=True)
class Sheet:
    """One sheet: its name and its rows (spreadsheet row number, cells from column A)."""

    name: str
    rows: tuple[tuple[int, tuple[Cell, ...]], ...]


def _format_facts(number_format: str | None) -> tuple[bool, int | None]:
    """Whether a number format shows a percentage, and how many decimals it shows.

    Examples
    --------
    >>> _format_facts("0.00%")
    (True, 2)
    >>> _format_facts("#,##0")
    (False, 0)
    >>> _format_facts("General")
    (False, None)
    """
    fmt = (number_format or "").split(";")[0]
    if not fmt or fmt.lower() == "general" or fmt == "@":
        return False, None
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]', "", fmt)
    m = re.search(r"[0#]\.([0#]+)", fmt)
    return "%" in fmt, len(m.group(1)) if m else 0


def _text(value: object) -> object:
    return nfc(value).strip() if isinstance(value, str) else value


def _read_xlsx(path: Path) -> list[Sheet]:
    import openpyxl  # optional heavy dependency, only for .xlsx exports

    try:
        wb = openpyxl.load_workbook(str(path), data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise DataError(Problem(
            _("the file is not an Excel workbook that can be opened ({error})").format(
                error=type(err).__name__),
            file=path, fix=_("open it in Excel or LibreOffice and save it again as .xlsx"))
        ) from None
    sheets = []
    for ws in wb.worksheets:
        fill: dict[tuple[int, int], Cell] = {}
        for rng in ws.merged_cells.ranges:
            first = ws.cell(rng.min_row, rng.min_col)
            percent, decimals = _format_facts(first.number_format)
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        fill[(r, c)] = Cell(_text(first.value), percent, decimals, True)
        rows = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                if (r, c) in fill:
                    cells.append(fill[(r, c)])
                    continue
                percent, decimals = _format_facts(cell.number_format)
                cells.append(Cell(_text(cell.value), percent, decimals))
            rows.append((r, tuple(cells)))
        sheets.append(Sheet(ws.title, tuple(rows)))
    return sheets


def _xls_cell(book, ws, r: int, c: int, merged: bool = False) -> Cell:
    """One cell of an .xls sheet (xlrd), with its number format facts."""
    import xlrd

    raw = ws.cell(r, c)
    fmt = book.format_map.get(book.xf_list[raw.xf_index].format_key)
    percent, decimals = _format_facts(fmt.format_str if fmt else None)
    if raw.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        value = None
    elif raw.ctype == xlrd.XL_CELL_NUMBER:
        value = int(raw.value) if float(raw.value).is_integer() and not percent else raw.value
    else:
        value = _text(str(raw.value))
    return Cell(value, percent, decimals, merged)


def _read_xls(path: Path) -> list[Sheet]:
    try:
        import xlrd  # optional dependency, only for old .xls exports
    except ImportError:  # pragma: no cover - declared in pyproject
        raise DataError(Problem(
            _("reading .xls files needs the xlrd package, which is not installed"), file=path,
            fix=_("pip install xlrd, or save the file as .xlsx in Excel or LibreOffice"))
        ) from None
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError) as err:
        raise DataError(Problem(
            _("the file is not an Excel 97-2003 workbook (.xls) that can be opened ({error})"
              ).format(error=type(err).__name__),
            file=path, fix=_("open it in Excel or LibreOffice and save it again as .xlsx"))
        ) from None
    sheets = []
    for ws in book.sheets():
        fill = {}
        for rlo, rhi, clo, chi in ws.merged_cells:
            for r in range(rlo, rhi):
                for c in range(clo, chi):
                    if (r, c) != (rlo, clo):
                        fill[(r, c)] = _xls_cell(book, ws, rlo, clo, merged=True)
        rows = tuple((r + 1, tuple(fill.get((r, c)) or _xls_cell(book, ws, r, c)
                                  for c in range(ws.ncols)))
                     for r in range(ws.nrows))
        sheets.append(Sheet(ws.name, rows))
    return sheets


def _read_csv(path: Path) -> list[Sheet]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(Problem(
            _("the CSV file is not UTF-8 text"), file=path,
            fix=_("save it as 'CSV UTF-8' in Excel, or export it as .xlsx"))) from None
    text = nfc(text)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = tuple((r, tuple(Cell(v.strip() or None) for v in row))
                 for r, row in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter),
                                         start=1))
    return [Sheet(path.stem, rows)]


def read_sheets(path: Path) -> list[Sheet]:
    """Every sheet of a spreadsheet export (one for a CSV file).

    Raises
    ------
    DataError
        A missing file, an unsupported extension, or a file its reader cannot open.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(_("the file does not exist"), file=path,
                                fix=_("check the path of the exported statistics file")))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".xls":
        return _read_xls(path)
    if suffix == ".csv":
        return _read_csv(path)
    raise DataError(Problem(
        _("{suffix} files are not read").format(suffix=suffix or _("files without extension")),
        file=path, fix=_("export the statistics as .xlsx, .xls or .csv")))
