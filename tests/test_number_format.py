"""Numbers for people: one format per language, read back exactly."""

import math
from decimal import ROUND_HALF_UP, Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from scoring.i18n import language
from scoring.number_format import format_number


def _parse_vi(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


@pytest.fixture(autouse=True)
def _vietnamese():
    with language("vi"):
        yield


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_two_decimals_read_back(x):
    text = format_number(x, 2)
    assert text.count(",") == 1
    assert abs(_parse_vi(text) - x) <= 0.005 + 1e-6 * abs(x)


@given(st.integers(min_value=0, max_value=10**9))
def test_thousands_grouped_with_dots(n):
    text = format_number(n)
    assert "," not in text
    assert text.replace(".", "") == str(n)
    assert all(len(part) == 3 for part in text.split(".")[1:])


def test_examples():
    assert format_number(1234.5, 2) == "1.234,50"
    assert format_number(0.5) == "0,5"
    assert format_number(2.0) == "2"
    assert format_number(99.995, 2) == "100,00"  # half away from zero, as by hand
    assert format_number(90.925, 2) == "90,93"
    assert format_number(-0.001, 2) == "0,00"
    assert format_number(math.inf) == "+∞"
    assert format_number(None) == format_number(math.nan) == "—"


def test_signed_changes():
    assert format_number(12.5, 2, signed=True) == "+12,50"
    assert format_number(-7.07504, 2, signed=True) == "-7,08"
    assert format_number(0.0, 2, signed=True) == "0,00"


def test_english_style_with_lang_en():
    with language("en"):
        assert format_number(1234.5, 2) == "1,234.50"
        assert format_number(12.5, 2, signed=True) == "+12.50"
    assert format_number(1234.5, 2, lang="en") == "1,234.50"


@given(st.one_of(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
                 st.integers(min_value=-10**7, max_value=10**7)),
       st.sampled_from([None, 0, 1, 2, 3]), st.booleans(), st.sampled_from(["vi", "en"]))
def test_same_text_as_babel_patterns(x, decimals, signed, lang):
    """The fast writer gives exactly what Babel's number pattern gives."""
    places = 6 if decimals is None else decimals
    exact = Decimal(f"{float(x):.12g}").quantize(Decimal(1).scaleb(-places),
                                                 rounding=ROUND_HALF_UP)
    if exact == 0:
        exact, signed = abs(exact), False
    body = "#,##0" + ("." + ("#" * 6 if decimals is None else "0" * decimals)
                      if decimals != 0 else "")
    expected = format_decimal(exact, format=f"+{body};-{body}" if signed else body,
                              locale=lang, decimal_quantization=False)
    assert format_number(x, decimals, signed=signed, lang=lang) == expected
