"""The rule-set model: strict checks at construction, immutability, replace()."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

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
    RuleSet,
    Source,
    SurveyRule,
    TasksRule,
    Tree,
)

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written


def bands_rule(*edges: tuple[float | None, float | None, float], **kw) -> BandsRule:
    return BandsRule(indicator="on_time_rate",
                     bands=[Band(min=lo, max=hi, points=p) for lo, hi, p in edges], **kw)


def leaf(code: str, max_: float = 2, **kw) -> Leaf:
    return Leaf(code=code, name=f"leaf {code}", max=max_, rule=kw.pop("rule", ManualRule()),
                **kw)


def tree(*leaves: Leaf, crit_max: float | None = None, area_max: float | None = None,
         tree_max: float | None = None) -> Tree:
    crit = Criterion(code="1.1", name="c", max=crit_max, leaves=list(leaves))
    return Tree(name="t", max=tree_max, areas=[Area(code="1", name="a", max=area_max,
                                                    criteria=[crit])])


def ruleset(**kw) -> RuleSet:
    base = dict(id="r", version="1", title="t",
                source=Source(kind="simulation", assumptions="tests"),
                groups=[Group(id="department", name="Sở", tree="main")],
                trees={"main": tree(leaf("1.1.1"), leaf("1.1.2"))})
    base.update(kw)
    return RuleSet(**base)


# --------------------------------------------------------------------------- bands
def test_contiguous_bands_are_accepted():
    rule = bands_rule((95, None, 2), (80, 95, 1), (None, 80, 0))
    assert [b.contains(96) for b in rule.bands] == [True, False, False]
    assert [b.contains(95) for b in rule.bands] == [True, False, False]  # min <= v < max
    assert [b.contains(-1e9) for b in rule.bands] == [False, False, True]


def test_overlap_and_gap_are_refused():
    with pytest.raises(ValidationError, match=r"bands overlap: \[80, 96\) and \[95, \+∞\)"):
        bands_rule((95, None, 2), (80, 96, 1), (None, 80, 0))
    with pytest.raises(ValidationError, match=r"no band covers \[90, 95\)"):
        bands_rule((95, None, 2), (80, 90, 1), (None, 80, 0))


def test_overlap_is_allowed_with_hit_first():
    rule = bands_rule((95, None, 2), (0, None, 1), hit="first")
    assert rule.hit == "first"


def test_domain_must_be_covered():
    with pytest.raises(ValidationError, match=r"no band covers \[0, 50\) of the domain"):
        bands_rule((50, None, 2), domain=(0, 100))
    with pytest.raises(ValidationError, match="no band covers 100"):
        bands_rule((50, 100, 2), (0, 50, 0), domain=(0, 100))
    assert bands_rule((50, None, 2), (0, 50, 0), domain=(0, 100)).domain == (0, 100)


def test_band_edges_and_points():
    with pytest.raises(ValidationError, match="must be below max"):
        Band(min=5, max=5, points=1)
    with pytest.raises(ValidationError, match="must not be negative"):
        Band(min=0, points=-1)


@given(st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=6, unique=True))
def test_any_partition_of_the_line_is_valid(cuts):
    edges = sorted(cuts)
    bounds = [None, *edges, None]
    bands = [(bounds[i], bounds[i + 1], 0) for i in range(len(bounds) - 1)]
    assert len(bands_rule(*bands).bands) == len(edges) + 1


# --------------------------------------------------------------------------- tree
def test_band_points_may_not_exceed_the_leaf_max():
    with pytest.raises(ValidationError, match="band points 3 exceed the leaf max 2"):
        leaf("1.1.1", 2, rule=bands_rule((50, None, 3), (None, 50, 0)))


def test_declared_maxima_must_equal_the_sum_of_the_parts():
    assert tree(leaf("1.1.1", 2), leaf("1.1.2", 1.5)).total_max == 3.5
    assert tree(leaf("1.1.1", 2), crit_max=2, area_max=2, tree_max=2).total_max == 2
    with pytest.raises(ValidationError, match="max of 1.1 is 5 but its parts add up to 3.5"):
        tree(leaf("1.1.1", 2), leaf("1.1.2", 1.5), crit_max=5)
    with pytest.raises(ValidationError, match="max of the tree is 4"):
        tree(leaf("1.1.1", 2), tree_max=4)


def test_codes_are_unique_in_a_tree():
    with pytest.raises(ValidationError, match="code '1.1.1' is used twice"):
        tree(leaf("1.1.1"), leaf("1.1.1"))


def test_leaf_max_must_be_positive():
    with pytest.raises(ValidationError):
        leaf("1.1.1", 0)


def test_leaf_kinds():
    assert FormulaRule(expr="2").kind == "formula"
    with pytest.raises(ValidationError):
        FormulaRule(expr="")
    with pytest.raises(ValidationError, match="each in \\[0, 1\\]"):
        TasksRule(weights={"done_on_time": 1.5})
    with pytest.raises(ValidationError, match="mode 'bands' needs bands"):
        TasksRule(mode="bands")
    with pytest.raises(ValidationError, match="only used with mode: bands"):
        TasksRule(bands=[Band(min=None, points=1)])
    with pytest.raises(ValidationError, match="each in \\[0, 100\\]"):
        SurveyRule(options={"A": 120})


# --------------------------------------------------------------------------- rule set
def test_source_must_explain_itself():
    with pytest.raises(ValidationError, match="must name it"):
        Source(kind="decision")
    with pytest.raises(ValidationError, match="what it assumes"):
        Source(kind="simulation")


def test_groups_reference_trees_and_have_unique_ids():
    with pytest.raises(ValidationError, match="uses tree 'other', which is not defined"):
        ruleset(groups=[Group(id="department", name="Sở", tree="other")])
    with pytest.raises(ValidationError, match="two groups have the same id"):
        ruleset(groups=[Group(id="g", name="a", tree="main"), Group(id="g", name="b",
                                                                    tree="main")])


def test_classes_go_from_high_to_low():
    with pytest.raises(ValidationError, match="highest threshold"):
        Group(id="g", name="g", tree="t", classes=[ClassBand(label="B", min=80),
                                                   ClassBand(label="A", min=90)])


def test_unknown_keys_are_refused_and_values_are_frozen():
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Band(min=0, points=1, colour="red")
    rules = ruleset()
    with pytest.raises(ValidationError):
        rules.title = "x"


def test_replace_validates_and_keeps_the_original():
    rules = ruleset()
    other = rules.replace(title="khác")
    assert (rules.title, other.title) == ("t", "khác")
    with pytest.raises(ValidationError):
        rules.replace(groups=[])


def test_leaf_lookup_by_code():
    rules = ruleset()
    assert rules.leaf("1.1.2").code == "1.1.2"
    assert rules.tree_of("department").total_max == 4
    with pytest.raises(KeyError):
        rules.leaf("9.9.9")
