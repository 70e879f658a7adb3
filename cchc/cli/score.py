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
from reports.stamp import dataset_stamp
from scoring.text import vi_number

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


def vi(x: float | None, decimals: int = 2) -> str:
    """``95.125`` → ``'95,13'`` (Vietnamese decimal comma); missing → ``'—'``."""
    if x is None:
        return "—"
    return vi_number(float(x), decimals)


def render_table(rows: list[list[str]], align: str) -> list[str]:
    """Plain text table; ``align`` has one ``l``/``r`` per column."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(align))]
    out = []
    for k, row in enumerate(rows):
        cells = [c.ljust(w) if a == "l" else c.rjust(w)
                 for c, w, a in zip(row, widths, align, strict=True)]
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * w for w in widths))
    return out


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
    click.echo(f"Bộ tiêu chí: {rules.title} ({rules.id} {rules.version})")
    click.echo(f"Dữ liệu: {result.dataset.name}")
    for group in rules.groups:
        part = table[table["group"] == group.id]
        if part.empty:
            continue
        click.echo("")
        click.echo(f"{group.name} ({len(part)} đơn vị)")
        rows = [["Hạng", "Đơn vị", "Điểm", "Điểm tối đa", "Chỉ số CCHC (%)", "Xếp loại"]]
        for _aid, name, _g, points, max_points, index, rank, klass in part.itertuples(
                index=False, name=None):
            rows.append(["—" if pd.isna(rank) else str(int(rank)), str(name), vi(points),
                         vi(max_points), vi(index), "—" if pd.isna(klass) else str(klass)])
        for line in render_table(rows, "rlrrrl"):
            click.echo(line)
