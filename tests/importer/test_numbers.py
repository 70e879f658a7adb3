"""Vietnamese number cells (scoring/importer/numbers.py)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.importer.numbers import NumberFormatError, format_number, parse_number


@pytest.mark.parametrize(("text", "value", "decimals", "percent"), [
    ("346.143", 346143, 0, False),
    ("1.020", 1020, 0, False),
    ("9", 9, 0, False),
    ("-", 0, 0, False),
    ("2,33%", 2.33, 2, True),
    ("100,00%", 100.0, 2, True),
    ("0,00%", 0.0, 2, True),
    ("<b>x</b>".replace("<b>x</b>", "7.510"), 7510, 0, False),
])
def test_published_forms(text: str, value: float, decimals: int, percent: bool) -> None:
    n = parse_number(text)
    assert n is not None
    assert n.value == value
    assert n.decimals == decimals
    assert n.percent is percent
    assert not n.unseparated


def test_blank_is_missing_not_zero() -> None:
    assert parse_number("") is None
    assert parse_number("   ") is None


@pytest.mark.parametrize(("text", "value"), [("5840", 5840), ("16168", 16168), ("1180", 1180)])
def test_numbers_without_separator_parse_and_are_flagged(text: str, value: int) -> None:
    n = parse_number(text)
    assert n.value == value and n.unseparated


def test_three_digit_number_is_not_flagged() -> None:
    assert not parse_number("961").unseparated


@pytest.mark.parametrize("text", ["12.34", "1,2,3", "abc", "1.2345", "--", "012", "12 345"])
def test_malformed_cells_raise(text: str) -> None:
    with pytest.raises(NumberFormatError):
        parse_number(text)


@given(st.integers(min_value=0, max_value=10**12))
def test_integer_round_trip(value: int) -> None:
    text = format_number(value)
    n = parse_number(text)
    assert n.value == value
    assert not n.unseparated
    # thousands are grouped by three with '.'
    assert all(len(g) == 3 for g in text.split(".")[1:])


@given(st.integers(min_value=0, max_value=10**9), st.integers(min_value=1, max_value=4),
       st.booleans())
def test_decimal_round_trip(scaled: int, decimals: int, percent: bool) -> None:
    value = scaled / 10**decimals
    text = format_number(value, decimals, percent)
    n = parse_number(text)
    assert n.decimals == decimals and n.percent is percent
    assert round(n.value, decimals) == round(value, decimals)
    assert format_number(n.value, n.decimals, n.percent) == text


def test_format_matches_the_published_style() -> None:
    assert format_number(633464) == "633.464"
    assert format_number(1.59, 2, percent=True) == "1,59%"
    with pytest.raises(ValueError):
        format_number(-1)
