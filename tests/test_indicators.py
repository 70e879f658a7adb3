"""Indicators derived from a dataset (scoring/indicators.py)."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixtures_data import tiny_tables, write_dataset
from hypothesis import given
from hypothesis import strategies as st

from scoring.dataset import TASK_STATUSES, Dataset, load_dataset
from scoring.i18n import language
from scoring.indicators import INDICATORS, Indicator, derive_indicators

# the table of docs/ARCHITECTURE.md, "Indicators"
DOCUMENTED = ["received", "resolved", "resolved_on_time", "resolved_late", "pending",
              "pending_on_time", "pending_late", "late", "online", "online_eligible",
              "on_time_rate", "late_rate", "online_rate", "pending_overdue_rate", "tasks_led",
              "tasks_done_on_time", "tasks_done_late", "tasks_not_done", "tasks_in_progress",
              "tasks_not_arising", "tasks_arising", "task_completion_rate", "task_on_time_rate"]
RATES = ["on_time_rate", "late_rate", "online_rate", "pending_overdue_rate",
         "task_completion_rate", "task_on_time_rate"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return derive_indicators(load_dataset(write_dataset(tmp_path_factory.mktemp("d") / "ds")))


def test_registry_matches_the_documented_table() -> None:
    assert list(INDICATORS) == DOCUMENTED
    for name, ind in INDICATORS.items():
        assert isinstance(ind, Indicator)
        assert ind.name == name and ind.label and ind.description, name
        with language("vi"):
            assert ind.unit == ("%" if name in RATES else
                                "nhiệm vụ" if name.startswith("task") else "hồ sơ"), name
    with language("vi"):
        assert INDICATORS["online_rate"].label == "Tỷ lệ hồ sơ trực tuyến"
    with language("en"):
        assert INDICATORS["online_rate"].label == "Share of online dossiers"
    with pytest.raises(TypeError):
        INDICATORS["x"] = Indicator("x", "")  # type: ignore[index]


def test_one_float_column_per_indicator_and_every_agency(tiny: pd.DataFrame) -> None:
    assert list(tiny.columns) == DOCUMENTED
    assert all(dtype == np.float64 for dtype in tiny.dtypes)
    assert tiny.index.name == "agency_id"
    assert list(tiny.index) == ["so-du-lich", "so-tu-phap", "vpdkdd", "huyen-dien-khanh",
                                "xa-dien-dien", "xa-dien-lac"]


def test_dossier_rates_by_hand(tiny: pd.DataFrame) -> None:
    sdl = tiny.loc["so-du-lich"]
    assert sdl["received"] == 586
    assert sdl["on_time_rate"] == pytest.approx(521 / 573 * 100)
    assert sdl["late_rate"] == pytest.approx(52 / 583 * 100)        # 8.92 % as published
    assert sdl["online_rate"] == pytest.approx(283 / 569 * 100)      # 49.74 %
    assert sdl["pending_overdue_rate"] == 0.0
    stp = tiny.loc["so-tu-phap"]
    assert stp["pending_overdue_rate"] == pytest.approx(7 / 597 * 100)
    assert stp["late_rate"] == pytest.approx(16 / 13141 * 100)


def test_zero_denominators_are_nan(tiny: pd.DataFrame) -> None:
    assert math.isnan(tiny.loc["vpdkdd", "online_rate"])            # 0 eligible
    assert math.isnan(tiny.loc["xa-dien-dien", "pending_overdue_rate"])  # 0 pending
    lac = tiny.loc["xa-dien-lac"]                                   # no dossiers at all
    assert lac["received"] == 0
    assert all(math.isnan(lac[r]) for r in ("on_time_rate", "late_rate", "online_rate",
                                            "pending_overdue_rate"))


def test_task_counts_by_hand(tiny: pd.DataFrame) -> None:
    # T2 (done_late) is led by both departments; T3 (not_arising) and T5 (not_done) by SDL
    sdl = tiny.loc["so-du-lich"]
    assert (sdl["tasks_led"], sdl["tasks_done_late"], sdl["tasks_not_done"],
            sdl["tasks_not_arising"], sdl["tasks_arising"]) == (3, 1, 1, 1, 2)
    assert sdl["task_completion_rate"] == 50.0
    assert sdl["task_on_time_rate"] == 0.0
    stp = tiny.loc["so-tu-phap"]                       # T1 on time, T2 late
    assert (stp["tasks_led"], stp["task_completion_rate"], stp["task_on_time_rate"]) == (
        2, 100.0, 50.0)
    hdk = tiny.loc["huyen-dien-khanh"]                 # T4 in progress (after review)
    assert (hdk["tasks_in_progress"], hdk["task_completion_rate"]) == (1, 0.0)
    commune = tiny.loc["xa-dien-dien"]                 # leads nothing: counts 0, rates NaN
    assert commune["tasks_led"] == 0 and commune["tasks_arising"] == 0
    assert math.isnan(commune["task_completion_rate"])


def test_agency_without_dossier_row_and_blank_counts(tmp_path: Path) -> None:
    t = tiny_tables()
    t["agencies"].append(dict(t["agencies"][0], agency_id="so-y-te", name="Sở Y tế",
                              aliases=""))
    t["dossiers"][0]["resolved_on_time"] = ""
    ind = derive_indicators(load_dataset(write_dataset(tmp_path / "ds", t)))
    assert "so-y-te" in ind.index
    assert ind.loc["so-y-te", ["received", "on_time_rate", "late_rate"]].isna().all()
    assert ind.loc["so-y-te", "tasks_led"] == 0
    assert math.isnan(ind.loc["so-du-lich", "on_time_rate"])
    assert ind.loc["so-du-lich", "late_rate"] == pytest.approx(52 / 583 * 100)


def test_no_tasks_at_all(tmp_path: Path) -> None:
    t = tiny_tables()
    t["tasks"] = []
    t["review"] = None
    ind = derive_indicators(load_dataset(write_dataset(tmp_path / "ds", t)))
    assert (ind["tasks_led"] == 0).all()
    assert ind["task_completion_rate"].isna().all()


# --------------------------------------------------------------------------- properties
@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    n = draw(st.integers(1, 8))
    ids = [f"a{i}" for i in range(n)]
    count = st.integers(0, 10_000)
    small = st.integers(0, 3)   # many zeros, so zero denominators happen often
    rows = []
    for _ in ids:
        rot, rl, pot, pl = (draw(st.one_of(small, count)) for _ in range(4))
        eligible = draw(st.one_of(small, count))
        online = draw(st.integers(0, eligible))
        rows.append(dict(received=rot + rl + pot + pl + draw(small), resolved=rot + rl,
                         resolved_on_time=rot, resolved_late=rl, pending=pot + pl,
                         pending_on_time=pot, pending_late=pl, late=rl + pl, online=online,
                         online_eligible=eligible))
    dossiers = pd.DataFrame(rows, index=pd.Index(ids, name="agency_id")).astype(float)
    m = draw(st.integers(0, 12))
    tasks = pd.DataFrame({
        "lead_agency_ids": [tuple(draw(st.lists(st.sampled_from(ids), max_size=3)))
                            for _ in range(m)],
        "status": [draw(st.sampled_from(TASK_STATUSES)) for _ in range(m)],
    }, index=pd.Index([f"T{i}" for i in range(m)], name="task_id"))
    agencies = pd.DataFrame({"name": ids, "group": "department", "parent_id": None,
                             "aliases": [()] * n, "ranked": True},
                            index=pd.Index(ids, name="agency_id"))
    return Dataset("h", agencies, dossiers, tasks)


@given(datasets())
def test_rates_in_range_and_nan_exactly_at_zero_denominator(ds: Dataset) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # no division warnings either
        ind = derive_indicators(ds)
    d = ds.dossiers
    denominators = {"on_time_rate": d["resolved"], "late_rate": d["resolved"] + d["pending"],
                    "online_rate": d["online_eligible"], "pending_overdue_rate": d["pending"],
                    "task_completion_rate": ind["tasks_arising"],
                    "task_on_time_rate": ind["tasks_arising"]}
    for rate, den in denominators.items():
        values = ind[rate].to_numpy()
        zero = (den.reindex(ind.index) == 0).to_numpy()
        assert np.array_equal(np.isnan(values), zero), rate
        finite = values[~zero]
        assert ((finite >= 0) & (finite <= 100)).all(), rate


@given(datasets())
def test_task_counts_match_a_direct_count(ds: Dataset) -> None:
    ind = derive_indicators(ds)
    for aid in ds.agencies.index:
        led = [s for leads, s in zip(ds.tasks["lead_agency_ids"], ds.tasks["status"],
                                     strict=True) if aid in leads]
        assert ind.loc[aid, "tasks_led"] == len(led)
        for status in TASK_STATUSES:
            assert ind.loc[aid, f"tasks_{status}"] == led.count(status)
        assert ind.loc[aid, "tasks_arising"] == len(led) - led.count("not_arising")
