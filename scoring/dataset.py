"""The dataset: one province-year of agencies, dossier counts, plan tasks and score tables.

:class:`Dataset` is an immutable value; build variants with :meth:`Dataset.replace`.
Loading and validation of a dataset folder live below the class (``load_dataset``,
``check_dataset``); the folder layout is described in ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.review import REVIEW_COLUMNS, LeadIndex, validate_review
from scoring.tables import DatasetIndex
from scoring.task_status import TASK_STATUSES
from scoring.text import did_you_mean, fold, nfc, suggest
from scoring.vocabulary import task_status_choices

GROUPS: tuple[str, ...] = ("department", "district", "commune")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass(frozen=True, eq=False)
class Dataset:
    """One province-year of data, validated.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"khanh-hoa-2022"``.
    agencies : DataFrame
        Indexed by ``agency_id``; columns ``name, group, parent_id, aliases, ranked, kind``.
        ``aliases`` is a tuple of str, ``ranked`` a bool.
    dossiers : DataFrame
        Indexed by ``agency_id``; the counts of ``dossiers.csv`` as floats (NaN = missing).
    tasks : DataFrame
        Indexed by ``task_id``; ``lead_agency_ids`` is a tuple of str; ``status`` one of
        :data:`TASK_STATUSES`.
    scores, surveys, findings : DataFrame
        Manual score table, survey table and data-quality findings (may be empty). Loaded
        score and survey tables carry ``row``, the spreadsheet row each line came from.
    manifest : dict
        Source, period and checksums.
    content_hash : str
        sha256 over the data files, for provenance.
    path : Path, optional
        Where it was loaded from.
    edited : tuple of str
        Files the manifest lists that are gone or no longer have its sha256 (the loader
        warns of each; a workbook of such data is titled as a trial).
    """

    name: str
    agencies: pd.DataFrame
    dossiers: pd.DataFrame
    tasks: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=lambda: _empty(
        ["agency_id", "leaf", "self_points", "appraised_points", "note"]))
    surveys: pd.DataFrame = field(default_factory=lambda: _empty(
        ["agency_id", "leaf", "option", "count", "share"]))
    findings: pd.DataFrame = field(default_factory=lambda: _empty(
        ["severity", "table", "agency", "column", "published", "expected", "message", "line"]))
    manifest: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    path: Path | None = None
    edited: tuple[str, ...] = ()

    def replace(self, **changes: Any) -> Dataset:
        """Return a copy with some fields replaced (e.g. a what-if ``dossiers`` table)."""
        return replace(self, **changes)

    @cached_property
    def index(self) -> DatasetIndex:
        """Agency ids as text and the score and survey tables indexed against them,
        built on first use and kept for the object's life (a changed table is a new
        object, from :meth:`replace`)."""
        return DatasetIndex.of(self.agencies, self.scores, self.surveys)

    def ranked_agencies(self, group: str | None = None) -> pd.DataFrame:
        """Agencies ranked in their group (optionally one group), in file order."""
        a = self.agencies[self.agencies["ranked"].astype(bool)]
        return a if group is None else a[a["group"] == group]


# =========================================================================== loading
#
# Everything below reads a dataset folder (docs/ARCHITECTURE.md, "Dataset folder") into a
# :class:`Dataset`, collecting every problem before failing, so one run of ``cchc check``
# lists them all. Rows are numbered as a spreadsheet shows them: the header is row 1.

COUNT_COLUMNS: tuple[str, ...] = (
    "received", "resolved", "resolved_on_time", "resolved_late", "pending", "pending_on_time",
    "pending_late", "late", "online", "online_eligible")
RATE_COLUMNS: tuple[str, ...] = ("late_rate_published", "online_rate_published")


@dataclass(frozen=True)
class TableSpec:
    """What one data file must hold.

    Parameters
    ----------
    stem : str
        File name without extension (``agencies`` → ``agencies.csv`` or ``agencies.xlsx``).
    required : tuple of str
        Columns that must be present.
    optional : tuple of str
        Columns that are read when present (others are kept as they are).
    needed : bool
        Whether the file itself must exist.
    strict : bool
        Whether columns not named in ``required`` or ``optional`` are errors.
    """

    stem: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    needed: bool = True
    strict: bool = False
    """Other columns are errors (a first guess such as ``points`` must not pass silently)."""


TABLES: dict[str, TableSpec] = {
    "agencies": TableSpec("agencies", ("agency_id", "name", "group", "parent_id"),
                          ("aliases", "ranked", "kind", "source_line")),
    "dossiers": TableSpec("dossiers", ("agency_id", *COUNT_COLUMNS, *RATE_COLUMNS),
                          ("source_line",)),
    "tasks": TableSpec("tasks", ("task_id", "area", "title", "deadline", "lead_agency_ids",
                                 "status"),
                       ("number", "product", "deadline_kind", "deadline_date", "collective",
                        "coordinating_agency_ids", "result", "documents", "proposed_status",
                        "proposed_reason", "proposal_certain", "status_source", "review_note",
                        "source_line")),
    "review": TableSpec("review", ("task_id", "field", "value", "justification"), needed=False),
    "findings": TableSpec("findings", ("severity", "table", "agency", "column", "published",
                                       "expected", "message"), ("line",), needed=False),
    "scores": TableSpec("scores", ("agency_id", "leaf"),
                        ("self_points", "appraised_points", "note", "evidence"), needed=False,
                        strict=True),
    "surveys": TableSpec("surveys", ("agency_id", "leaf"), ("option", "count", "share"),
                         needed=False, strict=True),
}

_TRUE = frozenset({"true", "yes", "y", "1", "x", "co"})
_FALSE = frozenset({"false", "no", "n", "0", "khong"})
_UTF8_BOM = b"\xef\xbb\xbf"


def _save_utf8() -> str:
    return _("save it as UTF-8 (Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'), "
             "or save it as .xlsx")


class _Log:
    """Collects problems while a folder is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, message: str, file: str | None = None, line: int | None = None,
              field: str | None = None, fix: str | None = None) -> None:
        self.problems.append(Problem(message, file=file, line=line, field=field, fix=fix))

    def warn(self, message: str, file: str | None = None, line: int | None = None,
             field: str | None = None, fix: str | None = None) -> None:
        self.problems.append(Problem(message, file=file, line=line, field=field, fix=fix,
                                     severity="warning"))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


