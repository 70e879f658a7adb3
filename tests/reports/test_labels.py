"""Vietnamese wording: numbers, roman numerals, rules in words."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from reports.labels import (
    STATUS_LABELS,
    band_condition,
    class_condition,
    describe_rule,
    roman,
    vi_number,
)
from scoring.engine import STATUSES
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


def _parse_vi(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_vi_number_two_decimals_reads_back(x):
    text = vi_number(x, 2)
    assert "," in text and text.count(",") == 1
    assert abs(_parse_vi(text) - x) <= 0.005 + 1e-6 * abs(x)


@given(st.integers(min_value=0, max_value=10**9))
def test_vi_number_groups_thousands_with_dots(n):
    text = vi_number(n)
    assert "," not in text
    assert text.replace(".", "") == str(n)
    assert all(len(part) == 3 for part in text.split(".")[1:])


def test_vi_number_examples():
    assert vi_number(1234.5, 2) == "1.234,50"
    assert vi_number(0.5) == "0,5"
    assert vi_number(2.0) == "2"
    assert vi_number(99.995, 2) == "100,00"  # half away from zero, as by hand
    assert vi_number(-0.001, 2) == "0,00"
    assert vi_number(math.inf) == "+∞"


@given(st.integers(min_value=1, max_value=3999))
def test_roman_uses_only_roman_letters_and_is_unique(n):
    text = roman(n)
    assert set(text) <= set("IVXLCDM")
    assert roman(n) != roman(n + 1)


def test_roman_examples():
    assert [roman(i) for i in (1, 4, 8, 9, 14, 40)] == ["I", "IV", "VIII", "IX", "XIV", "XL"]


def test_every_engine_status_has_a_vietnamese_label():
    assert set(STATUSES) <= set(STATUS_LABELS)


def test_band_and_class_conditions():
    assert band_condition(Band(min=95, max=98, points=1), "%") == "từ 95 % đến dưới 98 %"
    assert band_condition(Band(max=5, points=1), "%") == "< 5 %"
    assert band_condition(Band(min=2.5, points=1)) == "≥ 2,5"
    cs = (ClassBand(label="Xuất sắc", min=90), ClassBand(label="Tốt", min=80))
    assert class_condition(cs, 1) == "từ 80 % đến dưới 90 %"


def test_rules_in_words_for_each_kind():
    bands = Leaf(code="1", name="x", max=2, rule=BandsRule(
        indicator="late_rate", domain=(0, 100),
        bands=[Band(min=0, max=1, points=2), Band(min=1, points=0.5)]))
    text = describe_rule(bands)
    assert text.splitlines()[0] == "Tỷ lệ hồ sơ trễ hạn ≥ 1 %: 0,5 điểm"
    assert text.splitlines()[1] == "Từ 0 % đến dưới 1 %: 2 điểm"
    assert text.endswith("Không phát sinh: không tính vào điểm tối đa")
    tasks = describe_rule(Leaf(code="2", name="t", max=3, rule=TasksRule(),
                               not_applicable="award"))
    assert "hoàn thành trễ hạn × 0,5" in tasks and tasks.endswith("được điểm tối đa")
    formula = Leaf(code="3", name="f", max=1, rule=FormulaRule(expr="min(online_rate, 1)"),
                   applies_if="online_eligible > 0")
    assert describe_rule(formula).splitlines()[:2] == [
        "Công thức: min(online_rate, 1)", "Chỉ áp dụng khi: online_eligible > 0"]
    assert "Điểm thẩm định" in describe_rule(Leaf(code="4", name="m", max=1, rule=ManualRule()))
    survey = describe_rule(Leaf(code="5", name="s", max=1, rule=SurveyRule(
        options={"A": 100, "B": 60})))
    assert "A = 100 %; B = 60 %" in survey
