"""Seed report → dataset folder: orchestration, CSV/manifest writing, atomic output.

Everything is parsed and validated in memory first; files are written into a temporary
folder next to the output and moved in only when all of them are ready, so a failure
leaves the output folder as it was. ``review.csv`` in the output folder is read, never
written. The same inputs give byte-identical files (no timestamps, fixed order).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scoring.errors import DataError, Problem, UsageError
from scoring.files import replace_folder
from scoring.i18n import N_, _
from scoring.importer.agencies import AgencyRegistry
from scoring.importer.dossiers import (
    COLUMNS,
    build_agencies,
    check_rows,
    check_subtotals,
    dossier_record,
    parse_dossier_table,
)
from scoring.importer.findings import FINDING_COLUMNS, Finding, stored_date, stored_text
from scoring.importer.formats import read_source
from scoring.importer.review import ReviewDecision, read_review, validate_review
from scoring.importer.source import Report, complete_report
from scoring.importer.tasks import (
    Task,
    build_tasks,
    parse_task_rows,
    register_task_leads,
)
from scoring.text import fold

AGENCY_COLUMNS = ("agency_id", "name", "group", "parent_id", "aliases", "ranked", "kind",
                  "source_line")
DOSSIER_COLUMNS = ("agency_id", *COLUMNS, "source_line")
TASK_COLUMNS = (
    "task_id", "area", "area_name", "number", "title", "product", "deadline", "deadline_kind",
    "deadline_date", "deadline_start", "lead_agency_ids", "lead_source", "collective",
    "collective_text", "coordinating_agency_ids", "assignment", "result", "documents",
    "proposed_status", "proposed_lead_agency_ids", "proposed_reason", "proposal_certain",
    "status", "status_source", "review_note", "source_line",
)
GENERATED_FILES = ("agencies.csv", "dossiers.csv", "tasks.csv", "findings.csv",
                   "manifest.json")
REVIEW_FILE = "review.csv"
TABLE_ORDER = {"report": 0, "agencies": 1, "dossiers": 2, "tasks": 3}


@dataclass(frozen=True)
class TaskOutcome:
    """Status of one task after review."""

    task_id: str
    proposed_status: str
    status: str
    status_source: str  # proposal | review_confirmed | review_override
    proposal_certain: bool
    lead_overridden: bool


@dataclass(frozen=True)
class ImportSummary:
    """What an import produced (returned by :func:`import_report`)."""

    out: Path
    report: Path
    counts: dict[str, int]
    findings: tuple[Finding, ...]
    tasks: tuple[TaskOutcome, ...]
    review_file: Path | None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def overridden(self) -> list[str]:
        """Tasks whose status the review changed."""
        return [t.task_id for t in self.tasks if t.status_source == "review_override"]

    @property
    def confirmed(self) -> list[str]:
        """Tasks whose proposed status the review confirmed."""
        return [t.task_id for t in self.tasks if t.status_source == "review_confirmed"]

    @property
    def uncertain_unreviewed(self) -> list[str]:
        """Tasks with an uncertain proposal and no review decision on status."""
        return [t.task_id for t in self.tasks
                if not t.proposal_certain and t.status_source == "proposal"]


def render_csv(columns: tuple[str, ...], rows: list[dict[str, object]]) -> bytes:
    """A dataset CSV as bytes: UTF-8, ``\n`` line ends, the columns in this order."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(columns), lineterminator="\n",
                            quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    for row in rows:
        writer.writerow({c: _cell(row.get(c)) for c in columns})
    return buf.getvalue().encode("utf-8")


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """A dataset CSV (UTF-8, BOM accepted) as its header and rows, ``""`` for a missing
    value; an absent file has neither."""
    if not path.is_file():
        return [], []
    reader = csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""))
    rows = [{k: (v or "") for k, v in r.items() if k is not None} for r in reader]
    return list(reader.fieldnames or []), rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return ";".join(str(v) for v in value)
    return str(value)


