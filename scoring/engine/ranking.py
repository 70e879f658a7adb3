"""The index, ranks and classes: one kernel each, for one result or many runs at once.

The engine, ``compare`` and the Monte Carlo simulation all call these functions, so a
rank or a class is computed one way only.

* :func:`index_of` — ``points ÷ max × 100`` kept in [0, 100]; NaN where the max is 0.
* :func:`canonical` — the index at the rule set's canonical precision, used for ranks
  and classes (never the display value).
* :func:`rank` — ranks within groups by a chain of keys, for one row or many runs:
  ``competition`` ("đồng hạng": 1, 2, 2, 4), ``dense`` (1, 2, 2, 3), ``ordinal`` (every
  agency a distinct rank, remaining ties in input order). Every key is higher-is-better;
  NaN sorts last, and an agency whose first key is NaN gets no rank (NaN).
* :func:`class_positions` / :func:`classify` — the class by threshold.

Examples
--------
>>> rank([np.array([90.0, 85.0, 85.0, 70.0])]).tolist()
[1.0, 2.0, 2.0, 4.0]
>>> rank([np.array([90.0, 85.0, 85.0, 70.0])], "dense").tolist()
[1.0, 2.0, 2.0, 3.0]
>>> rank([np.array([90.0, 85.0, 85.0, 70.0])], "ordinal").tolist()
[1.0, 2.0, 3.0, 4.0]
>>> classify(np.array([95.0, 80.0, 79.99, 10.0]),
...          [("Xuất sắc", 90.0), ("Tốt", 80.0), ("Khá", 70.0)], "Yếu").tolist()
['Xuất sắc', 'Tốt', 'Khá', 'Yếu']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scoring.rounding import round_half_away

METHODS: tuple[str, ...] = ("competition", "dense", "ordinal")


def index_of(points: np.ndarray, max_points: np.ndarray) -> np.ndarray:
    """``points ÷ max_points × 100`` clipped to [0, 100]; NaN where the max is not > 0.

    >>> index_of(np.array([45.0, 5.0, 120.0]), np.array([50.0, 0.0, 100.0])).tolist()
    [90.0, nan, 100.0]
    """
    with np.errstate(all="ignore"):
        return np.where(max_points > 0,
                        np.clip(points / np.where(max_points > 0, max_points, 1) * 100,
                                0, 100), np.nan)


def canonical(index: np.ndarray, precision: int) -> np.ndarray:
    """The index at the canonical precision used for ranking and classes: rounded to
    ``precision`` decimals (the rule set's ``ranking.precision``, by default the two the
    published appendix shows), halves away from zero as Excel's ROUND
    (:func:`~scoring.rounding.round_half_away`). Two units that show the same index
    therefore share the rank and the class.

    >>> canonical(np.array([89.99999996, 90.0000001]), 6).tolist()
    [90.0, 90.0]
    >>> canonical(np.array([90.125, 90.115, 2.675]), 2).tolist()
    [90.13, 90.12, 2.68]
    """
    return round_half_away(np.asarray(index, dtype=float), precision)


def rank(keys: Sequence[np.ndarray], method: str = "competition",
         group: np.ndarray | None = None) -> np.ndarray:
    """Rank agencies by ``keys`` (first key first), within each ``group``.

    Parameters
    ----------
    keys : sequence of ndarray
        Equal-shape float arrays, shape ``(n,)`` or ``(runs, n)`` (each run ranked on its
        own); the first is the canonical index. Higher is better; NaN sorts last.
    method : {"competition", "dense", "ordinal"}
    group : ndarray of int, optional
        Group code per agency (shape ``(n,)``); ranks restart in each group.

    Returns
    -------
    ndarray of float
        The shape of the keys; 1 = best; NaN where the first key is NaN.

    Examples
    --------
    >>> rank([np.array([90.0, 50.0, 90.0, 70.0, 80.0])],
    ...      group=np.array([0, 1, 0, 1, 0])).tolist()
    [1.0, 2.0, 1.0, 1.0, 3.0]
    >>> rank([np.array([[3.0, 5.0, 5.0], [1.0, 2.0, 2.0]]),
    ...       np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])]).tolist()
    [[3.0, 2.0, 1.0], [3.0, 1.0, 1.0]]
    """
    if method not in METHODS:
        raise ValueError(f"unknown ranking method {method!r}; use one of "
                         + ", ".join(METHODS))
    first = np.asarray(keys[0], dtype=float)
    shape = first.shape
    cols = [np.atleast_2d(np.where(np.isnan(k), -np.inf, np.asarray(k, dtype=float)))
            for k in keys]
    runs, n = cols[0].shape
    out = np.empty((runs, n))
    if n:
        at = np.broadcast_to(np.arange(n), (runs, n))
        # stable sorts: remaining ties keep the input order
        if group is None:
            order = np.argsort(-cols[0], axis=-1, kind="stable")
            if len(cols) > 1:          # only runs with a tie in the first key need the rest
                first_sorted = np.take_along_axis(cols[0], order, axis=-1)
                tied = np.flatnonzero((first_sorted[:, 1:] == first_sorted[:, :-1]).any(axis=-1))
                if len(tied):
                    order[tied] = np.lexsort([-c[tied] for c in reversed(cols)], axis=-1)
        else:
            sort_keys = [-c for c in reversed(cols)]
            if group is not None:
                sort_keys.append(np.broadcast_to(np.asarray(group), (runs, n)))
            order = np.lexsort(sort_keys, axis=-1)
        start = np.zeros((runs, n), dtype=bool)
        start[:, 0] = True
        if group is not None:
            g = np.asarray(group)[order]
            start[:, 1:] = g[:, 1:] != g[:, :-1]
        new = start.copy()
        for c in cols:
            s = np.take_along_axis(c, order, axis=-1)
            new[:, 1:] |= s[:, 1:] != s[:, :-1]
        begin = np.maximum.accumulate(np.where(start, at, 0), axis=-1)
        if method == "competition":
            r = np.maximum.accumulate(np.where(new, at, 0), axis=-1) - begin + 1
        elif method == "dense":
            c = np.cumsum(new, axis=-1)
            r = c - np.take_along_axis(c, begin, axis=-1) + 1
        else:
            r = at - begin + 1
        np.put_along_axis(out, order, r.astype(float), axis=-1)
    out = out.reshape(shape)
    out[np.isnan(first)] = np.nan
    return out


def class_positions(index: np.ndarray, mins: Sequence[float]) -> np.ndarray:
    """Class position per value: 0 for the first (highest) class, ``len(mins)`` for none
    (below every threshold, or NaN).

    Parameters
    ----------
    index : ndarray
        The index at the canonical precision (any shape).
    mins : sequence of float
        Class thresholds from the highest to the lowest (index ≥ min earns the class).

    >>> class_positions(np.array([[79.99, 80.0, 95.0, np.nan]]), (90.0, 80.0)).tolist()
    [[2, 1, 0, 2]]
    """
    ascending = np.asarray(mins, dtype=float)[::-1]
    above = np.searchsorted(ascending, np.nan_to_num(index, nan=-np.inf), side="right")
    return (len(ascending) - above).astype(np.int16)


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
        Label for an index below every threshold.
    """
    index = np.asarray(index, dtype=float)
    ordered = sorted(classes, key=lambda c: -c[1])
    labels = np.array([*(c[0] for c in ordered), unclassified], dtype=object)
    out = labels[class_positions(index, [c[1] for c in ordered])]
    out[np.isnan(index)] = None
    return out
