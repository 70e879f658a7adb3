"""What-if and goal-seek for one agency.

:func:`whatif` sets indicators (or dossier counts) of one agency and task statuses, scores
again with the real engine and reports the new points, index, rank and class against the
nominal ones, with the leaves that changed. Setting a dossier count (``online``,
``resolved_on_time``, ...) changes the dataset and re-derives the rates; setting a derived
indicator (``online_rate``) overrides it directly. A task status changes the task for
every agency that leads it.

:func:`goal_seek` finds the smallest change of one indicator of the agency that reaches a
target rank (``rank ≤ N``) or class (that class or a better one). It scans the indicator's
domain on a grid in both directions from the current value, then bisects between the last
grid point that misses and the first that reaches (integers for counts; 0.001 for rates),
and verifies the answer by scoring it with the full dataset. Only the agency's group is
scored during the search (ranks are within a group, so the result is the same).

Domains: rates (unit %) ``[0, 100]``; a count that is part of another stays within it
(``online ≤ online_eligible``, ``resolved_on_time ≤ resolved``, ``late ≤ resolved +
pending``, ...); other counts ``[0, max(2 × current, largest value of any agency, 10)]``.
Other counts are not adjusted (raising ``resolved_on_time`` does not lower
``resolved_late``): vary the rate when that matters.

Examples
--------
>>> # w = whatif(rules, ds, "so-du-lich", set_values={"online_rate": 80})
>>> # w.nominal["rank"], w.new["rank"]
>>> # g = goal_seek(rules, ds, "so-du-lich", Goal.parse("rank:3"), "online_rate")
>>> # g.reached, g.value, g.change
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from scoring.dataset import COUNT_COLUMNS, TASK_STATUSES, Dataset
from scoring.engine import score
from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.indicators import INDICATORS, derive_indicators
from scoring.number_format import format_number
from scoring.text import fold, suggest
from scoring.vocabulary import class_label, group_label, indicator_label

RATE_TOLERANCE = 1e-3
# a count that is part of another: goal-seek keeps it within the whole
CEILING: dict[str, tuple[str, ...]] = {
    "online": ("online_eligible",), "resolved_on_time": ("resolved",),
    "resolved_late": ("resolved",), "pending_on_time": ("pending",),
    "pending_late": ("pending",), "late": ("resolved", "pending")}
GRID = 24


# --------------------------------------------------------------------------- scenario
@dataclass(frozen=True)
class Scenario:
    """A dataset and indicators with the what-if changes applied."""

    dataset: Dataset
    indicators: pd.DataFrame
    changes: tuple[str, ...]


def check_indicator(name: str, extra: tuple[str, ...] = ()) -> str:
    """The indicator ``name`` (as written) or a :class:`UsageError` with suggestions."""
    known = [*INDICATORS, *extra]
    if name in known:
        return name
    close = suggest(name, known)
    raise UsageError(Problem(_("unknown indicator {name!r}").format(name=name),
                             field="--set/--vary",
                             fix=_("did you mean {names}?").format(names=", ".join(close))
                             if close else _("use one of {names}").format(
                                 names=", ".join(known))))


def is_rate(name: str) -> bool:
    """True for indicators in percent (domain 0–100)."""
    info = INDICATORS.get(name)
    return info is not None and info.unit == "%"


def apply_changes(ds: Dataset, agency_id: str, *, set_values: Mapping[str, float] | None = None,
                  tasks: Mapping[str, str] | None = None,
                  indicators: pd.DataFrame | None = None) -> Scenario:
    """Apply what-if changes to one agency (and task statuses) and derive the indicators.

    Parameters
    ----------
    ds : Dataset
    agency_id : str
    set_values : mapping, optional
        Indicator → value. Dossier counts change the dataset (rates are re-derived);
        derived indicators are overridden after derivation.
    tasks : mapping, optional
        task_id → status (one of ``done_on_time, done_late, not_done, in_progress,
        not_arising``).
    indicators : DataFrame, optional
        The nominal indicators (reused when nothing in the dataset changes).

    Returns
    -------
    Scenario
    """

    set_values = dict(set_values or {})
    tasks = dict(tasks or {})
    changes: list[str] = []
    counts = {k: v for k, v in set_values.items() if k in COUNT_COLUMNS}
    derived = {k: v for k, v in set_values.items() if k not in COUNT_COLUMNS}
    for name, value in set_values.items():
        check_indicator(name)
        if not math.isfinite(value) or value < 0 or (is_rate(name) and value > 100):
            raise UsageError(Problem(
                _("{name}={value} is outside its domain").format(
                    name=name, value=format_number(value)), field="--set",
                fix=_("rates are percentages in [0, 100]; counts are ≥ 0")))
    if counts:
        dossiers = ds.dossiers.copy()
        if agency_id not in dossiers.index:
            dossiers.loc[agency_id] = np.nan
        for name, value in counts.items():
            dossiers.loc[agency_id, name] = float(value)
            changes.append(f"{name}={value:g}")
        ds = ds.replace(dossiers=dossiers)
    if tasks:
        table = ds.tasks.copy()
        for task_id, status in tasks.items():
            if task_id not in table.index:
                close = suggest(task_id, [str(t) for t in table.index])
                raise UsageError(Problem(
                    _("unknown task {task!r}").format(task=task_id), field="--task",
                    fix=_("did you mean {names}?").format(names=", ".join(close)) if close
                    else _("use a task_id of tasks.csv")))
            if status not in TASK_STATUSES:
                raise UsageError(Problem(
                    _("unknown task status {status!r}").format(status=status), field="--task",
                    fix=_("use one of {names}").format(names=", ".join(TASK_STATUSES))))
            table.loc[task_id, "status"] = status
            changes.append(f"{task_id}={status}")
        ds = ds.replace(tasks=table)
    if counts or tasks or indicators is None:
        indicators = derive_indicators(ds)
    if derived:
        indicators = indicators.copy()
        for name, value in derived.items():
            indicators.loc[agency_id, name] = float(value)
            changes.append(f"{name}={value:g}")
    return Scenario(dataset=ds, indicators=indicators, changes=tuple(changes))


# --------------------------------------------------------------------------- what-if
@dataclass(frozen=True)
class WhatIfResult:
    """One agency's nominal and new standing.

    Attributes
    ----------
    agency_id, agency, group : str
    changes : tuple of str
        The changes applied, readable (``online_rate=80``).
    nominal, new : dict
        ``points, max_points, index, rank, class``.
    leaves : DataFrame
        Leaves whose points changed: ``leaf, name, points_nominal, points_new, diff``.
    result : ScoreResult
        The new score result (all agencies).
    """

    agency_id: str
    agency: str
    group: str
    changes: tuple[str, ...]
    nominal: dict[str, Any]
    new: dict[str, Any]
    leaves: pd.DataFrame
    result: Any = field(repr=False)

    def replace(self, **changes: Any) -> WhatIfResult:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


def _standing(result: Any, agency_id: str) -> dict[str, Any]:
    if agency_id not in result.totals.index:
        raise UsageError(Problem(
            _("agency {agency!r} is not ranked by this rule set").format(agency=agency_id),
            field="AGENCY", fix=_("pick an agency that `cchc score` lists")))
    row = result.totals.loc[agency_id]
    rank = row["rank"]
    return {"points": float(row["points"]), "max_points": float(row["max_points"]),
            "index": float(row["index"]), "rank": None if pd.isna(rank) else int(rank),
            "class": str(row["class"])}


def _agency_leaves(result: Any, agency_id: str) -> pd.DataFrame:
    for block in result.blocks:
        pos = np.flatnonzero(block.agency_ids.astype(str) == agency_id)
        if len(pos):
            return pd.DataFrame({"leaf": block.leaf_meta["leaf"].astype(str).to_numpy(),
                                 "name": block.leaf_meta["name"].astype(str).to_numpy(),
                                 "points": block.points[:, pos[0]]})
    return pd.DataFrame(columns=["leaf", "name", "points"])


def whatif(rules: Any, ds: Dataset, agency_id: str, *,
           set_values: Mapping[str, float] | None = None,
           tasks: Mapping[str, str] | None = None, nominal: Any | None = None) -> WhatIfResult:
    """Score one what-if scenario and compare the agency with its nominal standing.

    Parameters
    ----------
    rules : RuleSet
    ds : Dataset
    agency_id : str
        A resolved agency id (``scoring.agencies.resolve_agency``).
    set_values : mapping, optional
        Indicator → value for this agency.
    tasks : mapping, optional
        task_id → status.
    nominal : ScoreResult, optional
        ``score(rules, ds)`` if already computed.

    Returns
    -------
    WhatIfResult

    Examples
    --------
    >>> # whatif(rules, ds, "so-du-lich", set_values={"online_rate": 95}).new["rank"]
    """

    nominal = nominal if nominal is not None else score(rules, ds)
    before = _standing(nominal, agency_id)
    sc = apply_changes(ds, agency_id, set_values=set_values, tasks=tasks,
                       indicators=nominal.indicators)
    new = score(rules, sc.dataset, indicators=sc.indicators)
    after = _standing(new, agency_id)
    la, lb = _agency_leaves(nominal, agency_id), _agency_leaves(new, agency_id)
    leaves = la.merge(lb[["leaf", "points"]], on="leaf", how="outer",
                      suffixes=("_nominal", "_new"))
    leaves["diff"] = leaves["points_new"].fillna(0) - leaves["points_nominal"].fillna(0)
    leaves = leaves[leaves["diff"].abs() > 1e-12].reset_index(drop=True)
    row = nominal.totals.loc[agency_id]
    return WhatIfResult(agency_id=agency_id, agency=str(row["agency"]), group=str(row["group"]),
                        changes=sc.changes, nominal=before, new=after, leaves=leaves,
                        result=new)


# --------------------------------------------------------------------------- goal-seek
@dataclass(frozen=True)
class Goal:
    """A target: ``rank ≤ N`` or class ``LABEL`` (or better)."""

    kind: Literal["rank", "class"]
    target: int | str

    @classmethod
    def parse(cls, text: str) -> Goal:
        """``rank:3`` or ``class:Tốt``.

        Examples
        --------
        >>> Goal.parse("rank:3")
        Goal(kind='rank', target=3)
        >>> Goal.parse("class:Tốt").target
        'Tốt'
        """
        kind, sep, value = text.partition(":")
        kind = kind.strip().lower()
        value = value.strip()
        if not sep or kind not in ("rank", "class") or not value:
            raise UsageError(Problem(_("cannot read the goal {goal!r}").format(goal=text),
                                     field="--goal",
                                     fix=_("write rank:N (e.g. rank:3) or class:LABEL "
                                           "(e.g. class:Tốt)")))
        if kind == "rank":
            if not value.isdigit() or int(value) < 1:
                raise UsageError(Problem(
                    _("rank goal {value!r} is not a positive whole number").format(value=value),
                    field="--goal", fix=_("write e.g. rank:3")))
            return cls("rank", int(value))
        return cls("class", value)

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"

    def words(self) -> str:
        """The goal as a person says it: "hạng 3 trở lên", "xếp loại Tốt trở lên"."""
        if self.kind == "rank":
            return _("rank {n} or better").format(n=self.target)
        return _("class {label} or better").format(label=class_label(self.target))


@dataclass(frozen=True)
class GoalResult:
    """The answer of :func:`goal_seek`.

    Attributes
    ----------
    goal : Goal
    indicator : str
    reached : bool
        Whether any value in the domain reaches the goal.
    current : float
        The indicator's value before the change.
    value : float or None
        The value that reaches the goal with the smallest change (verified).
    change : float or None
        ``value − current``.
    already : bool
        The goal is met without a change.
    whatif : WhatIfResult or None
        The verified scenario at ``value``.
    message : str
        One readable sentence.
    evaluations : int
        How many scenarios were scored.
    """

    goal: Goal
    indicator: str
    reached: bool
    current: float
    value: float | None
    change: float | None
    already: bool
    whatif: WhatIfResult | None
    message: str
    evaluations: int

    def replace(self, **changes: Any) -> GoalResult:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


def _meets(goal: Goal, standing: dict[str, Any], order: list[str]) -> bool:
    if goal.kind == "rank":
        return standing["rank"] is not None and standing["rank"] <= int(goal.target)
    return order.index(standing["class"]) <= order.index(str(goal.target))


def _class_order(rules: Any, group: str, target: str) -> tuple[list[str], str]:
    g = rules.group(group)
    order = [c.label for c in g.classes] + [g.unclassified]
    by_fold = {fold(x): x for x in order}
    if fold(target) not in by_fold:
        raise UsageError(Problem(
            _("class {target!r} is not a class of group {group}").format(
                target=target, group=group_label(group, rules.group(group).name)),
            field="--goal", fix=_("use one of {names}").format(names=", ".join(order))))
    return order, by_fold[fold(target)]


def goal_seek(rules: Any, ds: Dataset, agency_id: str, goal: Goal, vary: str, *,
              set_values: Mapping[str, float] | None = None,
              tasks: Mapping[str, str] | None = None, nominal: Any | None = None,
              tolerance: float = RATE_TOLERANCE) -> GoalResult:
    """The smallest change of ``vary`` that brings the agency to ``goal``.

    Parameters
    ----------
    rules : RuleSet
    ds : Dataset
    agency_id : str
    goal : Goal
        ``Goal.parse("rank:3")`` or ``Goal.parse("class:Tốt")``.
    vary : str
        The indicator to change (a rate or a dossier count).
    set_values, tasks : mapping, optional
        Other what-if changes applied first.
    nominal : ScoreResult, optional
    tolerance : float
        Precision of the answer for non-count indicators (the answer reaches the goal;
        ``tolerance`` less of a change does not).

    Returns
    -------
    GoalResult

    Examples
    --------
    >>> # g = goal_seek(rules, ds, "so-du-lich", Goal.parse("rank:1"), "online_rate")
    >>> # g.message
    """

    check_indicator(vary)
    set_values = dict(set_values or {})
    if vary in set_values:
        raise UsageError(Problem(f"{vary} is both set and varied", field="--vary",
                                 fix=f"drop --set {vary}=… or vary another indicator"))
    nominal = nominal if nominal is not None else score(rules, ds)
    _standing(nominal, agency_id)
    group = str(nominal.totals.loc[agency_id, "group"])
    order: list[str] = []
    if goal.kind == "class":
        order, label = _class_order(rules, group, str(goal.target))
        goal = Goal("class", label)
    base = apply_changes(ds, agency_id, set_values=set_values, tasks=tasks,
                         indicators=nominal.indicators)
    current = float(base.indicators.loc[agency_id, vary])
    if not math.isfinite(current):
        if vary in COUNT_COLUMNS:
            current = 0.0
        else:
            raise UsageError(Problem(
                _("{indicator} is not applicable to {agency} (its denominator is zero)").format(
                    indicator=indicator_label(vary), agency=agency_id),
                field="--vary", fix=_("vary a count, or another indicator")))
    counting = vary in COUNT_COLUMNS or not is_rate(vary) and float(current).is_integer()
    if is_rate(vary):
        lo, hi = 0.0, 100.0
    elif vary in CEILING:
        ceiling = float(np.nansum([base.indicators.loc[agency_id, c] for c in CEILING[vary]]))
        lo, hi = 0.0, max(ceiling, current)
    else:
        col = base.indicators[vary].to_numpy(dtype=float)
        biggest = float(np.nanmax(col)) if np.isfinite(col).any() else 0.0
        lo, hi = 0.0, float(math.ceil(max(2 * current, biggest, 10.0)))
    group_ds = base.dataset.replace(
        agencies=base.dataset.agencies[base.dataset.agencies["group"].astype(str) == group])
    evaluations = [0]

    def meets(v: float) -> bool:
        evaluations[0] += 1
        sc = apply_changes(group_ds, agency_id, set_values={**set_values, vary: v},
                           tasks=tasks, indicators=base.indicators)
        return _meets(goal, _standing(score(rules, sc.dataset, indicators=sc.indicators),
                                      agency_id), order)

    def verified(v: float) -> WhatIfResult:
        return whatif(rules, ds, agency_id, set_values={**set_values, vary: v}, tasks=tasks,
                      nominal=nominal)

    start = whatif(rules, ds, agency_id, set_values={**set_values, vary: current}, tasks=tasks,
                   nominal=nominal) if set_values or tasks else None
    standing0 = start.new if start is not None else _standing(nominal, agency_id)
    if _meets(goal, standing0, order):
        return GoalResult(goal, vary, True, current, current, 0.0, True, start,
                          _("{agency} already reaches {goal} ({indicator} = {value})").format(
                              agency=_name(ds, agency_id), goal=goal.words(),
                              indicator=indicator_label(vary),
                              value=_value_words(vary, current)), 0)

    step = 1.0 if counting else tolerance
    best: float | None = None
    for end in (hi, lo):
        if end == current:
            continue
        found = _search(meets, current, end, step, integer=counting)
        if found is not None and (best is None or abs(found - current) < abs(best - current)):
            best = found
    if best is None:
        unreachable = Problem(
            _("{agency} cannot reach {goal} by changing {indicator} alone "
              "(tried {low} to {high})").format(
                agency=_name(ds, agency_id), goal=goal.words(),
                indicator=indicator_label(vary).lower(),
                low=_value_words(vary, lo), high=_value_words(vary, hi)),
            field="--goal",
            fix=_("set a goal within reach, or change other figures as well (--set, --task)"))
        return GoalResult(goal, vary, False, current, None, None, False, None,
                          str(unreachable), evaluations[0])
    check = verified(best)
    if not _meets(goal, check.new, order):
        raise UsageError(Problem(
            _("the search found {indicator} = {value} but scoring it with every agency does "
              "not reach {goal}").format(indicator=indicator_label(vary),
                                         value=_value_words(vary, best), goal=goal.words()),
            field="--goal",
            fix=_("the score is not monotone in this indicator; try whatif --set to explore")))
    return GoalResult(goal, vary, True, current, best, best - current, False, check,
                      _("{agency} reaches {goal} with {indicator} = {value} (change {change})")
                      .format(agency=_name(ds, agency_id), goal=goal.words(),
                              indicator=indicator_label(vary).lower(),
                              value=_value_words(vary, best),
                              change=format_number(best - current, 2, signed=True)),
                      evaluations[0])


def _name(ds: Dataset, agency_id: str) -> str:
    """The agency's name for a message (its id if the dataset has no name for it)."""
    try:
        return str(ds.agencies.loc[agency_id, "name"])
    except KeyError:
        return agency_id


