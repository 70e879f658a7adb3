"""Compare two score results: two rule sets on one dataset, or one rule set on two datasets.

For every agency: points, index, rank and class under A and under B and the differences;
the leaves that caused the points difference (per-leaf differences that add up to the
total difference); per group the rank correlation (Spearman and Kendall, on the agencies
ranked under both) and the agencies that change class.

Sign convention: every difference is **B − A**. ``rank_shift = rank_b − rank_a``, so a
positive shift means the agency sits lower (a larger rank number) under B.

Examples
--------
>>> # cmp = compare(score(rules_a, ds), score(rules_b, ds))
>>> # cmp.agencies[["points_a", "points_b", "rank_a", "rank_b", "rank_shift"]]
>>> # cmp.leaf_diff(agency_id)        # the leaves behind one agency's difference
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from scoring.i18n import _

FLOOR_LEAF = "(sàn 0)"
"""The ``leaf`` code of the row that carries the floor at zero (a code: the same in every
language, as the leaf codes are)."""
TOP_LEAVES = 3
"""How many leaves the ``leaves`` text of a unit names (the largest differences first)."""
AGENCY_COLUMNS = ("agency", "group", "points_a", "points_b", "points_diff", "index_a",
                  "index_b", "index_diff", "rank_a", "rank_b", "rank_shift", "class_a",
                  "class_b", "class_changed", "leaves")


@dataclass(frozen=True)
class Comparison:
    """The differences between two score results (B − A).

    Attributes
    ----------
    agencies : DataFrame
        Indexed by ``agency_id``: ``agency, group, points_a, points_b, points_diff,
        index_a, index_b, index_diff, rank_a, rank_b, rank_shift, class_a, class_b,
        class_changed, leaves`` (``leaves``: the largest per-leaf differences, readable).
        An agency ranked under only one side has NaN on the other.
    leaves : DataFrame
        One row per (agency, leaf) whose points differ: ``agency_id, group, leaf, name,
        points_a, points_b, diff``. Per agency the ``diff`` add up to ``points_diff``
        (a row ``(sàn 0)`` carries the effect of the floor at zero, when it applies).
    groups : DataFrame
        Per group: ``agencies, spearman, spearman_p, kendall, kendall_p,
        mean_abs_rank_shift, max_abs_rank_shift, class_changes``.
    label_a, label_b : str
        What A and B are (rule-set ids or dataset names).
    """

    agencies: pd.DataFrame
    leaves: pd.DataFrame
    groups: pd.DataFrame
    label_a: str = "A"
    label_b: str = "B"
    group_names: dict[str, str] = field(default_factory=dict)

    def replace(self, **changes: Any) -> Comparison:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)

    def leaf_diff(self, agency_id: str) -> pd.DataFrame:
        """The per-leaf differences of one agency, largest first."""
        rows = self.leaves[self.leaves["agency_id"] == agency_id]
        return rows.reindex(rows["diff"].abs().sort_values(ascending=False).index)

    @property
    def class_changes(self) -> pd.DataFrame:
        """Agencies whose class differs between A and B."""
        return self.agencies[self.agencies["class_changed"]]


def _positions(result: Any) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Every agency of ``result``'s blocks: its id (an index), block number and column."""
    ids = [b.agency_ids for b in result.blocks]
    block = np.repeat(np.arange(len(ids)), [len(x) for x in ids])
    column = np.concatenate([np.arange(len(x)) for x in ids]) if ids else np.zeros(0, int)
    index = pd.Index(np.concatenate(ids).astype(str) if ids else np.zeros(0, str))
    return index, block, column


def _row_keys(meta: tuple[tuple[Any, ...], ...]) -> list[tuple[str, int]]:
    """A block's rows as ``(leaf code, occurrence)`` (codes are unique in a tree; an
    adjustment that shares a leaf's code is told apart by its order)."""
    seen: dict[str, int] = {}
    keys = []
    for row in meta:
        code = str(row[2])
        keys.append((code, seen.get(code, 0)))
        seen[code] = seen.get(code, 0) + 1
    return keys