# --------------------------------------------------------------------------- readers
def _xlsx_cell(value: Any) -> str:
    """One openpyxl cell value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return (value.date().isoformat() if value.time() == datetime.time()
                else value.isoformat(sep=" "))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, log: _Log) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    import openpyxl  # deferred: only needed for .xlsx inputs

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types for a bad file
        log.error(_("cannot be read as an .xlsx workbook ({error})").format(
                      error=f"{type(err).__name__}: {err}"),
                  file=path.name, fix=_("open it in Excel or LibreOffice and save it again as "
                                        ".xlsx, or export the first sheet as CSV UTF-8"))
        return None
    try:
        ws = wb.worksheets[0]
        records: list[tuple[int, list[str]]] = []
        empty: list[tuple[int, int]] = []
        for row_no, values in enumerate(ws.iter_rows(values_only=True), start=1):
            records.append((row_no, [_xlsx_cell(v) for v in values]))
            empty += [(row_no, col) for col, v in enumerate(values, start=1) if v is None]
    finally:
        wb.close()
    if empty and not _formulas_have_results(path, set(empty), log):
        return None
    return _split_header(records, path.name, log)


def _formulas_have_results(path: Path, empty: set[tuple[int, int]], log: _Log) -> bool:
    """A formula cell read as empty has no stored result (a workbook written by a program
    and never opened in Excel): refuse it with the cell address rather than read a blank."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        ws = wb.worksheets[0]
        bad = [(r, c) for r, row in enumerate(ws.iter_rows(values_only=True), start=1)
               for c, v in enumerate(row, start=1)
               if (r, c) in empty and isinstance(v, str) and v.startswith("=")]
    finally:
        wb.close()
    for r, c in bad[:20]:
        log.error(_("cell {cell} holds a formula with no stored result: its value cannot be "
                    "read").format(cell=f"{get_column_letter(c)}{r}"), file=path.name, line=r,
                  fix=_("open the workbook in Excel or LibreOffice and save it (the results are "
                        "then stored), or type the values instead of formulas"))
    return not bad


def _decode(data: bytes, name: str, log: _Log) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        log.error(_("is UTF-16 (Excel 'Unicode Text'), not UTF-8"), file=name, line=1,
                  fix=_save_utf8())
        return None
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[:err.start].count(b"\n") + 1
        bad = data[err.start:err.start + 1].hex().upper()
        log.error(_("is not UTF-8: byte 0x{byte} on this line cannot be decoded (probably a "
                    "Windows-1258 or TCVN3 export)").format(byte=bad), file=name, line=line,
                  fix=_save_utf8())
        return None


def _read_csv(path: Path, log: _Log) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    try:
        data = path.read_bytes()
    except OSError as err:
        log.error(_("cannot be read ({error})").format(error=err.strerror or err),
                  file=path.name, fix=_("check that the file exists and that you may read it"))
        return None
    text = _decode(data, path.name, log)
    if text is None:
        return None
    first = text.split("\n", 1)[0]
    # Excel in a Vietnamese locale writes ';' as the list separator; sniff it from the header.
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        records = [(row_no, rec) for row_no, rec in enumerate(reader, start=1)]
    except csv.Error as err:
        log.error(_("is not a well-formed CSV file ({error})").format(error=err),
                  file=path.name, fix=_("check the quotes on that line, or re-export the file"))
        return None
    return _split_header(records, path.name, log)


def _split_header(records: list[tuple[int, list[str]]], name: str, log: _Log
                  ) -> tuple[list[str], list[tuple[int, list[str]]]] | None:
    """Separate the header (row 1) from data rows; drop blank rows; check widths."""
    if not records or not any(c.strip() for c in records[0][1]):
        log.error(_("is empty or has no header row"), file=name, line=1,
                  fix=_("the first row must name the columns"))
        return None
    header = [nfc(c).strip() for c in records[0][1]]
    while header and not header[-1]:
        header.pop()
    ok = True
    seen: set[str] = set()
    for i, col in enumerate(header):
        if not col:
            log.error(_("column {n} has no name").format(n=i + 1), file=name, line=1,
                      fix=_("name every column in the header row, or delete the column"))
            ok = False
        elif col in seen:
            log.error(_("column {col} appears twice in the header").format(col=repr(col)),
                      file=name, line=1, field=col, fix=_("delete or rename one of them"))
            ok = False
        seen.add(col)
    rows: list[tuple[int, list[str]]] = []
    width = len(header)
    for row_no, rec in records[1:]:
        if not any(c.strip() for c in rec):
            continue
        if len(rec) > width:
            if any(c.strip() for c in rec[width:]):
                log.error(_("has {n} values but the header names {width} columns").format(
                              n=len(rec), width=width), file=name, line=row_no,
                          fix=_("put values containing the separator in double quotes, or "
                                "add the missing column name to the header"))
                ok = False
                continue
            rec = rec[:width]
        elif len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        rows.append((row_no, rec))
    return (header, rows) if ok else None


