"""The one spreadsheet writer: every ``.xlsx`` the project writes is made here.

It never turns data into a formula. Workbooks are opened with xlsxwriter's
``strings_to_formulas``, ``strings_to_numbers`` and ``strings_to_urls`` off, and the cell
functions below write text with ``write_string`` whatever it starts with (``=``, ``+``,
``-``, ``@``, a tab or a carriage return), numbers with ``write_number`` and anything
missing (None, NaN, infinity) as a blank cell. Formulas exist only where the code writes
one on purpose, with :meth:`xlsxwriter.worksheet.Worksheet.write_formula`.

:func:`write_xlsx` is the whole life of a workbook: the target is checked
(:func:`scoring.files.check_output`), the workbook is built in a private temporary folder
beside it (xlsxwriter's own temporary files go there too) and renamed into place only
when complete (:func:`scoring.files.atomic_output`).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> target = Path(tempfile.mkdtemp()) / "x.xlsx"
>>> def build(wb):
...     ws = wb.add_worksheet("A")
...     put(ws, 0, 0, "=1+1")        # text, not a formula
...     write_rows(ws, 1, 0, [["a", "=b"], [1.5, None]], numeric=[False, True])
...     return ws.get_name()
>>> write_xlsx(target, build)
'A'
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import xlsxwriter

from scoring.files import atomic_output, check_output

T = TypeVar("T")

#: options no caller may change: data never becomes a formula, a number or a link
SAFE_OPTIONS: dict[str, Any] = {
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
    "nan_inf_to_errors": False,
}


def open_workbook(path: str | Path, *, tmpdir: str | Path | None = None,
                  constant_memory: bool = False, **options: Any) -> xlsxwriter.Workbook:
    """An xlsxwriter workbook with the safe options (callers normally use :func:`write_xlsx`).

    Parameters
    ----------
    path : str or Path
        File to create.
    tmpdir : str or Path, optional
        Where xlsxwriter keeps its temporary files.
    constant_memory : bool
        Stream rows to disk (for sheets of a million rows); rows must then be written
        in order, and text is stored inline.
    **options
        Other xlsxwriter options (``default_format_properties``...); the safe options
        always win.
    """
    opts = {**options, "constant_memory": constant_memory, **SAFE_OPTIONS}
    if tmpdir is not None:
        opts["tmpdir"] = str(tmpdir)
    return xlsxwriter.Workbook(str(path), opts)


def write_xlsx(target: str | Path, build: Callable[[xlsxwriter.Workbook], T], *,
               inputs: Iterable[str | Path] = (), force: bool = False,
               option: str = "-o", constant_memory: bool = False,
               **options: Any) -> T:
    """Check ``target``, build the workbook with ``build(wb)`` and move it into place.

    Parameters
    ----------
    target : str or Path
        The ``.xlsx`` file to write.
    build : callable
        Fills the workbook (add sheets, write cells with :func:`put`/:func:`write_rows`);
        its return value is returned.
    inputs : iterable of path
        Files and folders the output must not be or lie in.
    force : bool
        Replace an existing file (commands pass their ``--force``).
    option : str
        Option name for messages.
    constant_memory : bool, **options
        See :func:`open_workbook`.

    Raises
    ------
    UsageError
        Bad target, or the file could not be written (the target is then untouched).
    """
    path = check_output(target, inputs=inputs, suffix=".xlsx", force=force, option=option)
    with atomic_output(path) as tmp:
        wb = open_workbook(tmp, tmpdir=tmp.parent, constant_memory=constant_memory, **options)
        try:
            out = build(wb)
        finally:
            wb.close()
    return out


# --------------------------------------------------------------------------- cells
def number(value: Any) -> float | None:
    """``value`` as a finite float, or None (missing, NaN, infinite, bool, not a number).

    Examples
    --------
    >>> number("3"), number(float("nan")), number(True), number(2)
    (None, None, None, 2.0)
    """
    if value is None or isinstance(value, bool | str):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def is_missing(value: Any) -> bool:
    """True for None, NaN, NaT and pandas' NA."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    """``value`` as text; missing values as ``""``."""
    return "" if is_missing(value) else str(value)


