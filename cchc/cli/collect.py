"""``cchc collect DIR``: filled score forms and survey workbooks into the dataset.

Reads every ``.xlsx`` in DIR, checks every cell, and — only if nothing is wrong — merges
the values into the dataset's ``scores.csv`` and ``surveys.csv`` (atomically). Prints
what was filled per group and what changed since the last collect.
"""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.options import data_option, rules_option
from scoring.i18n import _


@click.command("collect")
@click.argument("folder", type=click.Path(path_type=Path))
@rules_option
@data_option
def collect(folder: Path, rules_path: Path, data_path: Path) -> None:
    """Read filled forms from FOLDER into scores.csv / surveys.csv (all or nothing)."""
    from scoring.collect import collect_folder, plan_writes, report_lines, write_plan
    from scoring.dataset import load_dataset
    from scoring.rules.loader import load_rules

    rules = load_rules(rules_path)
    ds = load_dataset(data_path)
    got = collect_folder(folder, rules, ds)
    plan = plan_writes(Path(data_path), rules, ds, got)
    written = write_plan(plan)
    for line in report_lines(got, plan, str(folder)):
        click.echo(line)
    if written:
        click.echo(_("Written: {files}").format(files=", ".join(str(p) for p in written)))
    else:
        click.echo(_("Nothing to write: the dataset already holds these values."))
