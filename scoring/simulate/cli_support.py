"""What the ``compare``, ``simulate`` and ``whatif`` commands (and the web forms) share:
CSV on stdout and ``NAME=VALUE`` assignments."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import click
import pandas as pd

from scoring.errors import Problem, UsageError
from scoring.i18n import _


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