def _to_frame(header: list[str], rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """All-text frame indexed by spreadsheet row number; values NFC and stripped."""
    index = pd.Index([r for r, _rec in rows], name="_row", dtype="int64")
    data = {col: [nfc(rec[i]).strip() for _r, rec in rows] for i, col in enumerate(header)}
    return pd.DataFrame(data, index=index, dtype=object) if rows else pd.DataFrame(
        {c: pd.Series(dtype=object) for c in header}, index=index)


def table_file(folder: Path, stem: str) -> Path | None:
    """The file holding table ``stem`` in ``folder`` (``.csv`` or ``.xlsx``), if any.

    Examples
    --------
    >>> table_file(Path("/nonexistent"), "agencies") is None
    True
    """
    for ext in (".csv", ".xlsx"):
        p = folder / f"{stem}{ext}"
        if p.is_file():
            return p
    return None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read one CSV (UTF-8, BOM accepted, ``,`` or ``;`` separated) or ``.xlsx`` table.

    Every value is returned as NFC text, stripped of surrounding white space; blank cells
    are ``""``. The index holds the spreadsheet row number of each row (the header is row 1;
    blank rows are skipped but still counted).

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.xlsx`` file (the first sheet is read).

    Returns
    -------
    DataFrame
        One text column per header cell.

    Raises
    ------
    DataError
        If the file is not UTF-8, not a workbook, has no header, or a row is too wide.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes("\\ufeffid,tên\\na,Sở Y tế\\n".encode())
    >>> read_table(p).loc[2, "tên"]
    'Sở Y tế'
    """
    path = Path(path)
    log = _Log()
    parsed = _read_xlsx(path, log) if path.suffix.lower() == ".xlsx" else _read_csv(path, log)
    if parsed is None:
        raise DataError(log.problems)
    return _to_frame(*parsed)


# --------------------------------------------------------------------------- value parsing
def _blank(s: pd.Series) -> pd.Series:
    return s == ""          # the cells are text: one comparison, not a text conversion


def _numbers(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse text to float (blank → NaN); also return the mask of unparseable cells."""
    num = pd.to_numeric(s, errors="coerce").astype(float)
    bad = ~np.isfinite(num) & ~_blank(s)          # "abc", "nan", "inf"
    return num.where(~bad), bad


_THOUSANDS = r"^\d{1,3}(?:([.,\u00a0 ])\d{3})(?:\1\d{3})*$"
"""``2.000``, ``2,000``, ``12 345``: one separator repeated between groups of three digits."""


def _count_text(s: pd.Series) -> pd.Series:
    """Counts are whole numbers, so a ``.`` or ``,`` between groups of three digits is a
    thousands separator: ``2.000`` and ``2,000`` are read as 2000, never as 2.

    Examples
    --------
    >>> _count_text(pd.Series(["2.000", "2,000", "1.234.567", "12 345", "2,5", "1.23"])).tolist()
    ['2000', '2000', '1234567', '12345', '2,5', '1.23']
    """
    text = s.astype(str).str.strip()
    grouped = text.str.match(_THOUSANDS)
    return text.where(~grouped, text.str.replace(r"[.,\u00a0 ]", "", regex=True))


def _cells(df: pd.DataFrame, cols: tuple[str, ...]) -> pd.Series:
    """The cells of ``cols``, column after column, as one series: a table's columns are
    parsed in one pass (on a province's small tables pandas costs per call, not per cell)."""
    return pd.Series(df[list(cols)].to_numpy(dtype=object).ravel(order="F"), dtype=object)


def _by_column(cells: pd.Series, df: pd.DataFrame, cols: tuple[str, ...]) -> np.ndarray:
    """:func:`_cells` back in the table's shape (rows × ``cols``)."""
    return cells.to_numpy().reshape((len(df), len(cols)), order="F")


def _parse_counts(df: pd.DataFrame, cols: tuple[str, ...], name: str, log: _Log) -> pd.DataFrame:
    parsed, unparsed = _numbers(_count_text(_cells(df, cols)))
    nums, bads = _by_column(parsed, df, cols), _by_column(unparsed, df, cols)
    with np.errstate(invalid="ignore"):
        fracs = ~np.isnan(nums) & (nums % 1 != 0)
        negs = nums < 0
    out = pd.DataFrame(np.where(bads | fracs | negs, np.nan, nums), index=df.index,
                       columns=list(cols))
    for j, col in enumerate(cols):
        bad, frac, neg = bads[:, j], fracs[:, j], negs[:, j]
        if not (bad.any() or frac.any() or neg.any()):
            continue
        for row in df.index[bad]:
            log.error(_("{value} is not a whole number").format(value=repr(df.at[row, col])),
                      file=name, line=int(row), field=col,
                      fix=_("write the count as digits ('2000'; '2.000' and '2,000' are read "
                            "as two thousand; '0' for zero) or leave it blank when missing"))
        for row in df.index[frac]:
            log.error(_("{value} is not a whole number").format(value=df.at[row, col]),
                      file=name, line=int(row), field=col,
                      fix=_("counts are whole numbers: write the count as digits (2000, or "
                            "2.000 with a thousands separator every three digits)"))
        for row in df.index[neg]:
            log.error(_("count {value} is negative").format(value=df.at[row, col]), file=name,
                      line=int(row), field=col,
                      fix=_("counts are zero or more; correct the value or leave it blank when "
                            "missing"))
    return out


def _parse_rates(df: pd.DataFrame, cols: tuple[str, ...], name: str, log: _Log) -> pd.DataFrame:
    text = _cells(df, cols).astype(str).str.strip().str.rstrip("%").str.strip()
    # a decimal comma ("95,5") is accepted when it is the only separator
    comma = text.str.contains(",", regex=False) & ~text.str.contains(".", regex=False)
    text = text.where(~comma, text.str.replace(",", ".", regex=False))
    parsed, unparsed = _numbers(text)
    nums, bads = _by_column(parsed, df, cols), _by_column(unparsed, df, cols)
    with np.errstate(invalid="ignore"):
        negs, highs = nums < 0, nums > 100
    for j, col in enumerate(cols):
        s = df[col]
        for row in s.index[bads[:, j]]:
            log.error(_("{value} is not a percentage").format(value=repr(s.at[row])),
                      file=name, line=int(row), field=col,
                      fix=_("write a number of percent such as 98.5 (or 98.5%), or leave it "
                            "blank"))
        for row in s.index[negs[:, j]]:
            log.error(_("rate {value} is negative").format(value=s.at[row]), file=name,
                      line=int(row), field=col, fix=_("rates are percentages between 0 and 100"))
        for row in s.index[highs[:, j]]:
            log.warn(_("rate {value} is above 100 %").format(value=s.at[row]), file=name,
                     line=int(row), field=col,
                     fix=_("check it against the source; rates are percentages between 0 and "
                           "100"))
    return pd.DataFrame(np.where(bads | negs, np.nan, nums), index=df.index, columns=list(cols))


def _parse_bool(s: pd.Series, col: str, name: str, log: _Log, *, blank: bool | None
                ) -> pd.Series:
    """``true/false`` (also yes/no, 1/0, có/không); blank → ``blank`` (None = an error)."""
    values = [True if f in _TRUE else False if f in _FALSE else blank if f == "" else None
              for f in map(fold, s.astype(str))]
    out = pd.Series(values, index=s.index, dtype=object)
    for row in s.index[[v is None for v in values]]:
        what = _("is blank") if s.at[row] == "" else _("{value} is not true or false").format(
            value=repr(s.at[row]))
        log.error(what, file=name, line=int(row), field=col,
                  fix=_("write true or false (also yes/no, 1/0, có/không)"))
    return out


def _id_list(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))


