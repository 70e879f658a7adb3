"""The one table renderer of the command line: every command's tables go through here.

On a terminal, rich lays the tables out to fit its width (``COLUMNS`` when set, else the
terminal's): text columns wrap, numbers never do, and the table has light rules. Piped (a
file, ``grep``, another program) a table is not wrapped: one line per row, plain text with
no box characters, as wide as its widest cells (:func:`plain_lines`, the text rich gives
for such a table when it fits), so that every row can be found with ``grep`` and read by a
program; rich is then not imported. Only a width asked for in ``COLUMNS`` (the shell does
not export it by itself) makes piped output fit that width: a table or paragraph wider than
it is laid out by rich, still with no box characters. Numbers are formatted by
:func:`scoring.number_format.format_number` in the language in force.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from rich.cells import cell_len

from scoring.i18n import _
from scoring.number_format import format_number
from scoring.vocabulary import class_label, group_label

PIPED_WIDTH = 120
MAX_WORD = 16


def asked_width() -> int | None:
    """The width ``COLUMNS`` asks for (a whole number over 20), else None."""
    env = os.environ.get("COLUMNS", "")
    return int(env) if env.isdigit() and int(env) > 20 else None


def width(stream: Any = None) -> int:
    """The width to fit: ``COLUMNS``, else the terminal's, else :data:`PIPED_WIDTH`."""
    stream = stream or sys.stdout
    asked = asked_width()
    if asked is not None:
        return asked
    if stream.isatty():
        return shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
    return PIPED_WIDTH


def _piped_as_is(stream: Any, lines: Iterable[str]) -> bool:
    """True when ``lines`` go out as they are: piped, and no ``COLUMNS`` width that one of
    them would pass."""
    if stream.isatty():
        return False
    asked = asked_width()
    return asked is None or all(cell_len(line) <= asked for line in lines)


def _console(err: bool) -> Any:
    from rich.console import Console  # rich is loaded only for what it lays out

    stream = sys.stderr if err else sys.stdout
    return Console(file=stream, width=width(stream), highlight=False, markup=False,
                   emoji=False, force_terminal=stream.isatty(), no_color=not stream.isatty(),
                   soft_wrap=False)


def print_table(headings: Sequence[str], rows: Iterable[Sequence[Any]], *,
                numeric: Sequence[bool] | None = None, title: str | None = None,
                bold_rows: Iterable[int] = (), ratios: Sequence[int | None] | None = None,
                err: bool = False) -> None:
    """Print one table fitted to the terminal.

    Parameters
    ----------
    headings : sequence of str
        Column headings (already in the reader's language).
    rows : iterable of sequences
        Cells; text as given, numbers as already formatted strings.
    numeric : sequence of bool, optional
        Right-aligned, never wrapped columns (numbers, ranks).
    title : str, optional
        A line printed above the table.
    bold_rows : iterable of int
        Rows (0-based) to stress, e.g. subtotals (on a terminal only).
    ratios : sequence of int or None, optional
        How the width left by the other columns is shared among wrapping text columns.
    err : bool
        Print on stderr instead of stdout.
    """
    numeric = list(numeric or [False] * len(headings))
    body = [["" if c is None else str(c) for c in row] for row in rows]
    stream = sys.stderr if err else sys.stdout
    if not stream.isatty():
        lines = ([one_line(title)] if title else []) + plain_lines(headings, body, numeric)
        if _piped_as_is(stream, lines):
            stream.write("".join(line + "\n" for line in [*lines, ""]))
            return
    _rich_table(headings, body, numeric, title, bold_rows, ratios, err)


