"""Last year's ranks: read them, match them to this year's units, say who moved.

``cchc rank --previous PREV`` and ``cchc compare --previous PREV`` read PREV, which is
either

* last year's workbook written by ``cchc rank`` (its group sheets: the ranking table's
  unit, "Thuộc", index and rank columns), or
* a table (``.csv``, or ``.xlsx`` whose first sheet is the table) with the columns
  ``agency_id, rank, index``; ``agency_id`` may hold the unit's name instead of its id,
  matched accent- and case-insensitively like everywhere else
  (:func:`scoring.agencies.find_agencies`); ``index`` may be blank.

Every row must name one unit of this year's dataset; each problem (unknown or ambiguous
unit, the same unit twice, a rank that is not a whole number) is reported with the file,
the row and the closest names, all at once.

Examples
--------
>>> prev = read_previous(Path("cchc-2021.xlsx"), ds)          # doctest: +SKIP
>>> year_over_year(result.totals, prev).loc["so-tu-phap", "rank_change"]  # doctest: +SKIP
3.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.agencies import find_agencies, suggest_agencies
from scoring.dataset import Dataset, read_table
from scoring.errors import DataError, Problem, UsageError
from scoring.i18n import _
from scoring.text import fold, nfc
from scoring.vocabulary import column_labels_everywhere


# headings of a ranking table, folded: as `cchc rank` writes them in every language (from the
# vocabulary), and other spellings people use
def _heads(key: str, *others: str) -> frozenset[str]:
    return frozenset({fold(t) for t in column_labels_everywhere(key)} | set(others))


_NAME_HEADS = _heads("unit", "co quan, don vi", "don vi", "agency", "unit", "name")
_ID_HEADS = _heads("agency_id", "agency_id", "ma don vi", "agency id")
_RANK_HEADS = _heads("rank", "xep hang", "rank")
_INDEX_HEADS = _heads("par_index", "chi so cchc (%)", "chi so cchc", "index (%)", "index",
                      "par index (%)")
_PARENT_HEADS = _heads("under", "thuoc", "parent", "under")
_SCAN_ROWS = 30


@dataclass(frozen=True)
class PreviousYear:
    """Last year's ranks, matched to this year's units.

    Attributes
    ----------
    path : Path
        The file read.
    ranks : DataFrame
        Indexed by ``agency_id``: ``rank`` and ``index`` (float, NaN where blank).
    """

    path: Path
    ranks: pd.DataFrame


@dataclass(frozen=True)
class _Row:
    line: int
    sheet: str
    name: str
    parent: str
    rank: Any
    index: Any


def _number(value: Any) -> float | None:
    """A number from a cell or CSV text (``98,5`` and ``98.5`` alike); None if blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        return float(value)
    text = nfc(str(value)).strip().rstrip("%").strip()
    if not text or text in ("-", "—"):
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    return float(text)


# --------------------------------------------------------------------------- readers
def _workbook_rows(path: Path) -> list[_Row] | None:
    """Rows of every ranking table in a workbook written by ``cchc rank``; None if the
    workbook has no such table (then it is read as a plain table)."""
    import openpyxl  # deferred: only needed for .xlsx files

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types for a bad file
        raise DataError(Problem(
            _("cannot be read as an .xlsx workbook ({error})").format(
                error=f"{type(err).__name__}: {err}"), file=str(path),
            fix=_("open it in Excel or LibreOffice and save it again as .xlsx, or give "
                  "a CSV file agency_id,rank,index"))) from None
    rows: list[_Row] = []
    found = False
    try:
        for ws in wb.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible" or not hasattr(
                    ws, "iter_rows"):
                continue
            cols: dict[str, int] = {}
            for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
                if not cols:
                    if line > _SCAN_ROWS:
                        break
                    cols = _heading_columns(values)
                    continue
                cells = list(values)
                stt = cells[0] if cells else None
                if not isinstance(stt, int | float) or isinstance(stt, bool):
                    break  # the mean row or the end of the table

                got = {k: cells[c] if c < len(cells) else None for k, c in cols.items()}
                name = got.get("id") or got.get("name")
                rows.append(_Row(line, ws.title, nfc(str(name or "")).strip(),
                                 nfc(str(got.get("parent") or "")).strip(), got.get("rank"),
                                 got.get("index")))
            found = found or bool(cols)
    finally:
        wb.close()
    return rows if found else None