def _split(report: Report) -> tuple[list, list]:
    p1 = p2 = None
    for i, ln in enumerate(report.lines):
        f = fold(ln.text.strip("* \t"))
        if p1 is None and f.startswith("phu luc 1"):
            p1 = i
        elif p2 is None and f.startswith("phu luc 2"):
            p2 = i
    if p1 is None:
        raise DataError(Problem(_("no 'Phụ lục 1' heading: this is not the report format the "
                                  "importer reads (or the text is cut)"), file=report.path,
                                fix=_("pass the province's CCHC report with its two "
                                      "appendices")))
    if p2 is None:
        raise DataError(Problem(_("no 'Phụ lục 2' heading after Phụ lục 1: the report looks "
                                  "truncated"), file=report.path, fix=complete_report()))
    return list(report.lines[p1:p2]), list(report.lines[p2:])


def _report_date(report: Report, tasks_table, dossiers_table) -> tuple[date, list[Finding]]:
    findings: list[Finding] = []
    p2 = dossiers_table.report_date
    p1 = None
    if tasks_table.report_date_text:
        d, m, y = (int(x) for x in tasks_table.report_date_text.split("/"))
        try:
            p1 = date(y, m, d)
        except ValueError:
            p1 = None
    period_end = dossiers_table.period[1]
    candidates = [d for d in (p2, p1) if d is not None]
    if not candidates:
        raise DataError(Problem(_("the report date ('Báo cáo số … ngày dd/mm/yyyy') is "
                                  "missing from both appendices"), file=report.path,
                                fix=complete_report()))
    valid = [d for d in candidates if d > period_end] or candidates
    chosen = valid[0]
    for d, line, which in ((p1, tasks_table.report_date_line, "Phụ lục 1"),
                           (p2, dossiers_table.report_date_line, "Phụ lục 2")):
        if d is not None and d != chosen:
            findings.append(Finding(
                "warning", "report", "", "report_date", d.strftime("%d/%m/%Y"),
                chosen.strftime("%d/%m/%Y"),
                stored_text(N_("{appendix} dates report {ref} {date}, before the end of the "
                               "statistics period {end} it reports on: a source typo; {chosen} "
                               "is used"), appendix=which,
                            ref=tasks_table.report_ref or dossiers_table.report_ref,
                            date=stored_date(d), end=stored_date(period_end),
                            chosen=stored_date(chosen)), line))
    return chosen, findings


@dataclass(frozen=True)
class BuiltDataset:
    """The dataset in memory: file name → bytes, and the summary."""

    files: dict[str, bytes]
    summary: ImportSummary


def build_dataset(report_path: Path, out: Path, review_path: Path | None = None
                  ) -> BuiltDataset:
    """Parse, check and render every file of the dataset, without writing anything.

    Raises
    ------
    DataError
        Any problem with the report or the review file.
    """
    report = read_source(report_path)
    try:
        return _build(report, out, review_path)
    except DataError as err:
        raise DataError([p.replace(line=report.locate(p.line))
                         if p.file is not None and Path(p.file) == report.path else p
                         for p in err.problems]) from None


