"""What the pages show, computed from the engine's results (no HTML here).

Each function turns a :class:`scoring.engine.ScoreResult` (or a comparison, a
simulation) into plain rows for a template: numbers already written the Vietnamese way
where a person reads them, raw values beside them where a page sorts or a test checks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.i18n import _
from scoring.number_format import format_number
from scoring.simulate.compare import leaf_changes_text
from scoring.text import fold
from scoring.vocabulary import inputs_words, status_label

from .charts import area_chart, class_colour, ranking_chart

SORT_KEYS = ("rank", "name", "district", "points", "index")
PAGE_ROWS = 500
SHIFT_ROWS = 200


def num(x: Any, decimals: int | None = 2, *, signed: bool = False) -> str:
    """A number for people in the language in force (``90,92``, ``1.234``, ``+12,50``);
    blank → ``—``; text that is not a number is shown as it is."""
    if x is pd.NA:
        return "—"
    return format_number(x, decimals, signed=signed)


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


@dataclass(frozen=True)
class RankRow:
    agency_id: str
    stt: int
    name: str
    district: str
    district_id: str
    areas: tuple[str, ...]
    points: float
    max_points: float
    index: float
    rank: int | None
    klass: str
    class_no: int | None

    @property
    def colour(self) -> str:
        return class_colour(self.class_no)


@dataclass(frozen=True)
class GroupTable:
    id: str
    name: str
    areas: tuple[tuple[str, str], ...]
    rows: tuple[RankRow, ...]
    total: int
    shown: int
    mean_index: float | None
    has_district: bool
    districts: tuple[tuple[str, str], ...]
    classes: tuple[str, ...]
    chart: Any = field(default="", repr=False)


def area_pivot(result: Any, group: str) -> pd.DataFrame:
    a = result.areas
    part = a[a["group"] == group]
    if part.empty:
        return pd.DataFrame()
    points = part.pivot(index="agency_id", columns="area", values="points")
    counted = part.pivot(index="agency_id", columns="area", values="max_points") > 0
    return points.where(counted)


def group_tables(result: Any, *, q: str = "", klass: str = "", district: str = "",
                 sort: str = "rank", desc: bool = False, show_all: bool = False,
                 pivots: Mapping[str, pd.DataFrame] | None = None) -> list[GroupTable]:
    """One table per group like the decision's appendix, filtered and sorted.

    Parameters
    ----------
    q : str
        Part of a unit's name or id, accents and case ignored.
    klass, district : str
        Keep one class label / one district (parent id).
    sort : {"rank", "name", "district", "points", "index"}
    desc : bool
    show_all : bool
        Otherwise at most :data:`PAGE_ROWS` rows per group.
    """
    totals = result.totals
    agencies = result.dataset.agencies
    names = agencies["name"].astype(str)
    parent = agencies["parent_id"].fillna("").astype(str) if "parent_id" in agencies else \
        pd.Series("", index=agencies.index)
    sort = sort if sort in SORT_KEYS else "rank"
    needle = fold(q) if q else ""
    out = []
    for g in result.rules.groups:
        part = totals[totals["group"] == g.id]
        if part.empty:
            continue
        tree = result.rules.tree_of(g.id)
        area_list = tuple((a.code, a.name) for a in tree.areas)
        pivot = (pivots or {}).get(g.id)
        if pivot is None:
            pivot = area_pivot(result, g.id)
        labels = [c.label for c in g.classes]
        class_no = {lab: i for i, lab in enumerate(labels)}
        ids = part.index.astype(str)
        par = parent.reindex(ids).fillna("").to_numpy()
        dnames = names.reindex(par).fillna("").to_numpy() if len(par) else np.array([])
        has_district = bool(np.any(par != ""))
        frame = pd.DataFrame({
            "agency_id": ids, "stt": np.arange(1, len(part) + 1), "name": part["agency"]
            .astype(str).to_numpy(), "district": dnames, "district_id": par,
            "points": part["points"].to_numpy(float), "max_points": part["max_points"]
            .to_numpy(float), "index": part["index"].to_numpy(float),
            "rank": part["rank"].to_numpy(object), "klass": part["class"].to_numpy(object)})
        chart_rows = frame[frame["rank"].notna()]
        mean = float(chart_rows["index"].mean()) if len(chart_rows) else None
        chart = ranking_chart(
            chart_rows["name"].tolist(), chart_rows["index"].tolist(),
            [class_colour(class_no.get(k, len(labels))) for k in chart_rows["klass"]], mean,
            title=_("{group}: index in rank order").format(group=g.name),
            mean_label=_("mean"))
        if needle:
            keys = frame["name"].map(fold) + " " + frame["agency_id"]
            frame = frame[keys.str.contains(needle, regex=False)]
        if klass:
            frame = frame[frame["klass"].astype(str) == klass]
        if district:
            frame = frame[frame["district_id"] == district]
        if sort != "rank" or desc:
            key = {"name": frame["name"].map(fold), "district": frame["district"].map(fold)}
            frame = frame.sort_values(sort if sort not in key else "_k", ascending=not desc,
                                      kind="stable", na_position="last") if sort not in key \
                else frame.assign(_k=key[sort]).sort_values("_k", ascending=not desc,
                                                            kind="stable")
        total = len(frame)
        if not show_all:
            frame = frame.head(PAGE_ROWS)
        rows = []
        for r in frame.itertuples(index=False):
            area_pts = pivot.loc[r.agency_id] if r.agency_id in pivot.index else None
            rows.append(RankRow(
                agency_id=r.agency_id, stt=int(r.stt), name=r.name, district=r.district,
                district_id=r.district_id,
                areas=tuple(num(area_pts.get(code) if area_pts is not None else None)
                            for code, _n in area_list),
                points=r.points, max_points=r.max_points, index=r.index,
                rank=None if _missing(r.rank) else int(r.rank),
                klass="" if _missing(r.klass) else str(r.klass),
                class_no=class_no.get(r.klass, len(labels)) if not _missing(r.klass)
                else None))
        districts = tuple(sorted({(d, n) for d, n in zip(par, dnames, strict=True) if d},
                                 key=lambda t: fold(t[1])))
        out.append(GroupTable(
            id=g.id, name=g.name, areas=area_list, rows=tuple(rows), total=total,
            shown=len(rows), mean_index=mean, has_district=has_district, districts=districts,
            classes=(*labels, g.unclassified), chart=chart))
    return out


# --------------------------------------------------------------------------- one unit
@dataclass(frozen=True)
class UnitView:
    agency_id: str
    name: str
    group: str
    group_name: str
    points: float
    max_points: float
    index: float
    rank: int | None
    count: int
    klass: str
    class_no: int | None
    bonus: float
    deduction: float
    areas: tuple[dict[str, Any], ...]
    rows: tuple[dict[str, Any], ...]
    chart: Any = field(default="", repr=False)

    @property
    def colour(self) -> str:
        return class_colour(self.class_no)


def unit_view(result: Any, agency_id: str, ledger: pd.DataFrame) -> UnitView:
    """One unit: its totals, its ledger grouped by area, its areas against the group mean."""
    t = result.totals.loc[agency_id]
    group = result.rules.group(str(t["group"]))
    tree = result.rules.tree_of(group.id)
    areas = result.areas
    mine = areas[areas["agency_id"] == agency_id].set_index("area")
    ranked = result.totals[(result.totals["group"] == group.id) & result.totals["rank"].notna()]
    peers = areas[areas["agency_id"].isin(ranked.index)]
    means = peers.groupby("area")["index"].mean()
    area_rows = []
    for a in tree.areas:
        m = mine.loc[a.code] if a.code in mine.index else None
        area_rows.append({"code": a.code, "name": a.name,
                          "points": None if m is None else float(m["points"]),
                          "max_points": None if m is None else float(m["max_points"]),
                          "index": None if m is None else float(m["index"]),
                          "mean": float(means[a.code]) if a.code in means.index
                          and not math.isnan(means[a.code]) else None})
    chart = area_chart([f"{r['code']}. {r['name']}" for r in area_rows],
                       [r["index"] for r in area_rows], [r["mean"] for r in area_rows],
                       title=_("Area indices of {unit} against the group mean").format(
                           unit=t["agency"]), unit_label=str(t["agency"]),
                       mean_label=_("group mean"))
    rows = []
    for r in ledger.itertuples(index=False):
        rows.append({"area": r.area, "leaf": r.leaf, "name": r.name, "kind": r.kind,
                     "inputs": inputs_words(r.inputs), "value": r.value, "rule": r.rule_text,
                     "points": float(r.points), "max_points": float(r.max_points),
                     "leaf_max": float(r.leaf_max), "status": r.status,
                     "status_label": status_label(r.status)})
    labels = [c.label for c in group.classes]
    rank = t["rank"]
    return UnitView(
        agency_id=agency_id, name=str(t["agency"]), group=group.id, group_name=group.name,
        points=float(t["points"]), max_points=float(t["max_points"]), index=float(t["index"]),
        rank=None if _missing(rank) else int(rank), count=len(ranked),
        klass="" if _missing(t["class"]) else str(t["class"]),
        class_no=labels.index(t["class"]) if t["class"] in labels else len(labels),
        bonus=float(t["bonus"]), deduction=float(t["deduction"]), areas=tuple(area_rows),
        rows=tuple(rows), chart=chart)


# --------------------------------------------------------------------------- shifts
@dataclass(frozen=True)
class ShiftGroup:
    """One group's changed units, the most telling first, at most :data:`SHIFT_ROWS`."""

    id: str
    name: str
    spearman: float
    max_shift: int
    changed: int
    rows: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class Shifts:
    """What a rule edit changes: counts over every unit and the rows a page shows."""

    moved: int
    reclassed: int
    points: int
    groups: tuple[ShiftGroup, ...]


