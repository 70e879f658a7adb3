"""The dossier statistics table of a provincial TTHC system export → ``dossiers.csv``.

An export (``.xlsx``, ``.xls``, ``.csv``) has title rows, a header of one or two levels
with merged cells, unit rows and subtotal rows. :func:`find_header` finds the header by
its Vietnamese column names (:func:`known_columns` lists them; a YAML column map names
others), whatever row it is on; :func:`read_export` reads the rows below it into the same
:class:`~scoring.importer.dossiers.DossierTable` the report's Phụ lục 2 gives, so the
same checks (identities, rates, subtotals) apply. Units are matched to the dataset's
agencies by :func:`match_units`.

Row kinds, from the Stt cell and the name: ``A``, ``B``… a group (subtotal); ``I``,
``II``… a sub-group (subtotal); ``1``, ``2``… a unit; ``-`` / ``+`` a sub-unit of the row
above; a name ``Tổng``/``Tổng cộng``/``Cộng`` the grand total; a name ``Thuộc huyện X``
without Stt a sub-group. An export without an Stt column has only units, sub-groups and
totals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from scoring.errors import DataError, Problem
from scoring.i18n import _
from scoring.importer.agencies import AgencyRegistry, expand_abbreviations, key
from scoring.importer.dossiers import (
    COLUMNS,
    ROMAN,
    DossierTable,
    TableRow,
    link_children,
)
from scoring.importer.findings import calendar_date
from scoring.importer.numbers import Number, NumberFormatError, format_number, parse_number
from scoring.importer.sheets import Cell, Sheet
from scoring.text import fold, slug

HEADER_SEARCH_ROWS = 40

STT_NAMES = ("stt", "tt", "so tt", "so thu tu")
UNIT_NAMES = ("co quan don vi dia phuong tiep nhan ho so", "co quan don vi dia phuong",
              "co quan don vi", "don vi", "ten don vi", "ten co quan don vi", "co quan",
              "don vi tiep nhan", "ten co quan", "dia phuong", "don vi dia phuong")
# one-level columns: normalised name -> column
SINGLE = {
    "ho so tiep nhan": "received", "tiep nhan": "received", "tong so ho so": "received",
    "tong so ho so tiep nhan": "received", "so ho so tiep nhan": "received",
    "tong tiep nhan": "received", "tong ho so tiep nhan": "received",
    "tong so tiep nhan": "received",
}
_TOTAL = ("tong", "tong so", "cong", "so luong", "tong cong")
_RATE = ("ty le", "ti le")
# two-level columns: group names (top row) -> {sub-heading -> column}
GROUPS: tuple[tuple[tuple[str, ...], dict[str, str]], ...] = (
    (("tiep nhan", "ho so tiep nhan", "so ho so tiep nhan", "tong so ho so"),
     dict.fromkeys(("tong", "tong so", "tong so ho so", "cong"), "received")),
    (("ho so da giai quyet xong", "ho so da giai quyet", "da giai quyet", "da giai quyet xong",
      "so ho so da giai quyet", "da xu ly", "ho so da xu ly", "da xu ly xong"),
     {**dict.fromkeys(_TOTAL, "resolved"),
      **dict.fromkeys(("dung han", "truoc han", "dung han truoc han", "truoc han dung han",
                       "dung va truoc han", "truoc va dung han", "dung hoac truoc han",
                       "som han", "truoc hoac dung han"), "resolved_on_time"),
      **dict.fromkeys(("tre han", "qua han"), "resolved_late")}),
    (("ho so dang giai quyet", "dang giai quyet", "dang xu ly", "ho so dang xu ly",
      "chua giai quyet", "ho so chua giai quyet", "ho so chua giai quyet xong"),
     {**dict.fromkeys(_TOTAL, "pending"),
      **dict.fromkeys(("trong han", "chua den han", "con han", "trong thoi han"),
                      "pending_on_time"),
      **dict.fromkeys(("tre han", "qua han"), "pending_late")}),
    (("ho so tre han", "tre han", "qua han", "ho so qua han", "tong so ho so tre han"),
     {**dict.fromkeys(_TOTAL, "late"), **dict.fromkeys(_RATE, "late_rate_published")}),
    (("ho so truc tuyen", "truc tuyen", "dich vu cong truc tuyen", "ho so dich vu cong truc tuyen"),
     {**dict.fromkeys(("hs truc tuyen", "ho so truc tuyen", "so ho so truc tuyen", "so luong",
                       "truc tuyen", "tiep nhan truc tuyen"), "online"),
      **dict.fromkeys(("tong so hs phat sinh", "tong so ho so phat sinh", "ho so phat sinh",
                       "tong so ho so", "phat sinh", "tong so"), "online_eligible"),
      **dict.fromkeys(_RATE, "online_rate_published")}),
)
TOTAL_NAMES = ("tong", "tong cong", "cong", "tong so", "toan tinh", "tong toan tinh")
REQUIRED = ("received", "resolved_on_time", "resolved_late")


def normalise(text: object) -> str:
    """A header or name for comparison: no accents, lower case, punctuation as spaces.

    Examples
    --------
    >>> normalise("Tỷ lệ (%)")
    'ty le'
    >>> normalise("Đúng hạn/ Trước hạn")
    'dung han truoc han'
    """
    return "" if text is None else slug(str(text), " ")


def known_columns() -> list[tuple[str, list[str]]]:
    """The header names :func:`find_header` knows, per dataset column (for the docs)."""
    out: dict[str, list[str]] = {}
    for name, column in SINGLE.items():
        out.setdefault(column, []).append(name)
    for tops, subs in GROUPS:
        for sub, column in subs.items():
            out.setdefault(column, []).append(f"{' | '.join(tops)} / {sub}")
    return [(c, out.get(c, [])) for c in COLUMNS]


@dataclass(frozen=True)
class Header:
    """Where the table is: its header rows and the column of each dataset column."""

    sheet: str
    row: int  # spreadsheet row of the (first) header row
    depth: int  # 1 or 2 header rows
    stt: int | None
    unit: int
    columns: dict[str, int]  # dataset column -> 0-based column index

    @property
    def first_data_row(self) -> int:
        """Spreadsheet row number after the header."""
        return self.row + self.depth


def _labels(cells: tuple[Cell, ...], width: int) -> list[str]:
    return [normalise(cells[c].value) if c < len(cells) else "" for c in range(width)]


def _group_of(top: str) -> dict[str, str] | None:
    return next((subs for tops, subs in GROUPS if top in tops), None)


def _match_row(top: list[str], sub: list[str], mapped: dict[str, str]
               ) -> tuple[dict[str, int], int | None, int | None, bool, list[str]]:
    """Columns matched in one candidate header (top row, next row)."""
    columns: dict[str, int] = {}
    clashes: list[str] = []
    stt = unit = None
    two_level = False
    for c, (t, s) in enumerate(zip(top, sub, strict=True)):
        s = "" if s == t else s
        found = None
        for column, label in mapped.items():
            if label and label in (t, f"{t} {s}".strip(), s if not t else None):
                found = column
        if found is None:
            if t in STT_NAMES and stt is None:
                stt = c
                continue
            if unit is None and (t in UNIT_NAMES or t.startswith(("co quan don vi",
                                                                   "ten don vi"))):
                unit = c
                continue
            group = _group_of(t)
            if group is not None and s in group:
                found, two_level = group[s], True
            elif t in SINGLE and not s:
                found = SINGLE[t]
        if found is not None:
            if found in columns:
                clashes.append(found)
            else:
                columns[found] = c
    return columns, stt, unit, two_level, clashes


def read_column_map(data: object, file: Path) -> dict[str, str]:
    """Check a column map (``columns: {received: "Tổng hồ sơ nhận", …}``) → column → name.

    Raises
    ------
    DataError
        Not a mapping, an unknown dataset column, or a header name that is not text.
    """
    columns = data.get("columns") if isinstance(data, dict) else None
    if not isinstance(columns, dict):
        raise DataError(Problem(
            _("the column map must have a 'columns:' mapping of dataset column to header "
              "name"), file=file,
            fix=_("write e.g. 'columns:' then '  received: \"Tổng số hồ sơ nhận\"' (see "
                  "docs/nam-moi.md)")))
    out: dict[str, str] = {}
    for column, label in columns.items():
        if column not in COLUMNS:
            raise DataError(Problem(
                _("unknown dataset column {column!r}").format(column=column), file=file,
                field=f"columns.{column}",
                fix=_("use one of: {columns}").format(columns=", ".join(COLUMNS))))
        if not isinstance(label, str) or not normalise(label):
            raise DataError(Problem(
                _("the header name must be text"), file=file, field=f"columns.{column}",
                fix=_("write the header as it is in the file, e.g. 'Đã giải quyết / Đúng "
                      "hạn' for a two-level header")))
        out[column] = normalise(label)
    return out


def find_header(sheet: Sheet, mapped: dict[str, str] | None = None) -> Header | None:
    """The best header in the first rows of ``sheet``, or None when there is none.

    A header has the unit column and at least two known dataset columns; the row below
    it is read as a second level when it holds sub-headings of a group (``Tổng``,
    ``Đúng hạn``, ``Tỷ lệ`` …). Merged cells are already filled (:mod:`sheets`).
    """
    rows = sheet.rows[:HEADER_SEARCH_ROWS]
    width = max((len(cells) for _, cells in rows), default=0)
    best: tuple[int, Header] | None = None
    for i, (number, cells) in enumerate(rows):
        top = _labels(cells, width)
        sub = _labels(rows[i + 1][1], width) if i + 1 < len(rows) else [""] * width
        for c in range(1, width):  # a group heading not merged (CSV): spans its sub-headings
            if not top[c] and sub[c] and _group_of(top[c - 1]) is not None:
                top[c] = top[c - 1]
        columns, stt, unit, two_level, clashes = _match_row(top, sub, mapped or {})
        if unit is None or len(columns) < 2:
            continue
        if clashes:
            raise DataError(Problem(
                _("two columns of the header are both read as {columns}").format(
                    columns=", ".join(sorted(set(clashes)))),
                file=sheet.name, line=number,
                fix=_("name the right column in a column map (--columns MAP.yaml)")))
        header = Header(sheet.name, number, 2 if two_level else 1, stt, unit, columns)
        if best is None or len(columns) > best[0]:
            best = (len(columns), header)
    return best[1] if best else None


# ----------------------------------------------------------------------------- rows

@dataclass
class ExportTable:
    """The statistics read from an export: the table, its sheet and period."""

    table: DossierTable
    header: Header
    period: tuple[date, date] | None = None
    missing: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def cell_number(cell: Cell) -> Number | None:
    """A cell as a :class:`Number`: numbers as they are, text in the Vietnamese format.

    A cell formatted as a percentage holds a fraction (``0.0233`` shown ``2,33%``); it is
    read as the percentage, with the decimals its format shows.

    Raises
    ------
    NumberFormatError
        Text that is not a number, or a boolean.

    Examples
    --------
    >>> cell_number(Cell(1234)).value, cell_number(Cell("1.234")).value
    (1234, 1234)
    >>> n = cell_number(Cell(0.0233, percent=True, decimals=2))
    >>> round(n.value, 2), n.text
    (2.33, '2,33%')
    """
    value = cell.value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise NumberFormatError(_("{value!r} is not a number").format(value=value))
    if isinstance(value, int | float):
        if cell.percent:
            decimals = cell.decimals if cell.decimals is not None else 2
            pct = float(value) * 100
            return Number(pct, format_number(abs(pct), decimals, percent=True), decimals, True)
        if float(value).is_integer() and (cell.decimals in (None, 0) or isinstance(value, int)):
            return Number(int(value), format_number(abs(int(value))))
        decimals = cell.decimals or len(repr(float(value)).split(".")[1].rstrip("0")) or 1
        return Number(float(value), format_number(abs(float(value)), decimals), decimals)
    return parse_number(str(value))


_DATE = r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})"


def period_in(text: str) -> tuple[date, date] | None:
    """A period written ``từ ngày 15/12/2021 đến ngày 14/12/2022`` in a title or note.

    Examples
    --------
    >>> period_in("Kỳ thống kê: Từ ngày 15/12/2021 đến ngày 14/12/2022")
    (datetime.date(2021, 12, 15), datetime.date(2022, 12, 14))
    """
    m = re.search(rf"từ\s+(?:ngày\s+)?{_DATE}\s*(?:đến|-|–)\s*(?:ngày\s+)?{_DATE}", text,
                  re.IGNORECASE)
    if not m:
        return None
    start, end = calendar_date(*m.groups()[:3]), calendar_date(*m.groups()[3:])
    return (start, end) if start and end else None


def _kind(stt: str, label: str, seen_section: bool) -> str | None:
    """The kind of a row from its Stt and name (None: a note or blank row)."""
    if normalise(label) in TOTAL_NAMES or (not label and normalise(stt) in TOTAL_NAMES):
        return "total"
    compact = stt.replace(" ", "").rstrip(".)")
    if compact in ROMAN or (not compact and fold(label).startswith("thuoc ")):
        return "district_group" if seen_section else "section"
    if len(compact) == 1 and compact.isalpha():
        return "section"
    if compact.isdigit() or (not compact and label):
        return "member"
    if compact in ("-", "–", "—"):
        return "sub"
    if compact == "+":
        return "subsub"
    return None


def sheet_location(sheet: str, row: int) -> str:
    """Where a row is, as a person finds it: ``trang tính Thống kê, hàng 15``."""
    return _("sheet {s}, row {r}").format(s=sheet, r=row)


def _cell_text(cells: tuple[Cell, ...], c: int | None) -> str:
    if c is None or c >= len(cells) or cells[c].value is None:
        return ""
    v = cells[c].value
    return str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()


def read_export(path: Path, sheet: Sheet, header: Header) -> ExportTable:
    """Read the rows below the header into a :class:`DossierTable` (rows in file order).

    Raises
    ------
    DataError
        A cell that is not a number (every such cell is reported), or no row at all.
    """
    table = DossierTable(title=sheet.name, header_line=header.row)
    problems: list[Problem] = []
    found = ExportTable(table, header)
    found.missing = tuple(c for c in COLUMNS if c not in header.columns)
    for number, cells in sheet.rows:
        texts = " ".join(str(c.value) for c in cells if isinstance(c.value, str))
        if found.period is None and period_in(texts):
            found.period = period_in(texts)
        if number < header.first_data_row:
            continue
        stt = _cell_text(cells, header.stt)
        label = re.sub(r"\s+", " ", _cell_text(cells, header.unit))
        if header.stt is not None and stt == label:
            label = ""  # a label merged over the Stt and name columns
            stt_label = stt
        else:
            stt_label = ""
        if re.fullmatch(r"\(?\d+\)?", label) or (not label and re.fullmatch(r"\(?\d+\)?", stt)
                                                  and header.stt is not None
                                                  and not label):
            continue  # the column-number row under the header: (1) (2) (3) …
        values: dict[str, Number | None] = {}
        for column in COLUMNS:
            c = header.columns.get(column)
            cell = cells[c] if c is not None and c < len(cells) else Cell()
            try:
                values[column] = cell_number(cell)
            except NumberFormatError as err:
                problems.append(Problem(
                    str(err), file=path, line=number, field=column,
                    fix=_("write counts as numbers or like 1.234, rates like 2,33%")))
                values[column] = None
        if all(v is None for v in values.values()):
            if label or stt or stt_label:
                found.notes.append(label or stt or stt_label)
            continue
        kind = _kind(stt, label or stt_label, any(r.kind == "section" for r in table.rows))
        if kind is None:
            problems.append(Problem(
                _("unknown row number {stt!r} (name {name!r})").format(stt=stt, name=label),
                file=path, line=number, field="Stt",
                fix=_("use A, B… for groups, I, II… for sub-groups, 1, 2… for units, '-' and "
                      "'+' for sub-units, and 'Tổng' for the grand total")))
            continue
        table.rows.append(TableRow(number, stt, label or stt_label, kind, values))
    if problems:
        raise DataError([p.replace(line=sheet_location(sheet.name, p.line))
                         for p in problems])
    if not table.rows:
        raise DataError(Problem(
            _("no rows under the header (row {row})").format(row=header.row),
            file=path, fix=_("check that the sheet holds the statistics table")))
    link_children(table)
    return found


# ----------------------------------------------------------------------------- units

@dataclass(frozen=True)
class UnitMatch:
    """How one unit row was matched: to an agency, skipped, or new (``--new-units``)."""

    index: int  # row index in the table
    agency_id: str
    how: str  # matched | new | skipped


def _children_named(registry: AgencyRegistry, parent: str, label: str) -> list[str]:
    """Agencies under ``parent`` whose name, without a bracketed note, is ``label``
    (the department's own office, published under the department's name)."""
    return [a.agency_id for a in registry if a.parent_id == parent
            and key(re.sub(r"\s*\([^)]*\)\s*$", "", a.name)) == key(label)]


def resolve_unit(registry: AgencyRegistry, label: str, parent: str | None) -> tuple[str | None,
                                                                                   list[str]]:
    """(agency id or None, ambiguous candidates) for a unit name under ``parent``."""
    for name in dict.fromkeys((label, expand_abbreviations(label))):
        agency_id = registry.resolve(name)
        if agency_id is not None and parent is not None and agency_id == parent:
            own = _children_named(registry, parent, label)
            return (own[0], []) if len(own) == 1 else (None, [parent, *own])
        if agency_id is not None:
            return agency_id, []
        shared = registry.shared_names()
        for spelled, ids in shared.items():
            if key(spelled) == key(name):
                under = [i for i in ids if parent is None or registry[i].parent_id == parent]
                if len(under) == 1:
                    return under[0], []
                return None, list(ids)
    return None, []