def _build(report: Report, out: Path, review_path: Path | None) -> BuiltDataset:
    """:func:`build_dataset` once the report is read (lines numbered in reading order)."""
    p1_lines, p2_lines = _split(report)
    dossiers = parse_dossier_table(report, p2_lines)
    registry = AgencyRegistry()
    try:
        built = build_agencies(dossiers, registry)
    except DataError as err:
        raise DataError([p.replace(file=report.path) for p in err.problems]) from None
    tasks_table, raws = parse_task_rows(report, p1_lines)
    findings: list[Finding] = list(built.findings) + list(tasks_table.findings)
    findings += register_task_leads(raws, registry)
    as_of, date_findings = _report_date(report, tasks_table, dossiers)
    findings += date_findings
    findings += build_tasks(tasks_table, raws, registry, as_of)
    labels = {**built.subtotal_labels, **built.row_agency}
    findings += check_rows(dossiers, labels)
    findings += check_subtotals(dossiers, labels)
    # stable: within one line, findings keep the column order they were made in
    findings.sort(key=lambda f: (TABLE_ORDER.get(f.table, 9), f.line or 0))
    findings = [f.replace(line=report.locate(f.line)) for f in findings]

    decisions: list[ReviewDecision] = []
    review_bytes: bytes | None = None
    if review_path is not None:
        rows, review_bytes = read_review(review_path)
        decisions = validate_review(rows, [t.task_id for t in tasks_table.tasks], registry,
                                    review_path)
    by_task: dict[tuple[str, str], ReviewDecision] = {(d.task_id, d.field): d
                                                      for d in decisions}

    agency_rows = [{
        "agency_id": a.agency_id, "name": a.name, "group": a.group, "parent_id": a.parent_id,
        "aliases": a.aliases, "ranked": a.ranked, "kind": a.kind,
        "source_line": report.locate(a.source_line),
    } for a in registry]
    dossier_rows = []
    for i, agency_id in sorted(built.row_agency.items()):
        row = dossiers.rows[i]
        dossier_rows.append(dossier_record(agency_id, row, report.locate(row.line)))

    task_rows = []
    outcomes = []
    for t in tasks_table.tasks:
        task_rows.append(_task_row(t.replace(source_line=report.locate(t.source_line)),
                                   by_task))
        status_decision = by_task.get((t.task_id, "status"))
        source = ("proposal" if status_decision is None else
                  "review_confirmed" if status_decision.value == t.proposal.status
                  else "review_override")
        outcomes.append(TaskOutcome(
            t.task_id, t.proposal.status,
            status_decision.value if status_decision else t.proposal.status, source,
            t.proposal.certain, (t.task_id, "lead_agency_ids") in by_task))

    files: dict[str, bytes] = {
        "agencies.csv": render_csv(AGENCY_COLUMNS, agency_rows),
        "dossiers.csv": render_csv(DOSSIER_COLUMNS, dossier_rows),
        "tasks.csv": render_csv(TASK_COLUMNS, task_rows),
        "findings.csv": render_csv(FINDING_COLUMNS, [f.as_row() for f in findings]),
    }
    hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    if review_bytes is not None:
        hashes[REVIEW_FILE if review_path.name == REVIEW_FILE else review_path.name] = \
            hashlib.sha256(review_bytes).hexdigest()

    groups = Counter(a.group for a in registry)
    ranked = Counter(a.group for a in registry if a.ranked)
    severities = Counter(f.severity for f in findings)
    summary_counts = {
        "agencies": len(registry),
        "departments": groups["department"], "districts": groups["district"],
        "communes": groups["commune"],
        "ranked_departments": ranked["department"], "ranked_districts": ranked["district"],
        "ranked_communes": ranked["commune"],
        "dossier_rows": len(dossier_rows),
        "areas": len(tasks_table.areas), "tasks": len(tasks_table.tasks),
        "findings": len(findings), "findings_warning": severities["warning"],
        "findings_info": severities["info"],
        "reviewed_status": sum(1 for o in outcomes if o.status_source != "proposal"),
        "review_overrides": sum(1 for o in outcomes if o.status_source == "review_override"),
        "review_lead_overrides": sum(1 for o in outcomes if o.lead_overridden),
        "uncertain_unreviewed": sum(1 for o in outcomes
                                    if not o.proposal_certain and o.status_source == "proposal"),
    }
    province = tasks_table.province or ""
    year = tasks_table.plan_year or dossiers.period[1].year
    manifest = {
        "name": out.name,
        "province": province,
        "year": year,
        "period": {"start": dossiers.period[0].isoformat(),
                   "end": dossiers.period[1].isoformat()},
        "source": {
            "file": report.path.name,
            "format": report.format,
            "sha256": report.sha256,
            "title": (f"Báo cáo số {dossiers.report_ref or tasks_table.report_ref} ngày "
                      f"{as_of.strftime('%d/%m/%Y')} của UBND tỉnh {province}").strip(),
            "report_date": as_of.isoformat(),
            "appendices": [tasks_table.title, dossiers.title],
        },
        "review": ({"file": review_path.name, "sha256": hashlib.sha256(review_bytes).hexdigest(),
                    "decisions": len(decisions)} if review_bytes is not None else None),
        "counts": summary_counts,
        "files": hashes,
    }
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
                              ).encode("utf-8")
    summary = ImportSummary(out, report.path, summary_counts, tuple(findings), tuple(outcomes),
                            review_path, {k: hashes[k] for k in hashes})
    return BuiltDataset(files, summary)


