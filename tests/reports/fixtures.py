"""A small, hand-checkable scoring result for the workbook tests, made by the real engine.

Two groups (departments, communes) on two trees; bands, tasks, formula and manual leaves;
a bonus and a deduction; one not-applicable leaf; a tie; agency names that start with
``=``, ``+``, ``-`` and ``@`` (they must land in the workbook as text, never as formulas).

Expected values worked out by hand from the inputs below (see :data:`EXPECTED`):

Departments (tree ``dept``, max 10 = area 1: 2 + 2, area 2: 3, area 3: 3):

* ``d-tu-phap``: on time 99 % → 2; online 97 % → 1 (95 ≤ x < 98); tasks 2 on time of 2
  → 3; appraised 3 → 3. Leaves 9 of 10; bonus (online ≥ 96 → 0.5) → 9.5 → index 95.
* ``d-eq`` (name ``=HYPERLINK(...)``): on time 92 % → 0; online 99 % → 2; tasks 1 on
  time, 1 late of 2 → 3 × 1.5 / 2 = 2.25; appraised 2 → 2. 6.25 + bonus 0.5 = 6.75 → 67.5.
* ``d-plus`` (``+Sở Y tế``): on time 98 % → 2; online 90 % → 0; no task arose → leaf
  dropped (max 7); appraised 3 → 3. 5 of 7 → 71.428571…
* ``d-at`` (``@Sở Nội vụ``): on time 100 → 2; online 100 → 2; tasks 1 not done of 1 → 0;
  no appraised or self score → manual leaf excluded (max 7); 4 + bonus 0.5 = 4.5 of 7 →
  64.285714…; deduction 1 (appraised) → 3.5 → 50.
* ranks: d-tu-phap 1 (95), d-plus 2 (71.43), d-eq 3 (67.5), d-at 4 (50).

Communes (tree ``commune``, max 10 = area 1: 6, area 2: 4):

* ``c-a``: on time 99 → 6; online 50 % → formula 4 × 50 / 100 = 2; 8 + bonus 0 → 80.
* ``c-b`` and ``c-c``: identical inputs (on time 96 → 3, online 100 → 4, bonus 0.5 as
  online ≥ 96) → 7.5 → 75, tied 2nd (competition ranking: the next rank is 4).
* ``c-minus`` (``-Xã Âm``): on time 80 → 0, online 25 → 1 → 10; rank 4.
* ``c-none``: no dossier data → on time missing → not applicable (dropped), online
  missing → formula gives NaN → not applicable; max 0 → no index, no rank, no class.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import Dataset
from scoring.engine import ScoreResult, score
from scoring.rules.model import (
    Adjustment,
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
    TasksRule,
    Tree,
)

NAMES = {
    "d-tu-phap": "Sở Tư pháp",
    "d-eq": '=HYPERLINK("http://example.invalid","Sở Xây dựng")',
    "d-plus": "+Sở Y tế",
    "d-at": "@Sở Nội vụ",
    "d-sub": "Chi nhánh Văn phòng đăng ký đất đai",
    "c-a": "Xã Diên Điền",
    "c-b": "Xã Diên Lạc",
    "c-c": "Xã Diên Hòa",
    "c-minus": "-Xã Âm",
    "c-none": "Xã Không Số Liệu",
}
GROUP_OF = {a: ("department" if a.startswith("d-") else "commune") for a in NAMES}

# agency -> (points, max_points, index, rank, class)
EXPECTED: dict[str, tuple[float, float, float | None, int | None, str | None]] = {
    "d-tu-phap": (9.5, 10.0, 95.0, 1, "Xuất sắc"),
    "d-plus": (5.0, 7.0, 500 / 7, 2, "Khá"),
    "d-eq": (6.75, 10.0, 67.5, 3, "Trung bình"),
    "d-at": (3.5, 7.0, 50.0, 4, "Trung bình"),
    "c-a": (8.0, 10.0, 80.0, 1, "Tốt"),
    "c-b": (7.5, 10.0, 75.0, 2, "Khá"),
    "c-c": (7.5, 10.0, 75.0, 2, "Khá"),
    "c-minus": (1.0, 10.0, 10.0, 4, "Yếu"),
    "c-none": (0.0, 0.0, None, None, None),
}

CLASSES = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80),
           ClassBand(label="Khá", min=70), ClassBand(label="Trung bình", min=50))


def _on_time(code: str, top: float) -> Leaf:
    return Leaf(code=code, name="Tỷ lệ hồ sơ giải quyết đúng hạn", max=top, rule=BandsRule(
        indicator="on_time_rate", domain=(0, 100),
        bands=[Band(min=98, points=top), Band(min=95, max=98, points=top / 2),
               Band(min=0, max=95, points=0)]))


def make_rules() -> RuleSet:
    """The rule set described in the module docstring."""
    dept = Tree(name="Bộ tiêu chí sở, ban, ngành", areas=[
        Area(code="1", name="Cải cách thủ tục hành chính", criteria=[
            Criterion(code="1.1", name="Giải quyết hồ sơ", leaves=[
                _on_time("1.1.1", 2),
                Leaf(code="1.1.2", name="Tỷ lệ hồ sơ trực tuyến", max=2, rule=BandsRule(
                    indicator="online_rate", domain=(0, 100),
                    bands=[Band(min=98, points=2), Band(min=95, max=98, points=1),
                           Band(min=0, max=95, points=0)]))])]),
        Area(code="2", name="Thực hiện kế hoạch CCHC", criteria=[
            Criterion(code="2.1", name="Nhiệm vụ được giao", leaves=[
                Leaf(code="2.1.1", name="Hoàn thành nhiệm vụ chủ trì", max=3,
                     rule=TasksRule())])]),
        Area(code="3", name="Chỉ đạo, điều hành", criteria=[
            Criterion(code="3.1", name="Công tác chỉ đạo", leaves=[
                Leaf(code="3.1.1", name="Ban hành kế hoạch CCHC đúng hạn", max=3,
                     rule=ManualRule())])]),
    ])
    commune = Tree(name="Bộ tiêu chí UBND cấp xã", areas=[
        Area(code="1", name="Cải cách thủ tục hành chính", criteria=[
            Criterion(code="1.1", name="Giải quyết hồ sơ", leaves=[_on_time("1.1.1", 6)])]),
        Area(code="2", name="Chính quyền số", criteria=[
            Criterion(code="2.1", name="Dịch vụ công trực tuyến", leaves=[
                Leaf(code="2.1.1", name="Tỷ lệ hồ sơ trực tuyến", max=4, rule=FormulaRule(
                    expr="clip(online_rate / 100 * max_points, 0, max_points)"))])]),
    ])
    return RuleSet(
        id="test-2022", version="1.0", title="Bộ tiêu chí thử nghiệm 2022",
        source=Source(kind="simulation", assumptions="bộ nhỏ để kiểm thử bảng tính"),
        groups=[Group(id="department", name="Sở, ban, ngành", tree="dept", classes=CLASSES,
                      unclassified="Yếu"),
                Group(id="commune", name="UBND cấp xã", tree="commune", classes=CLASSES,
                      unclassified="Yếu")],
        trees={"dept": dept, "commune": commune},
        adjustments=[
            Adjustment(code="T1", name="Thưởng dịch vụ công trực tuyến", kind="bonus",
                       rule=FormulaRule(expr="where(online_rate >= 96, 0.5, 0)"), cap=0.5),
            Adjustment(code="D1", name="Trừ điểm do chậm báo cáo", kind="deduction",
                       rule=ManualRule(), cap=2)],
        ranking=Ranking(method="competition", precision=6),
        content_hash="ab" * 32,
    )


def _indicators() -> pd.DataFrame:
    nan = np.nan
    rows = {  # on_time, online, tasks: on time, late, not done, in progress, not arising
        "d-tu-phap": (99, 97, 2, 0, 0, 0, 0),
        "d-eq": (92, 99, 1, 1, 0, 0, 0),
        "d-plus": (98, 90, 0, 0, 0, 0, 1),
        "d-at": (100, 100, 0, 0, 1, 0, 0),
        "d-sub": (50, 50, 0, 0, 0, 0, 0),
        "c-a": (99, 50, 0, 0, 0, 0, 0),
        "c-b": (96, 100, 0, 0, 0, 0, 0),
        "c-c": (96, 100, 0, 0, 0, 0, 0),
        "c-minus": (80, 25, 0, 0, 0, 0, 0),
        "c-none": (nan, nan, 0, 0, 0, 0, 0),
    }
    cols = ["on_time_rate", "online_rate", "tasks_done_on_time", "tasks_done_late",
            "tasks_not_done", "tasks_in_progress", "tasks_not_arising"]
    ind = pd.DataFrame.from_dict(rows, orient="index", columns=cols).astype(float)
    ind["tasks_led"] = ind[cols[2:]].sum(axis=1)
    ind.index.name = "agency_id"
    return ind


def make_dataset() -> Dataset:
    """Agencies, dossier counts consistent with the indicators, scores and findings."""
    ids = list(NAMES)
    agencies = pd.DataFrame({
        "name": [NAMES[a] for a in ids], "group": [GROUP_OF[a] for a in ids],
        "parent_id": ["" if a != "d-sub" else "d-tu-phap" for a in ids],
        "aliases": [() for _ in ids], "ranked": [a != "d-sub" for a in ids],
        "kind": ["land_branch" if a == "d-sub" else GROUP_OF[a] for a in ids]},
        index=pd.Index(ids, name="agency_id"))
    ind = _indicators()
    resolved = pd.Series(1000.0, index=ids)
    dossiers = pd.DataFrame({
        "received": resolved + 10, "resolved": resolved,
        "resolved_on_time": ind["on_time_rate"] * 10,
        "resolved_late": 1000 - ind["on_time_rate"] * 10,
        "online": ind["online_rate"] * 10, "online_eligible": 1000.0,
        "late_rate_published": 100 - ind["on_time_rate"],
        "online_rate_published": ind["online_rate"]}, index=agencies.index)
    dossiers.loc["c-none"] = np.nan
    scores = pd.DataFrame({
        "agency_id": ["d-tu-phap", "d-eq", "d-plus", "d-at"],
        "leaf": ["3.1.1", "3.1.1", "3.1.1", "D1"],
        "self_points": [3.0, 3.0, 3.0, np.nan], "appraised_points": [3.0, 2.0, 3.0, 1.0],
        "note": ["", "", "", "chậm báo cáo quý"]})
    findings = pd.DataFrame({
        "severity": ["warning", "error"], "table": ["dossiers", "dossiers"],
        "agency": ["c-a", "c-b"], "column": ["late_rate_published", "received"],
        "published": [1.5, 12.0], "expected": [1.0, 10.0],
        "message": ["=published rate differs from the counts", "subtotal is not the sum"],
        "line": [214, 215]})
    manifest = {"name": "test-2022", "province": "Khánh Hòa", "year": 2022,
                "period": {"start": "2021-12-15", "end": "2022-12-14"},
                "source": {"file": "000_test.txt", "sha256": "cd" * 32,
                           "title": "Báo cáo thử nghiệm"},
                "files": {"agencies.csv": "ef" * 32, "dossiers.csv": "01" * 32}}
    return Dataset(name="test-2022", agencies=agencies, dossiers=dossiers,
                   tasks=pd.DataFrame(), scores=scores, findings=findings, manifest=manifest,
                   content_hash="99" * 32)


def make_result() -> ScoreResult:
    """The real engine's result on the small rules and data above."""
    return score(make_rules(), make_dataset(), indicators=_indicators())