def _suggest_ids(unknown: str, agencies: pd.DataFrame) -> str:
    ids = list(agencies.index)
    hits = suggest(unknown, ids)
    if not hits and "name" in agencies:
        by_name = dict(zip(agencies["name"], ids, strict=True))
        hits = [by_name[h] for h in suggest(unknown, list(by_name))]
    return did_you_mean(hits)


def _check_refs(ids: pd.Series, col: str, name: str, agencies: pd.DataFrame | None,
                log: _Log) -> None:
    """Every id in ``ids`` (text or tuples of text) must be an agency_id."""
    if agencies is None:
        return
    known = agencies.index
    for row, value in ids.items():
        for aid in (value if isinstance(value, tuple) else (value,)):
            if aid and aid not in known:
                log.error(_("unknown agency id {id}").format(id=repr(aid)), file=name,
                          line=int(row), field=col,
                          fix=_suggest_ids(aid, agencies) + _(
                              "use an agency_id from agencies.csv, or add the agency there"))


def _check_unique(s: pd.Series, col: str, name: str, log: _Log) -> pd.Series:
    """Report blank and duplicate keys (column ``col``); return the mask of usable rows."""
    blank = _blank(s)
    for row in s.index[blank]:
        log.error(_("{col} is blank").format(col=col), file=name, line=int(row), field=col,
                  fix=_("give every row a {col}").format(col=col))
    dup = s.duplicated(keep="first") & ~blank
    first = {v: r for r, v in s[~blank].iloc[::-1].items()}
    for row in s.index[dup]:
        log.error(_("duplicate {col} {value} (first on row {first})").format(
                      col=col, value=repr(s.at[row]), first=first[s.at[row]]),
                  file=name, line=int(row), field=col,
                  fix=_("each {col} appears once: merge the rows or change one {col}").format(
                      col=col))
    return ~blank & ~dup


def _unknown_columns(df: pd.DataFrame, spec: TableSpec, name: str, log: _Log) -> bool:
    """Report columns a strict table does not know; True if there were any."""
    known = (*spec.required, *spec.optional)
    unknown = [c for c in df.columns if c not in known]
    for col in unknown:
        hint = suggest(col, [c for c in known if c not in df.columns], n=2, cutoff=0.4)
        log.error(_("unknown column {col}: its values would not be read").format(
            col=repr(col)), file=name, line=1, field=col,
            fix=did_you_mean(hint) + _("use only the columns {cols}").format(
                cols=", ".join(known)))
    return bool(unknown)


# --------------------------------------------------------------------------- tables
def _load_agencies(df: pd.DataFrame, name: str, log: _Log) -> pd.DataFrame:
    ok = _check_unique(df["agency_id"], "agency_id", name, log)
    for col in ("name", "group"):
        for row in df.index[_blank(df[col])]:
            log.error(_("{col} is blank").format(col=col), file=name, line=int(row), field=col,
                      fix=_("every agency needs a name and a group (e.g. department, district, "
                            "commune)"))
    ranked = (_parse_bool(df["ranked"], "ranked", name, log, blank=None)
              if "ranked" in df else pd.Series(True, index=df.index, dtype=object))
    aliases = (df["aliases"].map(_id_list) if "aliases" in df
               else pd.Series([()] * len(df), index=df.index, dtype=object))
    out = df.copy()
    out["ranked"] = ranked.map(lambda v: v is True).astype(bool)
    out["aliases"] = aliases
    out["kind"] = df["kind"] if "kind" in df else df["group"]
    out["parent_id"] = df["parent_id"].where(~_blank(df["parent_id"]), None)
    valid = df[ok.values].set_index("agency_id")
    for row, parent, agency_id in zip(df.index, out["parent_id"], df["agency_id"], strict=True):
        if parent is None:
            continue
        if parent == agency_id:
            log.error(_("an agency cannot be its own parent"), file=name, line=int(row),
                      field="parent_id", fix=_("leave parent_id blank or name the district"))
        elif parent not in valid.index:
            log.error(_("unknown parent id {id}").format(id=repr(parent)), file=name,
                      line=int(row), field="parent_id",
                      fix=_suggest_ids(parent, valid) + _(
                          "use an agency_id from this file, or leave it blank"))
    out = out[ok.values]
    out.index = pd.Index(out.pop("agency_id"), name="agency_id")
    return out


