"""An independent, deliberately naive reading of the seed's Phụ lục 2, for cross-checks.

It shares no code with the importer: it splits tabs, strips tags with a regex and reads
numbers by deleting dots, so the tests compare two separate readings of the source.
"""

from __future__ import annotations

import re
from pathlib import Path

COLS = ["received", "resolved", "resolved_on_time", "resolved_late", "pending",
        "pending_on_time", "pending_late", "late", "late_rate", "online", "online_eligible",
        "online_rate"]
COUNTS = [c for c in COLS if not c.endswith("_rate")]


def _num(cell: str) -> float | None:
    cell = re.sub(r"<[^>]+>", "", cell).strip()
    if cell == "":
        return None
    if cell == "-":
        return 0
    if cell.endswith("%"):
        return float(cell[:-1].replace(",", "."))
    return int(cell.replace(".", ""))


def rows(seed: Path) -> list[dict]:
    """Every data row of Phụ lục 2: line, stt, label, values."""
    text = seed.read_text(encoding="utf-8").split("\n")
    start = next(i for i, t in enumerate(text) if t.startswith("Phụ lục 2"))
    out = []
    for n, line in enumerate(text[start:], start=start + 1):
        cells = line.split("\t")
        if len(cells) != 14 or cells[0] == "Stt" or (cells[0] == "" and cells[1] == ""):
            continue
        stt = re.sub(r"<[^>]+>", "", cells[0]).strip()
        label = re.sub(r"<[^>]+>", "", cells[1]).strip()
        out.append({"line": n, "stt": stt, "label": label,
                    **{c: _num(v) for c, v in zip(COLS, cells[2:], strict=True)}})
    return out


def subtotal_groups(rs: list[dict]) -> list[tuple[dict, list[dict]]]:
    """(subtotal row, its members) following the table's layout, written out by hand."""
    groups: list[tuple[dict, list[dict]]] = []
    sections = [r for r in rs if r["stt"] in ("A", "B", "C")]
    total = next(r for r in rs if r["label"] == "TỔNG")
    groups.append((total, sections))
    idx = {id(r): i for i, r in enumerate(rs)}
    for sec in sections:
        i = idx[id(sec)] + 1
        members = []
        while i < len(rs) and rs[i]["stt"] not in ("A", "B", "C") and rs[i]["label"] != "TỔNG":
            r = rs[i]
            if sec["stt"] == "C":
                if re.fullmatch(r"[IVX]+", r["stt"]):
                    members.append(r)
            elif r["stt"].isdigit():
                members.append(r)
            i += 1
        groups.append((sec, members))
    # district groups under C: the numbered rows that follow each Roman row
    for i, r in enumerate(rs):
        if re.fullmatch(r"[IVX]+", r["stt"]):
            members = []
            j = i + 1
            while j < len(rs) and rs[j]["stt"].isdigit():
                members.append(rs[j])
                j += 1
            groups.append((r, members))
    # row 18 of group A and its '-' rows; the '-' row with '+' rows
    for i, r in enumerate(rs):
        if r["stt"].isdigit() and i + 1 < len(rs) and rs[i + 1]["stt"] == "-":
            j = i + 1
            members = []
            while j < len(rs) and rs[j]["stt"] in ("-", "+"):
                if rs[j]["stt"] == "-":
                    members.append(rs[j])
                j += 1
            groups.append((r, members))
        if r["stt"] == "-" and i + 1 < len(rs) and rs[i + 1]["stt"] == "+":
            j = i + 1
            members = []
            while j < len(rs) and rs[j]["stt"] == "+":
                members.append(rs[j])
                j += 1
            groups.append((r, members))
    return groups
