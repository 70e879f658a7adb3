"""``cchc rank``: write the annual ranking workbook and print a short summary.

With no arguments it scores the bundled rule set and dataset and writes
``cchc-<dataset>.xlsx`` (plus ``-<rule-set id>`` when the rule set is a variant) in the
current folder. An existing workbook is replaced only with ``--force``. ``--ledger csv``
writes the ledger as a CSV beside the workbook (national datasets), ``--no-ledger`` leaves
it out; a large ledger shows a progress bar on a terminal.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def _vi(x: float, digits: int) -> str:
    from reports.labels import vi_number

    return vi_number(x, digits)


# a progress bar from this many ledger rows on (a province's ~60,000 rows take seconds)
PROGRESS_FROM_ROWS = 100_000


@contextmanager
def ledger_progress(rows: int) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on stderr while the ledger is written, only on a terminal and only
    for large ledgers; yields the callback for :func:`reports.workbook.write_workbook`."""
    if rows < PROGRESS_FROM_ROWS or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn(_("writing the ledger")), BarColumn(),
                   TextColumn("{task.percentage:>3.0f}%"), TimeRemainingColumn(),
                   console=Console(file=sys.stderr), transient=True)
    with bar:
        task = bar.add_task("ledger", total=rows)
        yield lambda done: bar.update(task, completed=done)


@click.command("rank")
@rules_option
@data_option
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Workbook to write (.xlsx). Default: cchc-<dataset>.xlsx in the "
                   "current folder.")
@click.option("--ledger", "ledger", type=click.Choice(["auto", "sheet", "csv", "none"]),
              default="auto", show_default=True,
              help="Where the ledger (every unit x leaf) goes: sheets of the workbook, a CSV "
                   "beside it (<workbook>-chi-tiet-diem.csv; much faster for a national "
                   "dataset), or nowhere. auto: sheets up to 300,000 rows, CSV above.")
@click.option("--no-ledger", "no_ledger", is_flag=True, help="Same as --ledger none.")
@force_option
def rank(rules_path: Path, data_path: Path, output: Path | None, ledger: str, no_ledger: bool,
         force: bool) -> None:
    """Write the annual ranking workbook (Vietnamese, A4, ready to attach).

    One sheet per group (ranking table, mean, counts per class, charts), the ledger of
    every point, the input data, the data-quality findings, the rule set in words and
    the provenance (hashes, versions). Set SOURCE_DATE_EPOCH for a byte-identical file.
    """
    from reports.workbook import (
        default_filename,
        index_digits,
        ledger_csv_path,
        ledger_mode,
        write_workbook,
    )
    from scoring.files import check_output

    inputs = (rules_path, data_path)
    if output is not None:
        check_output(output, inputs=inputs, force=force)  # fail before the (slower) scoring
    result = compute(rules_path, data_path)
    target = output if output is not None else Path.cwd() / default_filename(result)
    ledger = "none" if no_ledger else ledger_mode(ledger, len(result.ledger))
    if ledger == "csv":
        click.echo(_("The ledger ({rows} rows) goes to {file} beside the workbook "
                     "(--ledger sheet to have it in the workbook).").format(
            rows=_vi(len(result.ledger), 0), file=ledger_csv_path(target).name), err=True)
    with ledger_progress(len(result.ledger) if ledger != "none" else 0) as progress:
        summary = write_workbook(result, target, inputs=inputs, force=force, ledger=ledger,
                                 progress=progress)
    click.echo(_("Workbook written: {path}").format(path=summary.path))
    click.echo(_("Sheets: {sheets}").format(sheets=", ".join(summary.sheets)))
    digits = index_digits(result.rules)
    for g in summary.groups:
        click.echo("")
        click.echo(_("{group} ({count} units) — sheet “{sheet}”").format(
            group=g.name, count=g.count, sheet=g.sheet))
        for rank_no, agency, index in g.top:
            click.echo(_("  Rank {rank}: {unit} — CCHC index {index} %").format(
                rank=rank_no, unit=agency, index=_vi(index, digits)))
        counts = "; ".join(f"{label}: {n}" for label, n in g.classes)
        click.echo(_("  Classes: {counts}").format(counts=counts))
