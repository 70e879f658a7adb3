"""What a failed pydantic check means, in the user's words and language.

Pydantic reports a failed field as an error ``type`` (``missing``, ``float_parsing``,
``literal_error``, ...) with English text meant for programmers. The files people write
(rule sets, uncertainty files) are validated by pydantic models; :func:`describe` turns one
such error into what is wrong and how to fix it, in the language in force. The caller adds
the file, the line and the YAML path. A rare type without its own words is still said in
the user's language, quoting pydantic's text.

Examples
--------
>>> from scoring.i18n import language
>>> err = {"type": "float_parsing", "input": "abc", "msg": "Input should be a valid number"}
>>> with language("en"):
...     describe(err)[0]
"expected a number, got 'abc'"
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scoring.i18n import _
from scoring.number_format import format_number
from scoring.text import suggest_fix

_BOUNDS = {"gt": "greater_than", "ge": "greater_than_equal", "lt": "less_than",
           "le": "less_than_equal"}


def _choices(expected: Any) -> str:
    """Pydantic's ``'a', 'b' or 'c'`` as a plain list (its ``or`` is English)."""
    return str(expected).replace(" or ", ", ")


def _bound(etype: str, ctx: Mapping[str, Any]) -> str:
    key = next(k for k, v in _BOUNDS.items() if v == etype)
    value = ctx.get(key)
    number = format_number(value) if isinstance(value, int | float) else str(value)
    return {
        "greater_than": _("the value must be greater than {n}"),
        "greater_than_equal": _("the value must be {n} or more"),
        "less_than": _("the value must be less than {n}"),
        "less_than_equal": _("the value must be {n} or less"),
    }[etype].format(n=number)


def describe(err: Mapping[str, Any], key: str | None = None,
             allowed: Iterable[str] = ()) -> tuple[str, str]:
    """(what is wrong, how to fix it) for one pydantic error.

    Parameters
    ----------
    err : mapping
        One item of ``ValidationError.errors()``.
    key : str, optional
        The key the error is about (the last part of its path), named by ``missing`` and
        ``extra_forbidden``.
    allowed : iterable of str
        The keys allowed where an unknown key was found (for a did-you-mean).
    """
    etype = str(err.get("type"))
    ctx: Mapping[str, Any] = err.get("ctx") or {}
    given = err.get("input")
    if etype == "missing":
        return (_("{key} is required here").format(key=repr(key)),
                _("add {key}: <value>").format(key=key))
    if etype == "extra_forbidden":
        allowed = sorted(allowed)
        otherwise = (_("allowed keys: {keys}").format(keys=", ".join(allowed)) if allowed
                     else _("remove it"))
        return (_("unknown key {key}").format(key=repr(key)),
                suggest_fix(str(key), allowed, otherwise) or otherwise)
    if etype == "union_tag_invalid":
        return (_("kind {kind} is not known").format(kind=repr(ctx.get("tag"))),
                _("use one of {kinds}").format(kinds=ctx.get("expected_tags", "")))
    if etype == "union_tag_not_found":
        return (_("kind is missing"),
                _("add kind: bands, formula, tasks, manual or survey"))
    if etype == "literal_error":
        return (_("{value} is not allowed here").format(value=repr(given)),
                _("use one of: {choices}").format(choices=_choices(ctx.get("expected"))))
    if etype == "finite_number":
        return (_("{text} is not a finite number").format(text=given),
                _("write an ordinary number; for 'no upper limit' leave the key out or "
                  "write null"))
    if etype in ("float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"):
        whole = etype.startswith("int")
        return ((_("expected a whole number, got {value}") if whole
                 else _("expected a number, got {value}")).format(value=repr(given)),
                _("write a whole number such as 2 (no units, no decimals)") if whole else
                _("write a plain number such as 2 or 0.5 (no units, no %, '.' for decimals)"))
    if etype in ("bool_parsing", "bool_type"):
        return (_("expected true or false, got {value}").format(value=repr(given)),
                _("write true or false"))
    if etype == "string_type":
        return (_("expected text, got {value}").format(value=repr(given)),
                _("write text (put it in quotes if it looks like something else)"))
    if etype in ("tuple_type", "list_type"):
        return _("expected a list"), _("write one item per line, each starting with '- '")
    if etype in ("dict_type", "model_type", "model_attributes_type"):
        return (_("expected a mapping of keys"),
                _("write 'key: value' lines indented under this key"))
    if etype == "too_short":
        return _("the list is empty"), _("list at least one item")
    if etype == "too_long":
        return (_("the list has too many items (at most {n})").format(
                    n=ctx.get("max_length", "?")),
                _("remove the extra items"))
    if etype == "string_too_long":
        return (_("the text is too long (at most {n} characters)").format(
                    n=ctx.get("max_length", "?")), _("shorten it"))
    if etype == "string_too_short":
        return _("the text is empty"), _("write the text")
    if etype in _BOUNDS.values():
        return (_("{value} is out of range: {bound}").format(
                    value=format_number(given) if isinstance(given, int | float)
                    else repr(given), bound=_bound(etype, ctx)),
                _("change the value"))
    if etype in ("value_error", "assertion_error"):
        error = ctx.get("error")
        text = str(error) if error is not None else str(err.get("msg", ""))
        return text, _("correct the value")
    return (_("the value is not accepted ({reason})").format(reason=err.get("msg", etype)),
            _("correct the value"))
