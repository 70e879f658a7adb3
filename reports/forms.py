"""Score forms and survey workbooks: what ``cchc forms`` sends to the units.

One form (``<agency_id>.xlsx``) per ranked unit: a title block, then one row per leaf of
the unit's tree under its area and criterion heading rows, with the columns of
:func:`scoring.forms.score_headers`. Leaves the engine computes from data (bands, formula,
tasks) and survey leaves are filled with the engine's points and locked; manual leaves
(and manual bonus/deduction rows) are the unit's and the council's inputs, checked by data
validation (a number from 0 to the leaf's maximum). Criterion, area and total rows are live
formulas over the form's own cells, stored with their results. The sheet is protected
without a password. A hidden sheet (:data:`scoring.forms.META_SHEET`) records the unit,
the rule set (id, version, content hash) and what every row holds, so that
:mod:`scoring.collect` recognises a form for another unit or another rule version.

One survey workbook per group (``dieu-tra-<group>.xlsx``): units as rows, survey leaves as
columns (answer counts per option, or the share in percent, as the leaf declares).

Examples
--------
>>> summary = write_forms(score(rules, ds), Path("forms"))   # doctest: +SKIP
>>> summary.forms                                            # doctest: +SKIP
162
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from reports.stamp import illustrative_stamp
from reports.workbook import FONT, creation_time
from reports.xlsx import put as _put
from reports.xlsx import write_xlsx
from scoring import vocabulary as V
from scoring.engine.leaves import CAPPED, MANUAL, MISSING, NOT_APPLICABLE, SCORED
from scoring.errors import Problem, UsageError
from scoring.files import check_output_folder, default_mode, scratch_folder
from scoring.forms import (
    APPRAISED_COL,
    FORM_VERSION,
    INPUT_ROLES,
    KIND_SCORE,
    KIND_SURVEY,
    META_SHEET,
    SELF_COL,
    encode_records,
    form_filename,
    score_headers,
    score_sheet_name,
    survey_filename,
    survey_sheet_name,
)
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.rules.model import Adjustment, ManualRule, RuleSet, SurveyRule, Tree
from scoring.text import fold, suggest

COMPUTED_KINDS = frozenset({"bands", "formula", "tasks"})
_INPUT_FILL = "#FFF9DB"    # cells a person fills
_LOCKED_FILL = "#EDEDED"   # the engine's points, shown but not changeable
_WIDTHS = (7, 38, 8, 52, 9, 24, 9, 24)
_FONT_PROPS = {"font_name": FONT, "font_size": 11}


# --------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class FormRow:
    """One table row of a score form (the same for every unit of a tree).

    ``role`` is one of :data:`scoring.forms.ROLES`; ``parts`` are the indices (in the
    row list) of the rows a heading or total adds up.
    """

    role: str
    code: str
    name: str
    max: float
    rule: str = ""
    parts: tuple[int, ...] = ()


def _leaf_role(kind: str) -> str:
    if kind in COMPUTED_KINDS:
        return "computed"
    return "survey" if kind == "survey" else "input"


def _adjustment_words(adj: Adjustment) -> str:
    what = (_("Added to the total, at most {cap} points") if adj.kind == "bonus"
            else _("Subtracted from the total, at most {cap} points"))
    return what.format(cap=format_number(adj.cap))


def plan_rows(rules: RuleSet, tree: Tree) -> tuple[FormRow, ...]:
    """The rows of a form for ``tree``: areas, criteria, leaves, total, adjustments.

    Examples
    --------
    >>> rows = plan_rows(rules, rules.trees["department"])   # doctest: +SKIP
    >>> rows[0].role, rows[1].role, rows[2].role             # doctest: +SKIP
    ('area', 'criterion', 'input')
    """
    rows: list[FormRow] = []
    areas: list[int] = []
    for area in tree.areas:
        a_at = len(rows)
        areas.append(a_at)
        rows.append(FormRow("area", area.code, area.name, area.total_max))
        crits: list[int] = []
        for crit in area.criteria:
            c_at = len(rows)
            crits.append(c_at)
            rows.append(FormRow("criterion", crit.code, crit.name, crit.total_max))
            leaves = []
            for leaf in crit.leaves:
                leaves.append(len(rows))
                words = V.rule_words(leaf, rules.not_applicable)
                if leaf.note:
                    words += "\n" + _("Remarks: {note}").format(note=leaf.note)
                rows.append(FormRow(_leaf_role(leaf.rule.kind), leaf.code, leaf.name,
                                    float(leaf.max), words))
            rows[c_at] = FormRow("criterion", crit.code, crit.name, crit.total_max,
                                 parts=tuple(leaves))
        rows[a_at] = FormRow("area", area.code, area.name, area.total_max, parts=tuple(crits))
    total_at = len(rows)
    rows.append(FormRow("total", "", _("Grand total"), tree.total_max, parts=tuple(areas)))
    manual = [a for a in rules.adjustments if isinstance(a.rule, ManualRule)]
    if manual:
        rows.append(FormRow("adjustments", "", _("Bonus and deduction points"), 0.0))
        adj_rows = []
        for adj in manual:
            adj_rows.append(len(rows))
            rows.append(FormRow(adj.kind, adj.code, adj.name, float(adj.cap),
                                _adjustment_words(adj)))
        rows.append(FormRow("final", "", _("Total after bonus and deductions"),
                            tree.total_max, parts=(total_at, *adj_rows)))
    return tuple(rows)


# --------------------------------------------------------------------------- values
@dataclass(frozen=True)
class UnitValues:
    """What one unit's form shows in its cells (by row index of the plan)."""

    agency_id: str
    name: str
    group: str
    computed: dict[int, float | None] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    self_points: dict[int, float] = field(default_factory=dict)
    appraised: dict[int, float] = field(default_factory=dict)
    evidence: dict[int, str] = field(default_factory=dict)
    reason: dict[int, str] = field(default_factory=dict)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (
        isinstance(v, str) and v.strip() == "")


