"""Fuzz: any formula text compiles and evaluates to numbers, or is refused with a message."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.errors import CchcError
from scoring.expressions import compile_expression

NAMES = ["on_time_rate", "late_rate", "online_rate", "max_points"]
TOKENS = [*NAMES, "1", "0", "2.5", "-", "+", "*", "/", "**", "(", ")", ",", "<", ">=", "==",
          "and", "or", "not", "min(", "max(", "clip(", "where(", "abs(", "round(", "x",
          "__import__", ".", "[", "]", "'a'", "lambda", "9" * 400, "1e309", "nan", "if", "else"]


@settings(deadline=None)
@given(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12))
def test_any_formula_is_numbers_or_a_message(tokens):
    text = " ".join(tokens)
    try:
        expr = compile_expression(text, NAMES, where="fuzz")
    except CchcError as err:
        assert err.problems and err.problems[0].message
        return
    columns = {"on_time_rate": np.array([0.0, 50.0, np.nan, 100.0]),
               "late_rate": np.array([0.0, 1.0, 2.0, np.nan]),
               "online_rate": np.array([10.0, np.nan, 0.0, 99.0]), "max_points": 2.0}
    try:
        out = np.asarray(expr.evaluate(columns), dtype=float)
    except CchcError as err:
        assert err.problems[0].message
        return
    assert out.shape in ((), (4,))
