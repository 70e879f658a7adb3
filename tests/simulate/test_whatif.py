"""What-if and goal-seek, checked by scoring the answers with the real engine."""

from __future__ import annotations

import math

import pytest

from scoring.engine import score
from scoring.errors import UsageError
from scoring.simulate.whatif import RATE_TOLERANCE, Goal, goal_seek, whatif
from tests.simulate.helpers import make_data, make_rules

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written


@pytest.fixture(scope="module")
def setup():
    ds, _ = make_data(n=12, seed=0)
    rules = make_rules()
    return rules, ds, score(rules, ds)


def _low_agency(nominal) -> str:
    return str(nominal.totals.index[-3])


def test_setting_a_rate_changes_only_its_leaf(setup) -> None:
    rules, ds, nominal = setup
    agency = _low_agency(nominal)
    w = whatif(rules, ds, agency, set_values={"online_rate": 90}, nominal=nominal)
    # online leaf = online_rate / 100 × 3 → 2.7
    row = w.leaves.set_index("leaf").loc["1.1.2"]
    assert row["points_new"] == pytest.approx(2.7)
    assert list(w.leaves["leaf"]) == ["1.1.2"]
    assert w.new["points"] == pytest.approx(w.nominal["points"] + 2.7 - row["points_nominal"])
    assert w.changes == ("online_rate=90",)


def test_setting_a_count_re_derives_the_rate(setup) -> None:
    rules, ds, nominal = setup
    agency = _low_agency(nominal)
    eligible = ds.dossiers.loc[agency, "online_eligible"]
    w = whatif(rules, ds, agency, set_values={"online": eligible / 2}, nominal=nominal)
    assert w.result.indicators.loc[agency, "online_rate"] == pytest.approx(50.0)
    assert w.leaves.set_index("leaf").loc["1.1.2", "points_new"] == pytest.approx(1.5)
    assert ds.dossiers.loc[agency, "online"] != eligible / 2      # the input is untouched


def test_goal_seek_on_a_count_is_minimal_and_verified(setup) -> None:
    rules, ds, nominal = setup
    # independent answer: total ≥ 8 of 10 needs online ≥ (8 − other points) × eligible / 3,
    # reachable when that is at most the eligible dossiers
    ledger = nominal.ledger.set_index(["agency_id", "leaf"])
    answers = {}
    for agency, t in nominal.totals.iterrows():
        other = t["points"] - ledger.loc[(agency, "1.1.2"), "points"]
        eligible = ds.dossiers.loc[agency, "online_eligible"]
        answers[agency] = (math.ceil((8 - other) * eligible / 3 - 1e-9), eligible)
    reachable = [a for a, (need, elig) in answers.items()
                 if need <= elig and nominal.totals.loc[a, "index"] < 80]
    unreachable = [a for a, (need, elig) in answers.items() if need > elig]
    assert reachable and unreachable
    agency = reachable[0]
    g = goal_seek(rules, ds, agency, Goal.parse("class:Tốt"), "online", nominal=nominal)
    assert g.reached and not g.already
    assert g.value == answers[agency][0]
    no = goal_seek(rules, ds, unreachable[0], Goal.parse("class:Tốt"), "online",
                   nominal=nominal)
    assert not no.reached and no.value is None
    assert g.whatif.new["class"] in ("Tốt", "Xuất sắc")
    smaller = whatif(rules, ds, agency, set_values={"online": g.value - 1}, nominal=nominal)
    assert smaller.new["class"] not in ("Tốt", "Xuất sắc")


def test_goal_seek_on_a_rate_reaches_the_rank_and_less_does_not(setup) -> None:
    rules, ds, nominal = setup
    reached = 0
    for agency, t in nominal.totals.iloc[1:8].iterrows():
        target = int(t["rank"]) - 1
        g = goal_seek(rules, ds, agency, Goal("rank", target), "online_rate", nominal=nominal)
        if not g.reached:
            top = whatif(rules, ds, agency, set_values={"online_rate": 100}, nominal=nominal)
            assert top.new["rank"] > target               # truly unreachable within 0..100
            assert g.value is None and "cannot reach" in g.message
            continue
        reached += 1
        assert g.whatif.new["rank"] <= target
        less = g.value - RATE_TOLERANCE * (1 if g.change > 0 else -1)
        w = whatif(rules, ds, agency, set_values={"online_rate": less}, nominal=nominal)
        assert w.new["rank"] > target
    assert reached >= 2


def test_goal_seek_says_when_it_cannot(setup) -> None:
    rules, ds, nominal = setup
    last = str(nominal.totals.index[-1])
    top = whatif(rules, ds, last, set_values={"on_time_rate": 100}, nominal=nominal)
    assert top.new["rank"] > 1                             # even a perfect rate is not enough
    g = goal_seek(rules, ds, last, Goal("rank", 1), "on_time_rate", nominal=nominal)
    assert not g.reached and g.value is None and g.whatif is None
    assert "cannot reach rank 1 or better" in g.message


def test_a_goal_already_met_needs_no_change(setup) -> None:
    rules, ds, nominal = setup
    first = str(nominal.totals.index[0])
    g = goal_seek(rules, ds, first, Goal("rank", 1), "online_rate", nominal=nominal)
    assert g.already and g.change == 0


def test_goal_parsing_and_bad_inputs(setup) -> None:
    rules, ds, nominal = setup
    assert Goal.parse("rank: 3") == Goal("rank", 3)
    for bad in ("rank:0", "rank", "top:3", "class:"):
        with pytest.raises(UsageError):
            Goal.parse(bad)
    agency = _low_agency(nominal)
    with pytest.raises(UsageError, match="not a class"):
        goal_seek(rules, ds, agency, Goal("class", "Hạng A"), "online_rate", nominal=nominal)
    with pytest.raises(UsageError, match="unknown indicator"):
        whatif(rules, ds, agency, set_values={"onlin_rate": 3}, nominal=nominal)
    with pytest.raises(UsageError, match="outside its domain"):
        whatif(rules, ds, agency, set_values={"online_rate": 130}, nominal=nominal)
    with pytest.raises(UsageError, match="both set and varied"):
        goal_seek(rules, ds, agency, Goal("rank", 1), "online_rate",
                  set_values={"online_rate": 3}, nominal=nominal)