def _existing_scores(ds: Any) -> dict[tuple[str, str], tuple[Any, Any, str, str]]:
    """(agency, leaf) → (self, appraised, evidence, note) from the dataset's score table."""
    table = getattr(ds, "scores", None)
    if table is None or len(table) == 0:
        return {}
    cols = [c if c in table else None for c in ("self_points", "appraised_points", "evidence",
                                                "note")]
    out = {}
    for rec in table.to_dict("records"):
        vals = [rec.get(c) if c else None for c in cols]
        out[(str(rec["agency_id"]), str(rec["leaf"]))] = (
            None if _blank(vals[0]) else float(vals[0]),
            None if _blank(vals[1]) else float(vals[1]),
            "" if _blank(vals[2]) else str(vals[2]), "" if _blank(vals[3]) else str(vals[3]))
    return out


def _status_note(status: int) -> str:
    if status == NOT_APPLICABLE:
        return _("Does not arise for the unit")
    if status == MISSING:
        return _("No data")
    return ""


def unit_values(result: Any, rows: tuple[FormRow, ...], block: Any, j: int,
                names: dict[str, str], existing: dict) -> UnitValues:
    """The cells of agency ``j`` of ``block`` on a form with ``rows``."""
    aid = str(block.agency_ids[j])
    meta_at = {m[2]: i for i, m in enumerate(block.meta)}
    v = UnitValues(aid, names.get(aid, aid), str(block.groups[j]))
    survey_note = _("Compiled by the Department of Home Affairs from the survey")
    for i, row in enumerate(rows):
        if row.role in ("computed", "survey"):
            k = meta_at.get(row.code)
            status = int(block.status[k, j]) if k is not None else MISSING
            shown = status in (SCORED, CAPPED, MANUAL) or (
                status == NOT_APPLICABLE and block.max_points[k, j] > 0)
            v.computed[i] = float(block.points[k, j]) if shown else None
            note = _status_note(status) if not shown else ""
            v.notes[i] = survey_note if row.role == "survey" and not shown else note
        elif row.role in INPUT_ROLES:
            got = existing.get((aid, row.code))
            if got:
                if got[0] is not None:
                    v.self_points[i] = got[0]
                if got[1] is not None:
                    v.appraised[i] = got[1]
                if got[2]:
                    v.evidence[i] = got[2]
                if got[3]:
                    v.reason[i] = got[3]
    return v


