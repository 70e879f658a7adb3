"""Phụ lục 2: dossier statistics per unit, the agencies they name, and their checks.

The table has 14 columns: Stt, unit, received; resolved (total, on time, late); pending
(total, within time, overdue); late (count, rate); online (online, eligible, rate). Row
kinds, by the Stt cell:

- ``A``/``B``/``C`` — group subtotal (departments, districts, communes);
- ``I``…``VIII`` under C — communes of one district (subtotal);
- ``1``, ``2`` … — a unit; ``-`` — a sub-unit of the numbered row above (group A);
  ``+`` — a sub-unit of the ``-`` row above;
- blank Stt with ``TỔNG`` — the grand total.

Repeated header rows (page breaks) and blank lines are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from scoring.errors import DataError, Problem
from scoring.i18n import N_, _
from scoring.importer.agencies import (
    COMMON_ALIASES,
    Agency,
    AgencyRegistry,
    expand_abbreviations,
    key,
)
from scoring.importer.findings import Finding, calendar_date, stored_text
from scoring.importer.numbers import Number, NumberFormatError, format_number, parse_number
from scoring.importer.source import (
    Line,
    Report,
    clean_cell,
    complete_report,
    restore_cell,
    wrong_cells,
)
from scoring.text import fold, slug

COLUMNS: tuple[str, ...] = (
    "received", "resolved", "resolved_on_time", "resolved_late", "pending",
    "pending_on_time", "pending_late", "late", "late_rate_published", "online",
    "online_eligible", "online_rate_published",
)
RATE_COLUMNS = frozenset({"late_rate_published", "online_rate_published"})
COUNT_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c not in RATE_COLUMNS)
N_CELLS = 2 + len(COLUMNS)

# Second header row, folded: the sub-headings of columns 3..14.
SUB_HEADINGS: tuple[str, ...] = (
    "tong", "dung han", "tre han", "tong", "trong han", "tre han", "so luong", "ty le",
    "hs truc tuyen", "tong so hs phat sinh", "ty le",
)
SECTION_GROUPS = {"A": "department", "B": "district", "C": "commune"}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

_DISTRICT = re.compile(r"^UBND\s+(huyện|thành phố|thị xã|quận)\s+(.+)$", re.IGNORECASE)
_COMMUNE = re.compile(r"^UBND\s+(xã|phường|thị trấn)\s+(.+)$", re.IGNORECASE)
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


@dataclass(frozen=True)
class TableRow:
    """One data row of Phụ lục 2."""

    line: int
    stt: str
    label: str
    kind: str  # section | district_group | member | sub | subsub | total
    values: dict[str, Number | None]
    children: tuple[int, ...] = ()  # indices of member rows (filled for subtotals)

    def count(self, column: str) -> int | float | None:
        """The value of a column, ``None`` when blank."""
        n = self.values[column]
        return None if n is None else n.value


@dataclass
class DossierTable:
    """Phụ lục 2 parsed: rows in order plus the header facts."""

    rows: list[TableRow] = field(default_factory=list)
    title: str = ""
    report_ref: str = ""
    report_date: date | None = None
    report_date_line: int | None = None
    period: tuple[date, date] | None = None
    header_line: int | None = None


def _problem(report: Report, line: int, message: str, fix: str, field_: str | None = None
             ) -> DataError:
    return DataError(Problem(message, file=report.path, line=line, field=field_, fix=fix))


def parse_dossier_table(report: Report, lines: list[Line]) -> DossierTable:
    """Parse the lines of Phụ lục 2 (from its heading to the end of the report).

    Raises
    ------
    DataError
        Missing header, a row with the wrong number of cells, a cell that is not a number,
        an unknown row kind, or a table that stops before its grand total.
    """
    table = DossierTable()
    expect_sub_heading = False
    section: str | None = None
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        cells = ln.cells
        first = clean_cell(cells[0])
        if len(cells) == 1:
            plain = text.strip("* ").strip()
            if not table.title and not plain.startswith("(") and \
                    not fold(plain).startswith("phu luc"):
                table.title = plain
            m = re.search(r"Báo cáo số\s+(\S+)\s+ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})", text)
            if m and table.report_date is None:
                table.report_ref = m.group(1)
                table.report_date = calendar_date(m.group(2), m.group(3), m.group(4))
                table.report_date_line = ln.number
            m = re.search(r"từ ngày\s+(\d{1,2}/\d{1,2}/\d{4})\s+đến\s+(?:ngày\s+)?"
                          r"(\d{1,2}/\d{1,2}/\d{4})", text)
            if m:
                start = calendar_date(*_DATE.search(m.group(1)).groups())
                end = calendar_date(*_DATE.search(m.group(2)).groups())
                if start and end:
                    table.period = (start, end)
            continue
        if fold(first) == "stt":
            if len(cells) < N_CELLS:
                raise _problem(report, ln.number,
                               _("the dossier table header has {n} columns, expected {expected} "
                                 "(Stt, unit, received, resolved ×3, pending ×3, late ×2, "
                                 "online ×3)").format(n=len(cells), expected=N_CELLS),
                               _("restore the missing column in every row of {appendix}").format(
                                   appendix="Phụ lục 2"))
            table.header_line = table.header_line or ln.number
            expect_sub_heading = True
            continue
        if expect_sub_heading and first == "" and fold(clean_cell(cells[1])) == "":
            got = tuple(fold(clean_cell(c)) for c in cells[3:])
            if got[:len(SUB_HEADINGS)] != SUB_HEADINGS or len(cells) < N_CELLS:
                raise _problem(report, ln.number,
                               _("the dossier table sub-headings are {found}, expected "
                                 "{expected}").format(
                                   found=", ".join(clean_cell(c) for c in cells[3:]),
                                   expected="Tổng, Đúng hạn, Trễ hạn, Tổng, Trong hạn, Trễ hạn, "
                                   "Số lượng, Tỷ lệ, HS trực tuyến, Tổng số HS phát sinh, Tỷ lệ"),
                               _("restore the missing or reordered column"))
            expect_sub_heading = False
            continue
        expect_sub_heading = False
        if table.header_line is None:
            raise _problem(report, ln.number,
                           _("a table row comes before the header of {appendix}").format(
                               appendix="Phụ lục 2"),
                           _("keep the header row {header}").format(
                               header="'Stt | Cơ quan, đơn vị, … | Hồ sơ tiếp nhận | …'"))
        if len(cells) != N_CELLS and not (len(cells) > N_CELLS
                                          and all(not c.strip() for c in cells[N_CELLS:])):
            raise _problem(report, ln.number, wrong_cells(len(cells), N_CELLS),
                           restore_cell())
        label = clean_cell(cells[1])
        values: dict[str, Number | None] = {}
        for column, cell in zip(COLUMNS, cells[2:N_CELLS], strict=True):
            try:
                values[column] = parse_number(clean_cell(cell))
            except NumberFormatError as err:
                raise _problem(report, ln.number, str(err),
                               _("write counts like 1.234, rates like 2,33%, '-' for zero"),
                               field_=column) from None
        stt = first.replace(" ", "")
        if stt in SECTION_GROUPS:
            kind, section = "section", stt
        elif stt in ROMAN and section == "C":
            kind = "district_group"
        elif stt.isdigit():
            kind = "member"
        elif stt == "-":
            kind = "sub"
        elif stt == "+":
            kind = "subsub"
        elif stt == "" and fold(label) in ("tong", "tong cong", "tong so"):
            kind = "total"
        else:
            raise _problem(report, ln.number,
                           _("unknown row number {stt} (label {label})").format(
                               stt=repr(first), label=repr(label)),
                           _("use A/B/C for groups, I…VIII for districts under C, 1, 2, … for "
                             "units, '-' and '+' for sub-units, blank Stt for TỔNG"))
        if kind != "section" and kind != "total" and section is None:
            raise _problem(report, ln.number, _("a unit row comes before group A"),
                           _("start the table with the group row A"))
        table.rows.append(TableRow(ln.number, stt, label, kind, values))
    if not table.rows:
        raise DataError(Problem(_("{appendix} has no rows; the report looks truncated").format(
                                    appendix="Phụ lục 2"), file=report.path,
                                fix=complete_report()))
    if table.rows[-1].kind != "total":
        raise _problem(report, table.rows[-1].line,
                       _("Phụ lục 2 ends without its grand total row (TỔNG); the report looks "
                         "truncated"), complete_report())
    if table.period is None:
        raise DataError(Problem(_("the statistics period ('Kỳ thống kê từ ngày … đến …') is "
                                  "missing after Phụ lục 2"), file=report.path,
                                fix=complete_report()))
    sections = [r.stt for r in table.rows if r.kind == "section"]
    if sections != ["A", "B", "C"]:
        raise DataError(Problem(_("Phụ lục 2 has groups {groups}, expected A, B, C").format(
                                    groups=", ".join(sections) or "—"),
                                file=report.path, fix=complete_report()))
    link_children(table)
    return table


def link_children(table: DossierTable) -> None:
    """Fill ``children`` of subtotal rows (sections, district groups, units with sub-rows).

    The grand total sums the sections; a table without sections (a flat export) has its
    total sum the rows that belong to no group.
    """
    rows = table.rows
    kids: dict[int, list[int]] = {i: [] for i in range(len(rows))}
    top: list[int] = []
    section = group = member = sub = None

    def attach(parent: int | None, i: int) -> None:
        (top if parent is None else kids[parent]).append(i)

    for i, row in enumerate(rows):
        if row.kind == "section":
            section, group, member, sub = i, None, None, None
        elif row.kind == "district_group":
            attach(section, i)
            group, member, sub = i, None, None
        elif row.kind == "member":
            attach(group if group is not None else section, i)
            member, sub = i, None
        elif row.kind == "sub":
            attach(member, i)
            sub = i
        elif row.kind == "subsub":
            attach(sub if sub is not None else member, i)
    sections = [j for j, r in enumerate(rows) if r.kind == "section"]
    for i, row in enumerate(rows):
        if row.kind == "total":
            kids[i] = sections or [j for j in top if j < i]
    table.rows = [TableRow(r.line, r.stt, r.label, r.kind, r.values, tuple(kids[i]))
                  for i, r in enumerate(rows)]


def dossier_record(agency_id: str, row: TableRow, location: object) -> dict[str, object]:
    """The ``dossiers.csv`` row of one unit: counts as integers, rates with the decimals
    they were published with, blanks for missing values."""
    out: dict[str, object] = {"agency_id": agency_id, "source_line": location}
    for column in COLUMNS:
        n = row.values[column]
        if n is None:
            out[column] = ""
        elif column in RATE_COLUMNS:
            out[column] = f"{float(n.value):.{n.decimals}f}"
        else:
            out[column] = int(n.value)
    return out


# ----------------------------------------------------------------------------- agencies

@dataclass
class BuiltAgencies:
    """Agencies made from Phụ lục 2, and which table row each came from."""

    row_agency: dict[int, str] = field(default_factory=dict)  # row index -> agency id
    subtotal_labels: dict[int, str] = field(default_factory=dict)  # row index -> label
    findings: list[Finding] = field(default_factory=list)


def _department(row: TableRow) -> tuple[str, str, tuple[str, ...]]:
    """(id, canonical name, aliases) of a numbered row of group A."""
    expanded = expand_abbreviations(row.label)
    name = re.sub(r"\s+và\s+Văn phòng Đăng ký đất đai$", "", expanded)
    agency_id = slug(name)
    aliases = [a for a in (row.label, expanded) if key(a) != key(name)]
    aliases += list(COMMON_ALIASES.get(agency_id, ()))
    return agency_id, name, tuple(dict.fromkeys(aliases))


def build_agencies(table: DossierTable, registry: AgencyRegistry) -> BuiltAgencies:
    """Register every unit row of the table; return row → agency id and findings.

    Raises
    ------
    DataError
        A district row or district group the id scheme cannot read, or two rows that
        would get the same id.
    """
    out = BuiltAgencies()
    districts: dict[str, tuple[str, str]] = {}  # key("huyện Cam Lâm") -> (id, place slug)
    section = None
    group_district: tuple[str, str] | None = None
    last_member: str | None = None
    last_sub: str | None = None
    pending_aliases: list[tuple[str, str]] = []

    def add(agency: Agency, row: TableRow) -> None:
        if agency.agency_id in registry:
            raise DataError(Problem(
                _("unit {unit} would get id {id}, already used by {other} (line {line})").format(
                    unit=repr(row.label), id=repr(agency.agency_id),
                    other=repr(registry[agency.agency_id].name),
                    line=registry[agency.agency_id].source_line), line=row.line, field="unit",
                fix=_("two rows name the same unit in the same group: remove or rename one")))
        registry.add(agency)

    for i, row in enumerate(table.rows):
        if row.kind == "section":
            section = row.stt
            out.subtotal_labels[i] = f"{row.stt} {row.label}"
            continue
        if row.kind == "total":
            out.subtotal_labels[i] = row.label
            continue
        group = SECTION_GROUPS[section]
        if row.kind == "district_group":
            m = re.match(r"^(?:Thuộc\s+)?(.+)$", row.label, re.IGNORECASE)
            found = districts.get(key(m.group(1)))
            if found is None:
                raise DataError(Problem(
                    _("district group {label} names no district of group B").format(
                        label=repr(row.label)), line=row.line, field="unit",
                    fix=_("write it as 'Thuộc huyện X' with X a district listed under B")))
            group_district = found
            out.subtotal_labels[i] = f"C.{row.stt} {row.label}"
            continue
        if group == "department":
            if row.kind == "member":
                agency_id, name, aliases = _department(row)
                add(Agency(agency_id, name, "department", "", aliases, True, "department",
                           row.line), row)
                last_member, last_sub = agency_id, None
            elif row.kind == "sub":
                if last_member is None:
                    raise DataError(Problem(_("a '-' row comes before any numbered row"),
                                            line=row.line, fix=_("put it under its unit")))
                parent = registry[last_member]
                expanded = expand_abbreviations(row.label)
                if key(expanded) == key(parent.name):
                    agency_id = f"{last_member}-co-quan"
                    name = f"{parent.name} (cơ quan Sở)"
                    kind = "department_office"
                    out.findings.append(Finding(
                        "info", "agencies", agency_id, "name", row.label, name,
                        stored_text(N_(
                            "the '-' row has the same name as its department (row {stt} "
                            "'{parent}'); it is the department's own office and is named "
                            "'{name}'; the name alone resolves to {id}"),
                            stt=(table.rows[i - 1].stt
                                 if table.rows[i - 1].kind == "member" else ""),
                            parent=parent.name, name=name, id=last_member), row.line))
                    aliases: tuple[str, ...] = ()
                elif fold(expanded).startswith("khoi van phong dang ky dat dai"):
                    agency_id, name, kind = "vpdkdd", "Khối Văn phòng Đăng ký đất đai", \
                        "land_office"
                    aliases = (row.label,) if key(row.label) != key(name) else ()
                    if re.search(r"\bKhôi\b", row.label):
                        out.findings.append(Finding(
                            "info", "agencies", agency_id, "name", row.label,
                            row.label.replace("Khôi", "Khối"),
                            stored_text(N_("misspelt 'Khôi' for 'Khối' (matched "
                                           "accent-insensitively)")),
                            row.line))
                else:
                    agency_id, name, kind = slug(expanded), expanded, "sub_unit"
                    aliases = (row.label,) if key(row.label) != key(name) else ()
                add(Agency(agency_id, name, "department", last_member, aliases, False, kind,
                           row.line), row)
                last_sub = agency_id
            elif row.kind == "subsub":
                parent_id = last_sub or last_member
                expanded = expand_abbreviations(row.label)
                fe = fold(expanded)
                if fe == "van phong dang ky dat dai tinh":
                    agency_id, kind = "vpdkdd-tinh", "land_office"
                elif fe.startswith("chi nhanh van phong dang ky dat dai "):
                    place = expanded[len("Chi nhánh Văn phòng Đăng ký đất đai "):]
                    agency_id, kind = f"vpdkdd-{slug(place)}", "land_branch"
                else:
                    agency_id, kind = slug(expanded), "sub_unit"
                aliases = (row.label,) if key(row.label) != key(expanded) else ()
                add(Agency(agency_id, expanded, "department", parent_id, aliases, False, kind,
                           row.line), row)
            else:
                raise DataError(Problem(_("unexpected row kind {kind} in group A").format(
                    kind=repr(row.stt)), line=row.line, field="Stt",
                    fix=_("use 1, 2, … for units, '-' and '+' for their sub-units")))
            out.row_agency[i] = registry.agencies[-1].agency_id
            continue
        if row.kind != "member":
            raise DataError(Problem(_("sub-unit rows ({stt}) are only expected in group A")
                                    .format(stt=repr(row.stt)), line=row.line, field="Stt",
                                    fix=_("number the unit or move it to group A")))
        if group == "district":
            m = _DISTRICT.match(row.label)
            if not m:
                raise DataError(Problem(
                    _("district {label} is not {pattern}").format(
                        label=repr(row.label), pattern="'UBND huyện|thành phố|thị xã <tên>'"),
                    line=row.line, field="unit", fix=_("write the district's full name")))
            unit_type, place = m.group(1).lower(), m.group(2)
            agency_id = slug(row.label)
            add(Agency(agency_id, row.label, "district", "", (f"{unit_type} {place}",), True,
                       "district", row.line), row)
            districts[key(f"{unit_type} {place}")] = (agency_id, slug(place))
        else:
            if group_district is None:
                raise DataError(Problem(_("a commune row comes before its district group (I, "
                                          "II…)"), line=row.line,
                                        fix=_("put communes under 'Thuộc …'")))
            m = _COMMUNE.match(row.label)
            if not m:
                raise DataError(Problem(
                    _("commune {label} is not {pattern}").format(
                        label=repr(row.label), pattern="'UBND xã|phường|thị trấn <tên>'"),
                    line=row.line, field="unit", fix=_("write the commune's full name")))
            unit_type, place = m.group(1).lower(), m.group(2)
            district_id, district_place = group_district
            name = f"UBND {unit_type} {place}"
            agency_id = f"{district_place}-{slug(unit_type)}-{slug(place)}"
            aliases = (row.label,) if row.label != name else ()
            add(Agency(agency_id, name, "commune", district_id, aliases, True, "commune",
                       row.line), row)
            pending_aliases.append((agency_id, f"{unit_type} {place}"))
        out.row_agency[i] = registry.agencies[-1].agency_id

    for agency_id, alias in pending_aliases:
        registry.add_alias(agency_id, alias)
    for name, ids in registry.shared_names().items():
        first = min(registry[i].source_line or 0 for i in ids)
        out.findings.append(Finding(
            "info", "agencies", ";".join(ids), "name", name, "",
            stored_text(N_("'{name}' names {n} units; it resolves to none of them, use the "
                           "full name or the id"), name=name, n=len(ids)), first or None))
    return out


# ------------------------------------------------------------------------------- checks

def rate(numerator: float, denominator: float) -> float | None:
    """``numerator ÷ denominator × 100``; ``None`` when the denominator is zero."""
    return None if not denominator else 100.0 * numerator / denominator


def round_half_up(value: float, decimals: int) -> float:
    """Round the way a spreadsheet displays (half away from zero)."""
    q = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(q, rounding=ROUND_HALF_UP))


def rate_agrees(published: float, exact: float, decimals: int) -> bool:
    """Whether a published rate is the exact rate shown at ``decimals`` digits.

    Either rounding of an exact tie is accepted.

    Examples
    --------
    >>> rate_agrees(0.74, 100 * 4 / 541, 2)
    True
    >>> rate_agrees(8.92, 100 * 52 / 583, 2)
    True
    >>> rate_agrees(0.00, 100 * 1 / 729, 2)
    False
    """
    return abs(published - exact) <= 0.5 * 10 ** (-decimals) + 1e-9


def _fmt_count(value: float) -> str:
    return format_number(int(value)) if float(value).is_integer() else str(value)


def _rate_findings(label: str, row: TableRow, counts: dict[str, float], what: str
                   ) -> list[Finding]:
    out: list[Finding] = []
    specs = (
        ("late_rate_published", counts["late"], counts["resolved"] + counts["pending"],
         stored_text(N_("late ÷ (resolved + pending)"))),
        ("online_rate_published", counts["online"], counts["online_eligible"],
         stored_text(N_("online ÷ eligible"))),
    )
    for column, num, den, formula in specs:
        pub = row.values[column]
        if pub is None:
            continue
        exact = rate(num, den)
        if exact is None:
            if pub.value != 0:
                out.append(Finding("warning", "dossiers", label, column, pub.text, "",
                                   stored_text(N_("rate published but {formula} has a zero "
                                                  "denominator"), formula=formula) + what,
                                   row.line))
            continue
        if not rate_agrees(float(pub.value), exact, pub.decimals):
            expected = format_number(round_half_up(exact, pub.decimals), pub.decimals,
                                     percent=pub.percent)
            out.append(Finding(
                "warning", "dossiers", label, column, pub.text, expected,
                stored_text(N_("published rate differs from {formula} = {num} ÷ {den}"),
                            formula=formula, num=_fmt_count(num), den=_fmt_count(den)) + what,
                row.line))
    return out


def check_rows(table: DossierTable, labels: dict[int, str]) -> list[Finding]:
    """Per-row identities and rates, plus numbers written without separators.

    ``labels`` maps row index to the agency id or subtotal label used in findings.
    """
    findings: list[Finding] = []
    identities = (
        ("resolved", ("resolved_on_time", "resolved_late"),
         stored_text(N_("resolved ≠ on time + late"))),
        ("pending", ("pending_on_time", "pending_late"),
         stored_text(N_("pending ≠ within time + overdue"))),
        ("late", ("resolved_late", "pending_late"),
         stored_text(N_("late ≠ resolved late + pending overdue"))),
    )
    for i, row in enumerate(table.rows):
        label = labels[i]
        for column in COLUMNS:
            n = row.values[column]
            if n is not None and n.unseparated:
                findings.append(Finding(
                    "info", "dossiers", label, column, n.text,
                    format_number(n.value, n.decimals, n.percent),
                    stored_text(N_("number written without thousands separator (value read "
                                   "as written)")),
                    row.line))
        for total, parts, words in identities:
            vals = [row.count(c) for c in (total, *parts)]
            if any(v is None for v in vals):
                continue
            if vals[0] != vals[1] + vals[2]:
                findings.append(Finding(
                    "warning", "dossiers", label, total, _fmt_count(vals[0]),
                    _fmt_count(vals[1] + vals[2]),
                    f"{words} ({_fmt_count(vals[1])} + {_fmt_count(vals[2])})",
                    row.line))
        counts = {c: (row.count(c) or 0) for c in COUNT_COLUMNS}
        findings += _rate_findings(label, row, counts, "")
    return findings


def check_subtotals(table: DossierTable, labels: dict[int, str]) -> list[Finding]:
    """Every row with members (groups, district groups, row 18, Khối VPĐKĐĐ, TỔNG)
    against the sum of its members, column by column; rates against the rate of the
    summed counts."""
    findings: list[Finding] = []
    for i, row in enumerate(table.rows):
        if not row.children:
            continue
        members = [table.rows[j] for j in row.children]
        sums = {c: sum((m.count(c) or 0) for m in members) for c in COUNT_COLUMNS}
        for column in COUNT_COLUMNS:
            published = row.count(column)
            if published is None:
                continue
            if published != sums[column]:
                diff = published - sums[column]
                findings.append(Finding(
                    "warning", "dossiers", labels[i], column,
                    row.values[column].text, _fmt_count(sums[column]),
                    stored_text(N_("subtotal ≠ sum of its {n} members; difference {diff}"),
                                n=len(members),
                                diff=f"{'+' if diff > 0 else '-'}{_fmt_count(abs(diff))}"),
                    row.line))
        findings += _rate_findings(labels[i], row, sums, " " + stored_text(
            N_("(summed over its {n} members)"), n=len(members)))
    return findings
