"""The sandboxed expression language of rule files.

Rule files compute some points with small formulas over an agency's indicators
(``FormulaRule.expr``, ``Leaf.applies_if``, bonus and deduction formulas). A formula is
checked once, when the rule file loads (:func:`compile_expression`), against a strict
allow-list, and then evaluated for **all agencies at once** by :mod:`simpleeval` with the
names bound to whole columns and one numpy operation per node of the formula
(:meth:`Expression.evaluate`; :meth:`Expression.evaluate_row` is the same for one
agency). Walking the tree with simpleeval costs some 3 µs per node over a hand-written
walker: about 75 µs for a 25-node formula, whatever the number of agencies
(benchmarks/README.md).

The language
------------
* Numbers (``2``, ``0.5``, ``1e3``), ``True`` (= 1) and ``False`` (= 0); no text.
* Names: the indicator names given to :func:`compile_expression` (and ``max_points``).
* Arithmetic ``+ - * /`` and ``**`` with a constant exponent of at most 10 in size.
* Comparisons ``< <= > >= == !=`` (chains like ``0 < x <= 5`` allowed) give 1 or 0.
* Logic ``and``, ``or``, ``not`` work element-wise and give 1 or 0 (``&``, ``|``, ``~``
  are refused: on numbers they are bit operations, not logic).
* Functions: ``min(a, b, ...)``, ``max(a, b, ...)`` (element-wise, two or more
  arguments), ``clip(x, lo, hi)``, ``where(cond, a, b)``, ``abs(x)``, ``round(x)`` or
  ``round(x, digits)`` (halves away from zero, as in Excel), ``floor(x)``, ``ceil(x)``,
  ``isna(x)``.
* Missing values (NaN, an indicator with a zero denominator) propagate: any arithmetic,
  comparison, function or ``where`` condition that reads a missing value gives a missing
  value, except ``isna(x)`` (1 if missing), ``and`` / ``or`` (three-valued:
  ``0 and missing`` is 0, ``1 or missing`` is 1) and ``where(c, a, b)`` whose unused
  branch is missing. Division by zero gives a missing value, and so does a result that
  is infinite.

Everything else is refused when the rule file loads, with the reason: attribute access
(``x.__class__``, ``"a".upper()``), subscripts, names starting with ``_``, calls of
anything but the functions above, keyword arguments, lambdas, comprehensions, ``if``
expressions (use ``where``), text, huge numbers, and formulas over 1,000 characters or
300 syntax nodes. Evaluation time is therefore bounded by the formula size times the
number of agencies.

Examples
--------
>>> import numpy as np
>>> e = compile_expression("where(online_rate >= 50, max_points, max_points / 2)",
...                        ["online_rate", "max_points"])
>>> sorted(e.names)
['max_points', 'online_rate']
>>> e.evaluate({"online_rate": np.array([80.0, 20.0, np.nan]), "max_points": 2.0})
array([ 2.,  1., nan])
>>> e.evaluate_row({"online_rate": 20.0, "max_points": 2.0})
1.0
>>> from scoring.i18n import language
>>> with language("vi"):
...     try:
...         compile_expression("online_rat * 2", ["online_rate"])
...     except ExpressionError as exc:
...         print(exc.problems[0].message, "/", exc.problems[0].fix)
'online_rat' không phải là tên đã biết (cột 1) / có phải là 'online_rate'?
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from simpleeval import SimpleEval

from scoring.errors import Problem, RuleError
from scoring.i18n import N_, _, ngettext
from scoring.number_format import format_number
from scoring.rounding import round_half_away
from scoring.text import known_words, suggest_fix

MAX_LENGTH = 1000
"""Longest formula accepted, in characters."""
MAX_NODES = 300
"""Largest formula accepted, in Python syntax nodes."""
MAX_EXPONENT = 10
"""Largest exponent size allowed after ``**`` (the exponent must be a constant)."""
MAX_CONSTANT = 1e15
"""Largest number allowed in a formula."""
MAX_ARGS = 20
"""Most arguments of ``min`` / ``max``."""

FUNCTIONS: dict[str, str] = {
    "min": "min(a, b, ...): the smallest, element-wise",
    "max": "max(a, b, ...): the largest, element-wise",
    "clip": "clip(x, lo, hi): x kept within [lo, hi]",
    "where": "where(cond, a, b): a where cond is true, else b",
    "abs": "abs(x): absolute value",
    "round": "round(x) or round(x, digits): halves away from zero",
    "floor": "floor(x): round down",
    "ceil": "ceil(x): round up",
    "isna": "isna(x): 1 where x is missing, else 0",
}
"""The functions a formula may call, with a one-line description."""

_ARITY: dict[str, tuple[int, int]] = {
    "min": (2, MAX_ARGS), "max": (2, MAX_ARGS), "clip": (3, 3), "where": (3, 3),
    "abs": (1, 1), "round": (1, 2), "floor": (1, 1), "ceil": (1, 1), "isna": (1, 1),
}
_NAN = math.nan


class ExpressionError(RuleError):
    """A formula is malformed or unsafe; carries one :class:`~scoring.errors.Problem`."""


# --------------------------------------------------------------------------- validation
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_CMPOPS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!="}
_COMPREHENSION = (N_("comprehensions are not allowed"), N_("use min(...), max(...) or where(...)"))
_ARITHMETIC = N_("write an arithmetic formula")
_REFUSED: dict[type, tuple[str, str]] = {
    # (what is wrong, how to fix it), in English, translated where shown
    ast.Attribute: (N_("attribute access ('.') is not allowed"),
                    N_("formulas work on numbers only; use the functions listed in the docs")),
    ast.Subscript: (N_("subscripts ('[...]') are not allowed"),
                    N_("use indicator names directly")),
    ast.Lambda: (N_("lambda is not allowed"), N_("write the formula directly")),
    ast.ListComp: _COMPREHENSION,
    ast.SetComp: _COMPREHENSION,
    ast.DictComp: _COMPREHENSION,
    ast.GeneratorExp: _COMPREHENSION,
    ast.IfExp: (N_("'a if cond else b' is not allowed"), N_("write where(cond, a, b)")),
    ast.NamedExpr: (N_("':=' is not allowed"), N_("write the formula without assignments")),
    ast.JoinedStr: (N_("text is not allowed in formulas"), N_("use numbers only")),
    ast.List: (N_("lists are not allowed"), N_("pass values to min(...) / max(...) directly")),
    ast.Tuple: (N_("tuples are not allowed"), N_("pass values to min(...) / max(...) directly")),
    ast.Set: (N_("sets are not allowed"), N_("pass values to min(...) / max(...) directly")),
    ast.Dict: (N_("dictionaries are not allowed"), N_("use numbers only")),
    ast.Starred: (N_("'*' unpacking is not allowed"), N_("list the arguments one by one")),
    ast.Await: (N_("'await' is not allowed"), _ARITHMETIC),
    ast.Yield: (N_("'yield' is not allowed"), _ARITHMETIC),
    ast.YieldFrom: (N_("'yield' is not allowed"), _ARITHMETIC),
}

# Python's own words for the commonest syntax errors (others are quoted as Python says them)
_SYNTAX: tuple[tuple[str, str], ...] = (
    ("invalid syntax", N_("the formula is not written correctly")),
    ("was never closed", N_("a bracket is opened and never closed")),
    ("unmatched", N_("a closing bracket has no opening bracket")),
    ("does not match opening parenthesis", N_("the brackets do not match")),
    ("unexpected EOF", N_("the formula ends too early")),
    ("unterminated string", N_("a quote is opened and never closed")),
    ("invalid decimal literal", N_("a number is followed directly by letters")),
    ("leading zeros", N_("a whole number starts with 0")),
)


def _syntax_words(msg: str) -> str:
    """What Python's syntax error means, in the user's language."""
    return known_words(msg, _SYNTAX, _("Python says: {message}"))


def _fail(message: str, fix: str, where: str, node: ast.AST | None = None) -> ExpressionError:
    if node is not None and hasattr(node, "col_offset"):
        message = _("{message} (column {column})").format(message=message,
                                                          column=node.col_offset + 1)
    return ExpressionError(Problem(message, field=where or None, fix=fix))


def _functions() -> str:
    return _("use only the functions {names}").format(names=", ".join(FUNCTIONS))


def _constant_number(node: ast.AST) -> float | None:
    """The value of a numeric literal, or of ``-literal`` / ``+literal``; else None."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        return sign * float(node.value)
    return None