def _sums(rows: tuple[FormRow, ...], v: UnitValues) -> tuple[list[float], list[float]]:
    """Stored results of every row: (self column, appraised-or-self column)."""
    own = [0.0] * len(rows)
    judged = [0.0] * len(rows)
    for i, row in enumerate(rows):
        if row.role in ("computed", "survey"):
            own[i] = judged[i] = v.computed.get(i) or 0.0
        elif row.role in INPUT_ROLES:
            own[i] = v.self_points.get(i, 0.0)
            judged[i] = v.appraised.get(i, own[i])
    for i, row in enumerate(rows):  # parts come before their heading only for 'final'
        if row.role in ("criterion",):
            own[i] = math.fsum(own[p] for p in row.parts)
            judged[i] = math.fsum(judged[p] for p in row.parts)
    for role in ("area", "total"):
        for i, row in enumerate(rows):
            if row.role == role:
                own[i] = math.fsum(own[p] for p in row.parts)
                judged[i] = math.fsum(judged[p] for p in row.parts)
    for i, row in enumerate(rows):
        if row.role == "final":
            sign = [1.0] + [1.0 if rows[p].role == "bonus" else -1.0 for p in row.parts[1:]]
            own[i] = math.fsum(s * own[p] for s, p in zip(sign, row.parts, strict=True))
            judged[i] = math.fsum(s * judged[p] for s, p in zip(sign, row.parts, strict=True))
    return own, judged


# --------------------------------------------------------------------------- writer
def _formats(wb: Any) -> dict[str, Any]:
    base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
    cell = {"border": 1, "text_wrap": True, "font_size": 10}

    def f(**kw: Any) -> Any:
        return wb.add_format({**base, **kw})

    return {
        "org": f(bold=True, align="center", text_wrap=True),
        "motto": f(bold=True, align="center"),
        "motto2": f(bold=True, align="center", underline=1),
        "title": f(bold=True, font_size=14, align="center", text_wrap=True),
        "subtitle": f(italic=True, align="center", text_wrap=True),
        "line": f(text_wrap=True),
        "note": f(italic=True, font_size=10, text_wrap=True, valign="top"),
        "head": f(bold=True, align="center", bg_color="#D9E1F2", **cell),
        "area": f(bold=True, bg_color="#F2F2F2", **cell),
        "area_n": f(bold=True, bg_color="#F2F2F2", num_format="0.00", align="center", **cell),
        "area_max": f(bold=True, bg_color="#F2F2F2", num_format="General", align="center",
                      **cell),
        "crit": f(bold=True, italic=True, **cell),
        "crit_n": f(bold=True, italic=True, num_format="0.00", align="center", **cell),
        "crit_max": f(bold=True, italic=True, num_format="General", align="center", **cell),
        "text": f(valign="top", **cell),
        "code": f(valign="top", align="center", **cell),
        "max": f(valign="top", align="center", num_format="General", **cell),
        "locked_n": f(valign="top", align="center", num_format="0.00", bg_color=_LOCKED_FILL,
                      **cell),
        "locked_t": f(valign="top", italic=True, bg_color=_LOCKED_FILL, **cell),
        "input_n": f(valign="top", align="center", num_format="General", bg_color=_INPUT_FILL,
                     locked=False, **cell),
        "input_t": f(valign="top", bg_color=_INPUT_FILL, locked=False, **cell),
        "total": f(bold=True, bg_color="#D9E1F2", **cell),
        "total_n": f(bold=True, bg_color="#D9E1F2", num_format="0.00", align="center", **cell),
        "total_max": f(bold=True, bg_color="#D9E1F2", num_format="General", align="center",
                       **cell),
        "sign": f(bold=True, align="center", text_wrap=True),
        "sign_i": f(italic=True, align="center", text_wrap=True),
    }


def _lines(text: str, width: float, fill: float = 1.35) -> int:
    """Lines a text takes in a wrapped 10-point cell ``width`` characters wide (about);
    ``fill`` is how many characters fit per unit of width (less for narrow or bold cells,
    where words wrap early)."""
    return sum(max(1, math.ceil(len(part) / (width * fill))) for part in text.split("\n"))


def _print_setup(ws: Any, head_row: int, footer: str) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.center_horizontally()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(head_row)
    ws.set_footer(f'&L&"{FONT},Italic"&8{footer.replace("&", "&&")}'
                  f'&R&"{FONT},Regular"&9' + _("Page &P/&N"))


