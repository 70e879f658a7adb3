"""One vocabulary: every code a person sees has one label per language; rules in words."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring import vocabulary as V
from scoring.engine import STATUSES
from scoring.i18n import language
from scoring.indicators import INDICATORS
from scoring.rules.model import (
    Adjustment,
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


BANDS_LEAF = Leaf(code="3.2.1", name="x", max=4, rule=BandsRule(
    indicator="on_time_rate",
    bands=[Band(min=95, points=4), Band(min=90, max=95, points=2),
           Band(min=50, max=90, points=0)]))
MANUAL_LEAF = Leaf(code="1.1.1", name="m", max=2, rule=ManualRule(missing="exclude"))
SURVEY_LEAF = Leaf(code="8.1", name="s", max=4, rule=SurveyRule(missing="zero"))
FORMULA_LEAF = Leaf(code="3.2.2", name="f", max=2, rule=FormulaRule(expr="late_rate * 2"))
BONUS = Adjustment(code="T", name="Thưởng", kind="bonus", rule=ManualRule(), cap=1)

# (item, status, engine code, value) -> (Vietnamese, English)
RULE_ROWS = [
    ((BANDS_LEAF, "scored", "[90, 95) → 2", 90.925),
     ("Từ 90 % đến dưới 95 %: 2 điểm", "From 90 % to below 95 %: 2 points")),
    ((BANDS_LEAF, "scored", "[95, +∞) → 4", 99.0), ("≥ 95 %: 4 điểm", "≥ 95 %: 4 points")),
    ((BANDS_LEAF, "scored", "no_band → 0", 10.0),
     ("Không ngưỡng nào chứa giá trị: 0 điểm", "No band holds the value: 0 points")),
    ((BANDS_LEAF, "not_applicable", "not_applicable:drop", None),
     ("Không phát sinh: không tính vào điểm tối đa",
      "Not applicable: does not count towards the maximum")),
    ((FORMULA_LEAF, "capped", "min(late_rate * 2, 2)", 3.0),
     ("Tỷ lệ hồ sơ trễ hạn × 2, tối đa 2 điểm", "Share of late dossiers × 2, capped at 2 points")),
    ((MANUAL_LEAF, "manual", "appraised_points", 1.5), ("Điểm thẩm định", "Appraised points")),
    ((MANUAL_LEAF, "manual", "self_points", 1.0),
     ("Điểm tự đánh giá (chưa có điểm thẩm định)", "Self-assessed points (no appraised points)")),
    ((MANUAL_LEAF, "missing", "missing:exclude", None),
     ("Chưa có điểm: không tính vào điểm tối đa", "No points yet: not counted in the maximum")),
    ((SURVEY_LEAF, "missing", "missing:zero", None),
     ("Chưa có phiếu: 0 điểm", "No survey answers yet: 0 points")),
    ((BONUS, "capped", "min(appraised_points, 1)", 3.0),
     ("Điểm thẩm định, tối đa 1 điểm", "Appraised points, capped at 1 point")),
    ((BONUS, "missing", "missing:zero", None), ("Chưa có điểm: 0 điểm", "No points yet: 0 points")),
]


@pytest.mark.parametrize(("row", "words"), RULE_ROWS)
def test_a_ledger_rule_in_words_in_both_languages(row, words):
    """The one rendering of the ledger's rule (workbook, CSV, explain, web, rule tests)."""
    for lang, expected in zip(("vi", "en"), words, strict=True):
        with language(lang):
            assert V.rule_text(*row) == expected


def test_a_rule_without_a_leaf_is_its_code():
    assert V.rule_text(None, "scored", "[90, 95) → 2", 91.0) == "[90, 95) → 2"


def test_inputs_in_words():
    assert V.inputs_words("on_time_rate=90.925") == "Tỷ lệ hồ sơ giải quyết đúng hạn: 90,93 %"
    assert V.inputs_words("self_points=nan; appraised_points=3") == (
        "Điểm tự đánh giá: —; Điểm thẩm định: 3")


def test_simulation_sources_in_words():
    assert V.source_label("band_shift 3.2.1") == "dịch ngưỡng của 3.2.1"
    assert V.source_label("leave_one_out 1.1.2") == "bỏ tiêu chí 1.1.2"