class _Validator:
    def __init__(self, names: frozenset[str], where: str):
        self.names = names
        self.where = where
        self.used: set[str] = set()

    def fail(self, message: str, fix: str, node: ast.AST | None = None) -> ExpressionError:
        return _fail(message, fix, self.where, node)

    def visit(self, node: ast.AST) -> None:  # noqa: C901 - one branch per node kind
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, str | bytes):
                raise self.fail(_("text is not allowed in formulas"), _("use numbers only"),
                                node)
            if type(value) not in (int, float, bool):
                raise self.fail(_("{value} is not allowed in formulas").format(
                    value=repr(value)), _("use numbers, True or False"), node)
            if type(value) is int and value.bit_length() > 64 or abs(value) > MAX_CONSTANT:
                raise self.fail(_("the number {number} is too large").format(
                    number=str(value)[:20]), _("use numbers up to {max}").format(
                        max=f"{MAX_CONSTANT:.0e}"), node)
            if isinstance(value, float) and not math.isfinite(value):
                raise self.fail(_("infinite numbers are not allowed"),
                                _("use a finite number"), node)
        elif isinstance(node, ast.Name):
            self.name(node)
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                sym = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.Mod: "%",
                       ast.FloorDiv: "//", ast.LShift: "<<", ast.RShift: ">>",
                       ast.MatMult: "@"}.get(type(node.op), type(node.op).__name__)
                fix = (_("use 'and' / 'or' for logic") if sym in ("&", "|", "^")
                       else _("use + - * / ** and the functions floor, ceil, round"))
                raise self.fail(_("the operator {symbol} is not allowed").format(
                    symbol=repr(sym)), fix, node)
            if isinstance(node.op, ast.Pow):
                exponent = _constant_number(node.right)
                if exponent is None:
                    raise self.fail(_("the exponent after '**' must be a number written in "
                                      "the formula"), _("write x ** 2 (at most {max})").format(
                                          max=MAX_EXPONENT), node)
                if abs(exponent) > MAX_EXPONENT:
                    raise self.fail(_("the exponent {exponent} is too large").format(
                        exponent=format_number(exponent)),
                        _("use an exponent between -{max} and {max}").format(max=MAX_EXPONENT),
                        node)
            self.visit(node.left)
            self.visit(node.right)
        elif isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.Invert):
                raise self.fail(_("the operator '~' is not allowed"),
                                _("use 'not' for logic"), node)
            self.visit(node.operand)
        elif isinstance(node, ast.BoolOp):
            for value in node.values:
                self.visit(value)
        elif isinstance(node, ast.Compare):
            for op in node.ops:
                if type(op) not in _CMPOPS:
                    raise self.fail(_("only the comparisons < <= > >= == != are allowed"),
                                    _("compare numbers, e.g. online_rate >= 50"), node)
            self.visit(node.left)
            for comp in node.comparators:
                self.visit(comp)
        elif isinstance(node, ast.Call):
            self.call(node)
        elif type(node) in _REFUSED:
            message, fix = _REFUSED[type(node)]
            raise self.fail(_(message), _(fix), node)
        else:
            raise self.fail(_("{construct} is not allowed in formulas").format(
                construct=type(node).__name__),
                _("use numbers, indicator names, + - * / ** comparisons, and/or/not and the "
                  "listed functions"), node)

    def name(self, node: ast.Name) -> None:
        name = node.id
        if name.startswith("_"):
            raise self.fail(_("names starting with '_' are not allowed ({name})").format(
                name=repr(name)), _("use an indicator name"), node)
        if name in FUNCTIONS:
            raise self.fail(_("{name} is a function").format(name=repr(name)),
                            _("call it: {call}").format(call=FUNCTIONS[name]), node)
        if name not in self.names:
            known = sorted(self.names)
            fix = suggest_fix(name, known, _("use one of the names: {names}").format(
                names=", ".join(known[:40])))
            raise self.fail(_("{name} is not a known name").format(name=repr(name)), fix, node)
        self.used.add(name)

    def call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            raise self.fail(_("calling methods ('.{method}(...)') is not allowed").format(
                method=func.attr), _functions(), node)
        if not isinstance(func, ast.Name):
            raise self.fail(_("only the listed functions can be called"), _functions(), node)
        name = func.id
        if name not in FUNCTIONS:
            if name.startswith("_"):
                raise self.fail(_("names starting with '_' are not allowed ({name})").format(
                    name=repr(name)), _functions(), node)
            raise self.fail(_("{name}(...) is not an allowed function").format(name=name),
                            suggest_fix(name, list(FUNCTIONS), _functions()), node)
        write = _("write {call}").format(call=FUNCTIONS[name])
        if node.keywords:
            raise self.fail(_("{name}(...) takes no named arguments").format(name=name),
                            write, node)
        lo, hi = _ARITY[name]
        if not lo <= len(node.args) <= hi:
            raise self.fail(ngettext("{name}(...) got {n} argument",
                                     "{name}(...) got {n} arguments", len(node.args)).format(
                                         name=name, n=len(node.args)), write, node)
        if name == "round" and len(node.args) == 2:
            digits = _constant_number(node.args[1])
            if digits is None or digits != int(digits) or not -6 <= digits <= 9:
                raise self.fail(_("the digits of round(x, digits) must be a whole number from "
                                  "-6 to 9 written in the formula"), _("write round(x, 2)"),
                                node)
        for arg in node.args:
            self.visit(arg)