def _load_dossiers(df: pd.DataFrame, name: str, agencies: pd.DataFrame | None,
                   findings: pd.DataFrame | None, log: _Log) -> pd.DataFrame:
    ok = _check_unique(df["agency_id"], "agency_id", name, log)
    _check_refs(df["agency_id"], "agency_id", name, agencies, log)
    counts = pd.concat([_parse_counts(df, COUNT_COLUMNS, name, log),
                        _parse_rates(df, RATE_COLUMNS, name, log)], axis=1)
    recorded: set[tuple[str, str]] = set()
    if findings is not None:
        f = findings[findings["table"].map(fold) == "dossiers"]
        recorded = set(zip(f["agency"], f["column"], strict=True))
    _dossier_warnings(counts, df["agency_id"], recorded, name, log)
    extra = [c for c in df.columns if c not in counts.columns and c != "agency_id"]
    out = pd.concat([counts, df[extra]], axis=1)[ok.values]
    out.index = pd.Index(df["agency_id"][ok.values], name="agency_id")
    return out


def _dossier_warnings(c: pd.DataFrame, ids: pd.Series, recorded: set[tuple[str, str]],
                      name: str, log: _Log) -> None:
    """Counts that do not add up: facts about the source, reported but not fatal.

    A disagreement that findings.csv already records (same agency and one of the columns
    involved) is not repeated.
    """
    fix = _("check it against the source; if the source publishes it so, record it in "
            "findings.csv")

    def warn(row: Any, columns: tuple[str, ...], message: str) -> None:
        if not any((ids[row], col) in recorded for col in columns):
            log.warn(message, file=name, line=int(row), field=columns[0], fix=fix)

    sums = (("resolved", ("resolved_on_time", "resolved_late")),
            ("pending", ("pending_on_time", "pending_late")),
            ("late", ("resolved_late", "pending_late")))
    for total, parts in sums:
        s = c[parts[0]] + c[parts[1]]
        for row in c.index[c[total].notna() & s.notna() & (c[total] != s)]:
            warn(row, (total, *parts),
                 _("{total} = {value} but {a} + {b} = {sum}").format(
                     total=total, value=format_number(c.at[row, total]), a=parts[0], b=parts[1],
                     sum=format_number(s[row])))
    for part, whole in (("online", "online_eligible"), ("resolved_on_time", "resolved")):
        for row in c.index[c[part] > c[whole]]:
            warn(row, (part, whole),
                 _("{part} = {value} exceeds {whole} = {total}").format(
                     part=part, value=format_number(c.at[row, part]), whole=whole,
                     total=format_number(c.at[row, whole])))
    with np.errstate(divide="ignore", invalid="ignore"):
        late = c["late"] / (c["resolved"] + c["pending"]) * 100
        online = c["online"] / c["online_eligible"] * 100
    for col, derived in (("late_rate_published", late), ("online_rate_published", online)):
        off = (c[col] - derived).abs() > 0.0051
        for row in c.index[off & np.isfinite(derived)]:
            warn(row, (col,), _("published rate {rate} % differs from the counts' {derived} %")
                 .format(rate=format_number(c.at[row, col]),
                         derived=format_number(derived[row], 2)))


def _load_tasks(df: pd.DataFrame, name: str, agencies: pd.DataFrame | None,
                log: _Log) -> pd.DataFrame:
    ok = _check_unique(df["task_id"], "task_id", name, log)
    out = df.copy()
    out["lead_agency_ids"] = df["lead_agency_ids"].map(_id_list)
    _check_refs(out["lead_agency_ids"], "lead_agency_ids", name, agencies, log)
    if "collective" in df:
        out["collective"] = _parse_bool(df["collective"], "collective", name, log, blank=False)
    collective = out["collective"] if "collective" in out else pd.Series(False, index=df.index)
    for row in df.index[(out["lead_agency_ids"].map(len) == 0) & (collective != True)]:  # noqa: E712
        log.warn(_("no lead agency: the task counts for no agency"), file=name, line=int(row),
                 field="lead_agency_ids", fix=_("name the lead agency ids, separated by ';', or "
                                                "mark a task for all agencies collective=true"))
    if "coordinating_agency_ids" in df:
        out["coordinating_agency_ids"] = df["coordinating_agency_ids"].map(_id_list)
        _check_refs(out["coordinating_agency_ids"], "coordinating_agency_ids", name,
                    agencies, log)
    _check_status(df["status"], "status", name, log)
    if "proposed_status" in df:
        _check_status(df["proposed_status"], "proposed_status", name, log, blank_ok=True)
    if "proposal_certain" in df:
        out["proposal_certain"] = _parse_bool(df["proposal_certain"], "proposal_certain",
                                              name, log, blank=True)
    out["_row"] = df.index
    out = out[ok.values]
    out.index = pd.Index(out.pop("task_id"), name="task_id")
    return out


def _check_status(s: pd.Series, col: str, name: str, log: _Log, blank_ok: bool = False) -> None:
    bad = ~s.isin(TASK_STATUSES) & ~(blank_ok & _blank(s))
    for row in s.index[bad]:
        what = _("is blank") if s.at[row] == "" else _("{value} is not a task status").format(
            value=repr(s.at[row]))
        hint = suggest(s.at[row], TASK_STATUSES, n=1)
        log.error(what, file=name, line=int(row), field=col,
                  fix=did_you_mean(hint) + _("use one of {statuses}").format(
                      statuses=task_status_choices()))


