"""YAML with a line for every value: the one reader of rule files and uncertainty files.

:func:`read_yaml` reads a file (size limit, UTF-8 with its line when it is not, NFC,
any line endings) and :func:`parse_yaml` turns the text into plain data plus a
:data:`Meta` map from every YAML path (``("trees", "department", "areas", 0)``) to the
file and line it came from, so that every later problem can name its line.

Safety, the same for every YAML file the project reads:

* composed with PyYAML's C loader when it is installed (``yaml.CSafeLoader``), else the
  pure-Python safe loader; nesting is measured on the event stream *before* composing,
  so a file nested 10,000 deep is refused with its line instead of exhausting the stack;
* only the plain YAML types (no ``!tags``); duplicate keys are refused (YAML would keep
  the last silently); recursive aliases and aliases that expand to more than
  :data:`MAX_VALUES` values ("billion laughs") are refused;
* every number must be finite (``.inf``, ``.nan``, ``1e999`` are refused) and integers
  are limited to :data:`MAX_INT_DIGITS` digits.

Examples
--------
>>> data, meta = parse_yaml("a:\\n  - {b: 1}\\n", "x.yaml", CchcError)
>>> data, meta[("a", 0, "b")].line
({'a': [{'b': 1}]}, 2)
>>> parse_yaml("max: .inf\\n", "x.yaml", CchcError)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
scoring.errors.CchcError: x.yaml:1: max: ...
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from scoring.errors import CchcError, Problem
from scoring.i18n import N_, _
from scoring.number_format import format_number
from scoring.text import known_words, nfc

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""The YAML loader: libyaml's when PyYAML was built with it (≈ 10× faster)."""

MAX_VALUES = 100_000
MAX_DEPTH = 64
MAX_INT_DIGITS = 15

PathT = tuple[str | int, ...]


@dataclass(frozen=True)
class At:
    """Where a value came from: file (as shown), line, and the raw YAML text of a scalar."""

    file: str
    line: int
    raw: str | None = None


Meta = dict[PathT, At]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
}
_DIGITS = re.compile(r"[0-9a-fA-F]")


