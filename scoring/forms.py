"""The layout of score forms and survey workbooks: what the writer puts where, the reader reads.

``cchc forms`` (:mod:`reports.forms`) writes the workbooks; ``cchc collect``
(:mod:`scoring.collect`) reads them back. Both follow this module, so the two cannot
drift apart. Every workbook carries a hidden sheet :data:`META_SHEET` holding a list of records
as JSON, cut into pieces of at most :data:`CHUNK` characters down column A (a cell holds at
most 32,767); one JSON text reads back much faster than thousands of cells. Each record is a
list whose first item is the record type:

``meta, key, value``
    ``kind`` (:data:`KIND_SCORE` or :data:`KIND_SURVEY`), ``form_version``,
    ``agency_id`` and ``group`` (score forms), ``rules_id``, ``rules_version``,
    ``rules_hash``, ``dataset``, ``sheet`` (the sheet that holds the table).
``header, column, text``
    A header text as written (1-based column), checked on the way back.
``row, excel_row, code, role, max, points``
    Score forms: one per table row. ``role`` is one of :data:`ROLES`; ``points`` are the
    engine's points a ``computed``/``survey`` row shows locked (blank when none).
``col, excel_col, leaf, option, max``
    Survey workbooks: one per input column (``option`` blank for a share in percent).
``unit, excel_row, agency_id``
    Survey workbooks: one per unit row.

Examples
--------
>>> COLUMNS.index("appraised") + 1   # 1-based column of the appraised points
7
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from scoring.i18n import _

FORM_VERSION = "1"
CHUNK = 30_000
META_SHEET = "cchc"
KIND_SCORE = "score-form"
KIND_SURVEY = "survey-form"

# the score form's table columns, left to right
COLUMNS: tuple[str, ...] = ("code", "name", "max", "rule", "self", "evidence", "appraised",
                            "reason")
SELF_COL = COLUMNS.index("self") + 1
APPRAISED_COL = COLUMNS.index("appraised") + 1
EVIDENCE_COL = COLUMNS.index("evidence") + 1
REASON_COL = COLUMNS.index("reason") + 1

# roles of a score-form row
ROLES: tuple[str, ...] = ("area", "criterion", "input", "computed", "survey", "total",
                          "adjustments", "bonus", "deduction", "final")
INPUT_ROLES = frozenset({"input", "bonus", "deduction"})


def score_headers() -> tuple[str, ...]:
    """The score form's column headers, in the language in force.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     heads = score_headers()
    >>> heads[:4]
    ('Mã', 'Tiêu chí', 'Điểm tối đa', 'Cách chấm')
    >>> heads[4:]
    ('Điểm tự chấm', 'Tài liệu kiểm chứng', 'Điểm thẩm định', 'Ý kiến thẩm định')
    """
    return (_("Code"), _("Criterion"), _("Maximum points"), _("How it is scored"),
            _("Self-assessment points"), _("Evidence"), _("Appraised points"),
            _("Appraisal comment"))


def score_sheet_name() -> str:
    """Name of the score form's sheet."""
    return _("Score form")


def survey_sheet_name() -> str:
    """Name of the survey workbook's sheet."""
    return _("Survey results")


def form_filename(agency_id: str) -> str:
    """``<agency_id>.xlsx``, with anything but letters, digits, ``-`` and ``_`` made ``-``.

    Examples
    --------
    >>> form_filename("so-y-te"), form_filename("a/b")
    ('so-y-te.xlsx', 'a-b.xlsx')
    """
    return "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in agency_id) + ".xlsx"


def survey_filename(group_id: str) -> str:
    """The survey workbook of a group: ``dieu-tra-<group>.xlsx``.

    Examples
    --------
    >>> survey_filename("commune")
    'dieu-tra-commune.xlsx'
    """
    return "dieu-tra-" + form_filename(group_id)


def encode_records(records: Iterable[tuple[Any, ...]]) -> list[str]:
    """The hidden sheet's cells: the records as JSON, in pieces of at most :data:`CHUNK`.

    Examples
    --------
    >>> decode_records(encode_records([("meta", "kind", "score-form"), ("row", 12, "1.1")]))
    [['meta', 'kind', 'score-form'], ['row', 12, '1.1']]
    """
    text = json.dumps([list(r) for r in records], ensure_ascii=False, separators=(",", ":"))
    return [text[i:i + CHUNK] for i in range(0, len(text), CHUNK)] or ["[]"]


def decode_records(cells: Iterable[Any]) -> list[list[Any]]:
    """The records back from the hidden sheet's column A; ``ValueError`` if damaged."""
    text = "".join(str(c) for c in cells if c is not None)
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(r, list) and r for r in data):
        raise ValueError("not a list of records")
    return data