def _apply_review(review: pd.DataFrame, name: str, tasks: pd.DataFrame | None,
                  agencies: pd.DataFrame | None, tasks_file: str, log: _Log) -> pd.DataFrame:
    """Check review.csv (the rules of :mod:`scoring.review`) and apply its decisions to the
    tasks (review wins)."""
    if tasks is None:
        return tasks
    leads = None if agencies is None else LeadIndex(
        (aid, (agency_name, *aliases)) for aid, agency_name, aliases in zip(
            agencies.index, agencies["name"], agencies["aliases"], strict=True))
    rows = ({**dict(zip(REVIEW_COLUMNS, values, strict=True)), "_line": row}
            for row, values in zip(review.index, review[list(REVIEW_COLUMNS)].itertuples(
                index=False, name=None), strict=True))
    decisions, problems = validate_review(rows, tasks.index, leads, name)
    log.problems.extend(problems)
    # the decisions in order, on plain dicts (task → value), then one write per column
    status = dict(zip(tasks.index, tasks["status"], strict=True))
    proposed = (dict(zip(tasks.index, tasks["proposed_status"], strict=True))
                if "proposed_status" in tasks else {})
    changed: dict[str, dict[str, Any]] = {"status": {}, "status_source": {},
                                          "lead_agency_ids": {}, "collective": {}}
    for d in decisions:
        tid = d.task_id
        if d.field == "status":
            if status[tid] != d.value:
                log.warn(_("task {task}: {file} says status {old} but the review sets {new}; "
                           "the review is used").format(
                               task=repr(tid), file=tasks_file,
                               old=repr(status[tid]), new=repr(d.value)),
                         file=name, line=d.line, field="value",
                         fix=_("re-run cchc import-report so that the two files agree"))
            status[tid] = changed["status"][tid] = d.value
            changed["status_source"][tid] = ("review_confirmed" if proposed.get(tid, "") == d.value
                                             else "review_override")
        elif agencies is not None:
            changed["lead_agency_ids"][tid] = _id_list(d.value)
            if d.collective_text:
                changed["collective"][tid] = True
    tasks = tasks.copy()
    for col, values in changed.items():
        if values and col in tasks:
            tasks[col] = pd.Series([values.get(t, v) for t, v in zip(tasks.index, tasks[col],
                                                                      strict=True)],
                                   index=tasks.index, dtype=tasks[col].dtype)
    return tasks


def _is_reviewed(tasks: pd.DataFrame) -> pd.Series:
    if "status_source" not in tasks:
        return pd.Series(False, index=tasks.index)
    return tasks["status_source"].astype(str).map(fold).str.startswith("review")


def _task_notes(tasks: pd.DataFrame, name: str, log: _Log) -> None:
    """Warn about uncertain proposals that no review confirmed."""
    if "proposal_certain" not in tasks:
        return
    uncertain = (tasks["proposal_certain"] == False) & ~_is_reviewed(tasks)  # noqa: E712
    for tid in tasks.index[uncertain]:
        reason = tasks.at[tid, "proposed_reason"] if "proposed_reason" in tasks else ""
        log.warn(_("task {task}: status {status} is an uncertain proposal that no review "
                   "confirmed").format(task=repr(tid), status=repr(tasks.at[tid, "status"]))
                 + (f" ({reason})" if reason else ""),
                 file=name, line=int(tasks.at[tid, "_row"]), field="status",
                 fix=_("confirm or correct it in review.csv (task_id, field=status, value, "
                       "justification)"))


def _load_scores(df: pd.DataFrame, name: str, agencies: pd.DataFrame | None,
                 log: _Log) -> pd.DataFrame:
    _check_refs(df["agency_id"], "agency_id", name, agencies, log)
    for row in df.index[_blank(df["leaf"])]:
        log.error(_("{col} is blank").format(col="leaf"), file=name, line=int(row),
                  field="leaf", fix=_("write the leaf code of the rule set, e.g. 1.2.1"))
    key = df["agency_id"] + "\x00" + df["leaf"]
    for row in df.index[key.duplicated()]:
        log.error(_("agency {agency} has leaf {leaf} twice").format(
                      agency=repr(df.at[row, "agency_id"]), leaf=repr(df.at[row, "leaf"])),
                  file=name, line=int(row), field="leaf",
                  fix=_("keep one row per agency and leaf"))
    out = df.copy()
    for col in ("self_points", "appraised_points"):
        if col not in df:
            out[col] = np.nan
            continue
        text = df[col].str.replace(",", ".", regex=False)
        num, bad = _numbers(text)
        for row in df.index[bad]:
            log.error(_("{value} is not a number").format(value=repr(df.at[row, col])),
                      file=name, line=int(row), field=col,
                      fix=_("write points as a number such as 2.5, or leave it blank"))
        for row in df.index[num < 0]:
            log.error(_("points {value} are negative").format(value=df.at[row, col]),
                      file=name, line=int(row), field=col,
                      fix=_("points are zero or more (deductions are their own leaf)"))
        out[col] = num.where(~bad & ~(num < 0))
    if "note" not in out:
        out["note"] = ""
    out["row"] = df.index
    return out.reset_index(drop=True)


