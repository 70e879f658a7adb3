"""``cchc import-dossiers FILE --out DIR``: the dossier statistics export of the provincial
TTHC system into a dataset's ``dossiers.csv``."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scoring.files import check_output_folder
from scoring.i18n import _
from scoring.importer.dossier_import import DossierImport, import_dossiers, parse_period


def render_result(result: DossierImport, console: Console) -> None:
    """Where the table was found, what was matched, skipped or added, and the findings."""
    h = result.header
    console.print(_("Table found on sheet {sheet}, header at row {row} ({depth} header "
                    "rows).").format(sheet=h.sheet, row=h.row, depth=h.depth))
    if result.missing_columns:
        console.print(_("Columns not in the export (left blank): {columns}").format(
            columns=", ".join(result.missing_columns)))
    if result.period:
        console.print(_("Statistics period: {start} – {end}").format(
            start=result.period[0].strftime("%d/%m/%Y"),
            end=result.period[1].strftime("%d/%m/%Y")))
    for agency in result.new_agencies:
        console.print(_("New agency: {id} ({name}, {group}) — review it in agencies.csv").format(
            id=agency.agency_id, name=agency.name, group=agency.group))
    if result.findings:
        table = Table(title=_("Data-quality findings (findings.csv)"))
        for heading, width in ((_("Unit"), 30), (_("Column"), 22), (_("Published"), 12),
                               (_("Recomputed"), 12), (_("Message"), None),
                               (_("Location"), 18)):
            table.add_column(heading, overflow="fold", max_width=width,
                             ratio=1 if width is None else None)
        for f in result.findings:
            table.add_row(f.agency, f.column, f.published, f.expected, f.message,
                          "" if f.line is None else str(f.line))
        console.print(table)


@click.command("import-dossiers")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="Dataset folder (with its agencies.csv) to write dossiers.csv into.")
@click.option("--sheet", default=None, help="Sheet holding the table (default: the first "
              "sheet with a known header).")
@click.option("--period", nargs=2, default=None, metavar="START END",
              help="Statistics period, dd/mm/yyyy dd/mm/yyyy (default: read from the file).")
@click.option("--columns", "columns", type=click.Path(path_type=Path), default=None,
              help="YAML column map for header names the importer does not know.")
@click.option("--new-units", is_flag=True,
              help="Add units that match no agency as new agencies (instead of stopping).")
@click.option("--skip", multiple=True, metavar="NAME",
              help="Leave out the row of this unit (name as in the file, or row number); "
                   "repeatable.")
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line result.")
def import_dossiers_command(file: Path, out: Path, sheet: str | None,
                            period: tuple[str, str] | None, columns: Path | None,
                            new_units: bool, skip: tuple[str, ...], quiet: bool) -> None:
    """Read the dossier statistics table of a TTHC system export (.xlsx, .xls, .csv).

    Finds the header by its Vietnamese column names, matches every unit to an agency of
    the dataset and writes dossiers.csv, the findings and the manifest — only when every
    row is matched, skipped or added.
    """
    check_output_folder(out, inputs=[p for p in (file, columns) if p is not None])
    result = import_dossiers(file, out, sheet=sheet, period=parse_period(period),
                             columns=columns, new_units=new_units, skip=skip)
    if not quiet:
        width = max(shutil.get_terminal_size((160, 40)).columns, 120)
        render_result(result, Console(width=width, soft_wrap=False))
    click.echo(_("wrote {out}/dossiers.csv: {rows} units, {subtotals} subtotal rows checked, "
                 "{skipped} skipped, {new} new agencies, {findings} findings").format(
        out=out, rows=result.rows, subtotals=result.subtotals, skipped=len(result.skipped),
        new=len(result.new_agencies), findings=len(result.findings)))
