"""``review.csv``: human decisions on what the prose cannot settle.

Columns ``task_id, field, value, justification``; ``field`` is ``status`` (value one of
the five statuses) or ``lead_agency_ids`` (``;``-separated agency ids or names, matched
accent- and case-insensitively; an entry naming a collective such as "Các sở, ban, ngành"
marks the task collective instead of naming an agency). The file is an input: the
importer reads and validates it, applies it to ``tasks.csv``, and never rewrites it.

Examples
--------
>>> rows = [{"task_id": "I.1", "field": "status", "value": "not_done",
...          "justification": "chưa ban hành"}]
>>> [d.task_id for d in validate_review(rows, {"I.1"}, None, "review.csv")]
['I.1']
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.importer.agencies import AgencyRegistry, suggest_ids
from scoring.importer.tasks import STATUSES, is_collective
from scoring.text import nfc, suggest

REVIEW_COLUMNS: tuple[str, ...] = ("task_id", "field", "value", "justification")
REVIEW_FIELDS: tuple[str, ...] = ("status", "lead_agency_ids")


@dataclass(frozen=True)
class ReviewDecision:
    """One validated row of ``review.csv`` (``value`` normalised: a status, or agency ids
    joined by ``;``)."""

    task_id: str
    field: str
    value: str
    justification: str
    line: int
    collective_text: str = ""


def read_review(path: Path) -> tuple[list[dict[str, str]], bytes]:
    """Read ``review.csv`` rows (UTF-8, BOM accepted) and its bytes.

    Raises
    ------
    DataError
        Missing file, not UTF-8, or missing columns.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem("the review file does not exist", file=path,
                                fix="check the --review path, or leave it out"))
    data = path.read_bytes()
    try:
        text = nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise DataError(Problem(f"the review file is not UTF-8 (byte at offset {err.start})",
                                file=path, fix="save it as CSV UTF-8")) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REVIEW_COLUMNS if c not in header]
    if missing:
        raise DataError(Problem(f"missing column(s) {', '.join(missing)} (found {header})",
                                file=path, line=1,
                                fix="the header must be task_id,field,value,justification"))
    rows = []
    for row in reader:
        clean = {(k or "").strip(): (v or "").strip() for k, v in row.items()
                 if k is not None}
        if any(clean.values()):
            clean["_line"] = str(reader.line_num)
            rows.append(clean)
    return rows, data


def validate_review(rows: Iterable[Mapping[str, str]], task_ids: Iterable[str],
                    registry: AgencyRegistry | None, file: str | Path) -> list[ReviewDecision]:
    """Check every row; raise one :class:`DataError` listing every problem.

    Unknown task id, unknown field, a status outside the five, an agency that resolves to
    nothing, a blank justification, or the same (task, field) twice are errors.
    """
    known = list(task_ids)
    known_set = set(known)
    problems: list[Problem] = []
    decisions: list[ReviewDecision] = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows, start=2):
        line = int(row.get("_line", n))
        task_id, fld = row.get("task_id", ""), row.get("field", "")
        value, why = row.get("value", ""), row.get("justification", "")
        if task_id not in known_set:
            close = suggest(task_id, known, n=1, cutoff=0.5)
            problems.append(Problem(f"unknown task id {task_id!r}", file=file, line=line,
                                    field="task_id",
                                    fix=(f"did you mean {close[0]}? " if close else "")
                                    + "task ids are <area>.<number>, e.g. I.1, VII.12"))
            continue
        if fld not in REVIEW_FIELDS:
            problems.append(Problem(f"unknown field {fld!r}", file=file, line=line,
                                    field="field",
                                    fix=f"use one of {', '.join(REVIEW_FIELDS)}"))
            continue
        if (task_id, fld) in seen:
            problems.append(Problem(f"{task_id} {fld} is reviewed twice (first on line "
                                    f"{seen[(task_id, fld)]})", file=file, line=line,
                                    field="task_id", fix="keep one decision per task and field"))
            continue
        seen[(task_id, fld)] = line
        if not why:
            problems.append(Problem("blank justification", file=file, line=line,
                                    field="justification",
                                    fix="say which evidence supports the decision"))
            continue
        if fld == "status":
            if value not in STATUSES:
                close = suggest(value, STATUSES, n=1, cutoff=0.5)
                problems.append(Problem(f"bad status {value!r}", file=file, line=line,
                                        field="value",
                                        fix=(f"did you mean {close[0]}? " if close else "")
                                        + f"use one of {', '.join(STATUSES)}"))
                continue
            decisions.append(ReviewDecision(task_id, fld, value, why, line))
            continue
        ids: list[str] = []
        collective: list[str] = []
        bad = False
        for name in [p.strip() for p in value.split(";") if p.strip()]:
            agency_id = registry.resolve(name) if registry is not None else name
            if agency_id is None and is_collective(name):
                collective.append(name)
            elif agency_id is None:
                close = suggest_ids(registry, name) if registry is not None else []
                problems.append(Problem(f"unknown agency {name!r}", file=file, line=line,
                                        field="value",
                                        fix=(f"did you mean {', '.join(close)}? " if close
                                             else "") + "use agency ids from agencies.csv or "
                                                        "their names, separated by ';'"))
                bad = True
            elif agency_id not in ids:
                ids.append(agency_id)
        if not bad and not ids and not collective:
            problems.append(Problem("no agency given", file=file, line=line, field="value",
                                    fix="list the lead agencies, separated by ';'"))
            continue
        if not bad:
            decisions.append(ReviewDecision(task_id, fld, ";".join(ids), why, line,
                                            "; ".join(collective)))
    if problems:
        raise DataError(problems)
    return decisions