def _load_surveys(df: pd.DataFrame, name: str, agencies: pd.DataFrame | None,
                  log: _Log) -> pd.DataFrame:
    _check_refs(df["agency_id"], "agency_id", name, agencies, log)
    if "share" not in df and not {"option", "count"} <= set(df.columns):
        log.error(_("needs either columns option and count (answer counts) or a share column "
                    "(percent)"), file=name, line=1, fix=_("add the missing columns to the header"))
        return df.reset_index(drop=True)
    out = df.copy()
    for col in ("option", "count", "share"):
        if col not in out:
            out[col] = ""
    has_option = _blank(out["option"]) == False  # noqa: E712
    counts = _parse_counts(out, ("count",), name, log)["count"]
    share = _parse_rates(out, ("share",), name, log)["share"]
    for row in df.index[has_option & counts.isna() & _blank(out["count"])]:
        log.error(_("an answer option needs its count"), file=name, line=int(row),
                  field="count", fix=_("write the number of answers for this option"))
    for row in df.index[~has_option & _blank(out["share"])]:
        log.error(_("the row has neither an option with its count nor a share"), file=name,
                  line=int(row), field="share",
                  fix=_("write the share in percent, or the option and its count"))
    key = out["agency_id"] + "\x00" + out["leaf"] + "\x00" + out["option"]
    for row in df.index[key.duplicated()]:
        log.error(_("this agency, leaf and option appear twice"), file=name, line=int(row),
                  field="option", fix=_("keep one row per agency, leaf and option"))
    out["count"] = counts
    out["share"] = share
    out["row"] = df.index
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- folder
def _manifest(folder: Path, log: _Log) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The manifest of ``folder`` and the files it lists that are gone or changed."""
    path = folder / "manifest.json"
    if not path.is_file():
        log.warn(_("is missing: the dataset's source, period and checksums are not recorded"),
                 file="manifest.json",
                 fix=_("write one with name, province, year, period, source and files "
                       "(cchc import-report does)"))
        return {}, ()
    try:
        manifest = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        log.error(_("is not UTF-8"), file="manifest.json", fix=_("save it as UTF-8"))
        return {}, ()
    except json.JSONDecodeError as err:
        log.error(_("is not valid JSON ({error})").format(error=err.msg), file="manifest.json",
                  line=err.lineno,
                  fix=_("correct the JSON syntax at that line (quotes, commas, braces)"))
        return {}, ()
    except RecursionError:
        log.error(_("is nested too deeply to be a manifest"), file="manifest.json",
                  fix=_("write the manifest again (cchc import-report does): a flat JSON "
                        "object with name, source, period and files"))
        return {}, ()
    if not isinstance(manifest, dict):
        log.error(_("must be a JSON object"), file="manifest.json", line=1,
                  fix=_("write {example}").format(
                      example='{"name": ..., "source": ..., "files": {...}}'))
        return {}, ()
    files = manifest.get("files") or {}
    edited = []
    if isinstance(files, dict):
        for fname, digest in sorted(files.items()):
            p = folder / fname
            if not p.is_file():
                edited.append(str(fname))
                log.warn(_("lists {file}, which is missing").format(file=repr(fname)),
                         file="manifest.json", field="files",
                         fix=_("restore the file or re-run cchc import-report"))
            elif isinstance(digest, str) and _sha256(p) != digest.lower():
                edited.append(str(fname))
                log.warn(_("{file} changed since the manifest was written").format(
                             file=repr(fname)), file="manifest.json", field="files",
                         fix=_("if the change is intended (a review), record it in review.csv "
                               "and update the checksum"))
    return _nfc_json(manifest), tuple(edited)


def _nfc_json(value: Any) -> Any:
    """Return ``value`` (parsed JSON) with every string NFC-normalised."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {_nfc_json(k): _nfc_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfc_json(v) for v in value]
    return value


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content_hash(files: list[Path]) -> str:
    """sha256 over ``files`` in sorted name order (name, NUL, bytes, NUL for each).

    Examples
    --------
    >>> content_hash([]) == hashlib.sha256().hexdigest()
    True
    """
    h = hashlib.sha256()
    for p in sorted(files, key=lambda p: p.name):
        h.update(p.name.encode("utf-8") + b"\x00")
        h.update(p.read_bytes() + b"\x00")
    return h.hexdigest()


def validate_dataset(path: str | Path) -> tuple[Dataset | None, list[Problem]]:
    """Read and validate a dataset folder, returning the dataset and every problem.

    Parameters
    ----------
    path : str or Path
        The dataset folder.

    Returns
    -------
    (Dataset or None, list of Problem)
        The dataset is None when any problem is an error.

    Examples
    --------
    >>> ds, problems = validate_dataset("/nonexistent")
    >>> ds is None, problems[0].message  # Vietnamese unless --lang en / CCHC_LANG=en
    (True, 'không tìm thấy thư mục dữ liệu')
    """
    folder = Path(path)
    log = _Log()
    if not folder.is_dir():
        log.error(_("dataset folder not found") if not folder.exists() else _("is not a folder"),
                  file=str(folder), fix=_("pass --data a folder holding agencies.csv, "
                                          "dossiers.csv and tasks.csv"))
        return None, log.problems
    frames: dict[str, pd.DataFrame | None] = {}
    names: dict[str, str] = {}
    used: list[Path] = []
    for key, spec in TABLES.items():
        both = [folder / f"{spec.stem}{e}" for e in (".csv", ".xlsx")]
        if all(p.is_file() for p in both):
            log.error(_("both {csv} and {xlsx} exist").format(
                          csv=f"{spec.stem}.csv", xlsx=f"{spec.stem}.xlsx"), file=spec.stem,
                      fix=_("keep only one of them"))
        file = table_file(folder, spec.stem)
        names[key] = file.name if file else f"{spec.stem}.csv"
        frames[key] = None
        if file is None:
            if spec.needed:
                log.error(_("file is missing"), file=names[key],
                          fix=_("add {file} (or .xlsx) with columns {columns}").format(
                              file=f"{spec.stem}.csv", columns=", ".join(spec.required)))
            continue
        used.append(file)
        n_before = len(log.problems)
        reader = _read_xlsx if file.suffix.lower() == ".xlsx" else _read_csv
        parsed = reader(file, log)
        if parsed is None or len(log.problems) > n_before:
            continue
        df = _to_frame(*parsed)
        missing = [c for c in spec.required if c not in df.columns]
        if missing:
            for col in missing:
                hint = suggest(col, [c for c in df.columns if c not in spec.required], n=1)
                log.error(_("required column {col} is missing").format(col=repr(col)),
                          file=file.name, line=1, field=col,
                          fix=(_("rename {old} to {new}").format(old=repr(hint[0]), new=repr(col))
                               if hint else _("add a column named {col} to the header row")
                               .format(col=repr(col))))
            continue
        if spec.strict and _unknown_columns(df, spec, file.name, log):
            continue
        frames[key] = df
    manifest, edited = _manifest(folder, log)

    agencies = (_load_agencies(frames["agencies"], names["agencies"], log)
                if frames["agencies"] is not None else None)
    dossiers = (_load_dossiers(frames["dossiers"], names["dossiers"], agencies,
                               frames["findings"], log)
                if frames["dossiers"] is not None else None)
    tasks = (_load_tasks(frames["tasks"], names["tasks"], agencies, log)
             if frames["tasks"] is not None else None)
    if agencies is not None and dossiers is not None:
        rows = {aid: r for r, aid in list(frames["agencies"]["agency_id"].items())[::-1]}
        for aid in agencies.index[agencies["ranked"] & ~agencies.index.isin(dossiers.index)]:
            log.warn(_("ranked agency {id} has no row in {file}: its dossier indicators are "
                       "empty (not applicable)").format(id=repr(aid), file=names["dossiers"]),
                     file=names["agencies"], line=int(rows[aid]), field="agency_id",
                     fix=_("add its counts to {file}, or set ranked to false").format(
                         file=names["dossiers"]))
    if frames["review"] is not None:
        tasks = _apply_review(frames["review"], names["review"], tasks, agencies,
                              names["tasks"], log)
    if tasks is not None:
        _task_notes(tasks, names["tasks"], log)
        tasks = tasks.drop(columns="_row")
    loaded = {}
    for key, loader in (("scores", _load_scores), ("surveys", _load_surveys)):
        if frames[key] is not None:
            loaded[key] = loader(frames[key], names[key], agencies, log)
    if frames["findings"] is not None:
        loaded["findings"] = frames["findings"].reset_index(drop=True)
    if log.errors or agencies is None or dossiers is None or tasks is None:
        return None, log.problems
    ds = Dataset(name=str(manifest.get("name") or folder.name), agencies=agencies,
                 dossiers=dossiers, tasks=tasks, manifest=manifest,
                 content_hash=content_hash(used), path=folder.resolve(), edited=edited,
                 **loaded)
    return ds, log.problems