def render_path(path: PathT) -> str:
    """``('trees', 'dept', 'areas', 2, 'max')`` → ``trees.dept.areas[2].max``.

    Examples
    --------
    >>> render_path(("overrides", "7.2.1", "max"))
    'overrides["7.2.1"].max'
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", part):
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def locate(path: PathT, meta: Meta) -> At | None:
    """Where the deepest known part of ``path`` came from (None if nothing is known)."""
    for n in range(len(path), -1, -1):
        at = meta.get(path[:n])
        if at is not None:
            return at
    return None


class _Converter:
    """YAML node graph → plain data, with a line for every path; counts expanded values."""

    def __init__(self, file: str, error: type[CchcError]):
        self.file = file
        self.error = error
        self.meta: Meta = {}
        self.count = 0
        self.active: set[int] = set()
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")

    def fail(self, message: str, node: yaml.Node, fix: str, path: PathT = ()) -> CchcError:
        return self.error(Problem(message, file=self.file, line=node.start_mark.line + 1,
                                  field=render_path(path) or None, fix=fix))

    def convert(self, node: yaml.Node, path: PathT = (), depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise self.fail(_("the file expands to more than {n} values (aliases '*name' "
                              "repeating anchors '&name' without bound)").format(
                                  n=f"{MAX_VALUES:,}"),
                            node, _("write the values out instead of nesting aliases"))
        if depth > MAX_DEPTH:
            raise self.fail(_("the file nests deeper than {n} levels").format(n=MAX_DEPTH),
                            node, _("flatten the structure"))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if id(node) in self.active:
            raise self.fail(_("an alias refers to the value that contains it (recursive "
                              "alias)"), node, _("remove the '*alias' inside its own "
                                                 "'&anchor'"))
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                if node.tag != "tag:yaml.org,2002:seq":
                    raise self.fail(_("the tag {tag} is not allowed").format(tag=node.tag),
                                    node, _("remove the '!' tag"))
                out = []
                for i, item in enumerate(node.value):
                    self.meta[path + (i,)] = At(self.file, item.start_mark.line + 1,
                                                raw_text(item))
                    out.append(self.convert(item, path + (i,), depth + 1))
                return out
            return self.mapping(node, path, depth)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: yaml.ScalarNode, path: PathT) -> Any:
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            raise self.fail(_("the tag {tag} is not allowed").format(tag=tag), node,
                            _("remove the '!' tag; write plain text or numbers"), path)
        if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"):
            return node.value
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return self.constructor.construct_yaml_bool(node)
        if tag == "tag:yaml.org,2002:int":
            if len(_DIGITS.findall(node.value)) > MAX_INT_DIGITS:
                raise self.fail(_("the number {text}… has more than {n} digits").format(
                    text=node.value[:12], n=MAX_INT_DIGITS), node,
                    _("write a number of ordinary size (points, percentages, thresholds)"),
                    path)
            return self.constructor.construct_yaml_int(node)
        value = self.constructor.construct_yaml_float(node)
        if not math.isfinite(value):
            raise self.fail(_("{text} is not a finite number").format(text=node.value), node,
                            _("write an ordinary number; for 'no upper limit' leave the "
                              "key out or write null"), path)
        return value

    def mapping(self, node: yaml.MappingNode, path: PathT, depth: int) -> dict[str, Any]:
        if node.tag != "tag:yaml.org,2002:map":
            raise self.fail(_("the tag {tag} is not allowed").format(tag=node.tag), node,
                            _("remove the '!' tag"), path)
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        merged: list[yaml.MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                sources = (value_node.value if isinstance(value_node, yaml.SequenceNode)
                           else [value_node])
                for src in sources:
                    if not isinstance(src, yaml.MappingNode):
                        raise self.fail(_("'<<' must merge a mapping"), value_node,
                                        _("write '<<: *anchor' where the anchor is a "
                                          "mapping"), path)
                    merged.append(src)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(_("a key must be plain text"), key_node,
                                _("write 'key: value' with a plain key"), path)
            key = nfc(key_node.value)
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.problems.append(Problem(
                    _("the key {key} appears twice in this mapping (first on line {line})"
                      ).format(key=repr(key), line=first_line[key]), file=self.file,
                    line=line, field=render_path(path + (key,)),
                    fix=_("keep one of them; YAML would silently use the last")))
                continue
            first_line[key] = line
            self.meta[path + (key,)] = At(self.file, line, raw_text(value_node))
            out[key] = self.convert(value_node, path + (key,), depth + 1)
        for src in merged:
            extra = self.convert(src, path, depth + 1)
            for key, value in extra.items():
                out.setdefault(key, value)
        return out


def raw_text(node: yaml.Node) -> str | None:
    """The text of a plain scalar as written (so ``version: 1.10`` stays ``"1.10"``)."""
    if isinstance(node, yaml.ScalarNode):
        return nfc(node.value)
    return None


# PyYAML's words for the commonest mistakes (others are quoted as PyYAML says them)
_SYNTAX: tuple[tuple[str, str], ...] = (
    ("tab", N_("a tab character where the indentation should be spaces")),
    ("cannot start any token", N_("a character that cannot start a value (often a tab, or "
                                  "'@' or '`' at the start of text that needs quotes)")),
    ("mapping values are not allowed", N_("a ':' where none is expected (text with ': ' "
                                          "needs quotes, or the indentation is wrong)")),
    ("could not find expected ':'", N_("a key without its ':'")),
    ("found unexpected end of stream", N_("a quote or bracket is opened and never closed")),
    ("expected <block end>", N_("the indentation does not match the lines above")),
    ("expected ',' or '}'", N_("a ',' or '}' is missing in '{ ... }'")),
    ("expected ',' or ']'", N_("a ',' or ']' is missing in '[ ... ]'")),
    ("single document", N_("the file holds more than one YAML document ('---')")),
    ("did not find expected key", N_("a line that is not 'key: value' where a key is "
                                     "expected")),
    ("did not find expected '-' indicator", N_("a list item not starting with '- ' or "
                                               "indented wrongly")),
)


def _syntax_words(what: str) -> str:
    """What PyYAML's syntax error means, in the user's language."""
    return known_words(what, _SYNTAX, _("PyYAML says: {message}"))


def _syntax_problem(exc: yaml.YAMLError, file: str) -> Problem:
    if not isinstance(exc, yaml.MarkedYAMLError):
        return Problem(_("not valid YAML: {what}").format(what=_syntax_words(str(exc))),
                       file=file, fix=_("check the file's syntax"))
    mark = exc.problem_mark or exc.context_mark
    what = " ".join(x for x in (exc.context, exc.problem) if x)
    if "\\t" in what or "tab" in what.lower():
        fix = _("indent with spaces, not tabs")
    elif "single document" in what:
        fix = _("keep one document: remove the '---' line and what follows, or merge them")
    else:
        fix = _("check the indentation, the ':' after each key and the quotes on this line "
                "and the one before")
    return Problem(_("not valid YAML: {what}").format(what=_syntax_words(what)), file=file,
                   line=mark.line + 1 if mark else None, fix=fix)


def _check_depth(text: str, file: str, error: type[CchcError]) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` from the event stream (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise error(Problem(_("the file nests deeper than {n} levels").format(
                    n=MAX_DEPTH), file=file, line=event.start_mark.line + 1,
                    fix=_("flatten the structure")))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_yaml(text: str, file: str, error: type[CchcError] = CchcError
               ) -> tuple[Any, Meta]:
    """One YAML document → (plain data, where each value came from).

    Parameters
    ----------
    text : str
        The document (NFC; any line endings).
    file : str
        The file name shown in messages.
    error : type of CchcError
        The error raised (``RuleError`` for rule files, ``UsageError`` for options files).

    Returns
    -------
    (data, Meta)
        ``data`` is None for an empty document; ``meta[()]`` is the first line of the
        document's root.

    Raises
    ------
    CchcError
        Of type ``error``: not YAML, too deep, a tag, a duplicate key, a non-finite or
        over-long number, aliases out of bounds — each with file, line and a fix.
    """
    text = nfc(text).replace("\r\n", "\n").replace("\r", "\n")
    try:
        _check_depth(text, file, error)
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as exc:
        raise error(_syntax_problem(exc, file)) from None
    if node is None:
        return None, {(): At(file, 1)}
    conv = _Converter(file, error)
    data = conv.convert(node)
    if conv.problems:
        raise error(conv.problems)
    conv.meta[()] = At(file, node.start_mark.line + 1)
    return data, conv.meta


def decode(raw: bytes, file: str, error: type[CchcError] = CchcError) -> str:
    """UTF-8 bytes (BOM accepted) → text; else one problem naming the first bad line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise error(Problem(_("the file is not UTF-8 text"), file=file, line=line,
                            fix=_("save it as UTF-8"))) from None


def read_yaml(path: Path, file: str, error: type[CchcError] = CchcError,
              max_bytes: int = 2 * 1024 * 1024) -> tuple[str, Any, Meta]:
    """Read a YAML file: (its text, NFC with ``\\n`` line ends; data; meta).

    Parameters
    ----------
    path : Path
        The file.
    file : str
        How messages name it.
    error : type of CchcError
        The error raised.
    max_bytes : int
        Larger files are refused before they are read.
    """
    try:
        size = path.stat().st_size
        raw = path.read_bytes() if size <= max_bytes else b""
    except OSError as exc:
        raise error(Problem(_("cannot read the file: {why}").format(
            why=exc.strerror or exc), file=file,
            fix=_("check that the file exists and may be read"))) from None
    if size > max_bytes:
        raise error(Problem(_("the file is {size} MB; such files are limited to {limit} MB"
                              ).format(size=format_number(size / 1024 / 1024, 1),
                                       limit=format_number(max_bytes // 1024 // 1024)),
                            file=file,
                            fix=_("check that this is the right file")))
    text = nfc(decode(raw, file, error)).replace("\r\n", "\n").replace("\r", "\n")
    data, meta = parse_yaml(text, file, error)
    return text, data, meta
