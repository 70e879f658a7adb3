"""Small rule sets and datasets built from the model, for the simulation tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.indicators import derive_indicators
from scoring.rules.model import (
    Area,
    Band,
    BandsRule,
    ClassBand,
    Criterion,
    FormulaRule,
    Group,
    Leaf,
    ManualRule,
    Ranking,
    RuleSet,
    Source,
    Tree,
)

CLASSES = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80),
           ClassBand(label="Khá", min=70))


def on_time_leaf(code: str = "1.1.1", top: float = 2.0, cut: float = 95.0) -> Leaf:
    """[cut, ∞) → top, [80, cut) → top/2, [0, 80) → 0 on on_time_rate."""
    return Leaf(code=code, name="Tỷ lệ hồ sơ đúng hạn", max=top, rule=BandsRule(
        indicator="on_time_rate", domain=(0, 100),
        bands=[Band(min=cut, points=top), Band(min=80, max=cut, points=top / 2),
               Band(min=0, max=80, points=0)]))


def online_leaf(code: str = "1.1.2", top: float = 3.0) -> Leaf:
    """Proportional to the online rate."""
    return Leaf(code=code, name="Tỷ lệ hồ sơ trực tuyến", max=top,
                rule=FormulaRule(expr="online_rate / 100 * max_points"))


def manual_leaf(code: str = "2.1.1", top: float = 5.0) -> Leaf:
    return Leaf(code=code, name="Điểm thẩm định", max=top, rule=ManualRule())


def make_rules(*, cut: float = 95.0, online_max: float = 3.0, groups: tuple[str, ...] = ("d",),
               tie_break: tuple[str, ...] = (), method: str = "competition",
               **kw: Any) -> RuleSet:
    """Two areas: 1 (bands on on_time_rate, formula on online_rate), 2 (manual)."""
    tree = Tree(name="Cây", areas=[
        Area(code="1", name="Thủ tục hành chính", criteria=[
            Criterion(code="1.1", name="Giải quyết hồ sơ",
                      leaves=[on_time_leaf(cut=cut), online_leaf(top=online_max)])]),
        Area(code="2", name="Thẩm định", criteria=[
            Criterion(code="2.1", name="Điểm thẩm định", leaves=[manual_leaf()])])])
    return RuleSet(id="test", version="1", title="Bộ quy tắc thử",
                   source=Source(kind="simulation", assumptions="unit test"),
                   groups=[Group(id=g, name=f"Nhóm {g}", tree="t", classes=CLASSES,
                                 unclassified="Yếu") for g in groups],
                   trees={"t": tree},
                   ranking=Ranking(method=method, tie_break=tie_break), **kw)


def make_data(n: int = 12, seed: int = 0, groups: tuple[str, ...] = ("d",)
              ) -> tuple[Dataset, pd.DataFrame]:
    """``n`` agencies per group with spread-out indicators and appraised points."""
    rng = np.random.default_rng(seed)
    ids = [f"{g}{i:02d}" for g in groups for i in range(n)]
    agencies = pd.DataFrame({
        "name": [f"Đơn vị {a}" for a in ids], "group": [a[0] for a in ids],
        "parent_id": "", "aliases": [() for _ in ids], "ranked": True, "kind": ""},
        index=pd.Index(ids, name="agency_id"))
    scores = pd.DataFrame({"agency_id": ids, "leaf": "2.1.1", "self_points": 5.0,
                           "appraised_points": np.round(rng.uniform(2, 5, len(ids)), 2),
                           "note": ""})
    resolved = rng.integers(200, 1000, len(ids)).astype(float)
    on_time = np.floor(resolved * rng.uniform(0.75, 1.0, len(ids)))
    eligible = rng.integers(100, 800, len(ids)).astype(float)
    online = np.floor(eligible * rng.uniform(0.1, 0.9, len(ids)))
    dossiers = pd.DataFrame({
        "received": resolved, "resolved": resolved, "resolved_on_time": on_time,
        "resolved_late": resolved - on_time, "pending": 0.0, "pending_on_time": 0.0,
        "pending_late": 0.0, "late": resolved - on_time, "online": online,
        "online_eligible": eligible}, index=agencies.index)
    ds = Dataset(name="test", agencies=agencies, dossiers=dossiers, tasks=pd.DataFrame(),
                 scores=scores)
    return ds, derive_indicators(ds)
