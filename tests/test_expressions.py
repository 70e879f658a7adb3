"""The formula language: what it refuses, what it computes, vectorised = per row."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.expressions import (
    MAX_LENGTH,
    ExpressionError,
    compile_expression,
)

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written

NAMES = ["on_time_rate", "online_rate", "received", "max_points", "a", "b", "c"]


def refused(text: str, names=NAMES) -> str:
    with pytest.raises(ExpressionError) as info:
        compile_expression(text, names, where="trees.x.rule.expr")
    (problem,) = info.value.problems
    assert problem.field == "trees.x.rule.expr"
    assert problem.fix
    return f"{problem.message} | {problem.fix}"


# --------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(("text", "expected"), [
    ("a.__class__", "attribute access"),
    ("a.real", "attribute access"),
    ("__import__('os')", "names starting with '_'"),
    ("_secret + 1", "names starting with '_'"),
    ("9**9**9", "exponent after '**' must be a number"),
    ("a ** 11", "exponent 11 is too large"),
    ("2 ** a", "exponent after '**' must be a number"),
    ("lambda: 1", "lambda is not allowed"),
    ("[x for x in (1, 2)]", "comprehensions are not allowed"),
    ("sum(x for x in (1, 2))", "sum(...) is not an allowed function"),
    ("'abc'.upper()", "calling methods"),
    ("'a'", "text is not allowed"),
    ("a[0]", "subscripts"),
    ("a if b else c", "write where(cond, a, b)"),
    ("a & b", "operator '&' is not allowed"),
    ("a % 2", "operator '%' is not allowed"),
    ("~a", "operator '~' is not allowed"),
    ("(y := 2)", "':=' is not allowed"),
    ("open('/etc/passwd')", "open(...) is not an allowed function"),
    ("min", "'min' is a function"),
    ("round(a, b)", "digits of round"),
    ("round(a, 2.5)", "digits of round"),
    ("clip(a, 0)", "clip(...) got 2 arguments"),
    ("min(a)", "min(...) got 1 argument"),
    ("max(a, b, key=c)", "takes no named arguments"),
    ("10 ** 40", "exponent 40 is too large"),
    ("123456789012345678901234567890", "too large"),
    ("None", "None is not allowed"),
    ("a in b", "only the comparisons"),
    ("a +", "syntax error"),
    ("a; b", "syntax error"),
    ("import os", "syntax error"),
    ("", "empty"),
    ("a + " * 400 + "a", f"under {MAX_LENGTH} characters"),
    ("+".join(["a"] * 200), "too large"),
])
def test_unsafe_or_malformed_formulas_are_refused(text, expected):
    assert expected in refused(text)


def test_unknown_name_gets_a_suggestion_and_column():
    msg = refused("2 * on_tme_rate")
    assert "'on_tme_rate' is not a known name (column 5)" in msg
    assert "did you mean 'on_time_rate'?" in msg


def test_unknown_function_gets_a_suggestion():
    assert "did you mean 'min'?" in refused("mn(a, 1)")


def test_names_read_are_recorded():
    e = compile_expression("where(a > 0, b, max_points)", NAMES)
    assert e.names == frozenset({"a", "b", "max_points"})


# --------------------------------------------------------------------------- semantics
def ev(text: str, **cols) -> np.ndarray:
    arrays = {k: np.asarray(v, dtype=float) for k, v in cols.items()}
    return compile_expression(text, list(cols) or ["a"]).evaluate(arrays)


def test_arithmetic_and_nan_propagation():
    out = ev("a * 2 + b / 4", a=[1, np.nan, 3], b=[4, 4, np.nan])
    assert out[0] == 3.0
    assert np.isnan(out[1]) and np.isnan(out[2])


def test_division_by_zero_is_missing_not_infinite():
    out = ev("a / b", a=[1, 0, -1], b=[0, 0, 2])
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == -0.5


def test_comparisons_are_elementwise_and_missing_stays_missing():
    out = ev("a >= 95", a=[96, 95, 94.99, np.nan])
    np.testing.assert_array_equal(out, [1, 1, 0, np.nan])
    chain = ev("0 < a <= 5", a=[0, 3, 5, 6])
    np.testing.assert_array_equal(chain, [0, 1, 1, 0])


def test_three_valued_logic():
    out = ev("a > 0 and b > 0", a=[1, 1, -1, np.nan], b=[1, np.nan, np.nan, -1])
    np.testing.assert_array_equal(out, [1, np.nan, 0, 0])
    out = ev("a > 0 or b > 0", a=[1, -1, -1, np.nan], b=[np.nan, np.nan, -1, 1])
    np.testing.assert_array_equal(out, [1, np.nan, 0, 1])
    np.testing.assert_array_equal(ev("not a", a=[0, 2, np.nan]), [1, 0, np.nan])
    np.testing.assert_array_equal(ev("isna(a) or a < 5", a=[np.nan, 4, 6]), [1, 1, 0])


def test_functions():
    np.testing.assert_array_equal(ev("where(a > 50, 2, 1)", a=[60, 40, np.nan]), [2, 1, np.nan])
    np.testing.assert_array_equal(ev("min(a, b, 3)", a=[1, 5, np.nan], b=[2, 4, 0]),
                                  [1, 3, np.nan])
    np.testing.assert_array_equal(ev("max(a, b)", a=[1, 5], b=[2, 4]), [2, 5])
    np.testing.assert_array_equal(ev("clip(a, 0, 10)", a=[-5, 5, 15]), [0, 5, 10])
    np.testing.assert_array_equal(ev("abs(a)", a=[-2.5, 2]), [2.5, 2])
    np.testing.assert_array_equal(ev("floor(a) + ceil(a) * 10", a=[1.5, -1.5]), [21, -12])
    np.testing.assert_array_equal(ev("isna(a)", a=[np.nan, 0]), [1, 0])


def test_round_halves_away_from_zero_like_excel():
    np.testing.assert_array_equal(ev("round(a)", a=[0.5, 1.5, 2.5, -2.5, 2.4]),
                                  [1, 2, 3, -3, 2])
    # 2.675 is stored just below 2.675; Excel still shows 2.68
    np.testing.assert_array_equal(ev("round(a, 2)", a=[2.675, 1.005]), [2.68, 1.01])
    np.testing.assert_array_equal(ev("round(a, -1)", a=[15, 14]), [20, 10])


def test_power_with_constant_exponent():
    np.testing.assert_allclose(ev("a ** 2 + a ** -1 + a ** 0.5", a=[4.0]), [16.25 + 2])


def test_constant_formula_is_broadcast_to_the_agencies():
    out = compile_expression("2", ["a"]).evaluate({"a": np.zeros(4)})
    np.testing.assert_array_equal(out, [2, 2, 2, 2])


def test_dataframe_input_and_missing_column():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]})
    e = compile_expression("a + b", ["a", "b"])
    np.testing.assert_array_equal(e.evaluate(df), [4, 6])
    with pytest.raises(KeyError, match="needs the column 'b'"):
        e.evaluate({"a": np.ones(2)})


def test_evaluate_row_matches_hand_computation():
    e = compile_expression("where(online_rate >= 50, max_points, max_points * online_rate / 50)",
                           NAMES)
    assert e.evaluate_row({"online_rate": 25.0, "max_points": 2.0}) == 1.0
    assert e.evaluate_row({"online_rate": 80.0, "max_points": 2.0}) == 2.0
    assert math.isnan(e.evaluate_row({"online_rate": None, "max_points": 2.0}))


# --------------------------------------------------------------------------- property
VARS = ["a", "b", "c"]
numbers = st.sampled_from([0, 1, 2, 0.5, 2.5, 50, 95, 100, 1e3])


def _exprs():
    leaf = st.one_of(st.sampled_from(VARS), numbers.map(repr))

    def extend(sub):
        return st.one_of(
            st.tuples(sub, st.sampled_from(["+", "-", "*", "/"]), sub)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(sub, st.sampled_from(["2", "3", "-1", "0.5"]))
            .map(lambda t: f"({t[0]} ** {t[1]})"),
            st.tuples(sub, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), sub)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(sub, st.sampled_from(["and", "or"]), sub)
            .map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            sub.map(lambda s: f"(not {s})"),
            sub.map(lambda s: f"(-{s})"),
            st.tuples(st.sampled_from(["abs", "floor", "ceil", "isna", "round"]), sub)
            .map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(sub, st.sampled_from(["0", "1", "2", "-1"]))
            .map(lambda t: f"round({t[0]}, {t[1]})"),
            st.tuples(st.sampled_from(["min", "max"]), sub, sub)
            .map(lambda t: f"{t[0]}({t[1]}, {t[2]})"),
            st.tuples(sub, sub, sub).map(lambda t: f"where({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(sub, sub, sub).map(lambda t: f"clip({t[0]}, {t[1]}, {t[2]})"),
            st.tuples(sub, sub, sub).map(lambda t: f"({t[0]} < {t[1]} <= {t[2]})"),
        )
    return st.recursive(leaf, extend, max_leaves=8)


values = st.one_of(st.just(math.nan), st.just(0.0), st.just(-0.0),
                   st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
                   st.sampled_from([1.0, 50.0, 95.0, 100.0, -1.0, 2.5]))


@given(text=_exprs(), rows=st.lists(st.tuples(values, values, values), min_size=1,
                                    max_size=12))
def test_a_column_evaluates_as_each_row_alone(text, rows):
    e = compile_expression(text, VARS)
    cols = {v: np.array([r[i] for r in rows], dtype=float) for i, v in enumerate(VARS)}
    vector = e.evaluate(cols)
    assert vector.shape == (len(rows),)
    per_row = np.array([e.evaluate_row(dict(zip(VARS, r, strict=True))) for r in rows])
    np.testing.assert_array_equal(vector, per_row, err_msg=text)
    assert not np.isinf(vector).any()