@lru_cache(maxsize=4096)
def _compile(text: str, names: frozenset[str], where: str) -> Expression:
    if not text.strip():
        raise _fail(_("the formula is empty"), _("write a formula, e.g. online_rate / 50"),
                    where)
    if len(text) > MAX_LENGTH:
        raise _fail(_("the formula is {n} characters long").format(n=len(text)),
                    _("keep it under {max} characters (split it into several leaves)").format(
                        max=MAX_LENGTH), where)
    if "\x00" in text:
        raise _fail(_("the formula contains a NUL character"), _("remove the NUL character"),
                    where)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        words = _syntax_words(str(exc.msg))
        message = (_("syntax error: {what} (column {column})") if exc.offset
                   else _("syntax error: {what}")).format(what=words, column=exc.offset)
        raise _fail(message, _("check brackets and operators; write e.g. "
                               "min(online_rate / 50, 1) * 2"), where) from None
    except (RecursionError, MemoryError, ValueError):
        raise _fail(_("the formula is nested too deeply"), _("simplify it"), where) from None
    count = sum(1 for _node in ast.walk(tree))
    if count > MAX_NODES:
        raise _fail(_("the formula is too large ({n} syntax nodes)").format(n=count),
                    _("keep it under {max} nodes (split it into several leaves)").format(
                        max=MAX_NODES), where)
    validator = _Validator(names, where)
    validator.visit(tree.body)
    return Expression(text=text, names=frozenset(validator.used), tree=tree.body)