def _changed(a: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per unit: rank changed, class changed, points changed (bool arrays)."""
    shift = (a["rank_shift"].astype("Float64").fillna(0) != 0).to_numpy(dtype=bool)
    klass = a["class_changed"].to_numpy(dtype=bool)
    points = (a["points_diff"].astype(float).abs().fillna(0) > 1e-9).to_numpy(dtype=bool)
    return shift, klass, points


def _leaf_texts(cmp: Any, ids: pd.Index) -> dict[str, str]:
    """Per unit of ``ids``, its largest per-leaf differences: ``3.2.1: +0,50; …``."""
    return leaf_changes_text(cmp.leaves[cmp.leaves["agency_id"].isin(ids)],
                             lambda d: num(d, None, signed=True))


def _shift_row(cmp: Any, agency_id: Any, r: Any, leaves: Mapping[str, str]) -> dict[str, Any]:
    return {"agency_id": str(agency_id), "agency": r.agency, "group": r.group,
            "group_name": cmp.group_names.get(r.group, r.group),
            "points_a": r.points_a, "points_b": r.points_b, "points_diff": r.points_diff,
            "index_a": r.index_a, "index_b": r.index_b,
            "rank_a": None if _missing(r.rank_a) else int(r.rank_a),
            "rank_b": None if _missing(r.rank_b) else int(r.rank_b),
            "rank_shift": None if _missing(r.rank_shift) else int(r.rank_shift),
            "class_a": None if _missing(r.class_a) else str(r.class_a),
            "class_b": None if _missing(r.class_b) else str(r.class_b),
            "class_changed": bool(r.class_changed), "leaves": leaves.get(str(agency_id), "")}


def shifts(cmp: Any, *, limit: int = SHIFT_ROWS) -> Shifts:
    """The counts of a comparison and, per group, at most ``limit`` changed units."""
    a = cmp.agencies
    shift, klass, points = _changed(a)
    changed = a[shift | klass | points]
    groups = []
    for gid, g in cmp.groups.iterrows():
        mine = changed[changed["group"] == gid]
        key = pd.DataFrame({"c": ~mine["class_changed"].to_numpy(dtype=bool),
                            "s": -mine["rank_shift"].astype("Float64").abs().fillna(0)
                            .to_numpy(dtype=float),
                            "r": mine["rank_b"].astype("Float64").fillna(0)
                            .to_numpy(dtype=float)})
        top = mine.iloc[key.sort_values(["c", "s", "r"], kind="stable").index[:limit]]
        texts = _leaf_texts(cmp, top.index)
        groups.append(ShiftGroup(
            id=str(gid), name=cmp.group_names.get(gid, str(gid)), spearman=g["spearman"],
            max_shift=int(g["max_abs_rank_shift"]), changed=len(mine),
            rows=tuple(_shift_row(cmp, aid, r, texts)
                       for aid, r in zip(top.index, top.itertuples(index=False), strict=True))))
    return Shifts(moved=int(shift.sum()), reclassed=int(klass.sum()), points=int(points.sum()),
                  groups=tuple(groups))


def json_value(v: Any) -> Any:
    """A value as JSON has it: NaN/NA → null, numpy scalars → Python."""
    if v is None or v is pd.NA:
        return None
    if hasattr(v, "item") and not isinstance(v, str):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def records(df: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    """Rows of ``df`` (index reset) as JSON-ready dicts with ``columns``."""
    t = df.reset_index()
    return [{k: json_value(v) for k, v in zip(columns, row, strict=True)}
            for row in t[columns].itertuples(index=False, name=None)]
