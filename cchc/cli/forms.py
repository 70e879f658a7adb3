"""``cchc forms``: one score form per ranked unit, and a survey workbook per group.

The forms go to the folder given with ``--out`` (created if missing): ``<agency_id>.xlsx``
for every ranked unit (or those of ``--group``) and ``dieu-tra-<group>.xlsx`` for groups
whose tree has survey leaves. Send them out, then read them back with ``cchc collect``.
"""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.options import data_option, rules_option
from cchc.cli.rank import compute
from scoring.i18n import _, ngettext


@click.command("forms")
@rules_option
@data_option
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Folder for the forms (created if missing).")
@click.option("--group", "group", default=None, help="Only this group (id or name).")
@click.option("--force", is_flag=True, default=False,
              help="Replace forms already in the folder.")
def forms(rules_path: Path, data_path: Path, out: Path, group: str | None, force: bool) -> None:
    """Write the score forms (.xlsx) the units fill in, and the survey workbooks.

    Set SOURCE_DATE_EPOCH for byte-identical files.
    """
    from reports.forms import check_forms_folder, write_forms

    inputs = (rules_path, data_path)
    check_forms_folder(out, inputs)  # fail before the (slower) scoring
    summary = write_forms(compute(rules_path, data_path), out, group=group, inputs=inputs,
                          force=force)
    click.echo(_("Forms written to {folder}").format(folder=summary.folder))
    for gid, n in summary.per_group:
        click.echo("  " + ngettext("{group}: {n} form", "{group}: {n} forms", n).format(
            group=gid, n=n))
    for name in summary.surveys:
        click.echo("  " + _("survey workbook: {name}").format(name=name))
    click.echo(_("When they come back filled in: cchc collect {folder}").format(
        folder=summary.folder))