def compile_expression(text: str, names: Iterable[str], *, where: str = "") -> Expression:
    """Check a formula and prepare it for evaluation.

    Parameters
    ----------
    text : str
        The formula as written in the rule file.
    names : iterable of str
        The names the formula may read (indicator names, ``max_points``).
    where : str, optional
        Where the formula is (e.g. a YAML path); shown in error messages.

    Returns
    -------
    Expression

    Raises
    ------
    ExpressionError
        On a syntax error, an unknown name (with a suggestion), or anything outside the
        language (see the module documentation); the problem names the column.

    Examples
    --------
    >>> compile_expression("min(on_time_rate / 50, 1) * 2", ["on_time_rate"]).names
    frozenset({'on_time_rate'})
    >>> try:
    ...     compile_expression("x.__class__", ["x"])
    ... except ExpressionError as exc:
    ...     print(exc.problems[0].message)
    attribute access ('.') is not allowed (column 1)
    """
    return _compile(text, frozenset(names), where)


# --------------------------------------------------------------------------- kernels
def _truth_np(x: Any) -> Any:
    """1.0 / 0.0 / NaN from any number array."""
    return np.where(np.isnan(x), _NAN, np.where(x != 0, 1.0, 0.0))


def _and_np(values: list[Any]) -> Any:
    any_false = np.zeros((), dtype=bool)
    any_nan = np.zeros((), dtype=bool)
    for v in values:
        any_false = any_false | (v == 0)
        any_nan = any_nan | np.isnan(v)
    return np.where(any_false, 0.0, np.where(any_nan, _NAN, 1.0))


