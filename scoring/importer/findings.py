"""Data-quality findings: facts about the source the importer reports, never fixes.

Severities:

- ``warning``: the published figures disagree with each other (an identity, a rate or a
  subtotal does not hold), or the text has a fault the importer had to interpret
  (an impossible deadline, a wrong report date, an invalid date).
- ``info``: a formatting irregularity that did not change any value (a number written
  without thousands separators, a misspelt or ambiguous name).

The messages are stored in ``findings.csv`` (and the proposed reasons in ``tasks.csv``) in
Vietnamese, whatever the language in force: they are data about a Vietnamese report, shown
as they are in the workbook's ``Kiểm tra số liệu`` sheet, and a fresh import gives the same
bytes in every language. The code writes them in English, marked with ``N_``, and
:func:`stored_text` translates them.

Examples
--------
>>> f = Finding("warning", "dossiers", "so-du-lich", "late_rate_published", "8,92%",
...             "8,99%", "late rate disagrees with late ÷ (resolved + pending)", 169)
>>> f.as_row()["line"]
'169'
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any, Literal

from scoring.i18n import _, language

FindingSeverity = Literal["warning", "info"]
FINDING_COLUMNS: tuple[str, ...] = ("severity", "table", "agency", "column", "published",
                                    "expected", "message", "line")


@dataclass(frozen=True)
class Finding:
    """One data-quality finding.

    Parameters
    ----------
    severity : {"warning", "info"}
    table : str
        ``dossiers``, ``tasks``, ``agencies`` or ``report``.
    agency : str
        Agency id, subtotal label (``"A"``, ``"C.III"``, ``"TỔNG"``) or task id.
    column : str
        The column concerned (dataset column name), blank when not about a column.
    published, expected : str
        The value as published and the value the other figures imply.
    message : str
        What disagrees, in one sentence.
    line : int, str or None
        1-based line of a text report; the location (``"bảng 2, hàng 15"``) in a Word
        or PDF report.
    """

    severity: FindingSeverity
    table: str
    agency: str
    column: str
    published: str
    expected: str
    message: str
    line: int | str | None = None

    def __post_init__(self) -> None:
        if self.severity not in ("warning", "info"):
            raise ValueError(f"unknown finding severity {self.severity!r}")

    def as_row(self) -> dict[str, str]:
        """The CSV row (every value a string, ``line`` blank when unknown)."""
        row = {k: ("" if v is None else str(v)) for k, v in asdict(self).items()}
        return row

    def replace(self, **changes: object) -> Finding:
        """Return a copy with some attributes changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def stored_text(message: str, **values: Any) -> str:
    """``message`` (English, marked with ``N_``) as data files store it: in Vietnamese.

    Examples
    --------
    >>> from scoring.i18n import N_
    >>> stored_text(N_("task numbers are not consecutive"))
    'số thứ tự nhiệm vụ không liên tục'
    """
    with language("vi"):
        return _(message).format(**values)


def stored_date(day: date) -> str:
    """A date as stored text shows it: ``24/02/2023``."""
    return day.strftime("%d/%m/%Y")


def calendar_date(day: str, month: str, year: str) -> date | None:
    """The date a report writes ``day/month/year`` (digits), None when there is no such day.

    >>> calendar_date("24", "2", "2023"), calendar_date("30", "2", "2023")
    (datetime.date(2023, 2, 24), None)
    """
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
