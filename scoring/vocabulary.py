"""The vocabulary: every label a person reads, in one place, in the language in force.

Codes stay as they are in files and code (``not_applicable``, ``on_time_rate``, ``department``,
``3.2.1``); wherever a person sees one, they see its label from here — the workbook, the
command line, the simulation and the web application all read this module, so one thing has
one name everywhere. Labels are written in English (``N_`` marks them for the message
catalog) and translated when asked for, so the language chosen at start-up applies.

Rules are shown in words, as a reader of the province's decision expects: bands as
"Từ 95 % đến dưới 98 %: 3 điểm", formulas with indicator labels instead of variable names
(the raw formula stays available to experts in the ledger's ``rule`` column).

Examples
--------
>>> from scoring.i18n import language
>>> with language("vi"):
...     status_label("not_applicable"), indicator_label("on_time_rate")
('Không phát sinh', 'Tỷ lệ hồ sơ giải quyết đúng hạn')
>>> with language("en"):
...     status_label("not_applicable")
'Not applicable'
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from scoring.i18n import LANGUAGES, N_, _, get_language, language, ngettext
from scoring.number_format import format_number

# --------------------------------------------------------------------------- tables
# Each table maps a code to its English label (translated at use time by ``_``).

STATUSES: Mapping[str, str] = {
    "scored": N_("Computed from data"),
    "not_applicable": N_("Not applicable"),
    "manual": N_("Appraised points"),
    "capped": N_("Capped at the maximum"),
    "missing": N_("No points yet"),
}

KINDS: Mapping[str, str] = {
    "bands": N_("Thresholds"),
    "formula": N_("Formula"),
    "tasks": N_("Assigned tasks"),
    "manual": N_("Appraisal"),
    "survey": N_("Sociological survey"),
    "bonus": N_("Bonus points"),
    "deduction": N_("Deducted points"),
}

TASK_STATUSES: Mapping[str, str] = {
    "done_on_time": N_("completed on time"),
    "done_late": N_("completed late"),
    "not_done": N_("not completed"),
    "in_progress": N_("in progress"),
    "not_arising": N_("did not arise"),
}

SEVERITIES: Mapping[str, str] = {
    "error": N_("Error"),
    "warning": N_("Warning"),
    "info": N_("Information"),
}

GROUPS: Mapping[str, str] = {
    "department": N_("Departments, boards and sectors"),
    "district": N_("District People's Committees"),
    "commune": N_("Commune People's Committees"),
}

# a group's name on a sheet tab (31 characters at most, "Appendix III - " before it)
GROUP_TABS: Mapping[str, str] = {
    "department": N_("Departments"),
    "district": N_("Districts"),
    "commune": N_("Communes"),
}

# the class labels provinces use (rule files write them in Vietnamese)
CLASSES: Mapping[str, str] = {
    "Xuất sắc": "Excellent", "Tốt": "Good", "Khá": "Fair", "Trung bình": "Average",
    "Yếu": "Weak", "Kém": "Poor", "Không xếp loại": "Not classified",
}

RANK_METHODS: Mapping[str, str] = {
    "competition": N_("shared ranks as 1, 2, 2, 4"),
    "dense": N_("shared ranks as 1, 2, 2, 3"),
    "ordinal": N_("no shared ranks (1, 2, 3, 4)"),
}

# indicator name -> (label, unit code); unit codes: "%" rate, "dossier", "task", "point", ""
INDICATORS: Mapping[str, tuple[str, str]] = {
    "received": (N_("Dossiers received"), "dossier"),
    "resolved": (N_("Dossiers resolved"), "dossier"),
    "resolved_on_time": (N_("Dossiers resolved on time"), "dossier"),
    "resolved_late": (N_("Dossiers resolved late"), "dossier"),
    "pending": (N_("Dossiers being processed"), "dossier"),
    "pending_on_time": (N_("Dossiers being processed within the time limit"), "dossier"),
    "pending_late": (N_("Dossiers being processed past the time limit"), "dossier"),
    "late": (N_("Late dossiers"), "dossier"),
    "late_rate_published": (N_("Late rate (as published)"), "%"),
    "online": (N_("Online dossiers"), "dossier"),
    "online_eligible": (N_("Dossiers arising (procedures offered online)"), "dossier"),
    "online_rate_published": (N_("Online rate (as published)"), "%"),
    "on_time_rate": (N_("Share of dossiers resolved on time"), "%"),
    "late_rate": (N_("Share of late dossiers"), "%"),
    "online_rate": (N_("Share of online dossiers"), "%"),
    "pending_overdue_rate": (N_("Share of dossiers being processed past the time limit"), "%"),
    "tasks_led": (N_("Tasks assigned to lead"), "task"),
    "tasks_done_on_time": (N_("Tasks completed on time"), "task"),
    "tasks_done_late": (N_("Tasks completed late"), "task"),
    "tasks_not_done": (N_("Tasks not completed"), "task"),
    "tasks_in_progress": (N_("Tasks in progress"), "task"),
    "tasks_not_arising": (N_("Tasks that did not arise"), "task"),
    "tasks_arising": (N_("Tasks that arose"), "task"),
    "task_completion_rate": (N_("Task completion rate"), "%"),
    "task_on_time_rate": (N_("On-time task completion rate"), "%"),
    # what manual, survey and formula leaves read besides indicators
    "max_points": (N_("Maximum points"), "point"),
    "self_points": (N_("Self-assessed points"), "point"),
    "appraised_points": (N_("Appraised points"), "point"),
    "answers": (N_("Survey answers"), ""),
    "share": (N_("Satisfaction share"), "%"),
}

UNITS: Mapping[str, str] = {"%": "%", "dossier": N_("dossiers"), "task": N_("tasks"),
                            "point": N_("points"), "": ""}

# column headings of every table a person reads (workbook, command line, web)
COLUMNS: Mapping[str, str] = {
    "agency_id": N_("Unit code"),
    "agency": N_("Agency, unit"),
    # the ranking table of the workbook's group sheets (last year's is read back by them)
    "unit": N_("Agency or unit"),
    "under": N_("Under"),
    "par_index": N_("PAR Index (%)"),
    "group": N_("Group"),
    "area": N_("Area"),
    "criterion": N_("Criterion"),
    "leaf": N_("Sub-criterion code"),
    "code": N_("Code"),
    "name": N_("Sub-criterion"),
    "kind": N_("Scoring method"),
    "component": N_("Component"),
    "inputs": N_("Input data"),
    "value": N_("Value"),
    "rule": N_("Rule applied"),
    "rule_raw": N_("Rule (as written in the rule file)"),
    "points": N_("Points achieved"),
    "max_points": N_("Maximum points counted"),
    "leaf_max": N_("Maximum points set"),
    "max": N_("Maximum"),
    "status": N_("Status"),
    "index": N_("CCHC index (%)"),
    "rank": N_("Rank"),
    "class": N_("Class"),
    "severity": N_("Severity"),
    "table": N_("Source table"),
    "column": N_("Column"),
    "published": N_("Published figure"),
    "expected": N_("Recomputed figure"),
    "message": N_("Finding"),
    "line": N_("Line in the source"),
    "bonus": N_("Bonus points"),
    "deduction": N_("Deducted points"),
    # compare
    "rank_a": N_("Rank (A)"),
    "rank_b": N_("Rank (B)"),
    "rank_change": N_("Rank change"),
    "points_a": N_("Points (A)"),
    "points_b": N_("Points (B)"),
    "points_change": N_("Points change"),
    "index_a": N_("Index A (%)"),
    "index_b": N_("Index B (%)"),
    "index_change": N_("Index change"),
    "class_a": N_("Class (A)"),
    "class_b": N_("Class (B)"),
    "class_changed": N_("Class changed"),
    "leaves": N_("Sub-criteria that caused it"),
    # simulate
    "nominal_rank": N_("Rank (nominal)"),
    "mean_rank": N_("Mean rank"),
    "median_rank": N_("Median rank"),
    "p05_rank": N_("Rank, 5th percentile"),
    "p95_rank": N_("Rank, 95th percentile"),
    "p_top_k": N_("Probability of the top {k}"),
    "nominal_class": N_("Class (nominal)"),
    "p_nominal_class": N_("Probability of keeping the class"),
    "agencies": N_("Units"),
    "mean_abs_rank_shift": N_("Mean rank shift"),
    "share_rank_changed": N_("Share of units whose rank changed"),
    "source": N_("Source of uncertainty"),
    "variance_share": N_("Share of the variance"),
    "why": N_("Why"),
    "p_class": N_("Probability of the class {label}"),
    "median_minus_p05": N_("Median − 5th percentile"),
    "p95_minus_median": N_("95th percentile − median"),
    # compare
    "diff": N_("Difference"),
    "spearman": N_("Spearman ρ"),
    "spearman_p": N_("Spearman p"),
    "kendall": N_("Kendall τ"),
    "kendall_p": N_("Kendall p"),
    "max_abs_rank_shift": N_("Largest rank change"),
    "class_changes": N_("Units whose class changed"),
    "runs": N_("Runs"),
    # short headings of the explain table
    "data": N_("Data"),
    "reading": N_("Value read"),
    "applied": N_("Rule that applied"),
    "earned": N_("Points earned"),
}

# the data file a finding is about (findings.csv, column ``table``)
DATA_TABLES: Mapping[str, str] = {
    "report": N_("Report"),
    "agencies": N_("Agencies and units"),
    "dossiers": N_("Administrative procedure dossiers"),
    "tasks": N_("Reform plan tasks"),
}

# columns of the data files that are not indicators (findings.csv, column ``column``)
DATA_FIELDS: Mapping[str, str] = {
    "report_date": N_("Report date"),
    "period": N_("Statistics period"),
    "name": N_("Name"),
    "ranked": N_("Ranked"),
    "area": N_("Area"),
    "number": N_("Task number"),
    "deadline": N_("Deadline"),
    "lead_agency_ids": N_("Lead agencies"),
    "documents": N_("Documents cited"),
    "result": N_("Result reported"),
}

# sheet names of the workbooks (code and tests look a sheet up here, never by its name)
SHEETS: Mapping[str, str] = {
    "summary": N_("Summary"),
    "ledger": N_("Score details"),
    "inputs": N_("Input data"),
    "rules": N_("Rule set"),
    "findings": N_("Data checks"),
    "provenance": N_("Provenance"),
    "chart": N_("Chart {n}"),
    "areas": N_("Index by area"),
    "simulation": N_("Rank intervals"),
    "sensitivity": N_("Sensitivity"),
    "groups": N_("By group"),
    "comparison": N_("Comparison"),
    "by_leaf": N_("By sub-criterion"),
    "notes": N_("Notes"),
    "appraisal": N_("Appraisal"),
}

# how the simulation names a source of uncertainty (``band_shift 3.2.1``)
SOURCE_KINDS: Mapping[str, str] = {
    "band_shift": N_("thresholds of {code} shifted"),
    "leaf_max": N_("maximum of {code} uncertain"),
    "perturb": N_("points uncertain: {code}"),
    "leave_one_out": N_("{code} left out"),
    "noise": N_("uncertainty of {code}"),
    "indicator": N_("uncertainty of {code}"),
    "status_flip": N_("task statuses of {code} uncertain"),
    "weight": N_("weight of {code} changed"),
}


# --------------------------------------------------------------------------- look-ups
def _label(table: Mapping[str, str], code: Any) -> str:
    text = table.get(str(code))
    return _(text) if text is not None else str(code)


def status_label(status: str) -> str:
    """A ledger status (``scored``, ``not_applicable``, ...) in words."""
    return _label(STATUSES, status)


def kind_label(kind: str) -> str:
    """A leaf kind (``bands``, ``formula``, ...) or adjustment (``bonus``) in words."""
    return _label(KINDS, kind)


def task_status_label(status: str) -> str:
    """A plan task's status (``done_on_time``, ...) in words (lower case)."""
    return _label(TASK_STATUSES, status)