def _or_np(values: list[Any]) -> Any:
    any_true = np.zeros((), dtype=bool)
    any_nan = np.zeros((), dtype=bool)
    for v in values:
        nan = np.isnan(v)
        any_true = any_true | ((v != 0) & ~nan)
        any_nan = any_nan | nan
    return np.where(any_true, 1.0, np.where(any_nan, _NAN, 0.0))


def _cmp_np(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def cmp(a: Any, b: Any) -> Any:
        return np.where(np.isnan(a) | np.isnan(b), _NAN, np.where(op(a, b), 1.0, 0.0))
    return cmp


def _div_np(a: Any, b: Any) -> Any:
    return np.where(b == 0, _NAN, np.divide(a, b))


def _round_np(x: Any, digits: Any = 0.0) -> Any:
    return round_half_away(x, int(digits))


def _where_np(c: Any, a: Any, b: Any) -> Any:
    return np.where(np.isnan(c), _NAN, np.where(c != 0, a, b))


def _reduce_np(fn: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    def reduce(*args: Any) -> Any:
        out = args[0]
        for a in args[1:]:
            out = fn(out, a)
        return out
    return reduce


_NP_BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: _div_np,
    ast.Pow: np.power,
}
_NP_CMP: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: _cmp_np(np.less), ast.LtE: _cmp_np(np.less_equal),
    ast.Gt: _cmp_np(np.greater), ast.GtE: _cmp_np(np.greater_equal),
    ast.Eq: _cmp_np(np.equal), ast.NotEq: _cmp_np(np.not_equal),
}
_NP_FUNCS: dict[str, Callable[..., Any]] = {
    "min": _reduce_np(np.minimum), "max": _reduce_np(np.maximum),
    "clip": lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    "where": _where_np, "abs": np.abs, "round": _round_np, "floor": np.floor,
    "ceil": np.ceil, "isna": lambda x: np.where(np.isnan(x), 1.0, 0.0),
}