def _protect(ws: Any) -> None:
    # no password: nobody is locked out; the hidden sheet tells the reader what was locked
    ws.protect("", {"format_columns": True, "format_rows": True,
                    "select_locked_cells": True, "select_unlocked_cells": True})


def _meta_sheet(wb: Any, records: Iterable[tuple[Any, ...]]) -> None:
    ws = wb.add_worksheet(META_SHEET)
    for r, chunk in enumerate(encode_records(records)):
        ws.write_string(r, 0, chunk)
    ws.very_hidden()
    _protect(ws)


class _Validations:
    """Input cells grouped by their rule, written as one validation each (multi-range).

    One validation per distinct maximum keeps the file small and quick to read back.
    """

    def __init__(self) -> None:
        self.cells: dict[tuple[str, float], list[tuple[int, int]]] = {}

    def add(self, r: int, c: int, hi: float, *, whole: bool = False) -> None:
        self.cells.setdefault(("count" if whole else "points", hi), []).append((r, c))

    def write(self, ws: Any) -> None:
        for (kind, hi), cells in self.cells.items():
            refs = " ".join(xl_rowcol_to_cell(r, c) for r, c in cells)
            (r0, c0) = cells[0]
            if kind == "count":
                opts = {"validate": "integer", "criteria": ">=", "value": 0,
                        "error_title": _("Not a valid count"),
                        "error_message": _("Type a whole number of answers, 0 or more.")}
            else:
                num = format_number(hi)
                opts = {"validate": "decimal", "criteria": "between", "minimum": 0,
                        "maximum": hi, "error_title": _("Points out of range"),
                        "error_message": _("Type a number from 0 to {max} (the maximum of this "
                                           "row); use the decimal separator of your "
                                           "spreadsheet, e.g. 1,5.").format(max=num),
                        "input_title": _("From 0 to {max}").format(max=num),
                        "input_message": _("Points for this row: a number from 0 to {max}.")
                        .format(max=num)}
            ws.data_validation(r0, c0, r0, c0, {**opts, "multi_range": refs})


@dataclass(frozen=True)
class FormContext:
    """What every form of a run shares: rule set, dataset identity, year, stamp, time."""

    rules: RuleSet
    dataset: str
    province: str
    year: str
    stamp: str
    created: datetime

    def meta(self, kind: str) -> list[tuple[Any, ...]]:
        return [("meta", "kind", kind), ("meta", "form_version", FORM_VERSION),
                ("meta", "rules_id", self.rules.id),
                ("meta", "rules_version", self.rules.version),
                ("meta", "rules_hash", self.rules.content_hash),
                ("meta", "dataset", self.dataset), ("meta", "year", self.year)]


def _title_block(ws: Any, fm: dict, ctx: FormContext, org: str, title: str, lines: list[str],
                 last_col: int) -> int:
    """National motto, issuer, title and the lines under it; returns the next free row."""
    split = 2 if last_col >= 6 else 1
    ws.merge_range(0, 0, 0, split, org.upper(), fm["org"])
    ws.merge_range(0, split + 1, 0, last_col, _("SOCIALIST REPUBLIC OF VIETNAM"), fm["motto"])
    ws.merge_range(1, split + 1, 1, last_col, _("Independence - Freedom - Happiness"),
                   fm["motto2"])
    ws.set_row(0, 32)
    ws.merge_range(3, 0, 3, last_col, ctx.stamp + title, fm["title"])
    ws.set_row(3, 40)
    r = 4
    for text in lines:
        ws.merge_range(r, 0, r, last_col, text, fm["subtitle"] if r == 4 else fm["line"])
        r += 1
    return r + 1


def write_score_form(path: Path, ctx: FormContext, rows: tuple[FormRow, ...], v: UnitValues,
                     group_name: str) -> None:
    """Write one unit's score form to ``path`` (overwritten)."""
    write_xlsx(path, lambda wb: _score_form(wb, ctx, rows, v, group_name), force=True,
               option="--out", default_format_properties=_FONT_PROPS)


