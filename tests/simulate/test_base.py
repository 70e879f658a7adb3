"""The array reconstruction ranks and classifies exactly as the engine does."""

from __future__ import annotations

import numpy as np

from scoring.engine import class_positions, classify, rank, score
from scoring.simulate.base import Base
from tests.simulate.helpers import make_data, make_rules


def test_ranks_every_run_independently() -> None:
    runs = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [2.0, 2.0, 1.0]])
    assert rank([runs], "competition").tolist() == [[3, 2, 1], [1, 2, 3], [1, 1, 3]]


def test_class_positions_match_the_labels() -> None:
    index = np.array([95.0, 90.0, 89.999999, 80.0, 70.0, 10.0])
    classes = [("Xuất sắc", 90.0), ("Tốt", 80.0)]
    labels = np.array(["Xuất sắc", "Tốt", "Yếu"], dtype=object)
    assert labels[class_positions(index, (90.0, 80.0))].tolist() == \
        classify(index, classes, "Yếu").tolist()


def test_reconstruction_reproduces_engine_ranks_with_tie_breaks() -> None:
    ds, ind = make_data(n=15, groups=("d", "x"))
    for tie in [(), ("1",), ("points", "-2"), ("online_rate",)]:
        result = score(make_rules(groups=("d", "x"), tie_break=tie, method="ordinal"), ds,
                       indicators=ind)
        base = Base.from_result(result)
        assert base.check_reproduces() == []
        assert len(base.agency_ids) == 30


def test_leaf_arrays_hold_the_ledger_cells() -> None:
    ds, ind = make_data(n=5)
    result = score(make_rules(), ds, indicators=ind)
    base = Base.from_result(result)
    ledger = result.ledger.set_index(["agency_id", "leaf"])
    leaf = base.leaves[("d", "1.1.2")]
    ids = base.agency_ids[leaf.cols]
    assert len(ids) == 5
    for agency, pts in zip(ids, leaf.points, strict=True):
        assert ledger.loc[(agency, "1.1.2"), "points"] == pts
    assert np.allclose(base.points, result.totals.loc[base.agency_ids, "points"])
