"""Vietnamese labels and wording for everything the workbook shows a reader.

Identifiers stay English in code; what a user reads (headings, statuses, rules in
words) comes from here, so that the wording is reviewed in one place.

Examples
--------
>>> roman(4)
'IV'
>>> vi_number(1234.5, 2)
'1.234,50'
>>> vi_number(0.5)
'0,5'
>>> STATUS_LABELS["not_applicable"]
'Không phát sinh'
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from scoring.rules.model import (
    Band,
    BandsRule,
    ClassBand,
    FormulaRule,
    Group,
    Leaf,
    ManualRule,
    SurveyRule,
    TasksRule,
)
from scoring.text import vi_number  # noqa: F401 - re-exported for the writer

# --------------------------------------------------------------------------- statuses
STATUS_LABELS: Mapping[str, str] = {
    "scored": "Đã chấm điểm",
    "not_applicable": "Không phát sinh",
    "manual": "Điểm thẩm định",
    "capped": "Đã áp điểm tối đa",
    "missing": "Thiếu số liệu",
}

KIND_LABELS: Mapping[str, str] = {
    "bands": "Theo ngưỡng",
    "formula": "Công thức",
    "tasks": "Nhiệm vụ được giao",
    "manual": "Thẩm định",
    "survey": "Điều tra xã hội học",
    "bonus": "Điểm thưởng",
    "deduction": "Điểm trừ",
}

TASK_STATUS_LABELS: Mapping[str, str] = {
    "done_on_time": "hoàn thành đúng hạn",
    "done_late": "hoàn thành trễ hạn",
    "not_done": "chưa hoàn thành",
    "in_progress": "đang thực hiện",
    "not_arising": "không phát sinh",
}

SEVERITY_LABELS: Mapping[str, str] = {"error": "Lỗi", "warning": "Cảnh báo", "info": "Thông tin"}

GROUP_LABELS: Mapping[str, str] = {
    "department": "Sở, ban, ngành",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
}

# indicator name -> (label, unit); unit "%" for rates, "" for counts
INDICATOR_LABELS: Mapping[str, tuple[str, str]] = {
    "received": ("Hồ sơ tiếp nhận", ""),
    "resolved": ("Hồ sơ đã giải quyết", ""),
    "resolved_on_time": ("Đã giải quyết đúng hạn", ""),
    "resolved_late": ("Đã giải quyết quá hạn", ""),
    "pending": ("Hồ sơ đang giải quyết", ""),
    "pending_on_time": ("Đang giải quyết trong hạn", ""),
    "pending_late": ("Đang giải quyết quá hạn", ""),
    "late": ("Hồ sơ trễ hạn", ""),
    "late_rate_published": ("Tỷ lệ trễ hạn (công bố)", "%"),
    "online": ("Hồ sơ trực tuyến", ""),
    "online_eligible": ("Hồ sơ đủ điều kiện trực tuyến", ""),
    "online_rate_published": ("Tỷ lệ trực tuyến (công bố)", "%"),
    "on_time_rate": ("Tỷ lệ giải quyết đúng hạn", "%"),
    "late_rate": ("Tỷ lệ trễ hạn", "%"),
    "online_rate": ("Tỷ lệ hồ sơ trực tuyến", "%"),
    "pending_overdue_rate": ("Tỷ lệ đang giải quyết quá hạn", "%"),
    "tasks_led": ("Nhiệm vụ chủ trì", ""),
    "tasks_done_on_time": ("Nhiệm vụ hoàn thành đúng hạn", ""),
    "tasks_done_late": ("Nhiệm vụ hoàn thành trễ hạn", ""),
    "tasks_not_done": ("Nhiệm vụ chưa hoàn thành", ""),
    "tasks_in_progress": ("Nhiệm vụ đang thực hiện", ""),
    "tasks_not_arising": ("Nhiệm vụ không phát sinh", ""),
    "tasks_arising": ("Nhiệm vụ phát sinh", ""),
    "task_completion_rate": ("Tỷ lệ hoàn thành nhiệm vụ", "%"),
    "task_on_time_rate": ("Tỷ lệ hoàn thành nhiệm vụ đúng hạn", "%"),
}

FINDING_HEADINGS: Mapping[str, str] = {
    "severity": "Mức độ",
    "table": "Bảng",
    "agency": "Cơ quan, đơn vị",
    "column": "Cột",
    "published": "Số công bố",
    "expected": "Số tính lại",
    "message": "Nội dung",
    "line": "Dòng trong nguồn",
}

LEDGER_HEADINGS: Mapping[str, str] = {
    "agency_id": "Mã đơn vị",
    "agency": "Cơ quan, đơn vị",
    "group": "Nhóm",
    "area": "Lĩnh vực",
    "criterion": "Tiêu chí",
    "leaf": "Mã tiêu chí thành phần",
    "name": "Tiêu chí thành phần",
    "kind": "Cách chấm",
    "component": "Thành phần",
    "inputs": "Số liệu đầu vào",
    "value": "Giá trị xét",
    "rule": "Mức/ngưỡng áp dụng",
    "points": "Điểm đạt",
    "max_points": "Điểm tối đa tính",
    "leaf_max": "Điểm tối đa quy định",
    "status": "Trạng thái",
}

RANK_METHOD_LABELS: Mapping[str, str] = {
    "competition": "đồng hạng kiểu 1, 2, 2, 4",
    "dense": "đồng hạng kiểu 1, 2, 2, 3",
    "ordinal": "không đồng hạng (1, 2, 3, 4)",
}

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


def _registry() -> Mapping[str, object]:
    try:
        from scoring.indicators import INDICATORS
    except ImportError:  # pragma: no cover - the engine's registry is optional here
        return {}
    return INDICATORS


def indicator_label(name: str) -> str:
    """Vietnamese label of an indicator: the engine's registry first, then ours, else the name.

    Examples
    --------
    >>> indicator_label("late_rate_published")
    'Tỷ lệ trễ hạn (công bố)'
    >>> indicator_label("no_such_thing")
    'no_such_thing'
    """
    found = _registry().get(name)
    if found is not None:
        return str(found.label)  # type: ignore[attr-defined]
    return INDICATOR_LABELS.get(name, (name, ""))[0]


def indicator_unit(name: str) -> str:
    """``"%"`` for rates, ``""`` for counts and unknown names.

    Examples
    --------
    >>> indicator_unit("on_time_rate"), indicator_unit("received")
    ('%', '')
    """
    found = _registry().get(name)
    if found is not None:
        return "%" if found.unit == "%" else ""  # type: ignore[attr-defined]
    return INDICATOR_LABELS.get(name, (name, ""))[1]


def group_label(group: Group) -> str:
    """The group's name as the rule set gives it (fallback: a standard label)."""
    return group.name or GROUP_LABELS.get(group.id, group.id)


