"""The rule-set model: what a rule file may say, checked strictly at construction.

A rule set is an immutable value (pydantic, frozen). Variants are made with
:meth:`RuleSet.replace` or, in files, with ``extends`` + ``overrides`` (see
:mod:`scoring.rules.loader`). Structural checks that need only the file itself live
here (maxima add up, bands have no gaps or overlaps, codes are unique, groups name a
tree that exists); checks that need the outside world (indicator names, expression
safety, the rule file's own tests) live in the loader.

Conventions
-----------
* A band covers ``min <= value < max``; ``min: null`` is −∞ and ``max: null`` is +∞.
* Rates are percentages (0–100), as the province publishes them.
* Codes are strings ("3", "3.2", "3.2.1"); results are keyed by code, never by position.

Examples
--------
>>> leaf = Leaf(code="1.1.1", name="Tỷ lệ đúng hạn", max=2,
...             rule=BandsRule(indicator="on_time_rate", domain=(0, 100),
...                            bands=[Band(min=95, points=2), Band(min=0, max=95, points=0)]))
>>> leaf.rule.kind
'bands'
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from scoring.i18n import _
from scoring.task_status import TASK_STATUSES, TaskStatus

NotApplicablePolicy = Literal["drop", "award"]
_EPS = 1e-9


class RuleValueError(ValueError):
    """A check of the model failed.

    ``topic`` says which check (the loader picks the YAML key to blame and the fix by it),
    ``values`` what it is about; the message is in the language in force.
    """

    def __init__(self, topic: str, message: str, **values: Any) -> None:
        super().__init__(message)
        self.topic = topic
        self.values = values


class Model(BaseModel):
    """Base: frozen, no unknown keys, ``replace()`` for variants."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    def replace(self, **changes: Any) -> Any:
        """Return a validated copy with ``changes`` applied (like ``dataclasses.replace``)."""
        data = self.model_dump(by_alias=True)
        data.update(changes)
        return type(self).model_validate(data)


# --------------------------------------------------------------------------- leaf rules
class Band(Model):
    """One band: ``min <= value < max`` earns ``points``."""

    min: float | None = None
    max: float | None = None
    points: float
    label: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise RuleValueError("band_order", _("band min {min} must be below max {max}").format(
                min=f"{self.min:g}", max=f"{self.max:g}"))
        if self.points < 0:
            raise RuleValueError("band_negative", _("band points must not be negative"))
        return self

    def contains(self, value: float) -> bool:
        lo = -math.inf if self.min is None else self.min
        hi = math.inf if self.max is None else self.max
        return lo <= value < hi


HitPolicy = Literal["unique", "first"]


def _edge(x: float | None, none: str) -> str:
    return none if x is None else f"{x:g}"


def check_bands(bands: tuple[Band, ...], hit: HitPolicy,
                domain: tuple[float, float] | None) -> None:
    """Raise :class:`RuleValueError` on overlapping (unique) or gapped bands over ``domain``."""
    if not bands:
        raise RuleValueError("bands_empty", _("at least one band is needed"))
    if hit != "unique":
        return
    ordered = sorted(bands, key=lambda b: -math.inf if b.min is None else b.min)
    for a, b in zip(ordered, ordered[1:], strict=False):
        a_hi = math.inf if a.max is None else a.max
        b_lo = -math.inf if b.min is None else b.min
        if a_hi > b_lo + _EPS:
            raise RuleValueError("bands_overlap", _(
                "bands overlap: {first} and {second}; with hit policy 'unique' each value must "
                "fall in one band").format(
                    first=f"[{_edge(a.min, '−∞')}, {_edge(a.max, '+∞')})",
                    second=f"[{_edge(b.min, '−∞')}, {_edge(b.max, '+∞')})"))
        if a_hi < b_lo - _EPS:
            raise RuleValueError("bands_gap", _("gap between bands: no band covers {range}").format(
                range=f"[{a_hi:g}, {b_lo:g})"))
    if domain is not None:
        lo, hi = domain
        first_lo = -math.inf if ordered[0].min is None else ordered[0].min
        last_hi = math.inf if ordered[-1].max is None else ordered[-1].max
        if first_lo > lo + _EPS:
            raise RuleValueError("bands_gap", _(
                "gap between bands: no band covers {range} of the domain {domain}").format(
                    range=f"[{lo:g}, {first_lo:g})", domain=f"[{lo:g}, {hi:g}]"))
        if last_hi <= hi - _EPS or (last_hi == hi and ordered[-1].max is not None):
            raise RuleValueError("bands_gap", _(
                "gap between bands: no band covers {hi} (the top of the domain {domain}); "
                "leave the top band's max empty").format(hi=f"{hi:g}",
                                                         domain=f"[{lo:g}, {hi:g}]"))


