"""Ranks and classes: competition / dense / ordinal, tie-break chain, canonical precision.

Ranks are computed on the index rounded to the rule set's canonical ``precision``
(never on the two-decimal display value, which creates false ties), then on each
tie-break key in turn. Every key is "higher is better"; NaN sorts last and an agency
whose index is NaN gets no rank.

Methods (registered by name in :data:`RANK_METHODS`):

* ``competition`` ("đồng hạng"): ties share the best rank, the next rank skips (1, 2, 2, 4).
* ``dense``: ties share a rank, no gap (1, 2, 2, 3).
* ``ordinal``: every agency a distinct rank; remaining ties keep the input order.

Examples
--------
>>> rank_values([np.array([90.0, 85.0, 85.0, 70.0])], "competition").tolist()
[1.0, 2.0, 2.0, 4.0]
>>> rank_values([np.array([90.0, 85.0, 85.0, 70.0])], "dense").tolist()
[1.0, 2.0, 2.0, 3.0]
>>> rank_values([np.array([90.0, 85.0, 85.0, 70.0])], "ordinal").tolist()
[1.0, 2.0, 3.0, 4.0]
>>> classify(np.array([95.0, 80.0, 79.99, 10.0]),
...          [("Xuất sắc", 90.0), ("Tốt", 80.0), ("Khá", 70.0)], "Yếu").tolist()
['Xuất sắc', 'Tốt', 'Khá', 'Yếu']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def canonical(index: np.ndarray, precision: int) -> np.ndarray:
    """The index at the canonical precision used for ranking and classes.

    >>> canonical(np.array([89.99999996, 90.0000001]), 6).tolist()
    [90.0, 90.0]
    """
    return np.round(np.asarray(index, dtype=float), precision)


def _sorted_blocks(keys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order best-first, new-block flags in that order, valid mask)."""
    n = len(keys[0])
    cols = [np.where(np.isnan(k), -np.inf, np.asarray(k, dtype=float)) for k in keys]
    # np.lexsort sorts by the last key first, ascending: negate for "higher is better",
    # and put the input position as the least significant key (stable order).
    order = np.lexsort([np.arange(n), *(-c for c in reversed(cols))])
    if n == 0:
        return order, np.zeros(0, dtype=bool), np.zeros(0, dtype=bool)
    stacked = np.stack([c[order] for c in cols])
    new = np.ones(n, dtype=bool)
    new[1:] = np.any(stacked[:, 1:] != stacked[:, :-1], axis=0)
    valid = ~np.isnan(np.asarray(keys[0], dtype=float))
    return order, new, valid


def _competition(order: np.ndarray, new: np.ndarray) -> np.ndarray:
    pos = np.arange(1, len(order) + 1, dtype=float)
    return np.maximum.accumulate(np.where(new, pos, 0.0))


def _dense(order: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.cumsum(new).astype(float)


def _ordinal(order: np.ndarray, new: np.ndarray) -> np.ndarray:
    return np.arange(1, len(order) + 1, dtype=float)


RANK_METHODS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "competition": _competition, "dense": _dense, "ordinal": _ordinal}


def rank_values(keys: Sequence[np.ndarray], method: str = "competition") -> np.ndarray:
    """Rank agencies by ``keys`` (first key first, each higher-is-better).

    Parameters
    ----------
    keys : sequence of ndarray
        Equal-length float arrays; the first is the canonical index. NaN sorts last.
    method : {"competition", "dense", "ordinal"}

    Returns
    -------
    ndarray of float
        Rank per input position (1 = best); NaN where the first key is NaN.
    """
    if method not in RANK_METHODS:
        raise ValueError(f"unknown ranking method {method!r}; use one of "
                         + ", ".join(RANK_METHODS))
    order, new, valid = _sorted_blocks(keys)
    ranks = np.empty(len(order))
    ranks[order] = RANK_METHODS[method](order, new)
    ranks[~valid] = np.nan
    return ranks


def rank_within(group: np.ndarray, keys: Sequence[np.ndarray], method: str = "competition"
                ) -> np.ndarray:
    """:func:`rank_values` within each group at once (``group``: integer codes).

    Gives for every group what :func:`rank_values` gives on that group's rows alone,
    with one sort for all groups.

    >>> rank_within(np.array([0, 1, 0, 1, 0]),
    ...             [np.array([90.0, 50.0, 90.0, 70.0, 80.0])]).tolist()
    [1.0, 2.0, 1.0, 1.0, 3.0]
    """
    if method not in RANK_METHODS:
        raise ValueError(f"unknown ranking method {method!r}; use one of "
                         + ", ".join(RANK_METHODS))
    group = np.asarray(group)
    n = len(group)
    ranks = np.empty(n)
    if n == 0:
        return ranks
    if RANK_METHODS[method] is not {"competition": _competition, "dense": _dense,
                                    "ordinal": _ordinal}.get(method):
        for g in np.unique(group):                   # a replaced method: group by group
            sel = group == g
            ranks[sel] = rank_values([np.asarray(k)[sel] for k in keys], method)
        return ranks
    cols = [np.where(np.isnan(k), -np.inf, np.asarray(k, dtype=float)) for k in keys]
    order = np.lexsort([np.arange(n), *(-c for c in reversed(cols)), group])
    g = group[order]
    start = np.ones(n, dtype=bool)
    start[1:] = g[1:] != g[:-1]
    new = start.copy()
    for c in cols:
        sc = c[order]
        new[1:] |= sc[1:] != sc[:-1]
    at = np.arange(n)
    first = np.maximum.accumulate(np.where(start, at, 0))      # group's first position
    if method == "competition":
        last_new = np.maximum.accumulate(np.where(new, at, 0))
        r = (last_new - first + 1).astype(float)
    elif method == "dense":
        c = np.cumsum(new)
        r = (c - c[first] + 1).astype(float)
    else:
        r = (at - first + 1).astype(float)
    ranks[order] = r
    ranks[np.isnan(np.asarray(keys[0], dtype=float))] = np.nan
    return ranks


def classify(index: np.ndarray, classes: Sequence[tuple[str, float]], unclassified: str
             ) -> np.ndarray:
    """Label of the highest threshold ≤ index; ``unclassified`` below all; None if NaN.

    Parameters
    ----------
    index : ndarray
        The index (already at canonical precision).
    classes : sequence of (label, min)
        Any order.
    unclassified : str
        Label for an index below every threshold or NaN.
    """
    index = np.asarray(index, dtype=float)
    ordered = sorted(classes, key=lambda c: c[1])
    labels = np.array([unclassified, *(c[0] for c in ordered)], dtype=object)
    if not ordered:
        out = np.full(index.shape, unclassified, dtype=object)
        out[np.isnan(index)] = None
        return out
    mins = np.array([c[1] for c in ordered])
    pos = np.searchsorted(mins, np.nan_to_num(index, nan=-np.inf), side="right")
    out = labels[pos]
    out[np.isnan(index)] = None
    return out
