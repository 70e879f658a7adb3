"""``cchc rank``: write the annual ranking workbook and print a short summary.

With no arguments it scores the bundled rule set and dataset and writes
``cchc-<dataset>.xlsx`` (plus ``-<rule-set id>`` when the rule set is a variant) in the
current folder. An existing workbook is replaced only with ``--force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cchc.cli.options import data_option, force_option, rules_option
from scoring.i18n import _


def compute(rules_path: Path, data_path: Path) -> Any:
    """Load rules and data and score them (the engine's ``ScoreResult``)."""
    from scoring.dataset import load_dataset
    from scoring.engine import score
    from scoring.rules.loader import load_rules

    return score(load_rules(rules_path), load_dataset(data_path))


def _vi(x: float) -> str:
    from reports.labels import vi_number

    return vi_number(x, 2)


@click.command("rank")
@rules_option
@data_option
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Workbook to write (.xlsx). Default: cchc-<dataset>.xlsx in the "
                   "current folder.")
@force_option
def rank(rules_path: Path, data_path: Path, output: Path | None, force: bool) -> None:
    """Write the annual ranking workbook (Vietnamese, A4, ready to attach).

    One sheet per group (ranking table, mean, counts per class, charts), the ledger of
    every point, the input data, the data-quality findings, the rule set in words and
    the provenance (hashes, versions). Set SOURCE_DATE_EPOCH for a byte-identical file.
    """
    from reports.workbook import default_filename, write_workbook
    from scoring.files import check_output

    inputs = (rules_path, data_path)
    if output is not None:
        check_output(output, inputs=inputs, force=force)  # fail before the (slower) scoring
    result = compute(rules_path, data_path)
    target = output if output is not None else Path.cwd() / default_filename(result)
    summary = write_workbook(result, target, inputs=inputs, force=force)
    click.echo(_("Workbook written: {path}").format(path=summary.path))
    click.echo(_("Sheets: {sheets}").format(sheets=", ".join(summary.sheets)))
    for g in summary.groups:
        click.echo("")
        click.echo(_("{group} ({count} units) — sheet “{sheet}”").format(
            group=g.name, count=g.count, sheet=g.sheet))
        for rank_no, agency, index in g.top:
            click.echo(_("  Rank {rank}: {unit} — CCHC index {index} %").format(
                rank=rank_no, unit=agency, index=_vi(index)))
        counts = "; ".join(f"{label}: {n}" for label, n in g.classes)
        click.echo(_("  Classes: {counts}").format(counts=counts))