def _task_row(t: Task, by_task: dict[tuple[str, str], ReviewDecision]) -> dict[str, object]:
    status_d = by_task.get((t.task_id, "status"))
    lead_d = by_task.get((t.task_id, "lead_agency_ids"))
    notes = [f"{d.field}: {d.justification}" for d in (status_d, lead_d) if d is not None]
    return {
        "task_id": t.task_id, "area": t.area, "area_name": t.area_name, "number": t.number,
        "title": t.title, "product": t.product, "deadline": t.deadline.text,
        "deadline_kind": t.deadline.kind, "deadline_date": t.deadline.end,
        "deadline_start": t.deadline.start if t.deadline.kind in ("from_month", "multi_year")
        else None,
        "lead_agency_ids": lead_d.value if lead_d else t.lead_agency_ids,
        "lead_source": "review" if lead_d else "proposal",
        "collective": bool(lead_d.collective_text) if lead_d else t.collective,
        "collective_text": lead_d.collective_text if lead_d else t.collective_text,
        "coordinating_agency_ids": t.coordinating_agency_ids, "assignment": t.assignment,
        "result": t.result, "documents": tuple(str(d) for d in t.documents),
        "proposed_status": t.proposal.status, "proposed_lead_agency_ids": t.lead_agency_ids,
        "proposed_reason": t.proposal.reason, "proposal_certain": t.proposal.certain,
        "status": status_d.value if status_d else t.proposal.status,
        "status_source": ("proposal" if status_d is None else "review_confirmed"
                          if status_d.value == t.proposal.status else "review_override"),
        "review_note": " | ".join(notes), "source_line": t.source_line,
    }


def write_atomically(out: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into ``out`` all-or-nothing (:func:`scoring.files.replace_folder`).

    A sibling folder gets a copy of ``out``'s other files (``review.csv``) and the new
    files, then is swapped in; the old folder is removed only after the swap, so a failure
    at any point (a file open in Excel, a read-only folder, a full disk) leaves ``out`` as
    it was and is reported as one message.
    """
    replace_folder(out, files)


def import_report(report: Path, out: Path, review: Path | None = None) -> ImportSummary:
    """Parse a published report into a dataset folder.

    Parameters
    ----------
    report : Path
        The report text (the seed format: Phụ lục 1 tasks, Phụ lục 2 dossiers).
    out : Path
        The dataset folder; created if missing. Generated files are replaced,
        ``review.csv`` is kept.
    review : Path, optional
        Review decisions; default ``out/review.csv`` when it exists.

    Returns
    -------
    ImportSummary
        Counts, findings and the status of every task.

    Raises
    ------
    DataError
        Bad report or review file (nothing is written).
    UsageError
        ``out`` is a file, or would overwrite the report.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from scoring.paths import SEED_REPORT
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "ds"
    >>> s = import_report(SEED_REPORT, out)
    >>> s.counts["tasks"], s.counts["ranked_communes"]
    (60, 136)
    """
    report, out = Path(report), Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(Problem(_("the output path exists and is not a folder"), file=out,
                                 fix=_("pass a folder for --out")))
    if report.exists() and any((out / name).resolve() == report.resolve()
                               for name in (*GENERATED_FILES, REVIEW_FILE)):
        raise UsageError(Problem(_("the output would overwrite the report"), file=report,
                                 fix=_("choose another --out folder")))
    if review is None and (out / REVIEW_FILE).is_file():
        review = out / REVIEW_FILE
    built = build_dataset(report, out, review)
    write_atomically(out, built.files)
    return built.summary
