"""Phụ lục 1: the year's reform plan — tasks, deadlines, assignments, results, status.

Columns: Stt, task, product, deadline (tiến độ), assignment, result (prose). Area heading
rows have a Roman numeral (the extraction fault "VI I" is read as VII); task rows a
number; a row with an empty Stt continues the previous task cell by cell (page break).

The status of a task is not published: :func:`propose_status` reads it from the result
text and the cited documents' dates against the deadline, and says why and how sure.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from scoring.errors import DataError, Problem
from scoring.i18n import N_, _
from scoring.importer.agencies import ORG_WORDS, Agency, AgencyRegistry
from scoring.importer.findings import Finding, calendar_date, stored_date, stored_text
from scoring.importer.source import (
    Line,
    Report,
    clean_cell,
    complete_report,
    join_continuation,
    restore_cell,
    wrong_cells,
)
from scoring.review import is_collective
from scoring.text import fold, slug

DEADLINE_KINDS: tuple[str, ...] = ("date", "quarter", "month", "year", "from_month",
                                   "multi_year", "central_schedule", "ongoing", "none")
ROMAN_AREAS: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
N_CELLS = 6
HEADINGS = ("stt", "nhiem vu", "san pham", "tien do", "phan cong va cach thuc thuc hien",
            "tien do, ket qua")


# ----------------------------------------------------------------------------- deadline

@dataclass(frozen=True)
class Deadline:
    """A parsed deadline.

    Parameters
    ----------
    text : str
        As written.
    kind : str
        One of :data:`DEADLINE_KINDS`.
    end : date or None
        Last day of the period (``None`` for kinds without a date).
    start : date or None
        First day, for ``from_month`` and ``multi_year``.
    note : str
        How the text was read when it needed interpretation (else blank).
    """

    text: str
    kind: str
    end: date | None = None
    start: date | None = None
    note: str = ""


_QUARTER = {"I": 1, "II": 2, "III": 3, "IV": 4}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_deadline(text: str, plan_year: int | None = None) -> Deadline:
    """Read a deadline cell ("tiến độ").

    Parameters
    ----------
    text : str
        The cell, markup removed.
    plan_year : int, optional
        Year of the plan. A month or quarter that ends before December of the previous
        year cannot be a deadline of this plan (plans are issued in December); it is read
        in the plan year and :attr:`Deadline.note` says so.

    Examples
    --------
    >>> parse_deadline("Quý II/2022").end
    datetime.date(2022, 6, 30)
    >>> parse_deadline("Tháng 12/2021", 2022).end
    datetime.date(2021, 12, 31)
    >>> d = parse_deadline("Tháng 3/2021", 2022)
    >>> d.end, bool(d.note)
    (datetime.date(2022, 3, 31), True)
    >>> parse_deadline("Trong năm 2022").kind, parse_deadline("Thường xuyên").kind
    ('year', 'ongoing')
    >>> parse_deadline("Theo tiến độ của Trung ương").kind
    'central_schedule'
    """
    raw = " ".join(text.split())
    f = fold(raw)
    if not f:
        return Deadline(raw, "none")

    def checked(kind: str, end: date, start: date | None = None) -> Deadline:
        if plan_year is None or end >= date(plan_year - 1, 12, 1):
            return Deadline(raw, kind, end, start)
        if kind == "date":
            moved = date(plan_year, end.month, min(end.day, 28 if end.month == 2 else end.day))
        else:
            moved = _month_end(plan_year, end.month)
        moved_start = start.replace(year=plan_year) if start else None
        return Deadline(raw, kind, moved, moved_start, stored_text(
            N_("'{raw}' ends before the {year} plan was issued (plans are issued in December "
               "of the year before); read as {date}, the same period of {year}"),
            raw=raw, year=plan_year, date=stored_date(moved)))

    m = re.match(r"^(?:truoc |den |han )?(?:ngay )?(\d{1,2})/(\d{1,2})/(\d{4})", f)
    if m:
        try:
            return checked("date", date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
        except ValueError:
            return Deadline(raw, "none", note=stored_text(N_("'{raw}' is not a valid date"),
                                                          raw=raw))
    m = re.match(r"^tu quy (i{1,3}|iv)/(\d{4})", f)
    if m:
        q, y = _QUARTER[m.group(1).upper()], int(m.group(2))
        return Deadline(raw, "from_month", None, date(y, 3 * q - 2, 1))
    m = re.match(r"^(?:trong |het |cuoi )?quy (i{1,3}|iv)(?: nam)?\s*/\s*(\d{4})", f)
    if m:
        q, y = _QUARTER[m.group(1).upper()], int(m.group(2))
        return checked("quarter", _month_end(y, 3 * q), date(y, 3 * q - 2, 1))
    m = re.match(r"^tu thang (\d{1,2})\s*/\s*(\d{4})", f)
    if m:
        return Deadline(raw, "from_month", None, date(int(m.group(2)), int(m.group(1)), 1))
    m = re.match(r"^(?:trong |truoc |het |cuoi )?thang (\d{1,2})\s*/\s*(\d{4})", f)
    if m:
        month, y = int(m.group(1)), int(m.group(2))
        if 1 <= month <= 12:
            return checked("month", _month_end(y, month), date(y, month, 1))
        return Deadline(raw, "none", note=stored_text(
            N_("'{raw}': month {month} does not exist"), raw=raw, month=month))
    m = re.match(r"^(?:tu |trong )?(?:nam|giai doan) (\d{4})\s*(?:-|den|–)\s*(?:nam )?(\d{4})", f)
    if m:
        y1, y2 = int(m.group(1)), int(m.group(2))
        return Deadline(raw, "multi_year", date(y2, 12, 31), date(y1, 1, 1))
    m = re.match(r"^tu nam (\d{4})", f)
    if m:
        return Deadline(raw, "from_month", None, date(int(m.group(1)), 1, 1))
    m = re.match(r"^(?:trong |ca |cuoi )?nam (\d{4})", f)
    if m:
        y = int(m.group(1))
        return Deadline(raw, "year", date(y, 12, 31), date(y, 1, 1))
    if re.match(r"^(thuong xuyen|hang nam|hang thang|hang quy|dinh ky|lien tuc|theo quy dinh)",
                f):
        return Deadline(raw, "ongoing")
    if re.match(r"^(?:thuc hien )?theo (?:tien do|chi dao|de an|huong dan|ke hoach|lo trinh|"
                r"yeu cau)", f) or "trung uong" in f:
        return Deadline(raw, "central_schedule")
    return Deadline(raw, "none", note=stored_text(
        N_("deadline '{raw}' has no recognised form"), raw=raw))


# ---------------------------------------------------------------------------- documents

DOCUMENT_KINDS: tuple[str, ...] = (
    "Quyết định", "Công văn", "Kế hoạch", "Nghị quyết", "Báo cáo", "Thông báo", "Tờ trình",
    "Giấy mời", "Thông tư", "Nghị định", "Chỉ thị", "Văn bản", "Chương trình", "Kết luận",
    "Hướng dẫn",
)
_KIND_BY_FOLD = {fold(k): k for k in DOCUMENT_KINDS}
_DOC = re.compile(
    r"(?P<kind>" + "|".join(DOCUMENT_KINDS) + r")\s+(?P<so>số\s+)?"
    r"(?P<num>\d+[\w\-/&.]*[\w])"
    r"(?P<tail>(?:\s+của\s+[^,.;()]{1,60}?)?\s+ngày\s+(?P<d>\d{1,3})/(?P<m>\d{1,2})/(?P<y>\d{4}))?",
    re.IGNORECASE)
_LEAD_DATE = re.compile(r"\b[Nn]gày\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_EVENT = re.compile(r"\bvào ngày\s+(\d{1,2})/(\d{1,2})/(\d{4})")
_CENTRAL = re.compile(r"(TTg|NĐ-CP|NQ-CP|[/-]CP\b|BNV|VPCP|BTC|BKHCN|BTTTT|BKHĐT|BNNPTNT|"
                      r"TT-|/QH|/NĐ)")


@dataclass(frozen=True)
class Document:
    """A document cited in a result: kind, number, date (``None`` if not given)."""

    kind: str
    number: str
    date: date | None
    local: bool

    def __str__(self) -> str:
        when = f" ({self.date.isoformat()})" if self.date else ""
        return f"{self.kind} {self.number}{when}"


def extract_documents(text: str) -> tuple[list[Document], list[str]]:
    """Documents cited in a text, in order of first citation, and invalid dates met.

    A date right after the number (``… số 2286/QĐ-UBND ngày 17/8/2022``) belongs to the
    document; otherwise a sentence opening ``Ngày 06/6/2022, … Công văn số …`` on the
    same line does. ``local`` is false for central documents (TTg, NĐ-CP, BNV, …).

    Examples
    --------
    >>> docs, bad = extract_documents("ban hành Quyết định số 2286/QĐ-UBND ngày 17/8/2022.")
    >>> str(docs[0]), docs[0].local, bad
    ('Quyết định 2286/QĐ-UBND (2022-08-17)', True, [])
    >>> str(extract_documents("Ngày 06/6/2022, Sở ban hành Công văn số 1868/SKHĐT-XTĐT")[0][0])
    'Công văn 1868/SKHĐT-XTĐT (2022-06-06)'
    """
    docs: list[Document] = []
    invalid: list[str] = []
    seen: set[tuple[str, str]] = set()
    for line in text.split("\n"):
        matches = list(_DOC.finditer(line))
        prev_end = 0
        for m in matches:
            number = m.group("num")
            if not m.group("so") and not re.search(r"[/-]", number):
                prev_end = m.end()
                continue
            kind = _KIND_BY_FOLD[fold(m.group("kind"))]
            when: date | None = None
            if m.group("d"):
                dmy = m.group("d", "m", "y")
            else:
                leads = list(_LEAD_DATE.finditer(line, prev_end, m.start()))
                dmy = leads[-1].groups() if leads else None
            if dmy:
                when = calendar_date(*dmy)
                if when is None:
                    invalid.append("/".join(dmy))
            prev_end = m.end()
            k = (kind, number)
            if k in seen:
                continue
            seen.add(k)
            docs.append(Document(kind, number, when, not _CENTRAL.search(number)))
    return docs, invalid


def event_dates(text: str) -> list[date]:
    """Dates of events the result reports ("… vào ngày 10/3/2022")."""
    return [day for day in (calendar_date(*dmy) for dmy in _EVENT.findall(text)) if day]


# --------------------------------------------------------------------------- assignment

@dataclass(frozen=True)
class Assignment:
    """Who leads (ids), whether the lead is collective, who coordinates."""

    leads: tuple[str, ...]
    collective: bool
    collective_text: str
    coordinating: tuple[str, ...]
    unresolved: tuple[str, ...] = ()
    new_agencies: tuple[str, ...] = ()  # names of lead-only agencies to register


_ORG_START = r"(?:" + "|".join(re.escape(w) for w in ORG_WORDS) + r")\b"


def _clauses(text: str) -> list[str]:
    parts: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line.startswith("- ") or line.startswith("-"):
            items = re.split(r"(?:^|\s)-\s+(?=[A-ZĐÀ-Ỹ])", line)
            parts += [p.strip(" ;") for p in items if p.strip(" ;")]
        else:
            parts.append(line)
    return [p for p in parts if p]


def _split_subject(subject: str) -> list[str]:
    return [p.strip(" ,;") for p in
            re.split(r",\s*|\s+và\s+(?=" + _ORG_START + ")", subject) if p.strip(" ,;")]


def parse_assignment(text: str, registry: AgencyRegistry) -> Assignment:
    """Read the assignment column: ``X chủ trì`` leads (several allowed), collective
    assignments (``các sở, ngành``, ``UBND các huyện``), and the agencies that coordinate.

    Without ``chủ trì`` the subject of the first clause leads.

    Examples
    --------
    >>> from scoring.importer.agencies import Agency, AgencyRegistry
    >>> reg = AgencyRegistry()
    >>> reg.add(Agency("so-noi-vu", "Sở Nội vụ", "department"))
    >>> reg.add(Agency("so-tai-chinh", "Sở Tài chính", "department"))
    >>> a = parse_assignment("Sở Nội vụ chủ trì, phối hợp Sở Tài chính", reg)
    >>> a.leads, a.coordinating, a.collective
    (('so-noi-vu',), ('so-tai-chinh',), False)
    >>> parse_assignment("Các sở, ban, ngành thực hiện", reg).collective
    True
    """
    clauses = _clauses(text)
    leads: list[str] = []
    unresolved: list[str] = []
    new: list[str] = []
    collective_parts: list[str] = []
    lead_clause = next((c for c in clauses if "chủ trì" in c.lower()), None)
    if lead_clause is not None:
        before = lead_clause[:lead_clause.lower().index("chủ trì")]
        subject = before.split(";")[-1].strip(" ,-")
    else:
        first = clauses[0] if clauses else ""
        ms = registry.mentions(first)
        if ms and ms[0].start == 0:
            end = ms[0].end
            for m in ms[1:]:
                gap = first[end:m.start]
                if re.fullmatch(r"\s*(?:,|và|;)\s*", gap):
                    end = m.end
                else:
                    break
            subject = first[:end]
        else:
            subject = first
    for part in _split_subject(subject) if lead_clause is not None or not is_collective(
            subject) else [subject]:
        if is_collective(part):
            collective_parts.append(part)
            continue
        agency_id = registry.resolve(part)
        if agency_id is None:
            ms = registry.mentions(part)
            if ms and len(ms) == 1 and fold(ms[0].text) == fold(part):
                agency_id = ms[0].agency_id
        if agency_id is not None:
            if agency_id not in leads:
                leads.append(agency_id)
        elif re.match(_ORG_START, part) and lead_clause is not None:
            new.append(part)
        elif part:
            unresolved.append(part)
    coordinating = [m.agency_id for m in registry.mentions(text)
                    if m.agency_id not in leads]
    return Assignment(tuple(leads), bool(collective_parts), "; ".join(collective_parts),
                      tuple(dict.fromkeys(coordinating)), tuple(unresolved), tuple(new))


# ------------------------------------------------------------------------------- status

NOT_ARISING_PHRASES = ("không phát sinh", "chưa phát sinh")
WITHDRAWN_PHRASES = ("tạm dừng triển khai", "cho phép tạm dừng", "đề nghị không thực hiện",
                     "không thực hiện nhiệm vụ")
NOT_DONE_PHRASES = ("chưa sửa đổi", "chưa ban hành", "chưa thực hiện", "chưa triển khai",
                    "chưa nhận được", "chưa hoàn thành", "chưa có văn bản hướng dẫn",
                    "chưa có hướng dẫn", "chưa được sửa đổi")
ONGOING_PHRASES = ("đang chờ", "chờ hướng dẫn", "đang chuẩn bị", "đang tổng hợp",
                   "đang xây dựng", "đang dự thảo", "sẽ tiếp tục", "sẽ phối hợp", "sẽ tổng hợp",
                   "dự kiến", "hoàn thành trong quý", "khi có hướng dẫn",
                   "sau khi trung ương có")
DONE_PHRASES = ("đúng quy định", "đúng tiến độ", "kịp thời", "đã hoàn thành",
                "hoàn thành việc", "đạt tỷ lệ 100%", "đưa vào sử dụng", "được triển khai",
                "đảm bảo sát với tiến độ")
ON_TIME_PHRASES = ("đúng quy định", "đúng tiến độ", "kịp thời", "đảm bảo sát với tiến độ")
CAUTION_PHRASES = ("tuy nhiên", "không xây dựng", "vướng mắc")


@dataclass(frozen=True)
class Proposal:
    """A proposed status, why, and whether the evidence settles it."""

    status: str
    reason: str
    certain: bool


def _found(text_fold: str, phrases: Sequence[str]) -> list[str]:
    return [p for p in phrases if fold(p) in text_fold]


def _q(phrases: list[str]) -> str:
    return ", ".join(f"'{p}'" for p in phrases)


def propose_status(result: str, product: str, deadline: Deadline,
                   documents: Sequence[Document], as_of: date) -> Proposal:
    """Propose a task status from its result text, documents and deadline.

    Rules, first match wins:

    1. "không/chưa phát sinh" → ``not_arising``;
    2. paused or withdrawn with approval ("tạm dừng", "đề nghị không thực hiện") →
       ``not_arising`` (uncertain);
    3. a phrase saying the product is not finished ("chưa ban hành", "đang …", "chờ
       hướng dẫn", "dự kiến" …) → ``not_done`` if the deadline passed before ``as_of``,
       else ``in_progress`` (uncertain);
    4. dated local documents or events → compare with the deadline's last day:
       all on or before → ``done_on_time``, all after → ``done_late``; mixed → the latest
       document of the product's kind (or of all) decides (uncertain);
       a deadline without a date → ``done_on_time``, certain only when the text says
       "đúng quy định/đúng tiến độ/kịp thời";
    5. a completion phrase ("đã hoàn thành", "đưa vào sử dụng" …) → ``done_on_time``;
    6. nothing → ``not_done`` / ``in_progress`` as in 3 (uncertain).

    Examples
    --------
    >>> d = parse_deadline("Quý I/2022")
    >>> docs, _ = extract_documents("Quyết định số 2286/QĐ-UBND ngày 17/8/2022")
    >>> p = propose_status("…", "Quyết định", d, docs, date(2023, 2, 24))
    >>> p.status, p.certain
    ('done_late', True)
    """
    f = fold(result)
    passed = deadline.end is not None and deadline.end < as_of
    where = (stored_text(N_("the deadline '{text}' ({date})"), text=deadline.text,
                         date=stored_date(deadline.end)) if deadline.end
             else stored_text(N_("the deadline '{text}' (no date)"), text=deadline.text))
    caution = _found(f, CAUTION_PHRASES)
    fault = (" " + stored_text(N_("The deadline needed interpretation: {note}"),
                               note=deadline.note) if deadline.note else "")
    as_of_text = stored_date(as_of)

    hits = _found(f, NOT_ARISING_PHRASES)
    if hits:
        local = [d for d in documents if d.local]
        return Proposal("not_arising",
                        stored_text(N_("phrase {phrases} in the result"), phrases=_q(hits))
                        + (stored_text(N_("; the result also cites {n} document(s)"),
                                       n=len(local)) if local else ""),
                        not local and not caution)
    hits = _found(f, WITHDRAWN_PHRASES)
    if hits:
        return Proposal("not_arising", stored_text(
            N_("phrase {phrases}: the task was paused or withdrawn with approval; review "
               "whether it counts as not arising or not done"), phrases=_q(hits)), False)
    negative = _found(f, NOT_DONE_PHRASES) + _found(f, ONGOING_PHRASES)
    on_time_claims = _found(f, ON_TIME_PHRASES)
    if negative and not on_time_claims:
        status = "not_done" if passed else "in_progress"
        tail = stored_text(N_("{where} passed before the report date {date}") if passed
                           else N_("{where} had not passed at the report date {date}"),
                           where=where, date=as_of_text)
        return Proposal(status, stored_text(
            N_("phrase {phrases} says the product is not finished; {tail}."),
            phrases=_q(negative), tail=tail) + fault, False)

    dated = [(d.date, str(d), d.kind) for d in documents if d.local and d.date
             and d.date <= as_of]
    dated += [(e, stored_text(N_("event on {date}"), date=stored_date(e)), "")
              for e in event_dates(result) if e <= as_of]
    certain_extra = not caution and not negative and not deadline.note
    if dated:
        if deadline.end is None:
            claim = on_time_claims
            return Proposal("done_on_time",
                            stored_text(N_("{n} dated document(s)/event(s), latest {date}; "
                                           "{where} cannot be compared"),
                                        n=len(dated), date=stored_date(max(dated)[0]),
                                        where=where)
                            + (stored_text(N_("; the result says {phrases}"),
                                           phrases=_q(claim)) if claim else ""),
                            bool(claim) and certain_extra)
        early = [x for x in dated if x[0] <= deadline.end]
        late = [x for x in dated if x[0] > deadline.end]
        if not late:
            latest = max(early)
            return Proposal("done_on_time", stored_text(
                N_("{document} (latest of {n}) is on or before {where}."),
                document=latest[1], n=len(early), where=where) + fault, certain_extra)
        if not early:
            first = min(late)
            return Proposal("done_late", stored_text(
                N_("{document} (earliest of {n}) is after {where}."),
                document=first[1], n=len(late), where=where) + fault, certain_extra)
        pf = fold(product)
        of_kind = [x for x in dated if x[2] and fold(x[2]) in pf]
        pool = of_kind or dated
        decisive = max(pool)
        status = "done_on_time" if decisive[0] <= deadline.end else "done_late"
        return Proposal(status, stored_text(
            N_("documents on both sides of {where} ({before} before, {after} after); the "
               "latest document of the product's kind, {document}, decides.") if of_kind else
            N_("documents on both sides of {where} ({before} before, {after} after); the "
               "latest document, {document}, decides."),
            where=where, before=len(early), after=len(late), document=decisive[1]) + fault,
            False)
    hits = _found(f, DONE_PHRASES)
    if hits:
        return Proposal("done_on_time", stored_text(
            N_("phrase {phrases} reports completion; no dated document to compare with "
               "{where}"), phrases=_q(hits), where=where),
            bool(on_time_claims) and certain_extra)
    status = "not_done" if passed else "in_progress"
    return Proposal(status, stored_text(
        N_("no completion phrase or dated document; {where} passed before the report date "
           "{date}") if passed else
        N_("no completion phrase or dated document; {where} had not passed at the report "
           "date {date}"), where=where, date=as_of_text), False)


# -------------------------------------------------------------------------------- tasks

@dataclass(frozen=True)
class Task:
    """One task of the plan (a row of ``tasks.csv`` before review)."""

    task_id: str
    area: str
    area_name: str
    number: int
    title: str
    product: str
    deadline: Deadline
    assignment: str
    lead_agency_ids: tuple[str, ...]
    collective: bool
    collective_text: str
    coordinating_agency_ids: tuple[str, ...]
    result: str
    documents: tuple[Document, ...]
    proposal: Proposal
    source_line: int

    def replace(self, **changes: object) -> Task:
        """Return a copy with some attributes changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass
class TaskTable:
    """Phụ lục 1 parsed."""

    tasks: list[Task] = field(default_factory=list)
    areas: dict[str, str] = field(default_factory=dict)
    title: str = ""
    province: str = ""
    plan_year: int | None = None
    report_ref: str = ""
    report_date_text: str = ""
    report_date_line: int | None = None
    findings: list[Finding] = field(default_factory=list)


@dataclass
class _Raw:
    area: str
    number: int
    cells: list[str]
    line: int
    fragments: list[Line] = field(default_factory=list)

    def line_of(self, text: str) -> int:
        """The source line (first row or a continuation) where ``text`` is written."""
        return next((ln.number for ln in self.fragments if text in ln.text), self.line)


def _area_numeral(cell: str) -> str | None:
    compact = cell.replace(" ", "")
    return compact if compact in ROMAN_AREAS else None


def parse_task_rows(report: Report, lines: Sequence[Line]) -> tuple[TaskTable, list[_Raw]]:
    """Split Phụ lục 1 into areas and raw task rows (continuations merged).

    Raises
    ------
    DataError
        No header, a row with the wrong number of cells, a continuation with no task
        before it, or no task at all.
    """
    table = TaskTable()
    raws: list[_Raw] = []
    area: str | None = None
    seen_header = False
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        cells = ln.cells
        if len(cells) == 1:
            m = re.search(r"KẾ HOẠCH CCHC\s+TỈNH\s+(.+?)\s+NĂM\s+(\d{4})", text, re.IGNORECASE)
            if m and not table.title:
                table.title = text.strip("* ").strip()
                table.province = m.group(1).strip().title()
                table.plan_year = int(m.group(2))
            m = re.search(r"Báo cáo số\s+(\S+)\s+ngày\s+(\d{1,2}/\d{1,2}/\d{4})", text)
            if m and not table.report_ref:
                table.report_ref, table.report_date_text = m.group(1), m.group(2)
                table.report_date_line = ln.number
            continue
        first = clean_cell(cells[0])
        if fold(first) == "stt":
            got = tuple(fold(clean_cell(c)) for c in cells)
            if len(cells) != N_CELLS or got != HEADINGS:
                raise DataError(Problem(
                    _("the task table header has {n} columns ({found}), expected {expected}")
                    .format(n=len(cells), found=", ".join(map(clean_cell, cells)),
                            expected="Stt, Nhiệm vụ, Sản phẩm, Tiến độ, Phân công và cách thức "
                            "thực hiện, Tiến độ, kết quả"), file=report.path, line=ln.number,
                    fix=_("restore the missing column in every row of {appendix}").format(
                        appendix="Phụ lục 1")))
            seen_header = True
            continue
        if not seen_header:
            raise DataError(Problem(_("a table row comes before the header of {appendix}")
                                    .format(appendix="Phụ lục 1"),
                                    file=report.path, line=ln.number,
                                    fix=_("keep the header row {header}").format(
                                        header="'Stt | Nhiệm vụ | …'")))
        if len(cells) != N_CELLS:
            raise DataError(Problem(wrong_cells(len(cells), N_CELLS), file=report.path,
                                    line=ln.number, fix=restore_cell()))
        numeral = _area_numeral(first)
        if numeral is not None and not first.isdigit():
            expected = ROMAN_AREAS[len(table.areas)] if len(table.areas) < len(ROMAN_AREAS) \
                else "?"
            if numeral != expected:
                raise DataError(Problem(_("area {area} follows area {previous}; expected "
                                          "{expected}").format(area=repr(first),
                                                               previous=repr(area),
                                                               expected=expected),
                                        file=report.path, line=ln.number, field="Stt",
                                        fix=_("number the areas I, II, III, …")))
            if first != numeral:
                table.findings.append(Finding(
                    "info", "tasks", numeral, "area", cells[0].strip(), numeral,
                    stored_text(N_("area numeral written '{written}' (extraction fault), read "
                                   "as {numeral}"), written=first, numeral=numeral),
                    ln.number))
            area = numeral
            table.areas[area] = clean_cell(cells[1]).replace("\n", " ")
            continue
        if first == "":
            if not raws:
                raise DataError(Problem(_("a continuation row (empty Stt) comes before any "
                                          "task"), file=report.path, line=ln.number,
                                        field="Stt", fix=_("give the row its task number")))
            prev = raws[-1]
            prev.cells = [join_continuation(a, clean_cell(b))
                          for a, b in zip(prev.cells, cells, strict=True)]
            prev.fragments.append(ln)
            continue
        if not first.isdigit():
            raise DataError(Problem(_("unknown row number {stt}").format(stt=repr(first)),
                                    file=report.path, line=ln.number, field="Stt",
                                    fix=_("use I, II, … for areas and 1, 2, … for tasks")))
        if area is None:
            raise DataError(Problem(_("a task comes before the first area heading (I)"),
                                    file=report.path, line=ln.number,
                                    fix=_("keep the area heading rows")))
        number = int(first)
        prev_number = raws[-1].number if raws and raws[-1].area == area else 0
        if number != prev_number + 1:
            table.findings.append(Finding(
                "warning", "tasks", f"{area}.{number}", "number", str(number),
                str(prev_number + 1), stored_text(N_("task numbers are not consecutive")),
                ln.number))
        raws.append(_Raw(area, number, [clean_cell(c) for c in cells], ln.number, [ln]))
    if not raws:
        raise DataError(Problem(_("{appendix} has no tasks; the report looks truncated")
                                .format(appendix="Phụ lục 1"), file=report.path,
                                fix=complete_report()))
    return table, raws


def register_task_leads(raws: Sequence[_Raw], registry: AgencyRegistry) -> list[Finding]:
    """Add agencies that lead tasks but have no dossier row (ranked = false)."""
    findings: list[Finding] = []
    for raw in raws:
        assignment = parse_assignment(raw.cells[4], registry)
        for name in assignment.new_agencies:
            if registry.resolve(name) is not None:
                continue
            agency_id = slug(name)
            full = re.sub(r"\bUBND\b", "Ủy ban nhân dân", name)
            aliases = (full,) if full != name else ()
            registry.add(Agency(agency_id, name, "department", "", aliases, False,
                                "provincial_office", raw.line))
            findings.append(Finding(
                "info", "agencies", agency_id, "ranked", "", "false",
                stored_text(N_("'{name}' leads tasks in Phụ lục 1 but has no row in Phụ lục "
                               "2; registered as a non-ranked agency"), name=name), raw.line))
    return findings


def build_tasks(table: TaskTable, raws: Sequence[_Raw], registry: AgencyRegistry,
                as_of: date) -> list[Finding]:
    """Turn raw rows into :class:`Task` values (in ``table.tasks``); return findings."""
    findings: list[Finding] = []
    for raw in raws:
        task_id = f"{raw.area}.{raw.number}"
        _, title, product, deadline_text, assignment_text, result = raw.cells
        deadline = parse_deadline(deadline_text.replace("\n", " "), table.plan_year)
        if deadline.note:
            findings.append(Finding(
                "warning" if deadline.end or deadline.kind == "none" else "info", "tasks",
                task_id, "deadline", deadline.text,
                deadline.end.isoformat() if deadline.end else "", deadline.note, raw.line))
        assignment = parse_assignment(assignment_text, registry)
        if not assignment.leads and not assignment.collective:
            findings.append(Finding("warning", "tasks", task_id, "lead_agency_ids",
                                    assignment_text.replace("\n", " "), "",
                                    stored_text(N_("no lead agency found in the assignment")),
                                    raw.line))
        for name in assignment.unresolved:
            findings.append(Finding("warning", "tasks", task_id, "lead_agency_ids", name, "",
                                    stored_text(N_("lead named in the assignment matches no "
                                                   "agency")),
                                    raw.line))
        documents, invalid = extract_documents(result)
        for bad in invalid:
            findings.append(Finding("warning", "tasks", task_id, "documents", bad, "",
                                    stored_text(N_("invalid date in the result text; the "
                                                   "document is kept without a date")),
                                    raw.line_of(bad)))
        tail = result.rstrip()
        if tail.endswith(":"):
            last = tail.splitlines()[-1].strip()
            findings.append(Finding(
                "warning", "tasks", task_id, "result", last[-80:], "",
                stored_text(N_("the result ends with an unfinished sentence (a trailing ':'): "
                               "the page break may have put its continuation into another "
                               "task's result; read the neighbouring tasks before relying on "
                               "either")), raw.line_of(last)))
        proposal = propose_status(result, product, deadline, documents, as_of)
        table.tasks.append(Task(
            task_id, raw.area, table.areas[raw.area], raw.number, title, product, deadline,
            assignment_text, assignment.leads, assignment.collective,
            assignment.collective_text, assignment.coordinating, result, tuple(documents),
            proposal, raw.line))
    return findings
