"""``cchc collect DIR``: filled score forms and survey workbooks into the dataset.

Reads every ``.xlsx`` in DIR, checks every cell, and — only if nothing is wrong — merges
the values into the dataset's ``scores.csv`` and ``surveys.csv`` (atomically). Prints
what was filled per group and what changed since the last collect.
"""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.options import data_option, rules_option
from scoring.i18n import _, ngettext


@click.command("collect")
@click.argument("folder", type=click.Path(path_type=Path))
@rules_option
@data_option
def collect(folder: Path, rules_path: Path, data_path: Path) -> None:
    """Read filled forms from FOLDER into scores.csv / surveys.csv (all or nothing)."""
    from scoring.collect import collect_folder, plan_writes, write_plan
    from scoring.dataset import load_dataset
    from scoring.rules.loader import load_rules

    rules = load_rules(rules_path)
    ds = load_dataset(data_path)
    got = collect_folder(folder, rules, ds)
    plan = plan_writes(Path(data_path), rules, ds, got)
    written = write_plan(plan)
    n_forms = sum(1 for f in got.forms if f.kind)
    click.echo(ngettext("Read {n} workbook from {folder}", "Read {n} workbooks from {folder}",
                        n_forms).format(n=n_forms, folder=folder))
    for group, forms, filled, own, judged in plan.stats:
        click.echo("  " + _("{group}: {forms} forms, {filled} leaves filled ({own} self-assessed "
                            "only, {judged} appraised)").format(
            group=group, forms=forms, filled=filled, own=own, judged=judged))
    for group, units, values in plan.survey_stats:
        click.echo("  " + _("{group}: survey results for {units} units ({values} figures)")
                   .format(group=group, units=units, values=values))
    for name in got.skipped:
        click.echo("  " + _("skipped {name} (a lock file of an open workbook)").format(
            name=name))
    for w in plan.writes:
        if w.path.name == "manifest.json":
            continue
        if not w.differs:
            click.echo(_("{file}: unchanged").format(file=w.path.name))
        else:
            click.echo(_("{file}: {added} rows added, {changed} changed, {removed} removed")
                       .format(file=w.path.name, added=w.added, changed=w.changed,
                               removed=w.removed))
    if written:
        click.echo(_("Written: {files}").format(files=", ".join(str(p) for p in written)))
    else:
        click.echo(_("Nothing to write: the dataset already holds these values."))
