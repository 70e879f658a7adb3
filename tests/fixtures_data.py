"""A tiny, valid dataset folder for tests (six agencies, five tasks).

Use :func:`tiny_tables` to get fresh, editable rows (a dict of table name → list of row
dicts, all text as in a CSV file), change what a test needs, and write the folder with
:func:`write_dataset`. Row ``i`` of a table is spreadsheet row ``i + 2`` (the header is
row 1).

The counts are consistent (resolved = on time + late, published rates match the counts),
every task proposal is certain or reviewed, so the folder loads with no errors and no
warnings.

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> t = tiny_tables()
>>> t["dossiers"][0]["received"] = "-5"
>>> folder = write_dataset(Path(tempfile.mkdtemp()) / "ds", t)
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path

AGENCY_COLUMNS = ["agency_id", "name", "group", "parent_id", "aliases", "ranked", "kind",
                  "source_line"]
DOSSIER_COLUMNS = ["agency_id", "received", "resolved", "resolved_on_time", "resolved_late",
                   "pending", "pending_on_time", "pending_late", "late", "late_rate_published",
                   "online", "online_eligible", "online_rate_published", "source_line"]
TASK_COLUMNS = ["task_id", "area", "number", "title", "product", "deadline", "deadline_kind",
                "deadline_date", "lead_agency_ids", "collective", "coordinating_agency_ids",
                "result", "documents", "proposed_status", "proposed_reason", "proposal_certain",
                "status", "status_source", "review_note", "source_line"]
REVIEW_COLUMNS = ["task_id", "field", "value", "justification"]
FINDING_COLUMNS = ["severity", "table", "agency", "column", "published", "expected", "message",
                   "line"]
COLUMNS = {"agencies": AGENCY_COLUMNS, "dossiers": DOSSIER_COLUMNS, "tasks": TASK_COLUMNS,
           "review": REVIEW_COLUMNS, "findings": FINDING_COLUMNS,
           "scores": ["agency_id", "leaf", "self_points", "appraised_points", "note"],
           "surveys": ["agency_id", "leaf", "option", "count", "share"]}


def _agency(aid: str, name: str, group: str, parent: str = "", aliases: str = "",
            ranked: str = "true", kind: str = "", line: int = 0) -> dict[str, str]:
    return dict(zip(AGENCY_COLUMNS, [aid, name, group, parent, aliases, ranked, kind or group,
                                     str(line)], strict=True))


def _dossier(aid: str, *values: object) -> dict[str, str]:
    return dict(zip(DOSSIER_COLUMNS, [aid, *("" if v is None else str(v) for v in values)],
                    strict=True))


def _task(tid: str, area: str, title: str, leads: str, status: str, *, proposed: str = "",
          certain: str = "true", source: str = "proposal", note: str = "") -> dict[str, str]:
    row = dict.fromkeys(TASK_COLUMNS, "")
    row.update(task_id=tid, area=area, number=tid[1:], title=title, deadline="Quý II/2022",
               deadline_kind="quarter", deadline_date="2022-06-30", lead_agency_ids=leads,
               proposed_status=proposed or status, proposal_certain=certain, status=status,
               status_source=source, review_note=note, collective="false")
    return row


def tiny_tables() -> dict[str, list[dict[str, str]]]:
    """Fresh rows of the tiny valid dataset (edit them freely)."""
    agencies = [
        _agency("so-du-lich", "Sở Du lịch", "department", aliases="SDL", line=10),
        _agency("so-tu-phap", "Sở Tư pháp", "department", line=11),
        _agency("vpdkdd", "Văn phòng Đăng ký đất đai", "department", aliases="VPĐKĐĐ",
                ranked="false", kind="land_office", line=12),
        _agency("huyen-dien-khanh", "Huyện Diên Khánh", "district", line=13),
        _agency("xa-dien-dien", "Xã Diên Điền", "commune", "huyen-dien-khanh", line=14),
        _agency("xa-dien-lac", "Xã Diên Lạc", "commune", "huyen-dien-khanh", line=15),
    ]
    # received, resolved, on time, late, pending, pending on time, pending late, late,
    # late rate, online, eligible, online rate, source line
    dossiers = [
        _dossier("so-du-lich", 586, 573, 521, 52, 10, 10, 0, 52, 8.92, 283, 569, 49.74, 10),
        _dossier("so-tu-phap", 13209, 12544, 12535, 9, 597, 590, 7, 16, 0.12, 4894, 12596,
                 38.85, 11),
        _dossier("vpdkdd", 100, 90, 80, 10, 5, 5, 0, 10, 10.53, 0, 0, None, 12),
        _dossier("huyen-dien-khanh", 1000, 950, 940, 10, 40, 38, 2, 12, 1.21, 300, 800, 37.5,
                 13),
        _dossier("xa-dien-dien", 50, 50, 50, 0, 0, 0, 0, 0, 0, 10, 20, 50, 14),
        _dossier("xa-dien-lac", 0, 0, 0, 0, 0, 0, 0, 0, None, 0, 0, None, 15),
    ]
    tasks = [
        _task("T1", "I", "Ban hành Kế hoạch CCHC năm 2022", "so-tu-phap", "done_on_time"),
        _task("T2", "II", "Rà soát văn bản QPPL", "so-du-lich;so-tu-phap", "done_late"),
        _task("T3", "III", "Đơn giản hóa TTHC", "so-du-lich", "not_arising"),
        _task("T4", "VII", "Triển khai dịch vụ công trực tuyến", "huyen-dien-khanh",
              "in_progress", proposed="not_done", certain="false", source="review_override",
              note="Công văn 12/UBND"),
        _task("T5", "V", "Đánh giá công chức", "so-du-lich", "not_done"),
    ]
    review = [dict(task_id="T4", field="status", value="in_progress",
                   justification="Công văn số 12/UBND ngày 01/12/2022: đang triển khai")]
    findings = [dict(severity="warning", table="dossiers", agency="Tổng cộng",
                     column="received", published="1.000", expected="999",
                     message="subtotal differs from the sum of its rows", line="40")]
    return {"agencies": agencies, "dossiers": dossiers, "tasks": tasks, "review": review,
            "findings": findings}


def _typed(value: str) -> object:
    """A CSV text as the cell a person would type in Excel (numbers and booleans typed)."""
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    if re.fullmatch(r"-?\d+\.\d+", value):
        return float(value)
    return value if value != "" else None


def write_table(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None,
                *, bom: bool = False, typed: bool = True) -> Path:
    """Write ``rows`` as ``path`` (``.csv`` UTF-8, or ``.xlsx``, cells typed when ``typed``)."""
    if columns is None:
        columns = list(rows[0]) if rows else []
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(columns)
        for row in rows:
            ws.append([_typed(str(row.get(c, ""))) if typed else str(row.get(c, ""))
                       for c in columns])
        wb.save(path)
        return path
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_dataset(folder: Path, tables: dict[str, list[dict[str, str]]] | None = None, *,
                  fmt: str = "csv", bom: bool = False, manifest: bool = True) -> Path:
    """Write a dataset folder from ``tables`` (default: :func:`tiny_tables`).

    Parameters
    ----------
    folder : Path
        Created if needed.
    tables : dict, optional
        Table name → rows. A table whose rows are ``None`` is not written.
    fmt : {"csv", "xlsx"}
        File format of every table.
    bom : bool
        Write CSV files with a UTF-8 byte-order mark.
    manifest : bool
        Write ``manifest.json`` with the files' checksums.
    """
    tables = tiny_tables() if tables is None else tables
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in tables.items():
        if rows is None:
            continue
        present = list(dict.fromkeys(k for r in rows for k in r))
        known = COLUMNS.get(name, [])
        columns = ([c for c in known if c in present] + [c for c in present if c not in known]
                   if rows else known)
        written.append(write_table(folder / f"{name}.{fmt}", rows, columns, bom=bom,
                                   typed=name != "findings"))  # findings quote the source
    if manifest:
        doc = {"name": "tiny-2022", "province": "Khánh Hòa", "year": 2022,
               "period": {"start": "2021-12-15", "end": "2022-12-14"},
               "source": {"file": "test", "sha256": "", "title": "test fixture"},
               "counts": {k: len(v) for k, v in tables.items() if v is not None},
               "files": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written}}
        (folder / "manifest.json").write_text(json.dumps(doc, ensure_ascii=False, indent=2),
                                              encoding="utf-8")
    return folder