def load_dataset(path: str | Path) -> Dataset:
    """Read and validate a dataset folder.

    Reads ``agencies``, ``dossiers`` and ``tasks`` (required) and ``review``, ``findings``,
    ``scores``, ``surveys`` (optional), each as ``.csv`` (UTF-8, BOM accepted) or ``.xlsx``;
    applies the decisions of ``review.csv`` to the tasks; checks types, ranges and every id
    reference. All problems are collected before failing.

    Parameters
    ----------
    path : str or Path
        The dataset folder.

    Returns
    -------
    Dataset
        Warnings (counts that do not add up, unreviewed uncertain proposals) do not stop
        loading; see :func:`check_dataset` to list them.

    Raises
    ------
    DataError
        Listing every error found (file, spreadsheet row, column, what, fix).

    Examples
    --------
    >>> from scoring.paths import BUNDLED_DATASET
    >>> ds = load_dataset(BUNDLED_DATASET)
    >>> ds.agencies.loc["so-y-te", "name"], ds.tasks.loc["I.1", "lead_agency_ids"]
    ('Sở Y tế', ('so-ke-hoach-va-dau-tu',))
    """
    ds, problems = validate_dataset(path)
    if ds is None:
        raise DataError([p for p in problems if p.severity == "error"])
    return ds


def check_dataset(path: str | Path) -> list[Problem]:
    """Every error and warning about a dataset folder, without raising.

    Parameters
    ----------
    path : str or Path
        The dataset folder.

    Returns
    -------
    list of Problem
        Errors first, then warnings, each sorted by file and row.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("en"):
    ...     [str(p) for p in check_dataset("/nonexistent")]  # doctest: +ELLIPSIS
    ['/nonexistent: dataset folder not found. Fix: pass --data a folder ...']
    """
    problems = validate_dataset(path)[1]
    return sort_problems(problems)


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Errors before warnings; within each, by file, then row (file-level ones first).

    Examples
    --------
    >>> ps = [Problem("b", file="t.csv", line=9), Problem("w", severity="warning"),
    ...       Problem("a", file="t.csv", line=3)]
    >>> [p.message for p in sort_problems(ps)]
    ['a', 'b', 'w']
    """
    return sorted(problems, key=lambda p: (p.severity != "error", str(p.file or ""),
                                           p.line or 0))


def in_folder(problems: list[Problem], folder: str | Path) -> list[Problem]:
    """``problems`` of a dataset folder sorted (:func:`sort_problems`), each file named
    inside ``folder`` (``kh2/dossiers.csv``) as ``cchc check`` prints them.

    Examples
    --------
    >>> [str(p.file) for p in in_folder([Problem("x", file="tasks.csv")], "kh2")]
    ['kh2/tasks.csv']
    """
    folder = str(folder)
    return [p.replace(file=f"{folder}/{p.file}")
            if p.file is not None and not Path(p.file).is_absolute() and str(p.file) != folder
            else p for p in sort_problems(problems)]


def reviewed_tasks(ds: Dataset) -> pd.DataFrame:
    """Tasks whose status was decided by review, and whether the review changed it.

    A task is reviewed when its ``status_source`` starts with ``review``
    (``review_confirmed`` or ``review_override``, as ``cchc import-report`` writes and as
    applying ``review.csv`` sets). It is overridden when the source is ``review_override``
    or the status differs from ``proposed_status``.

    Returns
    -------
    DataFrame
        Indexed by ``task_id``: ``proposed_status, status, status_source, review_note``
        (those present) and ``overridden`` (bool).

    Examples
    --------
    >>> from scoring.paths import BUNDLED_DATASET
    >>> r = reviewed_tasks(load_dataset(BUNDLED_DATASET)).loc["I.7"]
    >>> r["proposed_status"], r["status"], bool(r["overridden"])
    ('done_late', 'done_on_time', True)
    """
    t = ds.tasks
    cols = [c for c in ("proposed_status", "status", "status_source", "review_note") if c in t]
    out = t.loc[_is_reviewed(t).to_numpy(), cols].copy()
    overridden = pd.Series(False, index=out.index)
    if "status_source" in out:
        overridden |= out["status_source"].astype(str).map(fold) == "review_override"
    if "proposed_status" in out:
        overridden |= (out["proposed_status"] != "") & (out["proposed_status"] != out["status"])
    out["overridden"] = overridden.astype(bool)
    return out
