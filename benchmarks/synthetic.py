"""A seeded synthetic national-scale dataset and rule set for benchmarks.

63 provinces, each with 20 departments, about 11 districts and 168 communes: 10,600
communes (plus 1,260 departments and 705 districts), with dossier counts, a task list, a
score table (manual leaves) and survey answer counts, and a rule set of 96 leaves that
covers every leaf kind (bands, formula with and without ``applies_if``, tasks in both
modes, manual, survey with options and with shares), components and adjustments.

Examples
--------
>>> ds = make_dataset(n_communes=200, seed=1)                       # doctest: +SKIP
>>> rules = make_rules()                                            # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import COUNT_COLUMNS, TASK_STATUSES, Dataset
from scoring.rules.model import (
    Adjustment,
    Area,
    Band,
    BandsRule,
    ClassBand,
    Component,
    Criterion,
    FormulaRule,
    Group,
    Leaf,
    ManualRule,
    Ranking,
    RuleSet,
    Source,
    SurveyRule,
    TasksRule,
    Tree,
)

N_PROVINCES = 63
DEPARTMENTS_PER_PROVINCE = 20
N_DISTRICTS = 705
N_COMMUNES = 10_600
TASKS_PER_PROVINCE = 60
SURVEY_OPTIONS = {"A": 100.0, "B": 60.0, "C": 20.0, "D": 0.0}


# --------------------------------------------------------------------------- rules
def _bands(indicator: str, cuts: list[float], top: float, lower_is_better: bool = False,
           hit: str = "unique") -> BandsRule:
    """Bands over [0, 100] at ``cuts`` with points rising (or falling) to ``top``."""
    edges = [0.0, *cuts]
    k = len(edges)
    pts = [top * i / (k - 1) for i in range(k)]
    if lower_is_better:
        pts = pts[::-1]
    bands = [Band(min=edges[i], max=edges[i + 1] if i + 1 < k else None, points=pts[i])
             for i in range(k)]
    return BandsRule(indicator=indicator, domain=(0.0, 100.0), bands=bands, hit=hit)


def _leaf_specs() -> list[tuple[str, float, object, str | None]]:
    """(name, max, rule, applies_if) for the 84 appraisal leaves (areas 1–7)."""
    specs: list[tuple[str, float, object, str | None]] = []
    rate_inds = ["on_time_rate", "online_rate", "task_completion_rate", "task_on_time_rate"]
    for i in range(24):                                   # bands
        ind = rate_inds[i % 4]
        cuts = [50.0 + i % 5, 80.0, 90.0 + i % 3, 98.0]
        specs.append((f"Ngưỡng {ind} #{i}", 2.0, _bands(ind, cuts, 2.0), None))
    for i in range(6):                                    # lower is better
        ind = ["late_rate", "pending_overdue_rate"][i % 2]
        specs.append((f"Ngưỡng {ind} #{i}", 2.0,
                      _bands(ind, [1.0, 3.0, 5.0 + i], 2.0, lower_is_better=True), None))
    formulas = [
        ("clip(max_points * on_time_rate / 100, 0, max_points)", None),
        ("where(online_rate >= 50, max_points, max_points * online_rate / 50)", None),
        ("clip(max_points * (1 - late_rate / 10), 0, max_points)", "received >= 10"),
        ("max_points * min(task_completion_rate, 100) / 100", "tasks_arising > 0"),
        ("clip((on_time_rate - 90) / 10 * max_points, 0, max_points)", "resolved > 0"),
        ("where(pending_overdue_rate > 5, 0, max_points)", None),
    ]
    for i in range(18):                                   # formula
        expr, cond = formulas[i % len(formulas)]
        specs.append((f"Công thức #{i}", 2.0, FormulaRule(expr=expr), cond))
    for i in range(6):                                    # tasks
        rule = TasksRule() if i % 2 == 0 else TasksRule(
            mode="bands", bands=[Band(min=0, max=50, points=0), Band(min=50, max=90, points=1),
                                 Band(min=90, points=2)])
        specs.append((f"Nhiệm vụ #{i}", 2.0, rule, None))
    for i in range(30):                                   # manual
        specs.append((f"Thẩm định #{i}", 1.5, ManualRule(missing="exclude" if i % 3 else "zero"),
                      None))
    return specs


def make_rules(n_survey: int = 12) -> RuleSet:
    """The synthetic rule set: one tree of 96 leaves for the three groups."""
    specs = _leaf_specs()
    areas = []
    per_area = -(-len(specs) // 7)
    for a in range(7):
        chunk = specs[a * per_area:(a + 1) * per_area]
        crits = []
        for c in range(0, len(chunk), 4):
            leaves = [Leaf(code=f"{a + 1}.{c // 4 + 1}.{j + 1}", name=name, max=mx, rule=rule,
                           applies_if=cond)
                      for j, (name, mx, rule, cond) in enumerate(chunk[c:c + 4])]
            code = f"{a + 1}.{c // 4 + 1}"
            crits.append(Criterion(code=code, name=f"Tiêu chí {code}", leaves=leaves))
        areas.append(Area(code=str(a + 1), name=f"Lĩnh vực {a + 1}", criteria=crits))
    survey_leaves = [
        Leaf(code=f"8.1.{i + 1}", name=f"Khảo sát #{i}", max=3.0,
             rule=SurveyRule(options=SURVEY_OPTIONS) if i % 4 else SurveyRule())
        for i in range(n_survey)]
    areas.append(Area(code="8", name="Tác động", criteria=[
        Criterion(code="8.1", name="Hài lòng", leaves=survey_leaves)]))
    tree = Tree(name="Bộ tiêu chí mô phỏng toàn quốc", areas=areas)
    classes = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80),
               ClassBand(label="Khá", min=70), ClassBand(label="Trung bình", min=50))
    return RuleSet(
        id="synthetic-national", version="1", title="Synthetic national benchmark",
        source=Source(kind="simulation", assumptions="benchmark only"),
        groups=[Group(id=g, name=g, tree="national", classes=classes, unclassified="Yếu")
                for g in ("department", "district", "commune")],
        trees={"national": tree},
        components=[Component(id="appraisal", name="Thẩm định",
                              areas=tuple(str(a) for a in range(1, 8))),
                    Component(id="survey", name="Khảo sát", areas=("8",))],
        adjustments=[Adjustment(code="T", name="Thưởng", kind="bonus", rule=ManualRule(),
                                cap=2),
                     Adjustment(code="D", name="Trừ", kind="deduction",
                                rule=FormulaRule(expr="pending_late * 0.01"), cap=3)],
        ranking=Ranking(method="competition", tie_break=("3", "-late_rate"), precision=6))


# --------------------------------------------------------------------------- data
def make_dataset(n_communes: int = N_COMMUNES, seed: int = 2022,
                 rules: RuleSet | None = None) -> Dataset:
    """The synthetic dataset (deterministic for a given ``seed``)."""
    rng = np.random.default_rng(seed)
    rules = rules or make_rules()
    n_dep = N_PROVINCES * DEPARTMENTS_PER_PROVINCE
    n_dis = round(N_DISTRICTS * n_communes / N_COMMUNES) or 1
    prov_dep = np.repeat(np.arange(N_PROVINCES), DEPARTMENTS_PER_PROVINCE)
    prov_dis = np.arange(n_dis) % N_PROVINCES
    parent = rng.integers(0, n_dis, n_communes)
    ids = ([f"p{p:02d}-so-{i:04d}" for i, p in enumerate(prov_dep)]
           + [f"p{p:02d}-huyen-{i:04d}" for i, p in enumerate(prov_dis)]
           + [f"p{prov_dis[d]:02d}-xa-{i:05d}" for i, d in enumerate(parent)])
    groups = ["department"] * n_dep + ["district"] * n_dis + ["commune"] * n_communes
    parents = [""] * (n_dep + n_dis) + [ids[n_dep + d] for d in parent]
    n = len(ids)
    agencies = pd.DataFrame({
        "name": [f"Đơn vị {i}" for i in ids], "group": groups, "parent_id": parents,
        "aliases": [()] * n, "ranked": True, "kind": groups},
        index=pd.Index(ids, name="agency_id"))

    received = rng.lognormal(5.5, 1.5, n).astype(int)
    received[rng.random(n) < 0.02] = 0
    pending = (received * rng.uniform(0, 0.08, n)).astype(int)
    resolved = received - pending - (received * rng.uniform(0, 0.03, n)).astype(int)
    resolved = np.maximum(resolved, 0)
    on_time = np.minimum(resolved, (resolved * rng.beta(30, 1, n)).round().astype(int))
    pending_late = (pending * rng.beta(1, 10, n)).astype(int)
    eligible = (received * rng.uniform(0.5, 1, n)).astype(int)
    online = (eligible * rng.beta(2, 2, n)).astype(int)
    counts = {"received": received, "resolved": resolved, "resolved_on_time": on_time,
              "resolved_late": resolved - on_time, "pending": pending,
              "pending_on_time": pending - pending_late, "pending_late": pending_late,
              "late": resolved - on_time + pending_late, "online": online,
              "online_eligible": eligible}
    dossiers = pd.DataFrame({c: counts[c].astype(float) for c in COUNT_COLUMNS},
                            index=agencies.index)
    with np.errstate(all="ignore"):
        dossiers["late_rate_published"] = np.round(
            counts["late"] / (resolved + pending) * 100, 2)
        dossiers["online_rate_published"] = np.round(online / eligible * 100, 2)

    leads_pool = np.concatenate([np.arange(n_dep), n_dep + np.arange(n_dis)])
    pool_prov = np.concatenate([prov_dep, prov_dis])
    task_rows = []
    for p in range(N_PROVINCES):
        local = leads_pool[pool_prov == p]
        for t in range(TASKS_PER_PROVINCE):
            k = 1 + int(rng.random() < 0.2)
            leads = tuple(ids[i] for i in rng.choice(local, size=k, replace=False))
            status = TASK_STATUSES[rng.choice(5, p=[0.6, 0.15, 0.08, 0.1, 0.07])]
            task_rows.append((f"p{p:02d}-t{t:02d}", "I", f"Nhiệm vụ {t}", "Quý IV/2022",
                              leads, status))
    tasks = pd.DataFrame(task_rows, columns=["task_id", "area", "title", "deadline",
                                             "lead_agency_ids", "status"]).set_index("task_id")

    tree = rules.trees["national"]
    manual = [leaf for _, _, leaf in tree.leaves() if leaf.rule.kind == "manual"]
    surveys = [leaf for _, _, leaf in tree.leaves() if leaf.rule.kind == "survey"]
    ids_arr = np.asarray(ids, dtype=object)
    score_parts = []
    for leaf in [*manual, None]:
        code = "T" if leaf is None else leaf.code
        top = 2.0 if leaf is None else leaf.max
        keep = rng.random(n) < (0.1 if leaf is None else 0.9)
        m = int(keep.sum())
        appraised = np.round(rng.uniform(0, top * 1.1, m), 2)
        appraised[rng.random(m) < 0.1] = np.nan
        score_parts.append(pd.DataFrame({
            "agency_id": ids_arr[keep], "leaf": code,
            "self_points": np.round(rng.uniform(0, top * 1.2, m), 2),
            "appraised_points": appraised, "note": ""}))
    scores = pd.concat(score_parts, ignore_index=True)
    survey_parts = []
    for leaf in surveys:
        keep = rng.random(n) < 0.95
        m = int(keep.sum())
        if leaf.rule.options is None:
            survey_parts.append(pd.DataFrame({
                "agency_id": ids_arr[keep], "leaf": leaf.code, "option": "",
                "count": np.nan, "share": np.round(rng.uniform(40, 100, m), 1)}))
            continue
        for opt in SURVEY_OPTIONS:
            survey_parts.append(pd.DataFrame({
                "agency_id": ids_arr[keep], "leaf": leaf.code, "option": opt,
                "count": rng.integers(0, 40, m).astype(float), "share": np.nan}))
    survey_table = pd.concat(survey_parts, ignore_index=True)
    return Dataset(name="synthetic-national", agencies=agencies, dossiers=dossiers,
                   tasks=tasks, scores=scores, surveys=survey_table,
                   manifest={"name": "synthetic-national", "seed": seed})