def _leaf_differences(a: Any, b: Any, ids: pd.Index) -> tuple[pd.DataFrame, np.ndarray]:
    """Per-leaf differences B − A of the agencies ``ids`` (scored on both sides).

    Works on the ledger arrays block pair by block pair: the agencies scored by tree
    ``i`` under A and tree ``j`` under B are compared on the union of the two trees'
    leaves (a leaf missing on one side counts 0 there). Returns the rows whose difference
    is not 0 (``agency_id, group, leaf, name, points_a, points_b, diff``, in no
    particular order) and, per agency of ``ids``, the sum of all its differences.
    """
    index_a, block_a, col_a = _positions(a)
    index_b, block_b, col_b = _positions(b)
    pos_a, pos_b = index_a.get_indexer(ids), index_b.get_indexer(ids)
    sums = np.zeros(len(ids))
    frames = []
    pair = block_a[pos_a] * max(len(b.blocks), 1) + block_b[pos_b]
    for code in np.unique(pair):
        sel = np.flatnonzero(pair == code)
        ba, bb = a.blocks[block_a[pos_a[sel[0]]]], b.blocks[block_b[pos_b[sel[0]]]]
        ca, cb = col_a[pos_a[sel]], col_b[pos_b[sel]]
        keys_a, keys_b = _row_keys(ba.meta), _row_keys(bb.meta)
        union = list(dict.fromkeys(keys_a + keys_b))
        at = {k: i for i, k in enumerate(union)}
        rows_a = np.array([at[k] for k in keys_a], dtype=np.intp)
        rows_b = np.array([at[k] for k in keys_b], dtype=np.intp)
        pa = np.full((len(union), len(sel)), np.nan)
        pb = np.full((len(union), len(sel)), np.nan)
        pa[rows_a] = ba.points[:, ca]
        pb[rows_b] = bb.points[:, cb]
        diff = np.where(np.isnan(pb), 0.0, pb) - np.where(np.isnan(pa), 0.0, pa)
        sums[sel] = diff.sum(axis=0)
        r, c = np.nonzero(np.abs(diff) > 1e-12)
        if not len(r):
            continue
        in_a = np.zeros(len(union), bool)
        in_a[rows_a] = True
        in_b = np.zeros(len(union), bool)
        in_b[rows_b] = True
        names_a = np.empty(len(union), dtype=object)
        names_a[rows_a] = [str(m[3]) for m in ba.meta]
        names_b = np.empty(len(union), dtype=object)
        names_b[rows_b] = [str(m[3]) for m in bb.meta]
        codes = np.array([k[0] for k in union], dtype=object)
        group_a, group_b = ba.groups[ca[c]].astype(str), bb.groups[cb[c]].astype(str)
        frames.append(pd.DataFrame({
            "agency_id": ids[sel][c].to_numpy(dtype=object),
            "group": np.where(in_a[r], group_a, group_b).astype(object),
            "leaf": codes[r], "name": np.where(in_b[r], names_b[r], names_a[r]),
            "points_a": pa[r, c], "points_b": pb[r, c], "diff": diff[r, c]}))
    columns = ["agency_id", "group", "leaf", "name", "points_a", "points_b", "diff"]
    leaves = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {k: pd.Series(dtype=float if k in ("points_a", "points_b", "diff") else object)
         for k in columns})
    return leaves, sums