def uncovered(bands: tuple[Band, ...], domain: tuple[float, float]
              ) -> tuple[list[tuple[float, float]], list[int]]:
    """What ``bands`` leave out of ``domain``, and which bands lie wholly outside it.

    Returns
    -------
    (gaps, outside)
        ``gaps``: ``(low, high)`` stretches of the domain no band covers (values there earn
        0 points); ``outside``: positions of bands no value of the domain can fall in.

    Examples
    --------
    >>> uncovered((Band(min=50, max=80, points=1), Band(min=90, points=2)), (0, 100))
    ([(0, 50.0), (80.0, 90.0)], [])
    >>> uncovered((Band(min=0, points=1), Band(min=120, max=150, points=2)), (0, 100))
    ([], [1])
    """
    lo, hi = domain
    spans = sorted((-math.inf if b.min is None else b.min, math.inf if b.max is None else b.max)
                   for b in bands)
    gaps: list[tuple[float, float]] = []
    at = lo
    for b_lo, b_hi in spans:
        if b_lo > at + _EPS and at < hi:
            gaps.append((at, min(b_lo, hi)))
        at = max(at, b_hi)
    if at < hi:
        gaps.append((at, hi))
    elif not any(b.contains(hi) for b in bands):
        gaps.append((hi, hi))  # the top of the domain itself
    outside = [i for i, b in enumerate(bands)
               if (b.min is not None and b.min > hi) or (b.max is not None and b.max <= lo)]
    return gaps, outside


class BandsRule(Model):
    """Thresholds on one indicator → points."""

    kind: Literal["bands"] = "bands"
    indicator: str
    hit: HitPolicy = "unique"
    domain: tuple[float, float] | None = None
    bands: tuple[Band, ...]

    @model_validator(mode="after")
    def _bands(self) -> BandsRule:
        check_bands(self.bands, self.hit, self.domain)
        return self


class FormulaRule(Model):
    """A simpleeval expression over the agency's indicators (and ``max_points``)."""

    kind: Literal["formula"] = "formula"
    expr: str = Field(min_length=1, max_length=2000)


class TasksRule(Model):
    """Points from the agency's lead tasks by status.

    ``mode: rate`` → ``max × Σ weight(status) / tasks that arose``;
    ``mode: bands`` → the weighted completion rate (percent) looked up in ``bands``.
    Tasks with status ``not_arising`` are left out; an agency that leads no task that
    arose gets the not-applicable policy.
    """

    kind: Literal["tasks"] = "tasks"
    weights: dict[TaskStatus, float] = Field(default_factory=lambda: {
        "done_on_time": 1.0, "done_late": 0.5, "not_done": 0.0, "in_progress": 0.0})
    mode: Literal["rate", "bands"] = "rate"
    hit: HitPolicy = "unique"
    bands: tuple[Band, ...] | None = None

    @model_validator(mode="after")
    def _mode(self) -> TasksRule:
        if any(not 0 <= w <= 1 for w in self.weights.values()):
            raise RuleValueError("task_weights", _(
                "task weights are shares of a completed task: each in [0, 1]"))
        if self.mode == "bands":
            if not self.bands:
                raise RuleValueError("tasks_need_bands", _(
                    "mode 'bands' needs bands over the completion rate (0-100)"))
            check_bands(self.bands, self.hit, (0.0, 100.0))
        elif self.bands:
            raise RuleValueError("tasks_bands_unused", _("bands are only used with mode: bands"))
        return self


class ManualRule(Model):
    """Appraised points from the dataset's score table (appraised wins over self-assessed)."""

    kind: Literal["manual"] = "manual"
    table: str = "scores"
    missing: Literal["exclude", "zero"] = "exclude"


