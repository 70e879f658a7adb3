"""``cchc import-report REPORT --out DIR``: parse a published report into a dataset folder."""

from __future__ import annotations

from pathlib import Path

import click

from cchc.cli.table import print_table, print_text
from scoring.files import check_output_folder
from scoring.i18n import _
from scoring.importer import ImportSummary
from scoring.importer import import_report as run_import
from scoring.importer.findings import Finding
from scoring.number_format import format_number
from scoring.paths import BUNDLED_DATASET, SEED_REPORT
from scoring.vocabulary import (
    column_label,
    data_table_label,
    field_label,
    group_label,
    severity_label,
    task_status_label,
)


def _count_rows(summary: ImportSummary) -> list[tuple[str, str]]:
    c = summary.counts
    n = format_number
    return [
        (_("Agencies and units (all)"), n(c["agencies"])),
        ("  " + _("{group}: ranked / all").format(group=group_label("department")),
         f"{n(c['ranked_departments'])} / {n(c['departments'])}"),
        ("  " + group_label("district"), n(c["districts"])),
        ("  " + group_label("commune"), n(c["communes"])),
        (_("Dossier rows (dossiers.csv)"), n(c["dossier_rows"])),
        (_("Areas / tasks (tasks.csv)"), f"{n(c['areas'])} / {n(c['tasks'])}"),
        (_("Findings (warnings / information)"),
         f"{n(c['findings_warning'])} / {n(c['findings_info'])}"),
        (_("Task statuses reviewed / overridden"),
         f"{n(c['reviewed_status'])} / {n(c['review_overrides'])}"),
        (_("Uncertain proposals not yet reviewed"), n(c["uncertain_unreviewed"])),
    ]


def _finding_words(f: Finding) -> str:
    """One finding as a line: where (severity, file, unit, column, line), what, the figures."""
    where = [severity_label(f.severity), data_table_label(f.table), f.agency,
             field_label(f.column) if f.column else "",
             f"{column_label('line')} {f.line}" if f.line not in (None, "") else ""]
    text = "- " + " · ".join(w for w in where if w) + ": " + f.message
    if f.published or f.expected:
        text += " (" + _("in the source: {published}; expected: {expected}").format(
            published=f.published or "—", expected=f.expected or "—") + ")"
    return text


def render_summary(summary: ImportSummary) -> None:
    """Print counts, findings and the review state of the tasks."""
    print_table([_("Item"), _("Count")], _count_rows(summary), numeric=[False, True],
                title=_("Report imported → {out}").format(out=summary.out))
    if summary.findings:
        print_text("\n" + _("Data-quality findings (findings.csv)"))
        for f in summary.findings:
            print_text(_finding_words(f))
    print_text(_("Review: {file}").format(file=summary.review_file) if summary.review_file
               else _("Review: none (no review.csv in the output folder)"))
    if summary.overridden:
        by_id = {t.task_id: t for t in summary.tasks}
        print_text(_("Statuses overridden by the review: {tasks}").format(tasks=", ".join(
            _("{task} ({proposed} → {status})").format(
                task=i, proposed=task_status_label(by_id[i].proposed_status),
                status=task_status_label(by_id[i].status)) for i in summary.overridden)))
    if summary.uncertain_unreviewed:
        print_text(_("Uncertain proposals not yet reviewed: {tasks}").format(
            tasks=", ".join(summary.uncertain_unreviewed)))


@click.command("import-report")
@click.argument("report", type=click.Path(path_type=Path), default=SEED_REPORT,
                required=False)
@click.option("--out", "out", type=click.Path(path_type=Path), default=BUNDLED_DATASET,
              show_default="bundled datasets/khanh-hoa-2022", help="Dataset folder to write.")
@click.option("--review", "review", type=click.Path(path_type=Path), default=None,
              help="Review decisions (default: review.csv in the output folder, if present).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the one-line result.")
def import_report(report: Path, out: Path, review: Path | None, quiet: bool) -> None:
    """Parse a published report (REPORT, default the seed) into a dataset folder.

    Writes agencies.csv, dossiers.csv, tasks.csv, findings.csv and manifest.json; keeps
    review.csv. Prints the counts and every data-quality finding.
    """
    check_output_folder(out, inputs=[p for p in (report, review) if p is not None])
    summary = run_import(report, out, review)
    if not quiet:
        render_summary(summary)
    c = summary.counts
    click.echo(_("wrote {out}: {agencies} agencies, {dossiers} dossier rows, {tasks} tasks, "
                 "{findings} findings ({overrides} review overrides, {uncertain} uncertain "
                 "unreviewed)").format(
        out=out, agencies=c["agencies"], dossiers=c["dossier_rows"], tasks=c["tasks"],
        findings=c["findings"], overrides=c["review_overrides"],
        uncertain=c["uncertain_unreviewed"]))
