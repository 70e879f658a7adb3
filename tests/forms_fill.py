"""Fill score forms the way a unit and a council would, with openpyxl (a real client).

The values are a known function of the unit's position and the row, so a test can compute
by hand what the engine must give.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl

from scoring.forms import (
    APPRAISED_COL,
    EVIDENCE_COL,
    INPUT_ROLES,
    META_SHEET,
    REASON_COL,
    SELF_COL,
    decode_records,
    encode_records,
)


def records(wb: openpyxl.Workbook) -> list[list]:
    """The hidden sheet's records of an open workbook."""
    return decode_records(r[0] for r in wb[META_SHEET].iter_rows(max_col=1, values_only=True))


@dataclass(frozen=True)
class Row:
    """One table row as the hidden sheet records it."""

    row: int
    code: str
    role: str
    max: float
    points: float | None


def form_meta(path: Path) -> tuple[dict[str, str], list[Row]]:
    """(meta, rows) of a score form or survey workbook."""
    wb = openpyxl.load_workbook(path, read_only=True)
    meta, rows = {}, []
    for rec in records(wb):
        if rec[0] == "meta":
            meta[rec[1]] = rec[2]
        elif rec[0] == "row":
            rows.append(Row(int(rec[1]), str(rec[2] or ""), rec[3], float(rec[4]), rec[5]))
    wb.close()
    return meta, rows


def known_values(k: int, i: int, hi: float) -> tuple[float, float | None]:
    """(self, appraised or None) for unit number ``k`` and input row number ``i``."""
    steps = int(hi * 2)
    own = ((k + 3 * i) % (steps + 1)) / 2
    appraised = max(own - 0.5, 0.0) if (k + i) % 3 == 0 else None
    return own, appraised


def fill_form(path: Path, k: int) -> dict[str, tuple[float, float | None]]:
    """Fill every input row of the form at ``path`` with :func:`known_values`; save in place.

    Returns leaf code → (self, appraised) as filled.
    """
    meta, rows = form_meta(path)
    wb = openpyxl.load_workbook(path)
    ws = wb[meta["sheet"]]
    filled = {}
    for i, row in enumerate(r for r in rows if r.role in INPUT_ROLES):
        own, appraised = known_values(k, i, row.max)
        ws.cell(row.row, SELF_COL).value = own
        ws.cell(row.row, EVIDENCE_COL).value = f"Văn bản số {k}/{i}"
        ws.cell(row.row, APPRAISED_COL).value = appraised
        ws.cell(row.row, REASON_COL).value = (
            "Thiếu tài liệu kiểm chứng" if appraised is not None and appraised != own else None)
        filled[row.code] = (own, appraised)
    wb.save(path)
    return filled


def set_cell(path: Path, cell: str, value: object) -> None:
    """Put ``value`` in ``cell`` of the form's table sheet and save."""
    meta, _rows = form_meta(path)
    wb = openpyxl.load_workbook(path)
    wb[meta["sheet"]][cell].value = value
    wb.save(path)


def fill_survey(path: Path, answers: dict[str, tuple[int, ...]]) -> dict[tuple[str, str], dict]:
    """Fill a survey workbook: for each unit row, option columns get ``answers[option]``
    cycled by unit number; share columns get 50 + unit number. Returns
    (agency, leaf) → {option: count} or {"": share}."""
    wb = openpyxl.load_workbook(path)
    recs = records(wb)
    meta = {r[1]: r[2] for r in recs if r[0] == "meta"}
    cols = [(int(r[1]), r[2], r[3] or "") for r in recs if r[0] == "col"]
    units = [(int(r[1]), r[2]) for r in recs if r[0] == "unit"]
    ws = wb[meta["sheet"]]
    filled: dict[tuple[str, str], dict] = {}
    for k, (row, aid) in enumerate(units):
        for col, leaf, opt in cols:
            value = answers[opt][k % len(answers[opt])] if opt else 50 + k
            ws.cell(row, col).value = value
            filled.setdefault((aid, leaf), {})[opt] = value
    wb.save(path)
    return filled


def set_meta(path: Path, key: str, value: str) -> None:
    """Change one ``meta`` record of the hidden sheet (what a tampered form looks like)."""
    wb = openpyxl.load_workbook(path)
    recs = [[r[0], r[1], value] if r[0] == "meta" and r[1] == key else r for r in records(wb)]
    ws = wb[META_SHEET]
    for row in ws.iter_rows():
        row[0].value = None
    for i, chunk in enumerate(encode_records(recs)):
        ws.cell(i + 1, 1).value = chunk
    wb.save(path)