def _value_words(name: str, value: float) -> str:
    """``98`` → "98 %" for a rate, the count otherwise (the reader's number style)."""
    unit = " %" if is_rate(name) else ""
    return format_number(value, 2 if is_rate(name) and not float(value).is_integer()
                         else None) + unit


def _search(meets: Callable[[float], bool], start: float, end: float, step: float, *,
            integer: bool) -> float | None:
    """The value nearest ``start`` towards ``end`` where ``meets`` turns true, or None.

    A grid of :data:`GRID` points finds the first reaching point; bisection then narrows
    the bracket (missing, reaching) to ``step``.
    """
    direction = 1.0 if end > start else -1.0
    prev = start
    hit = None
    for k in range(1, GRID + 1):
        v = start + (end - start) * k / GRID
        v = min(max(v, min(start, end)), max(start, end))
        if integer:
            v = float(math.ceil(v) if direction > 0 else math.floor(v))
            if v == prev:
                continue
        if meets(v):
            hit = v
            break
        prev = v
    if hit is None:
        return None
    miss = prev
    while abs(hit - miss) > step * (1 + 1e-9):
        mid = (hit + miss) / 2
        if integer:
            mid = float(math.floor(mid) if direction > 0 else math.ceil(mid))
            if mid in (miss, hit):
                break
        if meets(mid):
            hit = mid
        else:
            miss = mid
    if not integer:
        # report at the tolerance's decimals, on the reaching side
        decimals = max(0, -int(math.floor(math.log10(step))))
        rounded = round(hit, decimals)
        if (rounded - miss) * direction > 0 and meets(rounded):
            hit = rounded
    return hit
