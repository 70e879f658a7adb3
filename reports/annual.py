"""The decision appendix: what the ranking tables of a provincial decision show.

Shared by the workbook's group sheets and the Word appendix (:mod:`reports.docx`): the
title block of each appendix (Phụ lục I, II, …), the decision columns (self-assessed,
appraised and survey points, total, index, rank, class; last year's rank and the change
when PREV is given), the class counts, and the words for a rank change (``↑3``, ``↓2``,
``=``, ``mới``). It presents, it does not compute: the numbers come from the engine's
result, :mod:`scoring.appraisal` and :mod:`scoring.previous`.

Examples
--------
>>> change_text(3.0, False), change_text(-2.0, False), change_text(0.0, False)
('↑3', '↓2', '=')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from reports.stamp import stamp_titles
from scoring import vocabulary as V
from scoring.appraisal import SelfVsAppraised
from scoring.i18n import _
from scoring.text import fold, vi_number


def headings() -> dict[str, str]:
    """Column headings of the decision table (translated at call time)."""
    return {
        "stt": _("No."),
        "agency": _("Agency or unit"),
        "parent": _("Under"),
        "self_points": _("Self-assessed points"),
        "appraised_points": _("Appraised points"),
        "survey_points": _("Survey points"),
        "points": _("Total points"),
        "max_points": _("Maximum points"),
        "index": _("PAR Index (%)"),
        "rank": _("Rank"),
        "class": _("Class"),
        "previous_rank": _("Rank last year"),
        "change": _("Change"),
    }


def change_text(change: float | None, is_new: bool, ranked: bool = True) -> str:
    """``↑3`` (up three places), ``↓2``, ``=`` (same rank), ``mới`` (not ranked last year);
    blank when this year's rank or last year's is missing.

    Examples
    --------
    >>> change_text(None, True)
    'mới'
    >>> change_text(float("nan"), False)
    ''
    """
    if is_new:
        return _("new") if ranked else ""
    if change is None or (isinstance(change, float) and math.isnan(change)):
        return ""
    k = int(round(change))
    return "=" if k == 0 else (f"↑{k}" if k > 0 else f"↓{-k}")


def title_block(group: Any, number: int, year: str, province: str, rules: Any,
                period: str = "") -> tuple[str, str, str, str]:
    """The four title lines of appendix ``number`` for ``group``: ``Phụ lục I``, the title,
    the decision line (blanks for its number and date) and the rule-set line."""
    label = V.group_label(group.id, group.name)
    of = ("CÁC " if fold(label).startswith(("so,", "so ")) else "") + label.upper()
    title = (_("PUBLIC ADMINISTRATION REFORM INDEX {year} OF {of}").format(year=year, of=of)
             if year else _("PUBLIC ADMINISTRATION REFORM INDEX OF {of}").format(of=of))
    decision = (_("(Attached to Decision No.        /QĐ-UBND dated      /     /        of the "
                  "People's Committee of {province} province)").format(province=province)
                if province else
                _("(Attached to Decision No.        /QĐ-UBND dated      /     /        of the "
                  "Provincial People's Committee)"))
    info = _("Criteria: {title} (version {version})").format(title=rules.title,
                                                              version=rules.version)
    if period:
        info += _("; data from {period}").format(period=period)
    return (_("Appendix {number}").format(number=V.roman(number)), title, decision, info)


def class_labels(group: Any, seen: list[str], no_class: str) -> list[tuple[str, str]]:
    """(class, its threshold in words) for every class of ``group``, then the unclassified
    and "no index" rows when ``seen`` (the units' classes) has them."""
    rows = [(c.label, V.class_condition(group.classes, k)) for k, c in enumerate(group.classes)]
    if group.unclassified in seen or not rows:
        rows.append((group.unclassified, _("below every class threshold")))
    known = {c for c, _cond in rows}
    return rows + [(c, _("no index") if c == no_class else "") for c in dict.fromkeys(seen)
                   if c not in known]


def class_rows(group: Any, classes: pd.Series, no_class: str) -> list[tuple[str, int, float]]:
    """(class with its threshold, units, share %) for every row of :func:`class_labels`."""
    seen = [str(c) if isinstance(c, str) and c else no_class for c in classes]
    n = len(seen)
    out = []
    for label, cond in class_labels(group, seen, no_class):
        count = sum(1 for v in seen if v == label)
        out.append((f"{label} ({cond})" if cond else label, count,
                    count / n * 100 if n else 0.0))
    return out


@dataclass(frozen=True)
class Appendix:
    """One appendix: title lines, the ranking table as text, the class counts."""

    number: int
    group_id: str
    titles: tuple[str, str, str, str]
    columns: tuple[str, ...]
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    classes: tuple[tuple[str, int, float], ...]


def _pts(x: Any, decimals: int = 2) -> str:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return ""
    return "" if math.isnan(f) else vi_number(f, decimals)


def appendices(result: Any, view: SelfVsAppraised, yoy: pd.DataFrame | None = None, *,
               no_class: str = "—") -> list[Appendix]:
    """The appendix of every group with ranked units, in the rule set's group order.

    Parameters
    ----------
    result : ScoreResult
    view : SelfVsAppraised
        From :func:`scoring.appraisal.compare_self`.
    yoy : DataFrame, optional
        From :func:`scoring.previous.year_over_year`; adds the last-year columns.
    """
    manifest = getattr(result.dataset, "manifest", {}) or {}
    year = str(manifest.get("year") or "")
    province = str(manifest.get("province") or "")
    span = period_text(manifest)
    totals = result.totals
    agencies = result.dataset.agencies
    names = agencies.get("name", pd.Series(dtype=object))
    parents = agencies.get("parent_id", pd.Series(dtype=object))
    head = headings()
    out = []
    present = set(totals["group"])
    number = 0
    for group in result.rules.groups:
        if group.id not in present:
            continue
        number += 1
        rows = totals[totals["group"] == group.id]
        ids = [str(a) for a in rows.index]
        parent_names = {a: str(names.get(parents.get(a), "") or "")
                        if isinstance(parents.get(a), str) else "" for a in ids}
        cols = ["stt", "agency"] + (["parent"] if any(parent_names.values()) else [])
        cols += ["self_points", "appraised_points", "survey_points", "points", "index", "rank",
                 "class"]
        if yoy is not None:
            cols += ["previous_rank", "change"]
        table = []
        for i, (aid, t) in enumerate(rows.iterrows(), start=1):
            v = view.totals.loc[aid]
            rank = t["rank"]
            ranked = not pd.isna(rank)
            values = {
                "stt": str(i), "agency": str(t["agency"]), "parent": parent_names[aid],
                "self_points": _pts(v["self_points"]),
                "appraised_points": _pts(v["appraised_points"]),
                "survey_points": _pts(v["survey_points"]), "points": _pts(t["points"]),
                "index": _pts(t["index"]), "rank": str(int(rank)) if ranked else "",
                "class": str(t["class"]) if isinstance(t["class"], str) else no_class}
            if yoy is not None:
                y = yoy.loc[aid]
                values["previous_rank"] = _pts(y["previous_rank"], 0)
                values["change"] = change_text(y["rank_change"], bool(y["is_new"]), ranked)
            table.append(tuple(values[c] for c in cols))
        out.append(Appendix(
            number, group.id,
            stamp_titles(title_block(group, number, year, province, result.rules, span),
                         result.dataset),
            tuple(cols), tuple(head[c] for c in cols), tuple(table),
            tuple(class_rows(group, rows["class"], no_class))))
    return out


def period_text(manifest: dict) -> str:
    """The dataset's period as people write it: ``15/12/2021 – 14/12/2022`` (``""`` if none).

    Examples
    --------
    >>> period_text({"period": {"start": "2021-12-15", "end": "2022-12-14"}})
    '15/12/2021 – 14/12/2022'
    """
    period = manifest.get("period") or {}
    if not period:
        return ""
    return f"{_vi_date(period.get('start'))} – {_vi_date(period.get('end'))}"


def _vi_date(text: Any) -> str:
    """``2022-12-14`` → ``14/12/2022``; anything else unchanged."""
    s = "" if text is None else str(text)
    parts = s[:10].split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{parts[2]}/{parts[1]}/{parts[0]}"
    return s