def task_status_choices() -> str:
    """Every task status code with its label, for a fix: ``done_on_time (completed on time),
    ...`` (codes are what a data file holds; the labels say what they mean)."""
    return ", ".join(f"{code} ({_(label)})" for code, label in TASK_STATUSES.items())


def severity_label(severity: str) -> str:
    """A finding's severity (``error``, ``warning``, ``info``) in words."""
    return _label(SEVERITIES, severity)


def group_label(group_id: str, name: str | None = None, *, tab: bool = False) -> str:
    """A group's name: the rule set's ``name`` in Vietnamese, the standard label otherwise
    (``tab=True``: the short one, for a sheet tab of at most 31 characters).

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("en"):
    ...     group_label("district", "UBND cấp huyện"), group_label("district", tab=True)
    ("District People's Committees", 'Districts')
    """
    table = GROUP_TABS if tab else GROUPS
    if name and (get_language() == "vi" or group_id not in table):
        return name
    return _label(table, group_id)


def class_label(label: Any) -> str:
    """A class label from a rule file (``Tốt``) in the language in force; ``—`` if none."""
    if label is None or (isinstance(label, float) and math.isnan(label)):
        return "—"
    text = str(label)
    return CLASSES.get(text, text) if get_language() == "en" else text


def rank_method_label(method: str) -> str:
    return _label(RANK_METHODS, method)