def one_line(text: str) -> str:
    """``text`` with every character that would break or garble a line (newline, tab,
    other control characters) replaced by a space.

    Examples
    --------
    >>> one_line("Sở A\\nSở B")
    'Sở A Sở B'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else " " for c in text)


def plain_lines(headings: Sequence[str], body: Sequence[Sequence[str]],
                numeric: Sequence[bool]) -> list[str]:
    """The lines of a table printed without rules: one line per row, never wrapped.

    Columns are as wide as their widest cell, one space of padding each side (none at
    the edges), text to the left and numbers to the right, trailing spaces cut: what
    rich prints for a table with no box when it fits the width. A cell's line breaks
    and other control characters become spaces (:func:`one_line`).

    Examples
    --------
    >>> plain_lines(["Hạng", "Tên"], [["1", "Sở A"], ["10", "Sở Tư pháp"]],
    ...             [True, False])
    ['Hạng  Tên', '   1  Sở A', '  10  Sở Tư pháp']
    >>> plain_lines(["Tên"], [["Sở\\nA"]], [False])
    ['Tên', 'Sở A']
    """
    texts = [[one_line(c) for c in row] for row in [headings, *body]]
    last = len(headings) - 1
    pads = [(0 if i == 0 else 1, 0 if i == last else 1) for i in range(len(headings))]
    widths = [max(cell_len(row[i]) for row in texts) for i in range(len(headings))]
    lines = []
    for row in texts:
        cells = []
        for c, w, (a, b), right in zip(row, widths, pads, numeric, strict=True):
            gap = " " * (w - cell_len(c))
            cells.append(" " * a + (gap + c if right else c + gap) + " " * b)
        lines.append("".join(cells).rstrip())
    return lines


def _rich_table(headings: Sequence[str], body: list[list[str]], numeric: list[bool],
                title: str | None, bold_rows: Iterable[int],
                ratios: Sequence[int | None] | None, err: bool) -> None:
    """:func:`print_table` laid out by rich on a terminal."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = _console(err)
    piped = not (sys.stderr if err else sys.stdout).isatty()   # plain text: no rules
    table = Table(box=None if piped else box.SIMPLE_HEAD, show_edge=False, pad_edge=False,
                  header_style="bold", title=None, expand=ratios is not None,
                  show_header=True, padding=(0, 1))
    shares = list(ratios or [None] * len(headings))
    for i, (heading, is_number, share) in enumerate(zip(headings, numeric, shares,
                                                         strict=True)):
        cells = [row[i] for row in body]
        if is_number:      # numbers never wrap; a long heading does
            least = max((len(c) for c in cells), default=1)
        else:              # text wraps between words, not inside one
            least = min(max((len(w) for c in [heading, *cells] for w in c.split()),
                            default=1), MAX_WORD)
        table.add_column(Text(heading), justify="right" if is_number else "left",
                         overflow="fold", ratio=share, min_width=least)
    stressed = set(bold_rows)
    for i, row in enumerate(body):
        table.add_row(*(Text(c) for c in row), style="bold" if i in stressed else None)
    if title:
        console.print(Text(title))
    console.print(table)


def print_text(text: str, err: bool = False) -> None:
    """A paragraph wrapped to the width the tables use."""
    stream = sys.stderr if err else sys.stdout
    lines = text.split("\n")
    if all(line.isprintable() for line in lines) and _piped_as_is(stream, lines):
        stream.write(text + "\n")
        return
    from rich.text import Text

    _console(err).print(Text(text))


def cell(value: Any, decimals: int = 2) -> str:
    """A data-frame value as a person reads it (blank when missing)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return _("yes") if value else ""
    if isinstance(value, int | np.integer):
        return format_number(int(value))
    if isinstance(value, float | np.floating):
        return format_number(float(value), decimals)
    return str(value)


def print_frame(title: str, df: pd.DataFrame, headings: Mapping[str, str],
                columns: Sequence[str], *, decimals: Mapping[str, int] | None = None,
                group_names: Mapping[str, str] | None = None,
                text: Mapping[str, Any] | None = None, signed: Iterable[str] = ()) -> None:
    """Print ``df[columns]`` (index reset) with ``headings``; numbers in the reader's style.

    ``group`` cells show the group's name (``group_names`` or the vocabulary), ``*class*``
    cells the class label in the reader's language, ``text[column]`` (a function) turns
    a column's codes into words, and ``signed`` columns are changes (``+12,50``).
    """
    frame = df.reset_index() if df.index.name is not None else df
    numeric = [c in frame.columns and frame[c].dtype.kind in "iuf" for c in columns]
    converters = dict(text or {})
    converters.setdefault("group", lambda g: (group_names or {}).get(g) or group_label(g))
    for c in columns:
        if "class" in c and c not in converters and frame[c].dtype.kind not in "iufb":
            converters[c] = class_label
    for c in signed:
        places = (decimals or {}).get(c, 2)
        converters[c] = lambda v, places=places: format_number(v, places, signed=True)
    rows = []
    for record in frame[list(columns)].itertuples(index=False, name=None):
        rows.append([converters[c](v) if c in converters and cell(v) != "" else
                     cell(v, (decimals or {}).get(c, 2)) for c, v in zip(columns, record,
                                                                        strict=True)])
    print_table([headings.get(c, c) for c in columns], rows, numeric=numeric, title=title)


@contextmanager
def progress_bar(label: str, total: int | None = None,
                 show: bool = True) -> Iterator[Callable[..., None] | None]:
    """A progress bar labelled ``label`` on stderr, only on a terminal and when ``show``.

    Yields ``update(done, total=None)`` (a ``total`` given replaces the one the bar has), or
    ``None`` when no bar is shown; rich is imported only for a bar.
    """
    if not show or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(label), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                   TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True)
    with bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total=None: bar.update(task, completed=done, total=total)
