"""The layout of score forms and survey workbooks: what the writer puts where, the reader reads.

``cchc forms`` (:mod:`reports.forms`) writes the workbooks; ``cchc collect``
(:mod:`scoring.collect`) reads them back. Both follow this module, so the two cannot
drift apart. Every workbook carries a hidden sheet :data:`META_SHEET` of records, one
per row, first cell the record type:

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

from scoring.i18n import _

FORM_VERSION = "1"
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
            _("Self-assessed points"), _("Evidence"), _("Appraised points"),
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
