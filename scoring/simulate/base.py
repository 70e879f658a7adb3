"""The nominal result as arrays: per-leaf points, maxima and values, vectorised ranking.

:class:`Base` is built once from a :class:`~scoring.engine.ScoreResult` (its ledger
blocks and totals). Simulations then change a few leaves' points for many runs at once
(``runs × agencies`` arrays) and rank every run in one call, reproducing the engine's
rules: total floored at zero, index clipped to [0, 100], rank within the group on the
index at the canonical precision then on the tie-break chain, class by threshold on the
canonical index.

The rank, class and index kernels are the engine's (:mod:`scoring.engine.ranking`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scoring.engine.leaves import STATUSES
from scoring.engine.ranking import canonical, class_positions, index_of, rank

TOTAL_KEYS = ("points", "index", "bonus", "deduction", "max_points")


@dataclass(frozen=True)
class LeafArrays:
    """One leaf of one group: its ledger cells as arrays over that group's agencies."""

    group: str
    code: str
    area: str
    kind: str
    cols: slice              # the agencies' columns in Base.agency_ids
    points: np.ndarray
    max_points: np.ndarray
    leaf_max: float
    value: np.ndarray
    status: np.ndarray       # status names


@dataclass(frozen=True)
class Base:
    """The nominal result of one (rule set, dataset) as arrays.

    Attributes
    ----------
    agency_ids, names, groups : ndarray
        Ranked agencies with an index, block by block and group by group (so a leaf of
        one group covers one column range); ``output_order`` maps back to ``totals``.
    points, max_points : ndarray
        Leaf points and maxima summed per agency (adjustments excluded).
    adjustment : ndarray
        Bonus minus deduction per agency (unchanged by simulations).
    nominal_rank : ndarray of int
        The engine's rank (``cchc score``).
    leaves : dict
        ``(group, code) -> LeafArrays``.
    area_points, area_max : dict
        Per area code used as a tie-break key: points and maxima per agency.
    """

    result: Any
    agency_ids: np.ndarray
    names: np.ndarray
    groups: np.ndarray
    points: np.ndarray
    max_points: np.ndarray
    adjustment: np.ndarray
    bonus: np.ndarray
    deduction: np.ndarray
    nominal_rank: np.ndarray
    nominal_class: np.ndarray
    group_ids: tuple[str, ...]
    method: str
    precision: int
    tie_break: tuple[str, ...]
    class_mins: dict[str, tuple[float, ...]]
    class_labels: dict[str, tuple[str, ...]]
    unclassified: dict[str, str]
    leaves: dict[tuple[str, str], LeafArrays] = field(repr=False)
    area_points: dict[str, np.ndarray] = field(repr=False)
    area_max: dict[str, np.ndarray] = field(repr=False)
    indicator_keys: dict[str, np.ndarray] = field(repr=False)
    dropped: tuple[str, ...] = ()
    output_order: np.ndarray | None = field(default=None, repr=False)
    group_cols: dict[str, slice] = field(default_factory=dict, repr=False)

    @classmethod
    def from_result(cls, result: Any) -> Base:
        """Build the arrays from a score result.

        Agencies without an index (nothing applied to them) have no rank and are left
        out (listed in ``dropped``).

        Parameters
        ----------
        result : scoring.engine.ScoreResult
        """
        rules = result.rules
        totals = result.totals
        has_rank = totals["rank"].notna().to_numpy()
        dropped = tuple(totals.index[~has_rank].astype(str))
        totals = totals[has_rank]
        # agencies ordered block by block, group by group: every leaf of a group then
        # covers one contiguous column range (fast slices instead of fancy indexing)
        ranked = set(totals.index.astype(str))
        group_no = {g.id: i for i, g in enumerate(rules.groups)}
        order: list[str] = []
        for block in result.blocks:
            bids = block.agency_ids.astype(str)
            bgroups = block.groups.astype(str)
            for g in sorted(set(bgroups), key=lambda x: group_no.get(x, len(group_no))):
                order.extend(a for a, ag in zip(bids, bgroups, strict=True)
                             if ag == g and a in ranked)
        output_order = pd.Index(order).get_indexer(totals.index.astype(str))
        totals = totals.reindex(order)
        ids = np.asarray(order, dtype=object)
        id_pos = pd.Index(ids)
        n = len(ids)
        pts = np.zeros(n)
        mx = np.zeros(n)
        tie_areas = {k.lstrip("+-") for k in rules.ranking.tie_break} - set(TOTAL_KEYS)
        tie_areas &= {a.code for t in rules.trees.values() for a in t.areas}
        area_points = {a: np.full(n, np.nan) for a in tie_areas}
        area_max = {a: np.full(n, np.nan) for a in tie_areas}
        leaves: dict[tuple[str, str], LeafArrays] = {}
        statuses = np.asarray(STATUSES, dtype=object)
        for block in result.blocks:
            bpos = id_pos.get_indexer(block.agency_ids.astype(str))
            keep = bpos >= 0
            meta = block.leaf_meta
            bgroups = block.groups.astype(str)
            masks = {g: keep & (bgroups == g) for g in dict.fromkeys(bgroups)}
            for row, m in enumerate(meta.itertuples(index=False)):
                if m.area == "":          # bonus / deduction rows: in totals already
                    continue
                p = block.points[row]
                mp = block.max_points[row]
                pts[bpos[keep]] += p[keep]
                mx[bpos[keep]] += mp[keep]
                if m.area in tie_areas:
                    for arr, src in ((area_points, p), (area_max, mp)):
                        cur = arr[m.area][bpos[keep]]
                        arr[m.area][bpos[keep]] = np.nan_to_num(cur) + src[keep]
                for g, sel in masks.items():
                    if not sel.any():
                        continue
                    pos = bpos[sel]
                    assert (np.diff(pos) == 1).all()
                    leaves[(g, str(m.leaf))] = LeafArrays(
                        group=g, code=str(m.leaf), area=str(m.area), kind=str(m.kind),
                        cols=slice(int(pos[0]), int(pos[-1]) + 1),
                        points=p[sel].astype(float),
                        max_points=mp[sel].astype(float), leaf_max=float(m.leaf_max),
                        value=block.value[row][sel].astype(float),
                        status=statuses[block.status[row][sel]])
        bonus = totals["bonus"].fillna(0).to_numpy(float)
        deduction = totals["deduction"].fillna(0).to_numpy(float)
        indicator_keys = {}
        for k in rules.ranking.tie_break:
            key = k.lstrip("+-")
            if key not in TOTAL_KEYS and key not in tie_areas:
                indicator_keys[key] = result.indicators[key].reindex(ids).to_numpy(
                    dtype=float, na_value=np.nan)
        present = set(totals["group"].astype(str))
        groups = totals["group"].astype(str).to_numpy()
        return cls(
            result=result, agency_ids=ids, names=totals["agency"].astype(str).to_numpy(),
            groups=groups, points=pts, max_points=mx,
            adjustment=bonus - deduction, bonus=bonus, deduction=deduction,
            nominal_rank=totals["rank"].to_numpy(dtype=int),
            nominal_class=totals["class"].astype(str).to_numpy(),
            group_ids=tuple(g.id for g in rules.groups if g.id in present),
            method=rules.ranking.method, precision=rules.ranking.precision,
            tie_break=tuple(rules.ranking.tie_break),
            class_mins={g.id: tuple(c.min for c in g.classes) for g in rules.groups},
            class_labels={g.id: tuple(c.label for c in g.classes) for g in rules.groups},
            unclassified={g.id: g.unclassified for g in rules.groups},
            leaves=leaves, area_points=area_points, area_max=area_max,
            indicator_keys=indicator_keys, dropped=dropped, output_order=output_order,
            group_cols={g: slice(int(np.flatnonzero(groups == g)[0]),
                                 int(np.flatnonzero(groups == g)[-1]) + 1)
                        for g in dict.fromkeys(groups)})

    def total(self, points: np.ndarray) -> np.ndarray:
        """Total points: leaf points plus bonus minus deductions, floored at zero."""
        return np.maximum(points + self.adjustment, 0.0)

    def index(self, points: np.ndarray, max_points: np.ndarray) -> np.ndarray:
        """Index in percent (any leading run axis), as the engine computes it."""
        return index_of(self.total(points), max_points)

    def rank(self, points: np.ndarray, max_points: np.ndarray,
             area_points: dict[str, np.ndarray] | None = None,
             area_max: dict[str, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ranks, canonical index) within each group for every run.

        Parameters
        ----------
        points, max_points : ndarray, shape (runs, agencies)
        area_points, area_max : dict, optional
            Per-run area sums for the areas in the tie-break chain (nominal otherwise).
        """
        index = self.index(points, max_points)
        canon = canonical(index, self.precision)
        keys = [np.nan_to_num(canon, nan=-np.inf)]      # a run without an index ranks last
        for k in self.tie_break:
            sign = -1.0 if k.startswith("-") else 1.0
            key = k.lstrip("+-")
            if key == "index":
                arr = index
            elif key == "points":
                arr = self.total(points)
            elif key == "max_points":
                arr = max_points
            elif key in ("bonus", "deduction"):
                arr = np.broadcast_to(getattr(self, key), index.shape)
            elif key in self.area_points:
                ap = (area_points or self.area_points)[key]
                am = (area_max or self.area_max)[key]
                arr = np.broadcast_to(index_of(ap, am), index.shape)
            else:
                arr = np.broadcast_to(self.indicator_keys[key], index.shape)
            keys.append(sign * arr)
        out = np.zeros(index.shape, dtype=np.int32)
        for g in self.group_ids:
            cols = self.group_cols[g]
            out[:, cols] = rank([k[:, cols] for k in keys], self.method)
        return out, canon

    def classes(self, canon: np.ndarray) -> dict[str, np.ndarray]:
        """Class positions per group (``-> {group: (runs, n_group) int}``)."""
        return {g: class_positions(canon[:, self.group_cols[g]], self.class_mins[g])
                for g in self.group_ids}

    def class_label(self, group: str, pos: int) -> str:
        """Label of class position ``pos`` in ``group`` (the last is unclassified)."""
        labels = self.class_labels[group]
        return labels[pos] if pos < len(labels) else self.unclassified[group]

    def check_reproduces(self) -> list[str]:
        """Agencies whose reconstructed nominal rank differs from the engine's (none = ok)."""
        ranks, _ = self.rank(self.points[None, :], self.max_points[None, :])
        bad = np.flatnonzero(ranks[0] != self.nominal_rank)
        return [f"{self.agency_ids[i]}: engine rank {self.nominal_rank[i]}, "
                f"reconstructed {ranks[0][i]}" for i in bad[:5]]
