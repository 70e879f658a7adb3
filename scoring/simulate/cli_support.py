"""What the ``compare``, ``simulate`` and ``whatif`` commands share: loading and printing."""

from __future__ import annotations

import io
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.text import vi_number


def load_rules_at(path: Path, option: str = "--rules") -> Any:
    """Load a rule set, or a clear error when the path does not exist."""
    if not Path(path).exists():
        raise UsageError(Problem(_("rule set {path} not found").format(path=path), field=option,
                                 fix=_("give a rule-set folder or YAML file")))
    from scoring.rules.loader import load_rules
    return load_rules(path)


def load_data_at(path: Path, option: str = "--data") -> Any:
    """Load a dataset folder, or a clear error when it does not exist."""
    if not Path(path).is_dir():
        raise UsageError(Problem(_("dataset folder {path} not found").format(path=path),
                                 field=option,
                                 fix=_("give a dataset folder (see `cchc import-report`)")))
    from scoring.dataset import load_dataset
    return load_dataset(path)


def number(v: Any, digits: int = 2) -> str:
    """A cell for a human-readable table (blank for missing)."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, bool | np.bool_):
        return "có" if v else ""
    if isinstance(v, float | np.floating):
        return vi_number(float(v), digits)
    return str(v)


def print_table(title: str, df: pd.DataFrame, headings: dict[str, str],
                columns: Sequence[str], *, digits: dict[str, int] | None = None,
                group_names: dict[str, str] | None = None) -> None:
    """Print ``df[columns]`` as a rich table with Vietnamese ``headings`` on stdout;
    a ``group`` column shows the group's name from ``group_names`` instead of its id."""
    from rich.console import Console
    from rich.table import Table

    width = shutil.get_terminal_size((160, 24)).columns if sys.stdout.isatty() else 200
    console = Console(file=sys.stdout, width=width, highlight=False,
                      force_terminal=sys.stdout.isatty())
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in columns:
        numeric = c in df.columns and df[c].dtype.kind in "iuf"
        table.add_column(headings.get(c, c), justify="right" if numeric else "left",
                         overflow="fold")
    rows = df.reset_index()
    if group_names and "group" in rows.columns:
        rows["group"] = rows["group"].map(lambda g: group_names.get(g, g))
    for _i, row in rows.iterrows():
        table.add_row(*(number(row[c], (digits or {}).get(c, 2)) for c in columns))
    console.print(table)


def echo_csv(df: pd.DataFrame, columns: Sequence[str], *, float_format: str = "%.10g") -> None:
    """Write ``df[columns]`` (index reset) as CSV on stdout."""
    buf = io.StringIO()
    df.reset_index()[list(columns)].to_csv(buf, index=False, float_format=float_format,
                                           lineterminator="\n")
    click.echo(buf.getvalue(), nl=False)


def parse_assignments(items: Sequence[str], option: str, *, numeric: bool) -> dict[str, Any]:
    """``["a=1", "b=2"]`` → ``{"a": 1.0, "b": 2.0}`` with one clear error per bad item."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise UsageError(Problem(_("cannot read {item}").format(item=repr(item)),
                                     field=option,
                                     fix=_("write {option} NAME=VALUE").format(option=option)))
        if numeric:
            try:
                out[name] = float(value.replace(",", "."))
            except ValueError:
                raise UsageError(Problem(_("{value} is not a number").format(value=repr(value)),
                                         field=f"{option} {name}",
                                         fix=_("write a number, e.g. 95.5"))) from None
        else:
            out[name] = value
    return out