def _heading_columns(values: Iterable[Any]) -> dict[str, int]:
    """Column of each known heading in one row, if the row is a ranking table's heading."""
    cols: dict[str, int] = {}
    for c, v in enumerate(values):
        key = fold(str(v)) if v is not None else ""
        for name, heads in (("name", _NAME_HEADS), ("id", _ID_HEADS), ("rank", _RANK_HEADS),
                            ("index", _INDEX_HEADS), ("parent", _PARENT_HEADS)):
            if key in heads and name not in cols:
                cols[name] = c
    return cols if ("name" in cols or "id" in cols) and "rank" in cols else {}


def _table_rows(path: Path) -> list[_Row]:
    """Rows of a plain table ``agency_id, rank, index``."""
    table = read_table(path)
    cols = {fold(c): c for c in table.columns}
    ident = next((cols[k] for k in ("agency_id", "agency", "name", "ma don vi", "don vi")
                  if k in cols), None)
    rank = next((cols[k] for k in ("rank", "xep hang") if k in cols), None)
    index = next((cols[k] for k in ("index", "chi so cchc", "chi so cchc (%)") if k in cols),
                 None)
    missing = [n for n, c in (("agency_id", ident), ("rank", rank)) if c is None]
    if missing:
        raise DataError(Problem(
            _("has no column {columns}").format(columns=", ".join(missing)), file=str(path),
            line=1, fix=_("the header must be agency_id,rank,index (agency_id may hold "
                          "the unit's id or its name; index may be blank)")))
    return [_Row(int(line), "", str(r[ident]), "", r[rank], r[index] if index else None)
            for line, r in table.iterrows()]


# --------------------------------------------------------------------------- matching
def _match(ds: Dataset, row: _Row) -> list[str]:
    ids = find_agencies(ds, row.name, exact=True) or find_agencies(ds, row.name)
    if len(ids) > 1:
        ranked = ds.agencies["ranked"].astype(bool) if "ranked" in ds.agencies else None
        if ranked is not None:
            ids = [a for a in ids if ranked.get(a, False)] or ids
    if len(ids) > 1 and row.parent and "parent_id" in ds.agencies:
        names = ds.agencies["name"]
        want = fold(row.parent)
        ids = [a for a in ids
               if fold(str(names.get(ds.agencies.at[a, "parent_id"], "") or "")) == want
               or fold(str(ds.agencies.at[a, "parent_id"] or "")) == want] or ids
    return ids


