"""The result of scoring: the ledger (agency × leaf), areas and totals.

The ledger is held as arrays, one :class:`LedgerBlock` per tree (leaves × agencies);
``areas`` and ``totals`` are aggregations of those arrays, and :attr:`ScoreResult.ledger`
materialises them as a DataFrame (with the readable ``inputs`` strings) on first access.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.engine.leaves import STATUSES, fmt
from scoring.rules.model import RuleSet

LEDGER_COLUMNS: tuple[str, ...] = (
    "agency_id", "group", "area", "criterion", "leaf", "name", "kind", "component", "inputs",
    "value", "rule", "points", "max_points", "leaf_max", "status")
TOTALS_COLUMNS: tuple[str, ...] = ("agency", "group", "points", "max_points", "index", "rank",
                                   "class", "bonus", "deduction")
META_COLUMNS: tuple[str, ...] = ("area", "criterion", "leaf", "name", "kind", "component",
                                 "leaf_max")
@dataclass(frozen=True, eq=False)
class LedgerBlock:
    """One tree's ledger: rows = leaves (then adjustments), columns = agencies.

    Attributes
    ----------
    tree : str
    agency_ids, groups : ndarray of object (n)
    meta : tuple of tuple
        One ``(area, criterion, leaf, name, kind, component, leaf_max)`` per row
        (adjustments have an empty area); :attr:`leaf_meta` is the same as a DataFrame.
    value, points, max_points : ndarray (L × n) of float
    status, rule : ndarray (L × n) of int
        Codes into :data:`~scoring.engine.leaves.STATUSES` and ``rule_labels``.
    rule_labels : tuple of str
    inputs : tuple of dict
        Per leaf, the inputs it read (name → array of n).
    """

    tree: str
    agency_ids: np.ndarray
    groups: np.ndarray
    meta: tuple[tuple[str, str, str, str, str, str, float], ...]
    value: np.ndarray
    points: np.ndarray
    max_points: np.ndarray
    status: np.ndarray
    rule: np.ndarray
    rule_labels: tuple[str, ...]
    inputs: tuple[dict[str, np.ndarray], ...]

    @property
    def n_agencies(self) -> int:
        return len(self.agency_ids)

    @cached_property
    def leaf_meta(self) -> pd.DataFrame:
        """One row per leaf/adjustment: ``area, criterion, leaf, name, kind, component,
        leaf_max`` (adjustments have an empty area)."""
        return pd.DataFrame(list(self.meta), columns=list(META_COLUMNS))

    def _inputs_text(self, cols: np.ndarray) -> np.ndarray:
        """Readable ``name=value; …`` strings, shape (L × len(cols))."""
        out = np.empty((len(self.meta), len(cols)), dtype=object)
        for i, inputs in enumerate(self.inputs):
            parts = [[f"{name}={'—' if np.isnan(v) else fmt(v)}" for v in arr[cols]]
                     for name, arr in inputs.items()]
            out[i, :] = ["; ".join(p) for p in zip(*parts, strict=True)] if parts \
                else [""] * len(cols)
        return out

    def frame(self, cols: np.ndarray | None = None) -> pd.DataFrame:
        """Ledger rows for agencies ``cols`` (positions; all by default), agency-major."""
        cols = np.arange(self.n_agencies) if cols is None else np.asarray(cols)
        n_l, n_a = len(self.meta), len(cols)
        meta = self.leaf_meta

        def per_leaf(name: str) -> np.ndarray:
            return np.tile(meta[name].to_numpy(dtype=object), n_a)

        def cell(arr: np.ndarray) -> np.ndarray:
            return arr[:, cols].T.ravel()

        labels = np.asarray(self.rule_labels, dtype=object)
        statuses = np.asarray(STATUSES, dtype=object)
        data: dict[str, Any] = {
            "agency_id": np.repeat(self.agency_ids[cols], n_l),
            "group": np.repeat(self.groups[cols], n_l),
            "area": per_leaf("area"), "criterion": per_leaf("criterion"),
            "leaf": per_leaf("leaf"), "name": per_leaf("name"), "kind": per_leaf("kind"),
            "component": per_leaf("component"),
            "inputs": self._inputs_text(cols).T.ravel(),
            "value": cell(self.value), "rule": labels[cell(self.rule)],
            "points": cell(self.points), "max_points": cell(self.max_points),
            "leaf_max": np.tile(meta["leaf_max"].to_numpy(dtype=float), n_a),
            "status": statuses[cell(self.status)],
        }
        return pd.DataFrame(data, columns=list(LEDGER_COLUMNS))


@dataclass(frozen=True, eq=False)
class TreeTotals:
    """Per-agency sums, ranks and classes of one tree, aligned with its block's agencies.

    :attr:`ScoreResult.totals` and :attr:`ScoreResult.areas` are built from these arrays
    on first access.

    Attributes
    ----------
    names : ndarray of object
        Agency names (the agency id where the dataset has no name).
    points, max_points, index, rank, bonus, deduction : ndarray of float
        ``rank`` is NaN where the agency has no index.
    klass : ndarray of object
        Class labels (None where no index).
    group_order : ndarray of int
        Position of each agency's group in the rule set's groups.
    area_codes, area_names : tuple of str
    area_points, area_max, area_index : ndarray (areas × agencies)
    """

    names: np.ndarray
    points: np.ndarray
    max_points: np.ndarray
    index: np.ndarray
    rank: np.ndarray
    klass: np.ndarray
    bonus: np.ndarray
    deduction: np.ndarray
    group_order: np.ndarray
    area_codes: tuple[str, ...]
    area_names: tuple[str, ...]
    area_points: np.ndarray
    area_max: np.ndarray
    area_index: np.ndarray


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """Everything scoring produced; reports, explain and simulate read only this.

    Attributes
    ----------
    rules : RuleSet
    dataset : Dataset
    indicators : DataFrame
        The indicators used (index ``agency_id``).
    blocks : tuple of LedgerBlock
        The ledger as arrays, one block per tree.
    sums : tuple of TreeTotals
        Totals, ranks, classes and area sums as arrays, one per block.
    areas : DataFrame
        ``agency_id, group, area, name, points, max_points, index`` (index in percent);
        built from ``sums`` on first access.
    totals : DataFrame
        Indexed by ``agency_id``: ``agency, group, points, max_points, index, rank, class,
        bonus, deduction``; sorted by group order then rank. ``index`` is in percent,
        unrounded; ``rank`` is by the rule set's method at its canonical precision.
        Built from ``sums`` on first access.

    Examples
    --------
    >>> result = score(rules, ds)                                   # doctest: +SKIP
    >>> result.totals.loc["so-du-lich", ["index", "rank"]]          # doctest: +SKIP
    """

    rules: RuleSet
    dataset: Dataset
    indicators: pd.DataFrame
    blocks: tuple[LedgerBlock, ...]
    sums: tuple[TreeTotals, ...]

    @cached_property
    def totals(self) -> pd.DataFrame:
        """Totals per agency (see the class attributes)."""
        frames = [pd.DataFrame({
            "agency": t.names, "group": b.groups, "points": t.points,
            "max_points": t.max_points, "index": t.index, "rank": t.rank, "class": t.klass,
            "bonus": t.bonus, "deduction": t.deduction, "_g": t.group_order,
            "_o": np.arange(b.n_agencies)}, index=pd.Index(b.agency_ids, name="agency_id"))
            for b, t in zip(self.blocks, self.sums, strict=True)]
        totals = pd.concat(frames) if frames else pd.DataFrame(
            columns=[*TOTALS_COLUMNS, "_g", "_o"])
        totals = totals.sort_values(["_g", "rank", "_o"], na_position="last", kind="stable")
        totals = totals.drop(columns=["_g", "_o"])
        totals["rank"] = totals["rank"].astype("Int64")
        totals.index.name = "agency_id"
        return totals

    @cached_property
    def areas(self) -> pd.DataFrame:
        """Area sums per agency (see the class attributes)."""
        frames = []
        for b, t in zip(self.blocks, self.sums, strict=True):
            n = b.n_agencies
            frames.append(pd.DataFrame({
                "agency_id": np.tile(b.agency_ids, len(t.area_codes)),
                "group": np.tile(b.groups, len(t.area_codes)),
                "area": np.repeat(np.asarray(t.area_codes, dtype=object), n),
                "name": np.repeat(np.asarray(t.area_names, dtype=object), n),
                "points": t.area_points.ravel(), "max_points": t.area_max.ravel(),
                "index": t.area_index.ravel()}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """One row per (ranked agency, leaf of its tree, adjustment): see ``LEDGER_COLUMNS``.

        ``points`` of an agency's rows add up to its total before the floor at zero;
        deductions are negative rows, bonuses positive, both with ``max_points`` 0.
        """
        frames = [b.frame() for b in self.blocks]
        if not frames:
            return pd.DataFrame(columns=list(LEDGER_COLUMNS))
        return pd.concat(frames, ignore_index=True)

    def agency_ledger(self, agency_id: str) -> pd.DataFrame:
        """The ledger rows of one agency (without materialising the whole ledger)."""
        for b in self.blocks:
            pos = np.flatnonzero(b.agency_ids == agency_id)
            if len(pos):
                return b.frame(pos).reset_index(drop=True)
        raise KeyError(agency_id)

    def replace(self, **changes: Any) -> ScoreResult:
        """Copy with some fields replaced."""
        return replace(self, **changes)