def _with_unit(x: float, unit: str) -> str:
    return f"{vi_number(x)} {unit}".rstrip() if unit else vi_number(x)


def band_condition(band: Band, unit: str = "") -> str:
    """A band's range in words: ``≥ 98 %``, ``từ 95 % đến dưới 98 %``, ``< 95 %``.

    Examples
    --------
    >>> band_condition(Band(min=95, max=98, points=1), "%")
    'từ 95 % đến dưới 98 %'
    >>> band_condition(Band(min=98, points=2), "%")
    '≥ 98 %'
    """
    lo, hi = band.min, band.max
    if lo is None and hi is None:
        return "mọi giá trị"
    if lo is None:
        return f"< {_with_unit(hi, unit)}"
    if hi is None:
        return f"≥ {_with_unit(lo, unit)}"
    return f"từ {_with_unit(lo, unit)} đến dưới {_with_unit(hi, unit)}"


def points_words(points: float) -> str:
    """``2`` → ``'2 điểm'``, ``0.5`` → ``'0,5 điểm'``."""
    return f"{vi_number(points)} điểm"


def _bands_words(subject: str, bands: tuple[Band, ...], unit: str) -> list[str]:
    ordered = sorted(bands, key=lambda b: -(math.inf if b.min is None else b.min))
    lines = []
    for i, band in enumerate(ordered):
        cond = band_condition(band, unit)
        text = f"{subject} {cond}" if i == 0 else cond[0].upper() + cond[1:]
        label = f" ({band.label})" if band.label else ""
        lines.append(f"{text}: {points_words(band.points)}{label}")
    return lines


