"""Indicators: the per-agency numbers rule files score, derived from a dataset.

:func:`derive_indicators` turns the dossier counts and the task list into one row per
agency (every agency of ``ds.agencies``, in file order) and one float column per
indicator. A rate whose denominator is zero or missing is NaN (not applicable), never an
error. :data:`INDICATORS` names each indicator with its Vietnamese label and unit, for
did-you-mean messages and report headings.

Examples
--------
>>> INDICATORS["on_time_rate"].label
'Tỷ lệ hồ sơ giải quyết đúng hạn'
>>> label, unit, description = INDICATORS["tasks_led"]
>>> unit
'nhiệm vụ'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple

import numpy as np
import pandas as pd

from scoring.dataset import COUNT_COLUMNS, TASK_STATUSES, Dataset


class Indicator(NamedTuple):
    """What an indicator is: Vietnamese label, unit, and how it is computed."""

    label: str
    unit: str
    description: str


_DOSSIER = "hồ sơ"
_TASK = "nhiệm vụ"
_PCT = "%"

INDICATORS: Mapping[str, Indicator] = MappingProxyType({
    "received": Indicator("Hồ sơ tiếp nhận", _DOSSIER, "dossiers received (dossiers.csv)"),
    "resolved": Indicator("Hồ sơ đã giải quyết", _DOSSIER, "dossiers resolved"),
    "resolved_on_time": Indicator("Hồ sơ giải quyết đúng hạn", _DOSSIER,
                                  "dossiers resolved on time"),
    "resolved_late": Indicator("Hồ sơ giải quyết trễ hạn", _DOSSIER, "dossiers resolved late"),
    "pending": Indicator("Hồ sơ đang giải quyết", _DOSSIER, "dossiers still being processed"),
    "pending_on_time": Indicator("Hồ sơ đang giải quyết trong hạn", _DOSSIER,
                                 "dossiers being processed, within the time limit"),
    "pending_late": Indicator("Hồ sơ đang giải quyết quá hạn", _DOSSIER,
                              "dossiers being processed, past the time limit"),
    "late": Indicator("Hồ sơ trễ hạn", _DOSSIER, "late dossiers (resolved late + overdue)"),
    "online": Indicator("Hồ sơ trực tuyến", _DOSSIER, "dossiers submitted online"),
    "online_eligible": Indicator("Tổng số hồ sơ phát sinh (thuộc diện trực tuyến)", _DOSSIER,
                                 "dossiers of procedures offered online"),
    "on_time_rate": Indicator("Tỷ lệ hồ sơ giải quyết đúng hạn", _PCT,
                              "resolved_on_time / resolved × 100"),
    "late_rate": Indicator("Tỷ lệ hồ sơ trễ hạn", _PCT, "late / (resolved + pending) × 100"),
    "online_rate": Indicator("Tỷ lệ hồ sơ trực tuyến", _PCT, "online / online_eligible × 100"),
    "pending_overdue_rate": Indicator("Tỷ lệ hồ sơ đang giải quyết quá hạn", _PCT,
                                      "pending_late / pending × 100"),
    "tasks_led": Indicator("Nhiệm vụ được giao chủ trì", _TASK,
                           "tasks whose lead_agency_ids contain the agency"),
    "tasks_done_on_time": Indicator("Nhiệm vụ hoàn thành đúng hạn", _TASK,
                                    "led tasks with status done_on_time"),
    "tasks_done_late": Indicator("Nhiệm vụ hoàn thành trễ hạn", _TASK,
                                 "led tasks with status done_late"),
    "tasks_not_done": Indicator("Nhiệm vụ chưa hoàn thành", _TASK,
                                "led tasks with status not_done"),
    "tasks_in_progress": Indicator("Nhiệm vụ đang triển khai", _TASK,
                                   "led tasks with status in_progress"),
    "tasks_not_arising": Indicator("Nhiệm vụ không phát sinh", _TASK,
                                   "led tasks with status not_arising"),
    "tasks_arising": Indicator("Nhiệm vụ phát sinh", _TASK, "tasks_led − tasks_not_arising"),
    "task_completion_rate": Indicator("Tỷ lệ hoàn thành nhiệm vụ", _PCT,
                                      "(tasks_done_on_time + tasks_done_late) / tasks_arising "
                                      "× 100"),
    "task_on_time_rate": Indicator("Tỷ lệ hoàn thành nhiệm vụ đúng hạn", _PCT,
                                   "tasks_done_on_time / tasks_arising × 100"),
})


def _rate(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den × 100``, NaN where ``den`` is zero or either side is missing."""
    out = np.full(num.shape, np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    out[ok] *= 100.0
    return out


def _task_counts(ds: Dataset, index: pd.Index) -> np.ndarray:
    """Led tasks per status and agency (statuses × agencies; 0 where the agency leads none).

    A task led by several agencies counts once for each of them; an id listed twice in
    one task counts once.
    """
    k, n = len(TASK_STATUSES), len(index)
    tasks = ds.tasks
    if not len(tasks):
        return np.zeros((k, n))
    leads = [tuple(dict.fromkeys((ids,) if isinstance(ids, str) else ids))
             if isinstance(ids, str | tuple | list) else ()
             for ids in tasks["lead_agency_ids"].to_numpy()]
    status = pd.Index(TASK_STATUSES).get_indexer(tasks["status"].to_numpy())
    rows = index.get_indexer([a for ids in leads for a in ids]) if any(leads) \
        else np.zeros(0, dtype=np.intp)
    cols = np.repeat(status, [len(ids) for ids in leads])
    ok = (rows >= 0) & (cols >= 0)
    return np.bincount(cols[ok] * n + rows[ok], minlength=k * n).reshape(k, n).astype(float)


def derive_indicators(ds: Dataset) -> pd.DataFrame:
    """Every indicator for every agency of ``ds``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.

    Returns
    -------
    DataFrame
        Indexed by ``agency_id`` (all of ``ds.agencies``, same order), one float column per
        name of :data:`INDICATORS`, in that order. Counts of an agency without a dossier row
        are NaN; task counts of an agency that leads no task are 0; a rate is NaN when its
        denominator is zero or missing. Rates are in percent.

    Examples
    --------
    >>> from scoring.dataset import load_dataset
    >>> from scoring.paths import BUNDLED_DATASET
    >>> ind = derive_indicators(load_dataset(BUNDLED_DATASET))
    >>> round(float(ind.loc["so-du-lich", "late_rate"]), 2)      # 52 / (573 + 10) × 100
    8.92
    """
    index = pd.Index(ds.agencies.index, name="agency_id")
    counts = ds.dossiers.reindex(index=index, columns=list(COUNT_COLUMNS))
    c = {col: counts[col].to_numpy(dtype=float) for col in COUNT_COLUMNS}
    c["on_time_rate"] = _rate(c["resolved_on_time"], c["resolved"])
    c["late_rate"] = _rate(c["late"], c["resolved"] + c["pending"])
    c["online_rate"] = _rate(c["online"], c["online_eligible"])
    c["pending_overdue_rate"] = _rate(c["pending_late"], c["pending"])
    t = _task_counts(ds, index)
    c["tasks_led"] = t.sum(axis=0)
    c.update((f"tasks_{s}", row) for s, row in zip(TASK_STATUSES, t, strict=True))
    arising = c["tasks_led"] - c["tasks_not_arising"]
    c["tasks_arising"] = arising
    c["task_completion_rate"] = _rate(c["tasks_done_on_time"] + c["tasks_done_late"], arising)
    c["task_on_time_rate"] = _rate(c["tasks_done_on_time"], arising)
    return pd.DataFrame({name: c[name] for name in INDICATORS}, index=index)
