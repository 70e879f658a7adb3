"""Build small rule sets and datasets directly from the model for engine tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.rules.model import (
    Area,
    Band,
    BandsRule,
    ClassBand,
    Criterion,
    Group,
    Leaf,
    Ranking,
    RuleSet,
    Source,
    Tree,
)

TASK_COLS = ["tasks_done_on_time", "tasks_done_late", "tasks_not_done", "tasks_in_progress",
             "tasks_not_arising"]
CLASSES = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80),
           ClassBand(label="Khá", min=70), ClassBand(label="Trung bình", min=50))


def on_time_leaf(code: str = "3.1.1", max_points: float = 2.0, **kw: Any) -> Leaf:
    """[98, ∞) → max, [90, 98) → max/2, below 90 → 0 on on_time_rate."""
    return Leaf(code=code, name="Tỷ lệ hồ sơ đúng hạn", max=max_points, rule=BandsRule(
        indicator="on_time_rate", domain=(0, 100),
        bands=[Band(min=98, points=max_points), Band(min=90, max=98, points=max_points / 2),
               Band(min=0, max=90, points=0)]), **kw)


def tree_of(areas: dict[str, Sequence[Leaf]], name: str = "t") -> Tree:
    """A tree with one criterion per area (``<area>.1``) holding the given leaves."""
    return Tree(name=name, areas=[
        Area(code=code, name=f"Lĩnh vực {code}",
             criteria=[Criterion(code=f"{code}.1", name=f"Tiêu chí {code}.1",
                                 leaves=list(leaves))])
        for code, leaves in areas.items()])


def rules_of(trees: dict[str, Tree], groups: Iterable[tuple[str, str]] | None = None,
             **kw: Any) -> RuleSet:
    """A simulation rule set; ``groups`` = (group id, tree id) pairs (default: one per tree)."""
    groups = list(groups) if groups is not None else [(t, t) for t in trees]
    return RuleSet(id="test", version="1", title="test",
                   source=Source(kind="simulation", assumptions="unit test"),
                   groups=[Group(id=g, name=g.title(), tree=t, classes=CLASSES,
                                 unclassified="Yếu") for g, t in groups],
                   trees=trees, ranking=kw.pop("ranking", Ranking()), **kw)


def dataset_of(groups: dict[str, str], *, names: dict[str, str] | None = None,
               ranked: dict[str, bool] | None = None, scores: pd.DataFrame | None = None,
               surveys: pd.DataFrame | None = None) -> Dataset:
    """A Dataset with agencies ``{agency_id: group}`` (no dossier/task tables needed
    because tests pass indicators directly)."""
    ids = list(groups)
    agencies = pd.DataFrame({
        "name": [(names or {}).get(a, a) for a in ids], "group": [groups[a] for a in ids],
        "parent_id": "", "aliases": [() for _ in ids],
        "ranked": [(ranked or {}).get(a, True) for a in ids], "kind": ""},
        index=pd.Index(ids, name="agency_id"))
    kw: dict[str, Any] = {}
    if scores is not None:
        kw["scores"] = scores
    if surveys is not None:
        kw["surveys"] = surveys
    return Dataset(name="test", agencies=agencies, dossiers=pd.DataFrame(index=agencies.index),
                   tasks=pd.DataFrame(), **kw)


def indicators_of(**columns: Sequence[float] | dict[str, float]) -> pd.DataFrame:
    """Indicators frame: ``indicators_of(on_time_rate={"a": 99, "b": 90})``."""
    frame = pd.DataFrame({k: pd.Series(v, dtype=float) for k, v in columns.items()})
    frame.index.name = "agency_id"
    return frame


def with_tasks(frame: pd.DataFrame, counts: dict[str, Sequence[int]]) -> pd.DataFrame:
    """Add task-count columns: ``counts[agency] = (on time, late, not done, in progress,
    not arising)``."""
    out = frame.copy()
    for col in TASK_COLS:
        out[col] = 0.0
    for aid, row in counts.items():
        out.loc[aid, TASK_COLS] = np.asarray(row, dtype=float)
    return out