def put(ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
    """Write one value with its type: text always as text, numbers as numbers.

    ``""``, None, NaN and infinities become a blank cell (keeping ``fmt``); a bool is
    written as a number (1/0) only if the caller passes it as an int.
    """
    if isinstance(value, str):
        if value == "":
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_string(row, col, value, fmt)
        return
    num = number(value)
    if num is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, num, fmt)


def column_values(values: Iterable[Any], numeric: bool) -> list[Any]:
    """One column ready for :func:`write_rows`: floats/None, or str/None.

    Text that looks like a number stays text in a text column; in a numeric column
    anything that is not a finite number (text included) becomes None (a blank cell).

    Examples
    --------
    >>> column_values([1, float("nan"), None], True)
    [1.0, None, None]
    >>> column_values(["a", None, float("nan"), 3, ""], False)
    ['a', None, None, '3', None]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if numeric:
        if not pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            s = pd.to_numeric(s.map(lambda v: None if isinstance(v, str | bool) else v),
                              errors="coerce")
        arr = s.to_numpy(dtype=float, na_value=np.nan)
        arr[~np.isfinite(arr)] = np.nan
        return [None if v != v else v for v in arr.tolist()]
    obj = s.astype(object)
    missing = obj.isna().tolist()
    return [None if m or v == "" else v if v.__class__ is str else str(v)
            for v, m in zip(obj.tolist(), missing, strict=True)]


PROGRESS_EVERY = 20_000


def write_rows(ws: Any, first_row: int, first_col: int, columns: Sequence[Sequence[Any]], *,
               numeric: Sequence[bool], formats: Sequence[Any] | None = None,
               progress: Callable[[int], None] | None = None) -> int:
    """Write a block of rows given column by column; return the number of rows.

    Parameters
    ----------
    ws : Worksheet
    first_row, first_col : int
        Top-left cell of the block.
    columns : sequence of sequences
        Column values, all the same length. A numeric column holds floats or None
        (see :func:`column_values`); a text column holds str or None.
    numeric : sequence of bool
        Which columns are numbers.
    formats : sequence of Format, optional
        One format per column (None: no format; a blank cell is then not written).
    progress : callable, optional
        Called with the number of rows written, every :data:`PROGRESS_EVERY` rows and at
        the end.

    Notes
    -----
    Rows are written in order (so a ``constant_memory`` sheet streams them to disk),
    with xlsxwriter's public ``write_string``/``write_number``/``write_blank`` bound once
    per column; nothing else is done per cell.
    """
    if not columns:
        return 0
    n = len(columns[0])
    fmts = list(formats) if formats is not None else [None] * len(columns)
    writers = []
    for c, (is_num, fmt) in enumerate(zip(numeric, fmts, strict=True)):
        writers.append((first_col + c, ws.write_number if is_num else ws.write_string, fmt))
    blank = ws.write_blank
    for i, row in enumerate(zip(*columns, strict=True)):
        r = first_row + i
        for (c, write, fmt), v in zip(writers, row, strict=True):
            if v is None or v == "":
                if fmt is not None:
                    blank(r, c, None, fmt)
            else:
                write(r, c, v, fmt)
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i)
    if progress is not None:
        progress(n)
    return n


def write_frame(ws: Any, first_row: int, frame: pd.DataFrame, *,
                formats: dict[str, Any] | None = None,
                render: dict[str, Callable[[Any], Any]] | None = None) -> int:
    """Write the values of ``frame`` (no heading) from ``first_row``, column 0.

    Float and integer columns are numbers; every other column is text (booleans via
    ``render`` if the caller wants words). ``render`` maps a column to a function applied
    to each value first. Returns the number of rows.
    """
    columns, numeric = [], []
    for name in frame.columns:
        s = frame[name]
        if render and name in render:
            s = s.map(render[name])
        is_num = (pd.api.types.is_numeric_dtype(s.dtype)
                  and not pd.api.types.is_bool_dtype(s.dtype))
        numeric.append(is_num)
        columns.append(column_values(s.tolist(), is_num))
    fmts = [(formats or {}).get(name) for name in frame.columns]
    return write_rows(ws, first_row, 0, columns, numeric=numeric, formats=fmts)