class SurveyRule(Model):
    """Survey answers → share of the max.

    With ``options`` (e.g. ``{A: 100, B: 60, C: 20, D: 0}``) the dataset's survey table
    gives answer counts per option; without, it gives the share in percent directly.
    """

    kind: Literal["survey"] = "survey"
    table: str = "surveys"
    options: dict[str, float] | None = None
    missing: Literal["exclude", "zero"] = "exclude"

    @model_validator(mode="after")
    def _options(self) -> SurveyRule:
        if self.options is not None and any(not 0 <= v <= 100 for v in self.options.values()):
            raise RuleValueError("survey_options", _(
                "survey option values are percentages of the max: each in [0, 100]"))
        return self


LeafRule = Annotated[BandsRule | FormulaRule | TasksRule | ManualRule | SurveyRule,
                     Field(discriminator="kind")]


# --------------------------------------------------------------------------- tree
class Leaf(Model):
    """A sub-criterion that carries points."""

    code: str
    name: str
    max: float = Field(gt=0)
    rule: LeafRule
    applies_if: str | None = None
    not_applicable: NotApplicablePolicy | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _points_within_max(self) -> Leaf:
        bands = getattr(self.rule, "bands", None) or ()
        for b in bands:
            if b.points > self.max + _EPS:
                raise RuleValueError("band_above_max", _(
                    "band points {points} exceed the leaf max {max}").format(
                        points=f"{b.points:g}", max=f"{self.max:g}"))
        return self


def _check_sum(code: str, declared: float | None, parts: list[float]) -> None:
    total = math.fsum(parts)
    if declared is not None and abs(declared - total) > 1e-6:
        raise RuleValueError("max_sum", _(
            "max of {code} is {declared} but its parts add up to {total}; set max to {total} "
            "or change the parts").format(code=code, declared=f"{declared:g}",
                                          total=f"{total:g}"))