def describe_rule(leaf: Leaf, default_policy: str = "drop") -> str:
    """A leaf's rule in words, one line per band or clause (Vietnamese).

    Parameters
    ----------
    leaf : Leaf
        The leaf as written in the rule set.
    default_policy : {"drop", "award"}
        The rule set's not-applicable policy, used when the leaf sets none.

    Examples
    --------
    >>> leaf = Leaf(code="3.1", name="Đúng hạn", max=2, rule=BandsRule(
    ...     indicator="on_time_rate", domain=(0, 100),
    ...     bands=[Band(min=98, points=2), Band(min=95, max=98, points=1),
    ...            Band(min=0, max=95, points=0)]))
    >>> print(describe_rule(leaf))
    Tỷ lệ hồ sơ giải quyết đúng hạn ≥ 98 %: 2 điểm
    Từ 95 % đến dưới 98 %: 1 điểm
    Từ 0 % đến dưới 95 %: 0 điểm
    Không phát sinh: không tính vào điểm tối đa
    """
    rule = leaf.rule
    lines: list[str]
    if isinstance(rule, BandsRule):
        lines = _bands_words(indicator_label(rule.indicator), rule.bands,
                             indicator_unit(rule.indicator))
    elif isinstance(rule, FormulaRule):
        lines = [f"Công thức: {rule.expr}"]
    elif isinstance(rule, TasksRule):
        weights = "; ".join(f"{TASK_STATUS_LABELS.get(s, s)} × {vi_number(w)}"
                            for s, w in rule.weights.items())
        head = ("Nhiệm vụ chủ trì trong kế hoạch CCHC (không tính nhiệm vụ không phát sinh), "
                f"mỗi nhiệm vụ tính: {weights}")
        if rule.mode == "rate":
            lines = [head, "Điểm = điểm tối đa × tỷ lệ hoàn thành có trọng số"]
        else:
            lines = [head, *_bands_words("Tỷ lệ hoàn thành có trọng số", rule.bands or (), "%")]
    elif isinstance(rule, ManualRule):
        missing = "không tính (loại khỏi điểm tối đa)" if rule.missing == "exclude" else "0 điểm"
        lines = [f"Điểm thẩm định của Hội đồng (bảng {rule.table}); "
                 f"không có điểm thẩm định thì lấy điểm tự chấm; thiếu cả hai: {missing}"]
    elif isinstance(rule, SurveyRule):
        if rule.options:
            opts = "; ".join(f"{k} = {vi_number(v)} %" for k, v in rule.options.items())
            lines = [f"Điều tra xã hội học (bảng {rule.table}): mỗi phương án được "
                     f"tỷ lệ điểm tối đa {opts}; điểm = điểm tối đa × tỷ lệ bình quân"]
        else:
            lines = [f"Điều tra xã hội học (bảng {rule.table}): điểm = điểm tối đa × "
                     "tỷ lệ hài lòng (%)"]
    else:  # pragma: no cover - the model admits only the kinds above
        lines = [str(rule)]
    if leaf.applies_if:
        lines.append(f"Chỉ áp dụng khi: {leaf.applies_if}")
    policy = leaf.not_applicable or default_policy
    lines.append("Không phát sinh: " + ("được điểm tối đa" if policy == "award"
                                        else "không tính vào điểm tối đa"))
    return "\n".join(lines)


def class_condition(classes: tuple[ClassBand, ...], i: int) -> str:
    """Threshold of the ``i``-th class (highest first) in words.

    Examples
    --------
    >>> cs = (ClassBand(label="Tốt", min=80), ClassBand(label="Khá", min=70))
    >>> class_condition(cs, 0), class_condition(cs, 1)
    ('≥ 80 %', 'từ 70 % đến dưới 80 %')
    """
    lo = classes[i].min
    if i == 0:
        return f"≥ {vi_number(lo)} %"
    return f"từ {vi_number(lo)} % đến dưới {vi_number(classes[i - 1].min)} %"