def column_label(key: str, **values: Any) -> str:
    """The heading of column ``key`` (placeholders such as ``{k}`` filled from ``values``)."""
    text = _label(COLUMNS, key)
    return text.format(**values) if values else text


def column_labels_everywhere(key: str) -> set[str]:
    """The heading of column ``key`` in every language (to read back a table written in
    either)."""
    found = set()
    for lang in LANGUAGES:
        with language(lang):
            found.add(column_label(key))
    return found


def sheet_label(key: str, **values: Any) -> str:
    """The name of workbook sheet ``key`` (``chart`` takes its number: ``n=2``).

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     sheet_label("ledger"), sheet_label("chart", n="II")
    ('Chi tiết điểm', 'Biểu đồ II')
    """
    text = _label(SHEETS, key)
    return text.format(**values) if values else text


def no_class_label() -> str:
    """The class shown where the engine gives no index, hence no class."""
    return _("Not enough data")


def indicator_label(name: str) -> str:
    """An indicator's label (``on_time_rate`` → "Tỷ lệ hồ sơ giải quyết đúng hạn")."""
    found = INDICATORS.get(name)
    return _(found[0]) if found is not None else name


def data_table_label(table: str) -> str:
    """The data file a finding is about (``dossiers`` → "Hồ sơ thủ tục hành chính")."""
    return _label(DATA_TABLES, table)


