"""``cchc rank``: write the annual ranking workbook and print a short summary.

With no arguments it scores the bundled rule set and dataset and writes
``cchc-<dataset>.xlsx`` (plus ``-<rule-set id>`` when the rule set is a variant) in the
current folder. An existing workbook is replaced only with ``--force``. ``--ledger csv``
writes the ledger as a CSV beside the workbook (national datasets), ``--no-ledger`` leaves
it out; a large ledger shows a progress bar on a terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cchc.cli.options import data_option, force_option, load_inputs, rules_option
from cchc.cli.table import progress_bar
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.vocabulary import class_label


def compute(rules_path: Path, data_path: Path) -> Any:
    """Load rules and data and score them (the engine's ``ScoreResult``)."""
    from scoring.engine import score

    return score(*load_inputs(rules_path, data_path))


def appendix_targets(docx_path: Path | None, pdf_path: Path | None,
                     inputs: tuple[Path, ...], force: bool) -> tuple[Path | None, Path | None]:
    """Check the --docx and --pdf targets before any work; () when neither is asked."""
    from reports.docx import libreoffice
    from scoring.files import check_output

    if docx_path is None and pdf_path is None:
        return ()
    docx = None if docx_path is None else check_output(
        docx_path, inputs=inputs, suffix=".docx", force=force, option="--docx")
    pdf = None if pdf_path is None else check_output(
        pdf_path, inputs=inputs, suffix=".pdf", force=force, option="--pdf")
    if pdf is not None:
        libreoffice()  # a clear message now if LibreOffice is missing
    return docx, pdf


def write_appendix(result: Any, previous: Any, docx: Path | None,
                   pdf: Path | None) -> list[Path]:
    """Write the decision appendix as Word and/or PDF; the files written."""
    from reports.annual import appendices
    from reports.docx import build_appendix, write_docx, write_pdf
    from scoring.appraisal import compare_self
    from scoring.previous import year_over_year

    yoy = None if previous is None else year_over_year(result.totals, previous)
    doc = build_appendix(appendices(result, compare_self(result), yoy))
    written = []
    if docx is not None:
        written.append(write_docx(doc, docx))
    if pdf is not None:
        written.append(write_pdf(doc, pdf))
    return written


# a progress bar from this many ledger rows on (a province's ~60,000 rows take seconds)
PROGRESS_FROM_ROWS = 100_000


@click.command("rank")
@rules_option
@data_option
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), default=None,
              help="Workbook to write (.xlsx). Default: cchc-<dataset>.xlsx in the "
                   "current folder.")
@click.option("--previous", "previous_path", type=click.Path(path_type=Path), default=None,
              help="Last year's workbook (written by cchc rank) or a CSV "
                   "agency_id,rank,index: adds last year's rank and the change.")
@click.option("--docx", "docx_path", type=click.Path(path_type=Path), default=None,
              help="Also write the decision appendix (Phụ lục I, II, ...) as a Word "
                   "document (.docx): A4 landscape, ready to attach.")
@click.option("--pdf", "pdf_path", type=click.Path(path_type=Path), default=None,
              help="Also write the decision appendix as PDF (converted by LibreOffice).")
@click.option("--ledger", "ledger", type=click.Choice(["auto", "sheet", "csv", "none"]),
              default="auto", show_default=True,
              help="Where the ledger (every unit x leaf) goes: sheets of the workbook, a CSV "
                   "beside it (<workbook>-chi-tiet-diem.csv; much faster for a national "
                   "dataset), or nowhere. auto: sheets up to 300,000 rows, CSV above.")
@click.option("--no-ledger", "no_ledger", is_flag=True, help="Same as --ledger none.")
@force_option
def rank(rules_path: Path, data_path: Path, output: Path | None,
         previous_path: Path | None, docx_path: Path | None, pdf_path: Path | None,
         ledger: str, no_ledger: bool, force: bool) -> None:
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

    inputs = (rules_path, data_path, *([previous_path] if previous_path is not None else []))
    if output is not None:
        check_output(output, inputs=inputs, force=force)  # fail before the (slower) scoring
    documents = appendix_targets(docx_path, pdf_path, inputs, force)
    result = compute(rules_path, data_path)
    previous = None
    if previous_path is not None:
        from scoring.previous import read_previous

        previous = read_previous(previous_path, result.dataset)
    target = output if output is not None else Path.cwd() / default_filename(result)
    ledger = "none" if no_ledger else ledger_mode(ledger, len(result.ledger))
    if ledger == "csv":
        click.echo(_("The ledger ({rows} rows) goes to {file} beside the workbook "
                     "(--ledger sheet to have it in the workbook).").format(
            rows=format_number(len(result.ledger), 0), file=ledger_csv_path(target).name), err=True)
    rows = len(result.ledger) if ledger != "none" else 0
    with progress_bar(_("writing the ledger"), rows, show=rows >= PROGRESS_FROM_ROWS) as progress:
        summary = write_workbook(result, target, inputs=inputs, force=force, ledger=ledger,
                                 progress=progress, previous=previous)
    click.echo(_("Workbook written: {path}").format(path=summary.path))
    click.echo(_("Sheets: {sheets}").format(sheets=", ".join(summary.sheets)))
    digits = index_digits(result.rules)
    for g in summary.groups:
        click.echo("")
        click.echo(_("{group} ({count} units) — sheet “{sheet}”").format(
            group=g.name, count=g.count, sheet=g.sheet))
        for rank_no, agency, index in g.top:
            click.echo(_("  Rank {rank}: {unit} — CCHC index {index} %").format(
                rank=rank_no, unit=agency, index=format_number(index, digits)))
        counts = "; ".join(f"{class_label(label)}: {n}" for label, n in g.classes)
        click.echo(_("  Classes: {counts}").format(counts=counts))
    if documents:
        for path in write_appendix(result, previous, *documents):
            click.echo(_("Written: {path}").format(path=path))