def _score_form(wb: Any, ctx: FormContext, rows: tuple[FormRow, ...], v: UnitValues,
                group_name: str) -> None:
    rs = ctx.rules
    fm = _formats(wb)
    title = _("SCORE FORM FOR THE ADMINISTRATIVE REFORM INDEX {year}").format(year=ctx.year)
    wb.set_properties({"title": ctx.stamp + title, "subject": v.name, "author": "cchc",
                       "company": ctx.province, "created": ctx.created,
                       "comments": f"{v.agency_id}; {rs.id} {rs.version}"})
    ws = wb.add_worksheet(score_sheet_name())
    ws.activate()
    for c, w in enumerate(_WIDTHS):
        ws.set_column(c, c, w)
    r = _title_block(ws, fm, ctx, v.name, title, [
        _("(Self-assessment by the unit and appraisal by the council)"),
        _("Unit: {name} (code {id}) — group: {group}").format(
            name=v.name, id=v.agency_id, group=group_name),
        _("Criteria: {title}, version {version}").format(title=rs.title, version=rs.version),
        _("Fill in the yellow cells: self-assessed points and evidence (the unit); appraised "
          "points and a comment wherever they differ from the self-assessed points (the "
          "council). Grey cells are computed from the data and cannot be changed. A blank "
          "appraised cell keeps the self-assessed points in the appraised totals."),
    ], len(_WIDTHS) - 1)
    ws.set_row(r - 2, 44)
    heads = score_headers()
    head_row = r
    for c, text in enumerate(heads):
        _put(ws, r, c, text, fm["head"])
    ws.set_row(r, 32)
    first = r + 1
    own, judged = _sums(rows, v)
    records: list[tuple[Any, ...]] = [*ctx.meta(KIND_SCORE),
                                      ("meta", "agency_id", v.agency_id),
                                      ("meta", "group", v.group),
                                      ("meta", "sheet", score_sheet_name()),
                                      ("meta", "header_row", str(head_row + 1))]
    records += [("header", c + 1, text) for c, text in enumerate(heads)]
    e, g = SELF_COL - 1, APPRAISED_COL - 1
    checks = _Validations()

    def ref(i: int, col: int) -> str:
        return xl_rowcol_to_cell(first + i, col)

    for i, row in enumerate(rows):
        x = first + i
        pts = None
        if row.role in ("area", "criterion", "total", "final"):
            style = {"area": "area", "criterion": "crit"}.get(row.role, "total")
            _put(ws, x, 0, row.code, fm[style])
            _put(ws, x, 1, row.name, fm[style])
            _put(ws, x, 2, row.max, fm[style + "_max"])
            _put(ws, x, 3, "", fm[style])
            for col, vals in ((e, own), (g, judged)):
                ws.write_formula(x, col, _sum_formula(rows, row, col, ref), fm[style + "_n"],
                                 vals[i])
            _put(ws, x, 5, "", fm[style])
            _put(ws, x, 7, "", fm[style])
            ws.set_row(x, 13 * _lines(row.name, _WIDTHS[1], 1.0) + 4)
        elif row.role == "adjustments":
            ws.merge_range(x, 0, x, len(_WIDTHS) - 1, row.name, fm["area"])
        else:
            _put(ws, x, 0, row.code, fm["code"])
            _put(ws, x, 1, row.name, fm["text"])
            _put(ws, x, 2, row.max, fm["max"])
            _put(ws, x, 3, row.rule, fm["text"])
            if row.role in INPUT_ROLES:
                for col, vals in ((e, v.self_points), (g, v.appraised)):
                    _put(ws, x, col, vals.get(i), fm["input_n"])
                    checks.add(x, col, row.max)
                _put(ws, x, 5, v.evidence.get(i, ""), fm["input_t"])
                _put(ws, x, 7, v.reason.get(i, ""), fm["input_t"])
            else:
                pts = v.computed.get(i)
                _put(ws, x, e, pts, fm["locked_n"])
                _put(ws, x, g, pts, fm["locked_n"])
                _put(ws, x, 5, v.notes.get(i, ""), fm["locked_t"])
                _put(ws, x, 7, "", fm["locked_t"])
            height = max(_lines(row.rule, _WIDTHS[3]), _lines(row.name, _WIDTHS[1], 1.1))
            ws.set_row(x, 12.5 * height + 3)
        records.append(("row", x + 1, row.code, row.role, row.max, pts))
    last = first + len(rows)
    checks.write(ws)
    _signatures(ws, fm, last + 1)
    ws.freeze_panes(first, 0)
    _print_setup(ws, head_row, f"{v.agency_id} · {rs.id} {rs.version}")
    ws.print_area(0, 0, last + 7, len(_WIDTHS) - 1)
    _protect(ws)
    _meta_sheet(wb, records)