def field_label(column: str) -> str:
    """A data file's column in words: an indicator's label, else the field's (``deadline``
    → "Thời hạn"); an unknown column as it is."""
    if column in INDICATORS:
        return indicator_label(column)
    return _label(DATA_FIELDS, column)


def indicator_unit(name: str) -> str:
    """``"%"`` for rates, ``""`` for counts, points and unknown names."""
    found = INDICATORS.get(name)
    return "%" if found is not None and found[1] == "%" else ""


def unit_label(name: str) -> str:
    """The unit an indicator counts in words (``%``, ``hồ sơ``, ``nhiệm vụ``, ``điểm``)."""
    found = INDICATORS.get(name)
    return _label(UNITS, found[1]) if found is not None else ""


def source_label(source: str) -> str:
    """A simulation source (``band_shift 3.2.1``, ``leave_one_out 1.1.2``) in words."""
    kind, _sep, code = str(source).partition(" ")
    text = SOURCE_KINDS.get(kind)
    if text is None:
        return indicator_label(str(source)) if source in INDICATORS else str(source)
    if not code and kind == "leave_one_out":
        return _("one sub-criterion left out at random")
    head, _sep, rest = code.partition(" ")
    if head in INDICATORS:
        head = indicator_label(head)
    elif all(part in KINDS for part in head.split("+")):
        head = " + ".join(kind_label(part) for part in head.split("+"))
    return _(text).format(code=f"{head} {rest}".strip())


# --------------------------------------------------------------------------- numbers in words
def with_unit(x: float | None, unit: str = "", decimals: int | None = None) -> str:
    """``95`` and ``%`` → ``95 %``."""
    text = format_number(x, decimals)
    return f"{text} {unit}" if unit else text


def points_words(points: float) -> str:
    """``2`` → "2 điểm", ``0.5`` → "0,5 điểm"."""
    return ngettext("{n} point", "{n} points", 1 if points == 1 else 2).format(
        n=format_number(points))


def signed(x: float | None, decimals: int = 2) -> str:
    """A change for people: ``+12,50``, ``-3,00``, ``0,00``."""
    return format_number(x, decimals, signed=True)


