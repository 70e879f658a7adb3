"""``cchc import-report REPORT --out DIR``: parse a published report into a dataset folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from scoring.files import check_output_folder
from scoring.importer import ImportSummary
from scoring.importer import import_report as run_import
from scoring.paths import BUNDLED_DATASET, SEED_REPORT

GROUP_LABELS = {"department": "Sở, ban, ngành", "district": "UBND cấp huyện",
                "commune": "UBND cấp xã"}


def render_summary(summary: ImportSummary, console: Console) -> None:
    """Print counts, findings and the review state of the tasks."""
    c = summary.counts
    counts = Table(title=f"Nhập báo cáo → {summary.out}", show_header=True)
    counts.add_column("Mục")
    counts.add_column("Số lượng", justify="right")
    counts.add_row("Cơ quan, đơn vị (tổng)", str(c["agencies"]))
    counts.add_row(f"  {GROUP_LABELS['department']} xếp hạng / tất cả",
                   f"{c['ranked_departments']} / {c['departments']}")
    counts.add_row(f"  {GROUP_LABELS['district']}", str(c["districts"]))
    counts.add_row(f"  {GROUP_LABELS['commune']}", str(c["communes"]))
    counts.add_row("Dòng hồ sơ TTHC (dossiers.csv)", str(c["dossier_rows"]))
    counts.add_row("Lĩnh vực / nhiệm vụ (tasks.csv)", f"{c['areas']} / {c['tasks']}")
    counts.add_row("Phát hiện (cảnh báo / ghi chú)",
                   f"{c['findings_warning']} / {c['findings_info']}")
    counts.add_row("Nhiệm vụ đã review trạng thái / bị ghi đè",
                   f"{c['reviewed_status']} / {c['review_overrides']}")
    counts.add_row("Đề xuất chưa chắc chắn, chưa review", str(c["uncertain_unreviewed"]))
    console.print(counts)

    if summary.findings:
        table = Table(title="Phát hiện về chất lượng dữ liệu (findings.csv)", show_lines=False)
        for heading, width in (("Mức", 8), ("Bảng", 8), ("Đơn vị", 30), ("Cột", 22),
                               ("Công bố", 14), ("Tính lại", 14), ("Nội dung", None),
                               ("Vị trí", 16)):
            table.add_column(heading, overflow="fold", max_width=width,
                             ratio=1 if width is None else None)
        for f in summary.findings:
            table.add_row("cảnh báo" if f.severity == "warning" else "ghi chú", f.table,
                          f.agency, f.column, f.published, f.expected, f.message,
                          "" if f.line is None else str(f.line))
        console.print(table)

    review = (f"review: {summary.review_file}" if summary.review_file
              else "review: none (no review.csv in the output folder)")
    console.print(review)
    if summary.overridden:
        by_id = {t.task_id: t for t in summary.tasks}
        console.print("Trạng thái ghi đè bởi review: " + ", ".join(
            f"{i} ({by_id[i].proposed_status} → {by_id[i].status})" for i in summary.overridden))
    if summary.uncertain_unreviewed:
        console.print("Đề xuất chưa chắc chắn, chưa review: "
                      + ", ".join(summary.uncertain_unreviewed))


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
        width = max(shutil.get_terminal_size((160, 40)).columns, 140)
        render_summary(summary, Console(width=width, soft_wrap=False))
    c = summary.counts
    click.echo(f"wrote {out}: {c['agencies']} agencies, {c['dossier_rows']} dossier rows, "
               f"{c['tasks']} tasks, {c['findings']} findings "
               f"({c['review_overrides']} review overrides, "
               f"{c['uncertain_unreviewed']} uncertain unreviewed)")