def read_previous(path: str | Path, ds: Dataset, *, option: str = "--previous"
                  ) -> PreviousYear:
    """Read last year's ranks from ``path`` and match them to the units of ``ds``.

    Parameters
    ----------
    path : str or Path
        A workbook written by ``cchc rank``, or a ``.csv``/``.xlsx`` table
        ``agency_id, rank, index``.
    ds : Dataset
        This year's dataset (its agencies, names and aliases).
    option : str
        The command-line option that named the file, for messages.

    Raises
    ------
    UsageError
        The file does not exist or has an unknown extension.
    DataError
        Every row that names no unit, several units or a unit already named, or holds a
        rank or index that is not a number.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(Problem(_("{path} does not exist").format(path=path), field=option,
                                 fix=_("give last year's workbook (written by cchc rank) "
                                       "or a CSV file agency_id,rank,index")))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise UsageError(Problem(
            _("{path} is neither a workbook (.xlsx) nor a CSV file").format(path=path),
            field=option, fix=_("give last year's workbook (written by cchc rank) or a CSV "
                                "file agency_id,rank,index")))
    rows = _workbook_rows(path) if suffix == ".xlsx" else None
    if rows is None:
        rows = _table_rows(path)
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    out: dict[str, tuple[float, float]] = {}
    for row in rows:
        where = {"file": f"{path.name} [{row.sheet}]" if row.sheet else path.name,
                 "line": row.line}
        if not row.name:
            problems.append(Problem(_("the unit is blank"), field="agency_id", **where,
                                    fix=_("give the unit's id or name, or delete the row")))
            continue
        ids = _match(ds, row)
        if not ids:
            problems.append(Problem(_("unknown unit '{name}'").format(name=row.name),
                                    field="agency_id", fix=suggest_agencies(ds, row.name),
                                    **where))
            continue
        if len(ids) > 1:
            problems.append(Problem(
                _("'{name}' matches {n} units: {ids}").format(
                    name=row.name, n=len(ids), ids=", ".join(ids[:5])),
                field="agency_id", fix=_("write the unit's id (agencies.csv) instead"),
                **where))
            continue
        aid = ids[0]
        if aid in seen:
            problems.append(Problem(
                _("'{name}' ({id}) is already on row {row}").format(
                    name=row.name, id=aid, row=seen[aid]),
                field="agency_id", fix=_("keep one row per unit"), **where))
            continue
        seen[aid] = row.line
        try:
            rank = _number(row.rank)
            index = _number(row.index)
        except ValueError:
            problems.append(Problem(
                _("rank {rank!r} or index {index!r} is not a number").format(
                    rank=row.rank, index=row.index),
                field="rank", fix=_("write the rank as a whole number (1, 2, ...) and the "
                                    "index in percent, or leave them blank"), **where))
            continue
        if rank is not None and (rank < 1 or not float(rank).is_integer()):
            problems.append(Problem(_("rank {rank} is not a whole number from 1").format(
                rank=row.rank), field="rank", fix=_("write the rank as 1, 2, 3, ..."),
                **where))
            continue
        out[aid] = (np.nan if rank is None else rank, np.nan if index is None else index)
    if problems:
        raise DataError(problems)
    if not out:
        raise DataError(Problem(_("holds no ranks"), file=str(path),
                                fix=_("give last year's workbook (written by cchc rank) or a "
                                      "CSV file agency_id,rank,index with one row per unit")))
    ranks = pd.DataFrame.from_dict(out, orient="index", columns=["rank", "index"])
    ranks.index.name = "agency_id"
    return PreviousYear(path, ranks.astype(float))


def year_over_year(totals: pd.DataFrame, previous: PreviousYear) -> pd.DataFrame:
    """This year's rank and index beside last year's, for every unit of ``totals``.

    Parameters
    ----------
    totals : DataFrame
        The engine's totals (index ``agency_id``; ``rank``, ``index``).
    previous : PreviousYear

    Returns
    -------
    DataFrame
        Indexed like ``totals``: ``previous_rank``, ``previous_index`` (NaN for a unit
        not in PREV), ``rank_change`` (last year's rank − this year's: positive = moved up;
        NaN when either rank is missing), ``is_new`` (not in PREV).

    Examples
    --------
    >>> t = pd.DataFrame({"rank": [1, 2, 3], "index": [90.0, 80.0, 70.0]},
    ...                  index=pd.Index(["a", "b", "c"], name="agency_id"))
    >>> p = PreviousYear(Path("p.csv"), pd.DataFrame({"rank": [4.0, 2.0], "index": [60.0,
    ...                  85.0]}, index=pd.Index(["a", "b"], name="agency_id")))
    >>> year_over_year(t, p)["rank_change"].tolist()
    [3.0, 0.0, nan]
    """
    prev = previous.ranks.reindex(totals.index)
    now = pd.to_numeric(totals["rank"], errors="coerce").astype(float)
    out = pd.DataFrame({"previous_rank": prev["rank"], "previous_index": prev["index"],
                        "rank_change": prev["rank"] - now,
                        "is_new": ~totals.index.isin(previous.ranks.index)},
                       index=totals.index)
    return out


COMPARE_COLUMNS: tuple[str, ...] = ("agency_id", "agency", "group", "index_a", "index_b",
                                    "index_diff", "rank_a", "rank_b", "rank_shift")


def compare_previous(totals: pd.DataFrame, previous: PreviousYear) -> pd.DataFrame:
    """Last year (A) against this year (B), in the columns of ``cchc compare``.

    Returns
    -------
    DataFrame
        :data:`COMPARE_COLUMNS` for every unit of ``totals`` (its order): ``index_a``,
        ``rank_a`` from PREV (NaN for a unit not in it), ``index_b``, ``rank_b`` this
        year's; ``index_diff`` = B − A; ``rank_shift`` = rank B − rank A (positive: lower
        this year), as ``cchc compare`` counts it.
    """
    yoy = year_over_year(totals, previous)
    out = pd.DataFrame({
        "agency_id": totals.index, "agency": totals["agency"].to_numpy(),
        "group": totals["group"].to_numpy(),
        "index_a": yoy["previous_index"].to_numpy(),
        "index_b": totals["index"].to_numpy(dtype=float),
        "rank_a": yoy["previous_rank"].to_numpy(),
        "rank_b": pd.to_numeric(totals["rank"], errors="coerce").to_numpy(dtype=float)})
    out["index_diff"] = out["index_b"] - out["index_a"]
    out["rank_shift"] = out["rank_b"] - out["rank_a"]
    return out[list(COMPARE_COLUMNS)]
