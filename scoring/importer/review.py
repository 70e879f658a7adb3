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
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.importer.agencies import AgencyRegistry
from scoring.review import REVIEW_COLUMNS, LeadIndex, ReviewDecision
from scoring.review import validate_review as check_review
from scoring.text import nfc

__all__ = ["ReviewDecision", "read_review", "validate_review"]


def read_review(path: Path) -> tuple[list[dict[str, str]], bytes]:
    """Read ``review.csv`` rows (UTF-8, BOM accepted) and its bytes.

    Raises
    ------
    DataError
        Missing file, not UTF-8, or missing columns.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(Problem(_("the review file does not exist"), file=path,
                                fix=_("check the --review path, or leave it out")))
    data = path.read_bytes()
    try:
        text = nfc(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise DataError(Problem(_("the review file is not UTF-8 (byte at offset {offset})")
                                .format(offset=err.start),
                                file=path, fix=_("save it as CSV UTF-8"))) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REVIEW_COLUMNS if c not in header]
    if missing:
        raise DataError(Problem(_("missing column(s) {missing} (found {found})").format(
                                    missing=", ".join(missing), found=", ".join(header)),
                                file=path, line=1,
                                fix=_("the header must be {header}").format(
                                    header=",".join(REVIEW_COLUMNS))))
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
    """Check every row (the rules of :mod:`scoring.review`, shared with the dataset
    loader); raise one :class:`DataError` listing every problem."""
    leads = None if registry is None else LeadIndex(
        (a.agency_id, a.names()) for a in registry)
    decisions, problems = check_review(rows, list(task_ids), leads, str(file))
    if problems:
        raise DataError(problems)
    return decisions
