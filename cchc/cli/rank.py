"""``cchc rank``: write the annual ranking workbook and print a short summary.

With no arguments it scores the bundled rule set and dataset and writes
``cchc-<dataset>.xlsx`` (plus ``-<rule-set id>`` when the rule set is a variant) in the
current folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cchc.cli.options import data_option, load_inputs, rules_option


def compute(rules_path: Path, data_path: Path) -> Any:
    """Load rules and data and score them (the engine's ``ScoreResult``)."""
    from scoring.engine import score

    return score(*load_inputs(rules_path, data_path))


def _vi(x: float) -> str:
    from reports.labels import vi_number

    return vi_number(x, 2)


@click.command("rank")
@rules_option
@data_option
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Workbook to write (.xlsx). Default: cchc-<dataset>.xlsx in the "
                   "current folder.")
def rank(rules_path: Path, data_path: Path, output: Path | None) -> None:
    """Write the annual ranking workbook (Vietnamese, A4, ready to attach).

    One sheet per group (ranking table, mean, counts per class, charts), the ledger of
    every point, the input data, the data-quality findings, the rule set in words and
    the provenance (hashes, versions). Set SOURCE_DATE_EPOCH for a byte-identical file.
    """
    from reports.workbook import check_output_path, default_filename, write_workbook

    inputs = (rules_path, data_path)
    if output is not None:
        check_output_path(output, inputs)  # fail before the (slower) scoring
    result = compute(rules_path, data_path)
    target = output if output is not None else Path.cwd() / default_filename(result)
    summary = write_workbook(result, target, inputs=inputs)
    click.echo(f"Đã ghi bảng tính: {summary.path}")
    click.echo(f"Các trang: {', '.join(summary.sheets)}")
    for g in summary.groups:
        click.echo("")
        click.echo(f"{g.name} ({g.count} đơn vị) — trang “{g.sheet}”")
        for rank_no, agency, index in g.top:
            click.echo(f"  Hạng {rank_no}: {agency} — Chỉ số CCHC {_vi(index)} %")
        counts = "; ".join(f"{label}: {n}" for label, n in g.classes)
        click.echo(f"  Xếp loại: {counts}")