# --------------------------------------------------------------------------- rules in words
def band_condition(lo: float | None, hi: float | None, unit: str = "") -> str:
    """A range in words: "≥ 98 %", "từ 95 % đến dưới 98 %", "< 95 %".

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     band_condition(95, 98, "%"), band_condition(98, None, "%")
    ('từ 95 % đến dưới 98 %', '≥ 98 %')
    """
    if lo is None and hi is None:
        return _("any value")
    if lo is None:
        return f"< {with_unit(hi, unit)}"
    if hi is None:
        return f"≥ {with_unit(lo, unit)}"
    return _("from {low} to below {high}").format(low=with_unit(lo, unit),
                                                   high=with_unit(hi, unit))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def bands_words(subject: str, bands: Iterable[Any], unit: str) -> list[str]:
    """One line per band, highest first: "<subject> ≥ 98 %: 2 điểm", "Từ 95 % ...: 1 điểm"."""
    ordered = sorted(bands, key=lambda b: -(math.inf if b.min is None else b.min))
    lines = []
    for i, band in enumerate(ordered):
        cond = band_condition(band.min, band.max, unit)
        text = f"{subject} {cond}" if i == 0 else _capital(cond)
        label = f" ({band.label})" if band.label else ""
        lines.append(f"{text}: {points_words(band.points)}{label}")
    return lines


_FUNCTIONS: Mapping[str, str] = {
    "min": N_("the smaller of {args}"),
    "max": N_("the larger of {args}"),
    "abs": N_("the absolute value of {args}"),
    "round": N_("{args} rounded"),
}
_OPERATORS: Mapping[type, str] = {ast.Add: " + ", ast.Sub: " − ", ast.Mult: " × ",
                                  ast.Div: " ÷ ", ast.Pow: "^", ast.FloorDiv: " ÷ ",
                                  ast.Mod: " mod "}
_COMPARE: Mapping[type, str] = {ast.Lt: " < ", ast.LtE: " ≤ ", ast.Gt: " > ", ast.GtE: " ≥ ",
                                ast.Eq: " = ", ast.NotEq: " ≠ "}