class _Evaluator(SimpleEval):
    """simpleeval over whole columns: names bound to float arrays, the numpy kernels
    above as operators and functions, element-wise comparisons and three-valued logic.
    Only the node kinds the validator lets through are handled."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        operators = {**_NP_BIN, **_NP_CMP, ast.USub: np.negative, ast.UAdd: np.positive,
                     ast.Not: lambda x: 1.0 - _truth_np(x)}
        super().__init__(operators=operators, functions=dict(_NP_FUNCS), names=names)
        self.nodes = {ast.Name: self._eval_name, ast.UnaryOp: self._eval_unaryop,
                      ast.BinOp: self._eval_binop, ast.Call: self._eval_call,
                      ast.Constant: lambda node: float(node.value),
                      ast.BoolOp: self._boolop, ast.Compare: self._compare}

    def _boolop(self, node: ast.BoolOp) -> Any:
        values = [self._eval(v) for v in node.values]
        return (_and_np if isinstance(node.op, ast.And) else _or_np)(values)

    def _compare(self, node: ast.Compare) -> Any:
        values = [self._eval(node.left)] + [self._eval(c) for c in node.comparators]
        results = [self.operators[type(op)](a, b)
                   for op, a, b in zip(node.ops, values, values[1:], strict=False)]
        return results[0] if len(results) == 1 else _and_np(results)


def _finite_or_nan(x: Any) -> Any:
    return np.where(np.isinf(x), _NAN, x)


@dataclass(frozen=True)
class Expression:
    """A checked formula; evaluate it over all agencies or over one.

    Attributes
    ----------
    text : str
        The formula as written.
    names : frozenset of str
        The names it reads.
    """

    text: str
    names: frozenset[str]
    tree: ast.expr = field(repr=False, compare=False)

    def evaluate(self, columns: Mapping[str, Any]) -> np.ndarray:
        """Evaluate over many agencies at once.

        Parameters
        ----------
        columns : mapping of name to array-like (or a DataFrame)
            One equally long float array per name the formula reads; plain numbers are
            broadcast. Extra columns are ignored.

        Returns
        -------
        numpy.ndarray
            float64, one value per agency; NaN where the result is missing.

        Examples
        --------
        >>> import numpy as np
        >>> e = compile_expression("clip(late_rate, 0, 10) and not isna(late_rate)",
        ...                        ["late_rate"])
        >>> e.evaluate({"late_rate": np.array([0.0, 4.0, np.nan])})
        array([0., 1., 0.])
        """
        env: dict[str, Any] = {}
        length: int | None = None
        for name in self.names:
            try:
                raw = columns[name]
            except KeyError:
                raise KeyError(f"the formula {self.text!r} needs the column {name!r}; "
                               f"given: {', '.join(map(str, columns))}") from None
            arr = np.asarray(raw, dtype=np.float64)
            if arr.ndim:
                length = arr.shape[0] if length is None else length
            env[name] = arr
        if length is None:
            length = _length_of(columns)
        with np.errstate(all="ignore"):
            out = _finite_or_nan(np.asarray(
                _Evaluator(env).eval(self.text, previously_parsed=self.tree), dtype=np.float64))
        if out.ndim == 0 and length is not None:
            out = np.full(length, float(out))
        return out

    def evaluate_row(self, values: Mapping[str, Any]) -> float:
        """Evaluate for one agency (:meth:`evaluate` on one-element columns).

        Parameters
        ----------
        values : mapping of name to number
            ``None`` counts as missing (NaN).

        Returns
        -------
        float
            The same number :meth:`evaluate` gives for that agency.

        Examples
        --------
        >>> compile_expression("round(online / online_eligible * 100, 1)",
        ...                    ["online", "online_eligible"]).evaluate_row(
        ...     {"online": 2, "online_eligible": 3})
        66.7
        """
        out = self.evaluate({name: np.array([_NAN if values[name] is None
                                             else float(values[name])])
                             for name in self.names})
        return float(out[0]) if out.ndim else float(out)


def _length_of(columns: Any) -> int | None:
    index = getattr(columns, "index", None)
    if index is not None and not callable(index):
        return len(index)
    for value in columns.values() if hasattr(columns, "values") else ():
        arr = np.asarray(value)
        if arr.ndim:
            return int(arr.shape[0])
    return None