def _beta_inc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b) (continued fraction, Lentz)."""
    if x <= 0 or x >= 1:
        return 0.0 if x <= 0 else 1.0
    if x > (a + 1) / (a + b + 2):
        return 1.0 - _beta_inc(b, a, 1 - x)
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log(1 - x)) / a
    f, c, d = 1.0, 1.0, 0.0
    for i in range(400):
        m = i // 2
        if i == 0:
            num = 1.0
        elif i % 2:
            num = -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1))
        else:
            num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1.0 + num * d
        d = 1e-300 if abs(d) < 1e-300 else d
        c = 1.0 + num / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1.0 / d
        f *= c * d
        if abs(1.0 - c * d) < 1e-14:
            break
    return front * (f - 1.0)


def _tie_pairs(x: np.ndarray) -> tuple[float, float, float]:
    """Σ t(t−1)/2, Σ t(t−1)(2t+5) and Σ t(t−1)(t−2) over the tie groups of ``x``."""
    t = np.unique(x, return_counts=True)[1].astype(float)
    return (float((t * (t - 1) / 2).sum()), float((t * (t - 1) * (2 * t + 5)).sum()),
            float((t * (t - 1) * (t - 2)).sum()))


def _inversions(y: np.ndarray) -> int:
    """How many pairs i < j have ``y[i] > y[j]`` (integers ≥ 0): a bottom-up merge sort,
    each level counted for all block pairs at once with one ``searchsorted``.

    >>> _inversions(np.array([3, 1, 2, 2, 0]))
    7
    """
    y = np.asarray(y, dtype=np.int64)
    n = len(y)
    span = int(y.max()) + 1 if n else 1
    count, width, pos = 0, 1, np.arange(n)
    while width < n:
        pair = pos // (2 * width)
        right = (pos // width) % 2 == 1
        key = pair * span + y                  # each block sorted, pairs in order
        left = key[~right]
        ends = np.searchsorted(left, (pair[right] + 1) * span, side="left")
        count += int((ends - np.searchsorted(left, key[right], side="right")).sum())
        y = np.sort(key) - pair * span         # merge each pair of blocks
        width *= 2
    return count


def _kendall_s(a: np.ndarray, b: np.ndarray) -> float:
    """Σ sign(a_j − a_i)·sign(b_j − b_i) over pairs i < j, in O(n log n) (Knight):
    pairs − ties in a − ties in b + ties in both − 2 × discordant pairs, the discordant
    pairs being the inversions of ``b`` sorted by (a, b).

    >>> _kendall_s(np.array([1., 2, 3, 4, 5]), np.array([2., 1, 4, 3, 5]))
    6.0
    """
    n = len(a)
    order = np.lexsort((b, a))
    a_s, b_s = a[order], b[order]
    dense_b = np.unique(b_s, return_inverse=True)[1]
    ties_a = _tie_pairs(a)[0]
    ties_b = _tie_pairs(b)[0]
    joint = np.r_[True, (a_s[1:] != a_s[:-1]) | (b_s[1:] != b_s[:-1])]
    runs = np.diff(np.r_[np.flatnonzero(joint), n]).astype(float)
    ties_ab = float((runs * (runs - 1) / 2).sum())
    pairs = n * (n - 1) / 2
    return float(pairs - ties_a - ties_b + ties_ab - 2 * _inversions(dense_b))


def correlations(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """(Spearman ρ, p, Kendall τ-b, p) of two rank vectors (two-sided p: Student t with
    n − 2 degrees of freedom for ρ; the normal approximation with tie correction for τ).
    Identical ranks → 1, p 0; fewer than two → NaN.

    >>> [round(v, 4) for v in correlations(np.array([1., 2, 3, 4, 5]),
    ...                                    np.array([2., 1, 4, 3, 5]))]
    [0.8, 0.1041, 0.6, 0.1416]
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    n = len(a)
    if n < 2:
        return (np.nan,) * 4
    if np.array_equal(a, b):
        return 1.0, 0.0, 1.0, 0.0
    # ranks 1…n, ties sharing their average rank, centred
    ra, rb = (pd.Series(v).rank().to_numpy() - (n + 1) / 2 for v in (a, b))
    den = math.sqrt(float(ra @ ra) * float(rb @ rb))
    rho = float(ra @ rb) / den if den else np.nan
    if n > 2 and abs(rho) < 1:
        df = n - 2
        t2 = rho * rho * df / (1 - rho * rho)
        rho_p = _beta_inc(df / 2, 0.5, df / (df + t2))
    else:
        rho_p = 0.0 if n > 2 else np.nan
    s = _kendall_s(a, b)                        # Σ sign(Δa)·sign(Δb) over pairs i < j
    n0 = n * (n - 1) / 2
    (n1, v1a, w1a), (n2, v1b, w1b) = _tie_pairs(a), _tie_pairs(b)
    den = math.sqrt((n0 - n1) * (n0 - n2))
    tau = s / den if den else np.nan
    var = ((n * (n - 1) * (2 * n + 5) - v1a - v1b) / 18
           + (2 * n1) * (2 * n2) / (2 * n * (n - 1))
           + (w1a * w1b / (9 * n * (n - 1) * (n - 2)) if n > 2 else 0.0))
    tau_p = math.erfc(abs(s) / math.sqrt(2 * var)) if var > 0 else np.nan
    return float(rho), float(rho_p), float(tau), float(tau_p)