def _words(node: ast.AST, top: bool = False) -> str:
    """A formula's syntax tree in words (indicator labels, ×, ÷, functions in words)."""
    if isinstance(node, ast.Expression):
        return _words(node.body, top)
    if isinstance(node, ast.Name):
        return indicator_label(node.id).lower() if node.id in INDICATORS else node.id
    if isinstance(node, ast.Constant):
        return format_number(node.value) if isinstance(node.value, int | float) else str(
            node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "−" + _words(node.operand)
    if isinstance(node, ast.BinOp):
        text = _words(node.left) + _OPERATORS.get(type(node.op), " ? ") + _words(node.right)
        return text if top else f"({text})"
    if isinstance(node, ast.Compare):
        parts = [_words(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(_COMPARE.get(type(op), " ? ") + _words(right))
        return "".join(parts)
    if isinstance(node, ast.BoolOp):
        joint = _(" and ") if isinstance(node.op, ast.And) else _(" or ")
        return joint.join(_words(v) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [_words(a, top=True) for a in node.args]
        if node.func.id == "clip" and len(args) == 3:
            return _("{value}, kept between {low} and {high}").format(
                value=args[0], low=args[1], high=args[2])
        template = _FUNCTIONS.get(node.func.id)
        if template is not None:
            return _(template).format(args="; ".join(args))
        return f"{node.func.id}({'; '.join(args)})"
    if isinstance(node, ast.IfExp):
        return _("{then} if {test}, otherwise {other}").format(
            then=_words(node.body, True), test=_words(node.test, True),
            other=_words(node.orelse, True))
    return ast.unparse(node)


def formula_words(expr: str) -> str:
    """A formula in words, indicator names replaced by their labels.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("en"):
    ...     formula_words("clip(max_points * (1 - late_rate / 5), 0, max_points)")
    'maximum points × (1 − (share of late dossiers ÷ 5)), kept between 0 and maximum points'
    """
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError:
        return expr
    return _words(tree, top=True)


def na_policy_words(policy: str) -> str:
    return _("does not count towards the maximum") if policy != "award" else _(
        "earns the maximum")


def rule_words(leaf: Any, default_policy: str = "drop") -> str:
    """A leaf's rule in words, one line per band or clause.

    Parameters
    ----------
    leaf : scoring.rules.model.Leaf
        The leaf as written in the rule set.
    default_policy : {"drop", "award"}
        The rule set's not-applicable policy, used when the leaf sets none.
    """
    rule = leaf.rule
    kind = rule.kind
    if kind == "bands":
        lines = bands_words(indicator_label(rule.indicator), rule.bands,
                            indicator_unit(rule.indicator))
    elif kind == "formula":
        lines = [_("Points = {formula}").format(formula=formula_words(rule.expr))]
    elif kind == "tasks":
        weights = "; ".join(f"{task_status_label(s)} × {format_number(w)}"
                            for s, w in rule.weights.items())
        head = _("Tasks led in the reform plan (tasks that did not arise are not counted), "
                 "each counted as: {weights}").format(weights=weights)
        if rule.mode == "rate":
            lines = [head, _("Points = maximum points × weighted completion rate")]
        else:
            lines = [head, *bands_words(_("Weighted completion rate"), rule.bands or (), "%")]
    elif kind == "manual":
        missing = _("not counted (left out of the maximum)") if rule.missing == "exclude" \
            else points_words(0)
        lines = [_("Points appraised by the council (table {table}); the self-assessed points "
                   "when there are no appraised points; neither: {missing}").format(
                       table=rule.table, missing=missing)]
    elif kind == "survey":
        if rule.options:
            opts = "; ".join(f"{k} = {format_number(v)} %" for k, v in rule.options.items())
            lines = [_("Sociological survey (table {table}): each answer earns a share of the "
                       "maximum: {options}; points = maximum × the mean share").format(
                           table=rule.table, options=opts)]
        else:
            lines = [_("Sociological survey (table {table}): points = maximum × the "
                       "satisfaction share (%)").format(table=rule.table)]
    else:  # pragma: no cover - the model admits only the kinds above
        lines = [str(rule)]
    if leaf.applies_if:
        lines.append(_("Applies only when: {condition}").format(
            condition=formula_words(leaf.applies_if)))
    policy = leaf.not_applicable or default_policy
    lines.append(f"{status_label('not_applicable')}: {na_policy_words(policy)}")
    return "\n".join(lines)


# the engine's ledger ``rule`` codes where no band or formula text is the rule (language-
# independent, for machine readers; :func:`rule_text` says them in words)
RULE_NOT_APPLICABLE: Mapping[str, str] = {"drop": "not_applicable:drop",
                                          "award": "not_applicable:award",
                                          "zero": "not_applicable:zero"}
RULE_MISSING: Mapping[str, str] = {"exclude": "missing:exclude", "zero": "missing:zero"}
RULE_NO_BAND = "no_band → 0"
RULE_APPRAISED, RULE_SELF = "appraised_points", "self_points"


def rule_capped(rule: str, cap: float) -> str:
    """The ledger code of ``rule`` capped at ``cap``: ``min(appraised_points, 2)``."""
    return f"min({rule}, {cap:.6g})"


def _is_number(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def rule_text(item: Any, status: str, rule: str, value: float | None = None,
              default_policy: str = "drop") -> str:
    """A ledger row's rule in words: what decided the unit's points on ``item``.

    The one rendering of the ledger's ``rule`` column for people (the workbook's ledger,
    the ledger CSV, ``explain``, the web's unit page, the rule files' own tests).

    Parameters
    ----------
    item : Leaf or Adjustment or None
        The leaf or the bonus/deduction of the row (``None``: the code as it is).
    status : str
        The row's status code (``scored``, ``not_applicable``, ``missing``, ...).
    rule : str
        The engine's ``rule`` code (``[90, 95) → 2``, ``not_applicable:drop``, ...).
    value : float or None
        The value the rule read (a bands leaf names the band that holds it).
    default_policy : {"drop", "award"}
        The rule set's not-applicable policy, used when the leaf sets none.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> from scoring.rules.model import Band, BandsRule, Leaf
    >>> leaf = Leaf(code="3.1", name="Đúng hạn", max=2, rule=BandsRule(
    ...     indicator="on_time_rate", bands=[Band(min=95, points=2),
    ...                                      Band(min=90, max=95, points=1)]))
    >>> with language("vi"):
    ...     rule_text(leaf, "scored", "[90, 95) → 1", 91.5)
    'Từ 90 % đến dưới 95 %: 1 điểm'
    >>> with language("en"):
    ...     rule_text(leaf, "not_applicable", "not_applicable:drop")
    'Not applicable: does not count towards the maximum'
    """
    spec = getattr(item, "rule", None)
    kind = getattr(spec, "kind", None)
    if status == "not_applicable":
        policy = "zero" if rule == RULE_NOT_APPLICABLE["zero"] else (
            getattr(item, "not_applicable", None) or default_policy)
        what = points_words(0) if policy == "zero" else na_policy_words(policy)
        return f"{status_label('not_applicable')}: {what}"
    if status == "missing":
        excluded = getattr(spec, "missing", "zero") == "exclude" and hasattr(item, "max")
        what = _("not counted in the maximum") if excluded else points_words(0)
        head = _("no survey answers yet") if kind == "survey" else _("no points yet")
        return _capital(f"{head}: {what}")
    if kind is None:
        return str(rule)
    cap = getattr(item, "max", getattr(item, "cap", 0.0))
    if kind == "manual":
        text = _("self-assessed points (no appraised points)") if RULE_SELF in str(rule) \
            else _("appraised points")
    elif kind == "formula":
        text = formula_words(spec.expr)
    elif kind == "survey":
        text = _("maximum × satisfaction share")
    elif kind == "tasks" and spec.mode != "bands":
        text = _("maximum × weighted completion rate")
    else:  # bands, and tasks in bands mode (the value is the weighted completion rate)
        unit = indicator_unit(spec.indicator) if kind == "bands" else "%"
        held = [b for b in spec.bands or () if _is_number(value)
                and (b.min is None or value >= b.min) and (b.max is None or value < b.max)]
        if not held:
            return _capital(_("no band holds the value: 0 points"))
        band = held[0]
        return f"{_capital(band_condition(band.min, band.max, unit))}: " \
               f"{points_words(band.points)}"
    if status == "capped":
        text = _("{rule}, capped at {points}").format(rule=text, points=points_words(cap))
    return _capital(text)


def rule_item(rules: Any, group: str, code: str) -> Any:
    """The leaf ``code`` of ``group``'s tree, else the adjustment ``code``, else ``None``."""
    try:
        return rules.leaf(code, rules.group(group).tree)
    except KeyError:
        return next((a for a in rules.adjustments if a.code == code), None)


def rule_texts(rules: Any, ledger: Any) -> list[str]:
    """:func:`rule_text` of every row of a ledger frame (columns ``group``, ``leaf``,
    ``status``, ``rule``, ``value``), computed once per distinct leaf, status and code."""
    words: dict[tuple[str, ...], str] = {}
    out = []
    for key in zip(ledger["group"].astype(str), ledger["leaf"].astype(str),
                   ledger["status"].astype(str), ledger["rule"].astype(str),
                   ledger["value"], strict=True):
        short = key[:4]
        if short not in words:
            words[short] = rule_text(rule_item(rules, key[0], key[1]), key[2], key[3],
                                     None if not _is_number(key[4]) else float(key[4]),
                                     rules.not_applicable)
        out.append(words[short])
    return out


_PAIR = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)=([^;]*)")


def inputs_words(inputs: str, label_only: str | None = None) -> str:
    """The ledger's ``name=value; ...`` inputs with labels and the reader's numbers.

    ``label_only`` names an input shown by its label alone (its value is shown elsewhere,
    e.g. the indicator a bands leaf reads).

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     inputs_words("on_time_rate=90.925; received=1234")
    'Tỷ lệ hồ sơ giải quyết đúng hạn: 90,93 %; Hồ sơ tiếp nhận: 1.234'
    """
    out = []
    for part in str(inputs or "").split(";"):
        m = _PAIR.fullmatch(part)
        if m is None:
            if part.strip():
                out.append(part.strip())
            continue
        name, raw = m.group(1), m.group(2).strip()
        if name == label_only:
            out.append(indicator_label(name))
            continue
        try:
            number = float(raw)
        except ValueError:
            shown = raw
        else:
            unit = indicator_unit(name)
            shown = with_unit(number, unit, 2 if unit == "%" else None)
        out.append(f"{indicator_label(name)}: {shown}")
    return "; ".join(out)


def class_condition(classes: Any, i: int) -> str:
    """Threshold of the ``i``-th class (highest first; objects with ``min``) in words:
    "≥ 80 %", "từ 70 % đến dưới 80 %"."""
    return band_condition(classes[i].min, None if i == 0 else classes[i - 1].min, "%")


_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def roman(n: int) -> str:
    """Roman numeral for appendix numbers (``Phụ lục I``, ``II``...).

    Examples
    --------
    >>> [roman(i) for i in (1, 2, 3, 9, 14)]
    ['I', 'II', 'III', 'IX', 'XIV']
    """
    if n < 1:
        raise ValueError("roman numerals start at 1")
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)

