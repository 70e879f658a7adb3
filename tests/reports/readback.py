"""Read the ranking workbook back with openpyxl (a real client), by headings, not positions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl

HEAD_ROWS = (6, 7)  # 1-based rows of the two-row table heading on group sheets


def ranking_rows(ws: Any) -> list[dict[str, Any]]:
    """Rows of a group sheet's ranking table keyed by heading (area columns by their code).

    The table ends at the row whose first cell says "Trung bình"; that row is returned
    last with key ``"_mean"`` set.
    """
    heads: dict[int, str] = {}
    blocks: dict[int, str] = {}  # column -> "pts:" / "idx:" for columns under a block heading
    for rng in ws.merged_cells.ranges:
        if rng.min_row == HEAD_ROWS[0] == rng.max_row:
            title = str(ws.cell(rng.min_row, rng.min_col).value)
            for col in range(rng.min_col, rng.max_col + 1):
                blocks[col] = "pts:" if title.startswith("Điểm đạt") else "idx:"
    for col in range(1, ws.max_column + 1):
        upper = ws.cell(HEAD_ROWS[0], col).value
        lower = ws.cell(HEAD_ROWS[1], col).value
        if col not in blocks and isinstance(upper, str) and upper.startswith(
                ("Điểm đạt", "Chỉ số thành phần")):  # a one-area block is not merged
            blocks[col] = "pts:" if upper.startswith("Điểm đạt") else "idx:"
        if col in blocks and lower is not None:
            heads[col] = blocks[col] + str(lower).split(".")[0]
        elif lower is not None:
            heads[col] = str(lower)
    rows = []
    r = HEAD_ROWS[1] + 1
    while True:
        first = ws.cell(r, 1).value
        row = {h: ws.cell(r, c).value for c, h in heads.items()}
        if first == "Trung bình":
            row["_mean"] = True
            rows.append(row)
            return rows
        if first is None:
            raise AssertionError(f"{ws.title}: no mean row after row {r - 1}")
        rows.append(row)
        r += 1


def open_both(path: Path) -> tuple[Any, Any]:
    """The workbook twice: formulas (``data_only=False``) and stored values (``True``)."""
    return (openpyxl.load_workbook(path, data_only=False),
            openpyxl.load_workbook(path, data_only=True))


def formula_cells(wb_formulas: Any) -> list[tuple[str, str]]:
    """(sheet, coordinate) of every formula cell."""
    out = []
    for ws in wb_formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    out.append((ws.title, cell.coordinate))
    return out


def find_row(ws: Any, col: int, text: str) -> int:
    """1-based row of the first cell in ``col`` whose value starts with ``text``."""
    for r in range(1, ws.max_row + 1):
        v = ws.cell(r, col).value
        if isinstance(v, str) and v.startswith(text):
            return r
    raise AssertionError(f"{ws.title}: no {text!r} in column {col}")