def _sum_formula(rows: tuple[FormRow, ...], row: FormRow, col: int,
                 ref: Callable[[int, int], str]) -> str:
    """A heading's or total's formula over the form's own cells (never over data text)."""
    e = SELF_COL - 1
    if row.role == "final":
        terms = [ref(row.parts[0], col)]
        for p in row.parts[1:]:
            sign = "+" if rows[p].role == "bonus" else "-"
            if col == e:
                terms.append(f"{sign}{ref(p, col)}")
            else:
                terms.append(f'{sign}IF({ref(p, col)}="",{ref(p, e)},{ref(p, col)})')
        return "=" + "".join(terms)
    if row.role == "criterion":
        lo, hi = ref(row.parts[0], col), ref(row.parts[-1], col)
        if col == e:
            return f"=SUM({lo}:{hi})"
        elo, ehi = ref(row.parts[0], e), ref(row.parts[-1], e)
        return f'=SUM({lo}:{hi})+SUMPRODUCT(({lo}:{hi}="")*({elo}:{ehi}))'
    return "=" + "+".join(ref(p, col) for p in row.parts)


def _signatures(ws: Any, fm: dict, r: int) -> None:
    ws.merge_range(r, 0, r, 2, _("FOR THE APPRAISAL COUNCIL"), fm["sign"])
    ws.merge_range(r, 5, r, 7, _("HEAD OF THE UNIT"), fm["sign"])
    ws.merge_range(r + 1, 0, r + 1, 2, _("(Signature, full name)"), fm["sign_i"])
    ws.merge_range(r + 1, 5, r + 1, 7, _("(Signature, full name and seal)"), fm["sign_i"])


# --------------------------------------------------------------------------- surveys
def survey_columns(tree: Tree) -> list[tuple[str, str, str, float]]:
    """Input columns of a group's survey workbook: (leaf, name, option or "", max)."""
    cols = []
    for _a, _c, leaf in tree.leaves():
        rule = leaf.rule
        if isinstance(rule, SurveyRule):
            for opt in (rule.options or {"": 0}):
                cols.append((leaf.code, leaf.name, opt, float(leaf.max)))
    return cols


def _existing_surveys(ds: Any) -> dict[tuple[str, str, str], float]:
    table = getattr(ds, "surveys", None)
    if table is None or len(table) == 0:
        return {}
    out = {}
    for rec in table.to_dict("records"):
        opt = "" if _blank(rec.get("option")) else str(rec["option"])
        val = rec.get("count") if opt else rec.get("share")
        if not _blank(val):
            out[(str(rec["agency_id"]), str(rec["leaf"]), opt)] = float(val)
    return out


def write_survey_workbook(path: Path, ctx: FormContext, tree: Tree, group_id: str,
                          group_name: str, units: list[tuple[str, str]],
                          existing: dict[tuple[str, str, str], float]) -> None:
    """One group's survey workbook: units as rows, survey answers as columns."""
    write_xlsx(path, lambda wb: _survey_workbook(wb, ctx, tree, group_id, group_name, units,
                                                 existing),
               force=True, option="--out", default_format_properties=_FONT_PROPS)


