"""One vocabulary: every code a person sees has one label per language; rules in words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import vocabulary as V
from scoring.engine import STATUSES
from scoring.i18n import language
from scoring.indicators import INDICATORS
from scoring.rules.model import (
    Band,
    BandsRule,
    ClassBand,
    FormulaRule,
    Leaf,
    ManualRule,
    SurveyRule,
    TasksRule,
)


@pytest.fixture(autouse=True)
def _vietnamese():
    with language("vi"):
        yield


@given(st.integers(min_value=1, max_value=3999))
def test_roman_uses_only_roman_letters_and_is_unique(n):
    assert set(V.roman(n)) <= set("IVXLCDM")
    assert V.roman(n) != V.roman(n + 1)


def test_roman_examples():
    assert [V.roman(i) for i in (1, 4, 8, 9, 14, 40)] == ["I", "IV", "VIII", "IX", "XIV", "XL"]


def test_every_engine_status_and_indicator_has_a_label_in_both_languages():
    assert set(STATUSES) <= set(V.STATUSES)
    assert set(INDICATORS) <= set(V.INDICATORS)
    for lang in ("vi", "en"):
        with language(lang):
            labels = [V.status_label(s) for s in STATUSES] + [
                V.indicator_label(n) for n in INDICATORS]
            assert all(label and "_" not in label for label in labels)
    with language("en"):
        english = V.indicator_label("on_time_rate")
    assert V.indicator_label("on_time_rate") != english


def test_not_applicable_has_one_name():
    assert V.status_label("not_applicable") == "Không phát sinh"
    with language("en"):
        assert V.status_label("not_applicable") == "Not applicable"


def test_band_and_class_conditions():
    assert V.band_condition(95, 98, "%") == "từ 95 % đến dưới 98 %"
    assert V.band_condition(None, 5, "%") == "< 5 %"
    assert V.band_condition(2.5, None) == "≥ 2,5"
    cs = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80))
    assert V.class_condition(cs, 1) == "từ 80 % đến dưới 90 %"
    with language("en"):
        assert V.band_condition(95, 98, "%") == "from 95 % to below 98 %"
        assert V.class_label("Tốt") == "Good"


def test_rules_in_words_for_each_kind():
    bands = Leaf(code="1", name="x", max=2, rule=BandsRule(
        indicator="late_rate", domain=(0, 100),
        bands=[Band(min=0, max=1, points=2), Band(min=1, points=0.5)]))
    text = V.rule_words(bands)
    assert text.splitlines()[0] == "Tỷ lệ hồ sơ trễ hạn ≥ 1 %: 0,5 điểm"
    assert text.splitlines()[1] == "Từ 0 % đến dưới 1 %: 2 điểm"
    assert text.endswith("Không phát sinh: không tính vào điểm tối đa")
    tasks = V.rule_words(Leaf(code="2", name="t", max=3, rule=TasksRule(),
                              not_applicable="award"))
    assert "hoàn thành trễ hạn × 0,5" in tasks and tasks.endswith("được điểm tối đa")
    formula = Leaf(code="3", name="f", max=1, rule=FormulaRule(expr="min(online_rate, 1)"),
                   applies_if="online_eligible > 0")
    assert V.rule_words(formula).splitlines()[:2] == [
        "Điểm = giá trị nhỏ hơn của tỷ lệ hồ sơ trực tuyến; 1",
        "Chỉ áp dụng khi: tổng số hồ sơ phát sinh (thuộc diện trực tuyến) > 0"]
    assert "Điểm thẩm định" in V.rule_words(Leaf(code="4", name="m", max=1, rule=ManualRule()))
    survey = V.rule_words(Leaf(code="5", name="s", max=1, rule=SurveyRule(
        options={"A": 100, "B": 60})))
    assert "A = 100 %; B = 60 %" in survey


def test_formula_in_words_has_no_variable_names():
    text = V.formula_words("clip(max_points * (1 - late_rate / 5), 0, max_points)")
    assert "late_rate" not in text and "max_points" not in text and "clip" not in text
    assert text == ("điểm tối đa × (1 − (tỷ lệ hồ sơ trễ hạn ÷ 5)), giới hạn trong khoảng "
                    "từ 0 đến điểm tối đa")


def test_fired_band_and_inputs_in_words():
    leaf = Leaf(code="3.2.1", name="x", max=4, rule=BandsRule(
        indicator="on_time_rate", domain=(0, 100),
        bands=[Band(min=95, points=4), Band(min=90, max=95, points=2),
               Band(min=0, max=90, points=0)]))
    assert V.fired_rule_words(leaf, "scored", 90.925, 2) == "Từ 90 % đến dưới 95 % → 2 điểm"
    assert V.fired_rule_words(leaf, "not_applicable", None, 0) == (
        "Không phát sinh → không tính vào điểm tối đa")
    assert V.inputs_words("on_time_rate=90.925") == "Tỷ lệ hồ sơ giải quyết đúng hạn: 90,93 %"
    assert V.inputs_words("self_points=nan; appraised_points=3") == (
        "Điểm tự đánh giá: —; Điểm thẩm định: 3")


def test_simulation_sources_in_words():
    assert V.source_label("band_shift 3.2.1") == "dịch ngưỡng của 3.2.1"
    assert V.source_label("leave_one_out 1.1.2") == "bỏ tiêu chí 1.1.2"