class Criterion(Model):
    code: str
    name: str
    max: float | None = None
    leaves: tuple[Leaf, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sum(self) -> Criterion:
        _check_sum(self.code, self.max, [leaf.max for leaf in self.leaves])
        return self

    @property
    def total_max(self) -> float:
        return math.fsum(leaf.max for leaf in self.leaves)


class Area(Model):
    code: str
    name: str
    max: float | None = None
    component: str | None = None
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _sum(self) -> Area:
        _check_sum(self.code, self.max, [c.total_max for c in self.criteria])
        return self

    @property
    def total_max(self) -> float:
        return math.fsum(c.total_max for c in self.criteria)


class Tree(Model):
    name: str
    max: float | None = None
    areas: tuple[Area, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _codes(self) -> Tree:
        _check_sum("the tree", self.max, [a.total_max for a in self.areas])
        seen: set[str] = set()
        for code in (x.code for x in self.nodes()):
            if code in seen:
                raise RuleValueError("code_twice", _(
                    "code {code} is used twice in this tree").format(code=repr(code)), code=code)
            seen.add(code)
        return self

    @property
    def total_max(self) -> float:
        return math.fsum(a.total_max for a in self.areas)

    def nodes(self) -> Iterator[Area | Criterion | Leaf]:
        for area in self.areas:
            yield area
            for crit in area.criteria:
                yield crit
                yield from crit.leaves

    def leaves(self) -> Iterator[tuple[Area, Criterion, Leaf]]:
        """Every leaf with its area and criterion, in tree order."""
        for area in self.areas:
            for crit in area.criteria:
                for leaf in crit.leaves:
                    yield area, crit, leaf


# --------------------------------------------------------------------------- rule set
class ClassBand(Model):
    """Index ≥ ``min`` (percent) earns ``label``; the highest matching threshold wins."""

    label: str
    min: float = Field(ge=0, le=100)


class Group(Model):
    """A group of agencies ranked together, with the tree and classes it uses."""

    id: str
    name: str
    tree: str
    classes: tuple[ClassBand, ...] = ()
    unclassified: str = "Không xếp loại"

    @model_validator(mode="after")
    def _classes(self) -> Group:
        mins = [c.min for c in self.classes]
        if len(set(mins)) != len(mins):
            raise RuleValueError("class_same", _("two classes have the same threshold"))
        if mins != sorted(mins, reverse=True):
            raise RuleValueError("class_order", _(
                "list classes from the highest threshold to the lowest"))
        return self


class Component(Model):
    """A part of the score (appraisal, survey) made of whole areas."""

    id: str
    name: str
    areas: tuple[str, ...]
    when_missing: Literal["rescale", "zero"] = "rescale"


class Adjustment(Model):
    """Bonus or deduction points, capped per year; the total never goes below zero."""

    code: str
    name: str
    kind: Literal["bonus", "deduction"]
    rule: FormulaRule | ManualRule = Field(discriminator="kind")
    cap: float = Field(ge=0)


RankMethod = Literal["competition", "dense", "ordinal"]


class Ranking(Model):
    """How ranks are computed: method, tie-break chain, canonical precision (the decimals
    of the index that ranks and classes use, rounded half away from zero; by default the
    two the published appendix shows)."""

    method: RankMethod = "competition"
    tie_break: tuple[str, ...] = ()
    precision: int = Field(default=2, ge=0, le=12)


class Source(Model):
    """Which decision the rule set follows, or what a simulation assumes and why."""

    kind: Literal["decision", "simulation"]
    decision: str | None = None
    assumptions: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> Source:
        if self.kind == "decision" and not self.decision:
            raise RuleValueError("source_decision", _(
                "a rule set that follows a decision must name it (source.decision)"))
        if self.kind == "simulation" and not self.assumptions:
            raise RuleValueError("source_assumptions", _(
                "a simulation rule set must say what it assumes and why (source.assumptions)"))
        return self


class RuleTest(Model):
    """A test stored in the rule file: indicator values → expected points of one leaf."""

    name: str | None = None
    leaf: str
    tree: str | None = None
    indicators: dict[str, float | None] = Field(default_factory=dict)
    tasks: dict[TaskStatus, int] = Field(default_factory=dict)
    expect: float | Literal["not_applicable"]


class RuleSet(Model):
    """A complete, validated rule set."""

    id: str
    version: str
    title: str
    source: Source
    extends: str | None = None
    not_applicable: NotApplicablePolicy = "drop"
    groups: tuple[Group, ...] = Field(min_length=1)
    trees: dict[str, Tree] = Field(min_length=1)
    components: tuple[Component, ...] = ()
    adjustments: tuple[Adjustment, ...] = ()
    ranking: Ranking = Ranking()
    tests: tuple[RuleTest, ...] = ()
    content_hash: str = ""
    notes: tuple[str, ...] = ()
    """Set by the loader: what it derived for a variant (e.g. a re-derived max)."""

    @model_validator(mode="after")
    def _references(self) -> RuleSet:
        ids = [g.id for g in self.groups]
        if len(set(ids)) != len(ids):
            raise RuleValueError("group_twice", _("two groups have the same id"))
        for g in self.groups:
            if g.tree not in self.trees:
                raise RuleValueError("group_tree", _(
                    "group {group} uses tree {tree}, which is not defined; trees: {trees}"
                ).format(group=repr(g.id), tree=repr(g.tree), trees=", ".join(self.trees)),
                    group=g.id, tree=g.tree)
        area_codes = {a.code for t in self.trees.values() for a in t.areas}
        for comp in self.components:
            unknown = [a for a in comp.areas if a not in area_codes]
            if unknown:
                raise RuleValueError("component_areas", _(
                    "component {component} names unknown areas {areas}").format(
                        component=repr(comp.id), areas=", ".join(map(repr, unknown))),
                    component=comp.id)
        return self

    def group(self, group_id: str) -> Group:
        for g in self.groups:
            if g.id == group_id:
                return g
        raise KeyError(group_id)

    def tree_of(self, group_id: str) -> Tree:
        return self.trees[self.group(group_id).tree]

    def leaf(self, code: str, tree: str | None = None) -> Leaf:
        """The leaf with ``code`` (in ``tree``, or the first tree that has it)."""
        for tid, t in self.trees.items():
            if tree is not None and tid != tree:
                continue
            for _area, _criterion, leaf in t.leaves():
                if leaf.code == code:
                    return leaf
        raise KeyError(code)
