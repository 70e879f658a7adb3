"""``cchc score``: points, index, rank and class of every ranked agency.

``--format csv`` / ``json`` give exactly the fields ``agency_id, agency, group, points,
max_points, index, rank, class`` (index in percent, unrounded; rank at the rule set's
canonical precision). ``--format table`` (default) prints one Vietnamese table per group
with the index to two decimals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
import pandas as pd

from cchc.cli.options import data_option, format_option, load_inputs, rules_option
from cchc.cli.table import print_table, print_text
from reports.stamp import dataset_stamp
from scoring.i18n import _, ngettext
from scoring.number_format import format_number
from scoring.vocabulary import class_label, column_label, group_label

FIELDS: tuple[str, ...] = ("agency_id", "agency", "group", "points", "max_points", "index",
                           "rank", "class")


def compute(rules_path: Path, data_path: Path) -> Any:
    """Load rules and data and score them (a :class:`scoring.engine.ScoreResult`)."""
    from scoring.engine import score as run_score

    return run_score(*load_inputs(rules_path, data_path))


def echo_stamp(dataset: Any) -> None:
    """Print ``SỐ LIỆU MINH HỌA`` first when the dataset is illustrative."""
    stamp = dataset_stamp(dataset)
    if stamp:
        click.echo(stamp.rstrip(" —"))


def records(totals: pd.DataFrame) -> pd.DataFrame:
    """The totals as the public fields, in order (index → ``agency_id`` column)."""
    t = totals.reset_index()
    return t[list(FIELDS)]


def _json_value(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return _json_value(v.item())
    return v


@click.command("score")
@rules_option
@data_option
@format_option("table", "csv", "json")
def score(rules_path: Path, data_path: Path, fmt: str) -> None:
    """Points, index, rank and class of every ranked agency, per group.

    The index is points ÷ the agency's maximum × 100 (leaves that do not arise or are not
    yet appraised leave the maximum; see the rule set). Ranks are per group.
    """
    result = compute(rules_path, data_path)
    table = records(result.totals)
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
        return
    if fmt == "json":
        rows = [{k: _json_value(v) for k, v in zip(FIELDS, row, strict=True)}
                for row in table.itertuples(index=False, name=None)]
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    rules = result.rules
    echo_stamp(result.dataset)
    print_text(_("Rule set: {title} ({id} {version})").format(
        title=rules.title, id=rules.id, version=rules.version))
    click.echo(_("Data: {name}").format(name=result.dataset.name))
    headings = [column_label(c) for c in ("rank", "agency", "points", "max", "index", "class")]
    for group in rules.groups:
        part = table[table["group"] == group.id]
        if part.empty:
            continue
        click.echo("")
        rows = []
        for _aid, name, _g, points, max_points, index, rank, klass in part.itertuples(
                index=False, name=None):
            rows.append(["—" if pd.isna(rank) else str(int(rank)), str(name),
                         format_number(points, 2), format_number(max_points, 2),
                         format_number(index, 2), class_label(klass)])
        title = ngettext("{group} ({n} unit)", "{group} ({n} units)", len(part)).format(
            group=group_label(group.id, group.name), n=len(part))
        print_table(headings, rows, numeric=(True, False, True, True, True, False), title=title)
