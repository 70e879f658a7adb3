"""Self-assessed versus appraised points, and the survey, per unit.

A provincial decision shows, for every unit, the points it gave itself (điểm tự đánh giá),
the points the appraisal council gave (điểm thẩm định), the survey points (điểm điều tra xã
hội học), the total and the index. The engine scores with the appraised points where they
exist (self points otherwise); this module reads those figures off public engine results
and never changes them:

* the **appraised total** is the engine's total minus the survey points (so bonus and
  deductions belong to the appraisal, and ``appraised + survey = total`` exactly);
* the **survey points** add up the ledger rows of ``survey`` leaves;
* the **self-assessed total** is what the unit would have with its own points: the same
  rules scored once more on the same data with the appraised points taken out of
  ``scores.csv`` (so the engine falls back on the self points), minus the same survey
  points;
* the **differences** are the score-table rows the council appraised, with the points
  counted for the self and the appraised value (after the cap at the leaf's maximum),
  their difference and the council's reason (``note``).

Examples
--------
>>> view = compare_self(result)                                   # doctest: +SKIP
>>> view.totals.loc["so-tu-phap", ["self_points", "appraised_points", "survey_points"]]
...                                                               # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.engine import STATUSES, ScoreResult, score

LEAF_COLUMNS: tuple[str, ...] = ("agency_id", "group", "leaf", "name", "self_points",
                                 "appraised_points", "difference", "note")
_TOL = 1e-9


def _scores(ds: Dataset) -> pd.DataFrame:
    """The score table with numeric point columns (missing columns as NaN)."""
    s = ds.scores
    out = pd.DataFrame({"agency_id": s.get("agency_id", pd.Series(dtype=object)).astype(str),
                        "leaf": s.get("leaf", pd.Series(dtype=object)).astype(str)})
    for col in ("self_points", "appraised_points"):
        out[col] = pd.to_numeric(s[col], errors="coerce") if col in s else np.nan
    note = s["note"] if "note" in s else pd.Series([""] * len(s), index=s.index)
    out["note"] = note.where(note.notna(), "").astype(str)
    return out.reset_index(drop=True)


def self_assessed(ds: Dataset) -> Dataset:
    """``ds`` with the appraised points taken out of its score table.

    Scored with the same rules, every manual leaf then counts the unit's self points.

    Examples
    --------
    >>> from scoring.dataset import load_dataset                 # doctest: +SKIP
    >>> self_assessed(load_dataset("data")).scores["appraised_points"].isna().all()
    ...                                                          # doctest: +SKIP
    True
    """
    scores = ds.scores.copy()
    if "appraised_points" in scores:
        scores["appraised_points"] = np.nan
    return ds.replace(scores=scores)


def _appraised_any(ds: Dataset) -> bool:
    return bool(_scores(ds)["appraised_points"].notna().any())


@dataclass(frozen=True)
class SelfVsAppraised:
    """Self-assessed, appraised and survey points of every ranked unit.

    Attributes
    ----------
    totals : DataFrame
        Indexed by ``agency_id`` (the order of ``result.totals``): ``self_points`` (NaN
        when the unit gave no self points), ``appraised_points``, ``survey_points`` (NaN
        when no survey leaf counted for the unit), ``has_self``, ``has_survey``.
    differences : DataFrame
        ``agency_id, group, leaf, name, self_points, appraised_points, difference, note``:
        one row per appraised leaf whose counted points differ from the self points
        (``self_points`` NaN when the unit gave none), in the order of the ledger.
    """

    totals: pd.DataFrame
    differences: pd.DataFrame

    def unit_differences(self) -> pd.DataFrame:
        """Per unit with differences: ``agency_id, group, leaves, self_points,
        appraised_points, difference`` (sums over its rows), in ledger order."""
        d = self.differences
        if not len(d):
            return pd.DataFrame(columns=["agency_id", "group", "leaves", "self_points",
                                         "appraised_points", "difference"])
        g = d.groupby("agency_id", sort=False)
        out = g.agg(group=("group", "first"), leaves=("leaf", "size"),
                    self_points=("self_points", lambda s: s.sum(min_count=1)),
                    appraised_points=("appraised_points", "sum"),
                    difference=("difference", lambda s: s.sum(min_count=1)))
        return out.reset_index()


def ledger_rows(result: ScoreResult, kinds: frozenset[str]) -> pd.DataFrame:
    """The ledger rows of leaves of ``kinds``: ``agency_id, group, leaf, name, kind, points,
    max_points, status``, in ledger order.

    Read from the result's arrays (``result.blocks``), so a national ledger of a million
    rows is not materialised (with its readable ``inputs`` strings) for a few columns.
    """
    statuses = np.asarray(STATUSES, dtype=object)
    frames = []
    for b in result.blocks:
        meta = b.leaf_meta
        rows = np.flatnonzero(meta["kind"].isin(kinds).to_numpy())
        n = b.n_agencies
        if not len(rows) or not n:
            continue

        def per_leaf(col: str, rows: np.ndarray = rows, meta: pd.DataFrame = meta,
                     n: int = n) -> np.ndarray:
            return np.tile(meta[col].to_numpy(dtype=object)[rows], n)

        def cell(arr: np.ndarray, rows: np.ndarray = rows) -> np.ndarray:
            return arr[rows].T.ravel()

        frames.append(pd.DataFrame({
            "agency_id": np.repeat(b.agency_ids, len(rows)),
            "group": np.repeat(b.groups, len(rows)),
            "leaf": per_leaf("leaf"), "name": per_leaf("name"), "kind": per_leaf("kind"),
            "points": cell(b.points).astype(float),
            "max_points": cell(b.max_points).astype(float),
            "status": statuses[cell(b.status)]}))
    if not frames:
        text = pd.Series(dtype=object)
        return pd.DataFrame({"agency_id": text, "group": text, "leaf": text, "name": text,
                             "kind": text, "points": pd.Series(dtype=float),
                             "max_points": pd.Series(dtype=float), "status": text})
    return pd.concat(frames, ignore_index=True)


_FROM_SCORES = frozenset({"manual", "bonus", "deduction"})


def manual_points(ledger: pd.DataFrame, self_ledger: pd.DataFrame,
                  scores: pd.DataFrame) -> pd.DataFrame:
    """Counted self and appraised points of the ledger rows fed by the score table.

    Parameters
    ----------
    ledger, self_ledger : DataFrame
        Ledger rows (same agencies and leaves) scored with the data as it is and with
        the appraised points taken out (:func:`self_assessed`).
    scores : DataFrame
        The score table (numeric ``self_points``, ``appraised_points``, ``note``).

    Returns
    -------
    DataFrame
        One row per ledger row with a score-table entry: :data:`LEAF_COLUMNS`;
        ``appraised_points`` NaN where the council gave none, ``self_points`` NaN where
        the unit gave none; ``difference`` = appraised − self (NaN if either is).
    """
    keys = ["agency_id", "leaf"]
    rows = ledger[["agency_id", "group", "leaf", "name", "points"]].reset_index(drop=True)
    rows = rows.merge(scores[[*keys, "self_points", "appraised_points", "note"]]
                      .drop_duplicates(keys), on=keys, how="inner", sort=False)
    selfs = self_ledger[[*keys, "points", "status"]].rename(
        columns={"points": "self_counted", "status": "self_status"})
    rows = rows.merge(selfs, on=keys, how="left", sort=False)
    appraised = np.where(rows["appraised_points"].notna(), rows["points"], np.nan)
    own = np.where(rows["self_points"].notna() & rows["self_status"].ne("missing"),
                   rows["self_counted"], np.nan)
    out = pd.DataFrame({
        "agency_id": rows["agency_id"], "group": rows["group"], "leaf": rows["leaf"],
        "name": rows["name"], "self_points": own.astype(float),
        "appraised_points": appraised.astype(float)})
    out["difference"] = out["appraised_points"] - out["self_points"]
    out["note"] = rows["note"].to_numpy()
    return out[list(LEAF_COLUMNS)]


def compare_self(result: ScoreResult, self_result: ScoreResult | None = None
                 ) -> SelfVsAppraised:
    """Self-assessed vs appraised vs survey points for every ranked unit of ``result``.

    Parameters
    ----------
    result : ScoreResult
        The engine's result (appraised points where given).
    self_result : ScoreResult, optional
        The same rules scored on :func:`self_assessed` data; made here when not given
        (not needed, and not made, when nothing is appraised).

    Returns
    -------
    SelfVsAppraised
    """
    ds = result.dataset
    scores = _scores(ds)
    if self_result is None:
        self_result = (score(result.rules, self_assessed(ds), indicators=result.indicators)
                       if _appraised_any(ds) else result)
    totals = result.totals
    survey = ledger_rows(result, frozenset({"survey"})).groupby("agency_id", sort=False).agg(
        points=("points", "sum"), max_points=("max_points", "sum"))
    survey = survey.reindex(totals.index)
    has_survey = survey["max_points"].fillna(0).to_numpy() > 0
    survey_pts = np.where(has_survey, survey["points"].fillna(0).to_numpy(), np.nan)
    points = totals["points"].to_numpy(dtype=float)
    self_points = self_result.totals["points"].reindex(totals.index).to_numpy(dtype=float)
    gave = set(scores.loc[scores["self_points"].notna(), "agency_id"])
    has_self = np.array([a in gave for a in totals.index], dtype=bool)
    off = np.nan_to_num(survey_pts)
    frame = pd.DataFrame({
        "self_points": np.where(has_self, self_points - off, np.nan),
        "appraised_points": points - off,
        "survey_points": survey_pts,
        "has_self": has_self, "has_survey": has_survey}, index=totals.index)
    frame.index.name = "agency_id"
    if scores["appraised_points"].notna().any():
        leaves = manual_points(ledger_rows(result, _FROM_SCORES),
                               ledger_rows(self_result, _FROM_SCORES), scores)
        appraised = leaves["appraised_points"].notna()
        differs = leaves["self_points"].isna() | (leaves["difference"].abs() > _TOL)
        diffs = leaves[appraised & differs].reset_index(drop=True)
    else:
        diffs = pd.DataFrame(columns=list(LEAF_COLUMNS))
    return SelfVsAppraised(frame, diffs)


def agency_manual_points(result: ScoreResult, agency_id: str) -> pd.DataFrame:
    """:func:`manual_points` of one agency (for ``cchc explain``), without the whole ledger.

    Returns
    -------
    DataFrame
        :data:`LEAF_COLUMNS`, one row per leaf of the agency with a score-table entry.
    """
    ds = result.dataset
    scores = _scores(ds)
    scores = scores[scores["agency_id"] == agency_id]
    rows = result.agency_ledger(agency_id)
    if not len(scores):
        return pd.DataFrame(columns=list(LEAF_COLUMNS))
    if scores["appraised_points"].notna().any():
        own = ds.replace(scores=ds.scores[ds.scores["agency_id"].astype(str) == agency_id])
        self_rows = score(result.rules, self_assessed(own),
                          indicators=result.indicators).agency_ledger(agency_id)
    else:
        self_rows = rows
    return manual_points(rows, self_rows, scores)
