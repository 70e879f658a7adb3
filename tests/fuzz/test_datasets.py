"""Fuzz: any cell values in a dataset end in a dataset or problems (never an exception), and
the rules/data fit check never raises on what loads."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from fixtures_data import tiny_tables, write_dataset
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_consistency import rules

from scoring.consistency import cross_check
from scoring.dataset import validate_dataset
from scoring.errors import Problem

CELLS = st.one_of(st.text(max_size=10), st.sampled_from(
    ["", "0", "-1", "2.000", "2,000", "1,5", "1e400", "inf", "nan", "12 345", "100%", "x",
     "so-du-lich", "1.1", "1.2", "2.1", "T", "A", "E", "true", "đúng", "=1+1", "\u00a0"]))
TABLES = {"dossiers": ["received", "resolved", "online", "late_rate_published"],
          "agencies": ["group", "ranked", "parent_id"],
          "tasks": ["status", "lead_agency_ids"],
          "review": ["task_id", "value", "justification"]}


@pytest.mark.slow
@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.sampled_from(sorted(TABLES)), st.integers(0, 20),
                                st.integers(0, 3), CELLS), max_size=4),
       scores=st.lists(st.tuples(st.sampled_from(["so-du-lich", "xa-dien-lac", "zz"]),
                                 CELLS, CELLS, CELLS), max_size=4),
       surveys=st.lists(st.tuples(st.sampled_from(["so-tu-phap", "huyen-dien-khanh"]),
                                  CELLS, CELLS, CELLS, CELLS), max_size=3))
def test_any_cells_give_a_dataset_or_problems(edits, scores, surveys):
    t = tiny_tables()
    for table, row, col, value in edits:
        rows = t[table]
        if rows:
            cols = TABLES[table]
            rows[row % len(rows)][cols[col % len(cols)]] = value
    t["scores"] = [dict(agency_id=a, leaf=leaf, self_points=s, appraised_points=p, note="")
                   for a, leaf, s, p in scores]
    t["surveys"] = [dict(agency_id=a, leaf=leaf, option=o, count=c, share=sh)
                    for a, leaf, o, c, sh in surveys]
    with tempfile.TemporaryDirectory() as tmp:
        ds, problems = validate_dataset(write_dataset(Path(tmp) / "ds", t))
        assert all(isinstance(p, Problem) and p.message for p in problems)
        assert (ds is None) == any(p.severity == "error" for p in problems)
        if ds is not None:
            assert all(isinstance(p, Problem) for p in cross_check(rules(), ds))