def _survey_workbook(wb: Any, ctx: FormContext, tree: Tree, group_id: str, group_name: str,
                     units: list[tuple[str, str]],
                     existing: dict[tuple[str, str, str], float]) -> None:
    fm = _formats(wb)
    cols = survey_columns(tree)
    title = _("SOCIOLOGICAL SURVEY RESULTS {year}").format(year=ctx.year)
    wb.set_properties({"title": ctx.stamp + title, "subject": group_name,
                       "author": "cchc", "company": ctx.province, "created": ctx.created})
    ws = wb.add_worksheet(survey_sheet_name())
    ws.activate()
    last_col = 2 + len(cols)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 34)
    ws.set_column(3, last_col, 9)
    r = _title_block(ws, fm, ctx, _("Department of Home Affairs"), title, [
        _("Group: {group}").format(group=group_name),
        _("Criteria: {title}, version {version}").format(title=ctx.rules.title,
                                                          version=ctx.rules.version),
        _("For each unit, type the number of answers for each option (A, B, ...), or the "
          "share in percent where the column says %. Leave a unit blank if it was not "
          "surveyed."),
    ], max(last_col, 6))
    ws.set_row(r - 2, 32)
    head = r
    for c, text in enumerate((_("No."), _("Unit code"), _("Unit name"))):
        ws.merge_range(head, c, head + 1, c, text, fm["head"])
    records: list[tuple[Any, ...]] = [*ctx.meta(KIND_SURVEY), ("meta", "group", group_id),
                                      ("meta", "sheet", survey_sheet_name()),
                                      ("meta", "header_row", str(head + 2))]
    c = 3
    by_leaf: dict[str, list[tuple[int, str, float]]] = {}
    for leaf, _name, opt, hi in cols:
        by_leaf.setdefault(leaf, []).append((c, opt, hi))
        c += 1
    names = {leaf: name for leaf, name, _o, _m in cols}
    for leaf, items in by_leaf.items():
        text = f"{leaf}. {names[leaf]}"
        lo, hi_c = items[0][0], items[-1][0]
        if lo == hi_c:
            _put(ws, head, lo, text, fm["head"])
        else:
            ws.merge_range(head, lo, head, hi_c, text, fm["head"])
        for col, opt, hi in items:
            label = _("Answers {option}").format(option=opt) if opt else _("Share (%)")
            _put(ws, head + 1, col, label, fm["head"])
            records.append(("col", col + 1, leaf, opt, hi))
            records.append(("header", col + 1, label))
    ws.set_row(head, 15 * max(_lines(t, 9 * 4) for t in
                              [f"{k}. {names[k]}" for k in by_leaf]) + 6)
    ws.set_row(head + 1, 30)
    first = head + 2
    checks = _Validations()
    for k, (aid, name) in enumerate(units):
        x = first + k
        _put(ws, x, 0, k + 1, fm["max"])
        _put(ws, x, 1, aid, fm["text"])
        _put(ws, x, 2, name, fm["text"])
        for leaf, items in by_leaf.items():
            for col, opt, _hi in items:
                _put(ws, x, col, existing.get((aid, leaf, opt)), fm["input_n"])
                checks.add(x, col, 0.0 if opt else 100.0, whole=bool(opt))
        records.append(("unit", x + 1, aid))
    checks.write(ws)
    ws.freeze_panes(first, 3)
    _print_setup(ws, head + 1, f"{group_id} · {ctx.rules.id} {ctx.rules.version}")
    ws.repeat_rows(head, head + 1)
    _protect(ws)
    _meta_sheet(wb, records)


# --------------------------------------------------------------------------- run
@dataclass(frozen=True)
class FormsSummary:
    """What ``write_forms`` wrote: the folder, forms per group, survey workbooks."""

    folder: Path
    per_group: tuple[tuple[str, int], ...]
    surveys: tuple[str, ...]

    @property
    def forms(self) -> int:
        return sum(n for _g, n in self.per_group)


def resolve_group(rules: RuleSet, query: str | None) -> str | None:
    """A group id from an id or a name (accent- and case-insensitive); None stays None."""
    if query is None:
        return None
    for g in rules.groups:
        if fold(query) in (fold(g.id), fold(g.name)):
            return g.id
    choices = [g.id for g in rules.groups] + [g.name for g in rules.groups]
    hint = suggest(query, choices)
    raise UsageError(Problem(
        _("there is no group {query} in rule set {rules}").format(query=query, rules=rules.id),
        field="--group",
        fix=(_("did you mean {names}?").format(names=", ".join(hint)) + " " if hint else "")
        + _("groups: {ids}").format(ids=", ".join(g.id for g in rules.groups))))


def check_forms_folder(out: Path, inputs: Iterable[Path] = ()) -> Path:
    """The folder forms go to: the shared output-folder check, and never in or around an
    input (forms mixed into a dataset or rule folder would be read as data)."""
    target = check_output_folder(out, inputs=inputs, option="--out")
    real = target.resolve()
    for item in inputs:
        src = Path(item).resolve()
        if src in real.parents or (src.is_dir() and real in src.parents):
            raise UsageError(Problem(
                _("{path} is inside or around an input ({item}); writing there would mix "
                  "forms with rules or data").format(path=out, item=item), field="--out",
                fix=_("write the forms to a folder of their own")))
    return target