def leaf_changes_text(leaves: pd.DataFrame, number: Callable[[float], str],
                      top: int = TOP_LEAVES) -> dict[str, str]:
    """Per unit, its ``top`` largest per-leaf differences as one text: ``7.2.1: +0.75; …``.

    The one wording of the ``leaves`` column: plain numbers for machines (``compare``'s
    own column, its CSV), or the reader's (``number=lambda d: format_number(d, None,
    signed=True)``) in a table, the workbook or the web page.

    Parameters
    ----------
    leaves : DataFrame
        :attr:`Comparison.leaves` (or a part of it): ``agency_id, leaf, diff``, each unit's
        rows largest difference first.
    number : callable
        Writes one signed difference.
    top : int
        How many leaves per unit.

    Examples
    --------
    >>> rows = pd.DataFrame({"agency_id": ["a", "a", "b"], "leaf": ["7.2.1", "3.1", "7.2.1"],
    ...                      "diff": [0.75, -0.5, 1.0]})
    >>> leaf_changes_text(rows, lambda d: f"{d:+.4g}")
    {'a': '7.2.1: +0.75; 3.1: -0.5', 'b': '7.2.1: +1'}
    """
    rows = leaves.groupby("agency_id", sort=False).head(top)
    text: dict[str, list[str]] = {}
    for aid, leaf, diff in zip(rows["agency_id"], rows["leaf"], rows["diff"], strict=True):
        text.setdefault(str(aid), []).append(f"{leaf}: {number(float(diff))}")
    return {k: "; ".join(v) for k, v in text.items()}


def compare(a: Any, b: Any, *, label_a: str | None = None, label_b: str | None = None,
            top_leaves: int = TOP_LEAVES) -> Comparison:
    """Compare two score results (B − A).

    Parameters
    ----------
    a, b : scoring.engine.ScoreResult
        Two rule sets on one dataset, or one rule set on two datasets.
    label_a, label_b : str, optional
        Names for A and B (default: rule-set id, or dataset name when the rule sets are
        the same).
    top_leaves : int
        How many leaves the readable ``leaves`` column of :attr:`Comparison.agencies`
        lists per agency.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> # c = compare(score(rules, ds), score(rules.replace(...), ds))
    >>> # c.groups[["spearman", "kendall"]]
    """
    same_rules = a.rules.content_hash == b.rules.content_hash and a.rules.id == b.rules.id
    label_a = label_a or (a.dataset.name if same_rules else a.rules.id)
    label_b = label_b or (b.dataset.name if same_rules else b.rules.id)
    ta, tb = a.totals, b.totals
    cols = ["agency", "group", "points", "index", "rank", "class"]
    m = ta[cols].join(tb[cols], how="outer", lsuffix="_a", rsuffix="_b")
    order = ta.index.append(tb.index[~tb.index.isin(ta.index)])
    m = m.reindex(order)
    out = pd.DataFrame(index=pd.Index(m.index.astype(str), name="agency_id"))
    out["agency"] = m["agency_a"].fillna(m["agency_b"]).to_numpy()
    out["group"] = m["group_a"].fillna(m["group_b"]).to_numpy()
    for k in ("points", "index"):
        out[f"{k}_a"] = m[f"{k}_a"].astype(float).to_numpy()
        out[f"{k}_b"] = m[f"{k}_b"].astype(float).to_numpy()
        out[f"{k}_diff"] = out[f"{k}_b"] - out[f"{k}_a"]
    out["rank_a"] = m["rank_a"].astype("Int64").to_numpy()
    out["rank_b"] = m["rank_b"].astype("Int64").to_numpy()
    out["rank_shift"] = out["rank_b"] - out["rank_a"]
    out["class_a"] = m["class_a"].to_numpy()
    out["class_b"] = m["class_b"].to_numpy()
    out["class_changed"] = (out["class_a"].notna() & out["class_b"].notna()
                            & (out["class_a"] != out["class_b"])).astype(bool)

    # per-leaf differences; every agency's add up to its points difference
    both = out["points_a"].notna() & out["points_b"].notna()
    leaves, total = _leaf_differences(a, b, out.index[both])
    sums = pd.Series(total, index=out.index[both])
    rest = out.loc[both, "points_diff"] - sums
    floor = rest[rest.abs() > 1e-9]
    if len(floor):
        leaves = pd.concat([leaves, pd.DataFrame({
            "agency_id": floor.index, "group": out.loc[floor.index, "group"].to_numpy(),
            "leaf": FLOOR_LEAF, "name": _("total points floored at zero"), "points_a": np.nan,
            "points_b": np.nan, "diff": floor.to_numpy()})], ignore_index=True)
    leaves = leaves[leaves["diff"].abs() > 1e-12]
    leaves = leaves[["agency_id", "group", "leaf", "name", "points_a", "points_b", "diff"]]
    leaves = leaves.assign(_o=leaves["agency_id"].map({k: i for i, k in enumerate(out.index)}),
                           _d=-leaves["diff"].abs())
    leaves = leaves.sort_values(["_o", "_d", "leaf"], kind="stable").drop(columns=["_o", "_d"])
    leaves = leaves.reset_index(drop=True)
    text = leaf_changes_text(leaves, lambda d: f"{d:+.4g}", top_leaves)
    out["leaves"] = np.array([text.get(aid, "") for aid in out.index], dtype=object)

    rows = []
    group_order = [g.id for g in a.rules.groups] + [g.id for g in b.rules.groups]
    for g in dict.fromkeys(group_order):
        sel = out[(out["group"] == g) & out["rank_a"].notna() & out["rank_b"].notna()]
        if not len(sel):
            continue
        rho, rho_p, tau, tau_p = correlations(sel["rank_a"].astype(float),
                                               sel["rank_b"].astype(float))
        shift = sel["rank_shift"].astype(float).abs()
        rows.append({"group": g, "agencies": len(sel), "spearman": rho, "spearman_p": rho_p,
                     "kendall": tau, "kendall_p": tau_p,
                     "mean_abs_rank_shift": float(shift.mean()),
                     "max_abs_rank_shift": int(shift.max()),
                     "class_changes": int(sel["class_changed"].sum())})
    groups = pd.DataFrame(rows, columns=["group", "agencies", "spearman", "spearman_p",
                                         "kendall", "kendall_p", "mean_abs_rank_shift",
                                         "max_abs_rank_shift", "class_changes"])
    return Comparison(agencies=out[list(AGENCY_COLUMNS)], leaves=leaves,
                      groups=groups.set_index("group"), label_a=label_a, label_b=label_b,
                      group_names={**{g.id: g.name for g in b.rules.groups},
                                   **{g.id: g.name for g in a.rules.groups}})