def write_forms(result: Any, out: Path, *, group: str | None = None,
                inputs: Iterable[Path] = (), force: bool = False,
                created: datetime | None = None,
                progress: Callable[[int], None] | None = None) -> FormsSummary:
    """Write every ranked unit's score form and each group's survey workbook into ``out``.

    Parameters
    ----------
    result : ScoreResult
        The engine's result for the rule set and dataset (only read).
    out : Path
        The folder (created if missing; its parent must exist).
    group : str, optional
        Only this group (id or name).
    inputs : iterable of Path
        Rule and dataset paths that must not be written into.
    force : bool
        Overwrite forms already in ``out`` (else a clear error, nothing written).
    created : datetime, optional
        Time stamp in the files (default honours ``SOURCE_DATE_EPOCH``).

    Returns
    -------
    FormsSummary

    Raises
    ------
    UsageError
        Bad folder, unknown group, forms already there without ``force``; nothing written.
    """
    rules: RuleSet = result.rules
    ds = result.dataset
    target = check_forms_folder(out, inputs)
    gid = resolve_group(rules, group)
    manifest = getattr(ds, "manifest", {}) or {}
    ctx = FormContext(rules, str(getattr(ds, "name", "") or ""),
                      str(manifest.get("province") or ""), str(manifest.get("year") or ""),
                      illustrative_stamp(manifest), created or creation_time())
    names = {str(k): str(v) for k, v in ds.agencies["name"].items()}
    group_names = {g.id: V.group_label(g.id, g.name) for g in rules.groups}
    existing = _existing_scores(ds)
    jobs: list[tuple[str, Callable[[Path], None]]] = []
    per_group: dict[str, int] = {}
    surveys: list[str] = []
    for block in result.blocks:
        tree = rules.trees[block.tree]
        rows = plan_rows(rules, tree)
        for j in range(block.n_agencies):
            g = str(block.groups[j])
            if gid is not None and g != gid:
                continue
            vals = unit_values(result, rows, block, j, names, existing)
            per_group[g] = per_group.get(g, 0) + 1
            jobs.append((form_filename(vals.agency_id),
                         lambda p, v=vals, rw=rows, gn=group_names[g]:
                         write_score_form(p, ctx, rw, v, gn)))
        for g in sorted({str(x) for x in block.groups}, key=list(group_names).index):
            if (gid is not None and g != gid) or not survey_columns(tree):
                continue
            units = [(str(a), names.get(str(a), str(a)))
                     for a, gg in zip(block.agency_ids, block.groups, strict=True) if gg == g]
            name = survey_filename(g)
            surveys.append(name)
            ex = _existing_surveys(ds)
            jobs.append((name, lambda p, t=tree, g=g, u=units, ex=ex:
                         write_survey_workbook(p, ctx, t, g, group_names[g], u, ex)))
    clash = [n for n, _j in jobs if (target / n).exists()]
    if clash and not force:
        raise UsageError(Problem(
            _("{n} of the files already exist in {folder} (e.g. {first})").format(
                n=len(clash), folder=out, first=clash[0]), field="--out",
            fix=_("choose an empty folder, or add --force to replace them")))
    target.parent.mkdir(parents=True, exist_ok=True)
    with scratch_folder(target.parent) as tmp:   # files are moved in only when all are made
        for k, (name, job) in enumerate(jobs):
            job(tmp / name)
            if progress is not None:
                progress(k + 1)
        target.mkdir(exist_ok=True)
        for name, _job in jobs:
            default_mode(tmp / name)
            os.replace(tmp / name, target / name)
    order = [g.id for g in rules.groups]
    return FormsSummary(target, tuple(sorted(per_group.items(),
                                             key=lambda kv: order.index(kv[0]))),
                        tuple(surveys))


__all__ = ["FormContext", "FormRow", "FormsSummary", "UnitValues", "check_forms_folder",
           "plan_rows", "resolve_group", "survey_columns",
           "unit_values", "write_forms", "write_score_form", "write_survey_workbook"]
