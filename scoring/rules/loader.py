"""Rule files (YAML) → a validated :class:`~scoring.rules.model.RuleSet`.

:func:`load_rules` reads a rule-set folder (``<folder>/ruleset.yaml``) or a single YAML
file, resolves ``extends`` + ``overrides`` (variants), validates the result against the
model, checks what the model cannot check alone (indicator names, formulas, tie-break
keys, in-file test references), and runs the file's own tests. Every problem comes back
as one line naming the file, the line, the YAML path, what is wrong and how to fix it::

    rules/x/ruleset.yaml:57: trees.department.areas[2].criteria[0].leaves[1].rule.bands:
    bands overlap: [90, 100) and [80, 95); ... Fix: make each band start where ...

:func:`check_rules` returns the same problems as a list instead of raising, plus
warnings (the loader's notes on a variant).

Safety: files over 2 MB are refused; YAML is composed with PyYAML's safe loader and
turned into data by this module, which refuses duplicate keys, tags other than the
plain YAML types, recursive aliases, and aliases that expand to more than 100,000
values (the "billion laughs" attack).

Variants
--------
A variant names its base with ``extends`` (a folder or file, relative to the variant's
folder) and lists ``overrides`` by area, criterion or leaf code; the other keys it gives
(``id``, ``version``, ``title``, ``source``, ``ranking``, ``groups`` by id, ...) replace
or are merged into the base's. When overrides change leaf maxima, the declared ``max`` of
the ancestors in the base are dropped (derived from their parts) and the loader says so
in :attr:`RuleSet.notes`. Base tests of leaves the variant changes are left out (also
noted); the variant's own ``tests`` are added.

Examples
--------
>>> from scoring.paths import BUNDLED_RULES
>>> rules = load_rules(BUNDLED_RULES)                                # doctest: +SKIP
>>> [g.id for g in rules.groups]                                     # doctest: +SKIP
['department', 'district', 'commune']
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import re
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

import yaml
from pydantic import BaseModel, ValidationError

from scoring.engine.selftest import run_rule_tests
from scoring.errors import CchcError, Problem, RuleError, Severity
from scoring.expressions import ExpressionError, compile_expression
from scoring.i18n import _, ngettext
from scoring.indicators import INDICATORS
from scoring.number_format import format_number
from scoring.text import suggest_fix, suggest
from scoring.validation_words import describe
from scoring.yamlfile import At, Meta, PathT, locate, parse_yaml, read_yaml, render_path

from .model import Band, RuleSet, RuleValueError, uncovered

RULES_FILE = "ruleset.yaml"
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_PROBLEMS = 50
TOTAL_KEYS = ("points", "index", "bonus", "deduction", "max_points")
"""Tie-break keys that name a total column (see ``scoring.engine.score``)."""
_LOADER_KEYS = ("content_hash", "notes")
_EPS = 1e-6
MAX_EXTENDS = 16
OVERRIDDEN = -1
"""Meta key prefix: ``meta[(OVERRIDDEN, *path)]`` is the override of a variant that changed
the node at ``path`` (a real path never starts with a number)."""

__all__ = ["check_rules", "load_rules", "load_variant", "render_path"]


def _display(path: Path) -> str:
    """The path as the user would write it: relative to the working folder when it lies
    inside it, else absolute (a path full of ``../`` helps nobody)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return os.path.normpath(os.path.abspath(path)) if rel.startswith(os.pardir) else rel


@dataclass
class _Doc:
    path: Path
    file: str
    text: str
    data: dict[str, Any]
    meta: Meta


def _find_file(path: Path, *, file: str, line: int | None = None,
               field: str | None = None) -> Path:
    """The YAML file of a rule set given as a folder or a file."""
    if path.is_dir():
        candidate = path / RULES_FILE
        if candidate.is_file():
            return candidate
        found = sorted(p.name for p in path.glob("*.y*ml"))
        fix = (_("rename the main file to {name}") if found
               else _("give a folder that contains {name}, or a .yaml file")).format(
                   name=RULES_FILE)
        message = (_("the folder {folder} has no {name} (it has {files})") if found
                   else _("the folder {folder} has no {name}"))
        raise RuleError(Problem(message.format(folder=_display(path), name=RULES_FILE,
                                               files=", ".join(found)),
                                file=file, line=line, field=field, fix=fix))
    if path.is_file():
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise RuleError(Problem(_("{path} is not a YAML file").format(path=_display(path)),
                                    file=file, line=line, field=field,
                                    fix=_("give a rule-set folder or a .yaml file")))
        return path
    raise RuleError(Problem(_("the rule set {path} does not exist").format(path=_display(path)),
                            file=file, line=line, field=field,
                            fix=_("give a rule-set folder (with ruleset.yaml) or a .yaml file; "
                                  "the bundled ones are in rules/")))


def _read(path: Path) -> _Doc:
    file = _display(path)
    text, data, meta = read_yaml(path, file, RuleError, MAX_FILE_BYTES)
    if data is None:
        raise RuleError(Problem(_("the file is empty"), file=file,
                                fix=_("write a rule set (see docs/quy-tac.md)")))
    if not isinstance(data, dict):
        raise RuleError(Problem(_("the file must be a mapping of keys (id:, version:, ...)"),
                                file=file, line=meta[()].line,
                                fix=_("start the file with 'id: <rule-set id>'")))
    meta[()] = At(file, 1)
    problems = [Problem(_("{key} is set by the loader, not by the file").format(key=repr(key)),
                        file=file, line=meta[(key,)].line, field=key,
                        fix=_("remove {key}:").format(key=key))
                for key in _LOADER_KEYS if key in data]
    if problems:
        raise RuleError(problems)
    return _Doc(path, file, text, data, meta)


# --------------------------------------------------------------------------- variants
def _graft(meta: Meta, dpath: PathT, smeta: Meta, spath: PathT) -> None:
    """Replace the metadata under ``dpath`` with ``smeta``'s under ``spath``."""
    n = len(dpath)
    for p in [p for p in meta if p[:n] == dpath]:
        del meta[p]
    m = len(spath)
    for p, at in smeta.items():
        if p[:m] == spath:
            meta[dpath + p[m:]] = at


def _list_key(items: list[Any]) -> str | None:
    for key in ("code", "id"):
        if items and all(isinstance(x, dict) and key in x for x in items):
            return key
    return None


def _merge(dst: Any, dpath: PathT, src: Any, spath: PathT, meta: Meta, smeta: Meta) -> Any:
    """Deep-merge ``src`` into ``dst``: mappings by key, lists of coded items by code/id.

    A mapping whose ``kind`` changes is replaced as a whole; other values are replaced.
    """
    if (isinstance(dst, dict) and isinstance(src, dict)
            and not ("kind" in src and dst.get("kind") != src["kind"])):
        out = dict(dst)
        for k, v in src.items():
            if k in out:
                out[k] = _merge(out[k], dpath + (k,), v, spath + (k,), meta, smeta)
                if spath + (k,) in smeta:
                    meta[dpath + (k,)] = smeta[spath + (k,)]
            else:
                out[k] = v
                _graft(meta, dpath + (k,), smeta, spath + (k,))
        return out
    if isinstance(dst, list) and isinstance(src, list):
        key = _list_key(dst)
        if key is not None and _list_key(src) == key:
            out_list = list(dst)
            where = {item[key]: i for i, item in enumerate(out_list)}
            for j, item in enumerate(src):
                if item[key] in where:
                    i = where[item[key]]
                    out_list[i] = _merge(out_list[i], dpath + (i,), item, spath + (j,),
                                         meta, smeta)
                else:
                    out_list.append(item)
                    _graft(meta, dpath + (len(out_list) - 1,), smeta, spath + (j,))
            return out_list
    _graft(meta, dpath, smeta, spath)
    return src


def _tree_nodes(data: dict[str, Any]) -> Iterator[tuple[PathT, str, dict[str, Any]]]:
    """(path, level, node) of every area, criterion and leaf in raw data."""
    trees = data.get("trees")
    if not isinstance(trees, dict):
        return
    for tid, tree in trees.items():
        areas = tree.get("areas") if isinstance(tree, dict) else None
        for ai, area in enumerate(areas if isinstance(areas, list) else []):
            if not isinstance(area, dict):
                continue
            apath: PathT = ("trees", tid, "areas", ai)
            yield apath, "area", area
            crits = area.get("criteria")
            for ci, crit in enumerate(crits if isinstance(crits, list) else []):
                if not isinstance(crit, dict):
                    continue
                cpath = apath + ("criteria", ci)
                yield cpath, "criterion", crit
                leaves = crit.get("leaves")
                for li, leaf in enumerate(leaves if isinstance(leaves, list) else []):
                    if isinstance(leaf, dict):
                        yield cpath + ("leaves", li), "leaf", leaf


def _get(data: Any, path: PathT) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: PathT, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _leaf_codes_under(node: dict[str, Any], level: str) -> list[str]:
    if level == "leaf":
        return [str(node.get("code"))]
    children = node.get("criteria" if level == "area" else "leaves")
    child_level = "criterion" if level == "area" else "leaf"
    out: list[str] = []
    for child in children if isinstance(children, list) else []:
        if isinstance(child, dict):
            out += _leaf_codes_under(child, child_level)
    return out


def _rederive(data: dict[str, Any], meta: Meta, touched: list[PathT], variant_file: str
              ) -> list[str]:
    """Drop declared maxima of the base that the overrides made wrong; say so."""
    notes: list[str] = []
    ancestors: set[PathT] = set()
    for p in touched:  # trees.<id> (2), ...areas[i] (4), ...criteria[j] (6)
        ancestors.update(p[:n] for n in (2, 4, 6) if n <= len(p))

    def leaf_sum(node: dict[str, Any], level: str) -> float | None:
        if level == "leaf":
            return _num(node.get("max"))
        key, child = {"tree": ("areas", "area"), "area": ("criteria", "criterion"),
                      "criterion": ("leaves", "leaf")}[level]
        parts = [leaf_sum(c, child) if isinstance(c, dict) else None
                 for c in node.get(key) or []]
        return None if not parts or any(x is None for x in parts) else math.fsum(parts)

    levels = {2: "tree", 4: "area", 6: "criterion"}
    for path in sorted(ancestors, key=len, reverse=True):
        node = _get(data, path)
        if not isinstance(node, dict) or "max" not in node:
            continue
        at = meta.get(path + ("max",))
        if at is not None and at.file == variant_file:
            continue  # the variant set this max itself: validation checks it
        level = levels[len(path)]
        declared, total = _num(node["max"]), leaf_sum(node, level)
        if declared is None or total is None or abs(declared - total) <= _EPS:
            continue
        label = {"tree": _("tree {tree}"), "area": _("area {code} of tree {tree}"),
                 "criterion": _("criterion {code} of tree {tree}")}[level].format(
                     tree=path[1], code=node.get("code"))
        notes.append(_("{node}: max re-derived as {total} (the base declared {declared}) "
                       "because the overrides change its parts").format(
                           node=label, total=format_number(total),
                           declared=format_number(declared)))
        del node["max"]
        meta.pop(path + ("max",), None)
    return notes


def _override_target(key: str) -> tuple[str | None, str]:
    """``"commune/1.1.2"`` → ``("commune", "1.1.2")``; ``"1.1.2"`` → ``(None, "1.1.2")``."""
    tree, sep, code = key.partition("/")
    return (tree.strip(), code.strip()) if sep else (None, key)


def _mixed_kinds(targets: list[tuple[PathT, str, dict[str, Any]]], partial: dict[str, Any]
                 ) -> str | None:
    """When ``partial`` sets a leaf kind and the same code has different kinds in different
    trees: the kinds per tree in words (else None)."""
    rule = partial.get("rule")
    if not isinstance(rule, dict) or "kind" not in rule:
        return None
    kinds: dict[str, list[str]] = {}
    for p, level, node in targets:
        old = node.get("rule")
        if level == "leaf" and isinstance(old, dict):
            kinds.setdefault(str(old.get("kind")), []).append(str(p[1]))
    if len(kinds) < 2:
        return None
    return _("; ").join(_("a {kind} leaf in {trees}").format(kind=k, trees=", ".join(t))
                        for k, t in kinds.items())


def _apply_variant(base: dict[str, Any], bmeta: Meta, doc: _Doc
                   ) -> tuple[dict[str, Any], Meta, list[str]]:
    """The base with the variant's keys merged and its overrides applied."""
    var, vmeta, file = doc.data, doc.meta, doc.file
    problems: list[Problem] = []
    for key in ("id", "source"):
        if key not in var:
            problems.append(Problem(_("a variant needs its own {key}").format(key=key),
                                    file=file, line=1, field=key,
                                    fix=_("add {key}: (see docs/quy-tac.md)").format(key=key)))
    data = copy.deepcopy(base)
    meta: Meta = dict(bmeta)
    notes: list[str] = []
    for key, value in var.items():
        if key in ("overrides", "tests"):
            continue
        if key == "source" or key not in data:
            data[key] = value
            _graft(meta, (key,), vmeta, (key,))
        else:
            data[key] = _merge(data[key], (key,), value, (key,), meta, vmeta)
            meta[(key,)] = vmeta[(key,)]

    overrides = var.get("overrides") or {}
    touched: list[PathT] = []
    changed_leaves: set[str] = set()
    if not isinstance(overrides, dict):
        problems.append(Problem(_("overrides must list codes with their changes"), file=file,
                                line=vmeta[("overrides",)].line, field="overrides",
                                fix=_('write overrides: {example}').format(
                                    example='{"7.2.1": {max: 3}}')))
        overrides = {}
    nodes = list(_tree_nodes(data))
    for key, partial in overrides.items():
        at = vmeta[("overrides", key)]
        where = render_path(("overrides", key))
        tree, code = _override_target(str(key))
        if not isinstance(partial, dict):
            problems.append(Problem(_("the override of {code} must be a mapping of fields"
                                      ).format(code=code),
                                    file=file, line=at.line, field=where,
                                    fix=_("write {example}").format(
                                        example=f'"{key}": {{max: 3}}')))
            continue
        if "code" in partial and str(partial["code"]) != code:
            problems.append(Problem(_("an override cannot change a code"), file=file,
                                    line=at.line, field=where + ".code",
                                    fix=_("remove code: from the override")))
            continue
        trees = [str(t) for t in data.get("trees") or {}]
        if tree is not None and tree not in trees:
            hint = suggest(tree, trees)
            problems.append(Problem(
                _("the base has no tree {tree}").format(tree=repr(tree)), file=file,
                line=at.line, field=where,
                fix=(_("did you mean {name}?").format(name=repr(f"{hint[0]}/{code}")) if hint
                     else _("write \"<tree>/<code>\" with a tree of the base: {trees}"
                            ).format(trees=", ".join(trees)))))
            continue
        targets = [(p, level, node) for p, level, node in nodes
                   if str(node.get("code")) == code and tree in (None, p[1])]
        if not targets:
            message = (_("the base has no area, criterion or leaf with code {code} in tree "
                         "{tree}") if tree else
                       _("the base has no area, criterion or leaf with code {code}"))
            problems.append(Problem(
                message.format(code=repr(code), tree=tree), file=file, line=at.line,
                field=where,
                fix=suggest_fix(code, sorted({str(n.get("code")) for _p, _l, n in nodes}),
                                 _("use a code of the base"))))
            continue
        mixed = _mixed_kinds(targets, partial)
        if tree is None and mixed:
            problems.append(Problem(
                _("{code} is {kinds}; this override would give all of them kind {new}"
                  ).format(code=code, kinds=mixed, new=partial["rule"]["kind"]), file=file,
                line=at.line, field=where,
                fix=_("name the tree the override is for, e.g. \"{tree}/{code}\"").format(
                    tree=targets[0][0][1], code=code)))
            continue
        for p, level, node in targets:
            _set(data, p, _merge(node, p, partial, ("overrides", key), meta, vmeta))
            meta[(OVERRIDDEN, *p)] = at
            touched.append(p)
            if set(partial) - {"name", "note"}:
                changed_leaves.update((p[1], c) for c in _leaf_codes_under(_get(data, p),
                                                                            level))
    if problems:
        raise RuleError(problems)
    notes += _rederive(data, meta, touched, file)

    base_tests = data.get("tests") if isinstance(data.get("tests"), list) else []
    changed_codes = {c for _t, c in changed_leaves}
    kept = [i for i, t in enumerate(base_tests)
            if not (isinstance(t, dict) and any(
                (tid, str(t.get("leaf"))) in changed_leaves
                for tid in ([t["tree"]] if t.get("tree") is not None else data["trees"])))]
    if len(kept) < len(base_tests):
        n = len(base_tests) - len(kept)
        notes.append(ngettext(
            "{n} test of the base left out: it tests leaves the overrides change ({codes})",
            "{n} tests of the base left out: they test leaves the overrides change ({codes})",
            n).format(n=n, codes=", ".join(sorted(changed_codes))))
    tests_meta: Meta = {}
    new_tests = []
    for k, i in enumerate(kept):
        new_tests.append(base_tests[i])
        _graft(tests_meta, ("tests", k), meta, ("tests", i))
    own = var.get("tests")
    if isinstance(own, list):
        for j, t in enumerate(own):
            new_tests.append(t)
            _graft(tests_meta, ("tests", len(new_tests) - 1), vmeta, ("tests", j))
    elif own is not None:
        new_tests = own
        _graft(tests_meta, ("tests",), vmeta, ("tests",))
    _graft(meta, ("tests",), {}, ("tests",))
    meta.update(tests_meta)
    if "tests" in var:
        meta[("tests",)] = vmeta[("tests",)]
    if new_tests or "tests" in data:
        data["tests"] = new_tests
    data.pop("overrides", None)
    return data, meta, notes


def _resolve(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], Meta, list[_Doc],
                                                          list[str]]:
    return _resolve_doc(_read(path), chain)


def _resolve_doc(doc: _Doc, chain: tuple[Path, ...]
                 ) -> tuple[dict[str, Any], Meta, list[_Doc], list[str]]:
    path = doc.path
    data, meta = doc.data, doc.meta
    if "overrides" in data and "extends" not in data:
        raise RuleError(Problem(_("overrides need a base"), file=doc.file,
                                line=meta[("overrides",)].line, field="overrides",
                                fix=_("add extends: <path of the base rule set>")))
    if "extends" not in data:
        return data, meta, [doc], []
    ext = data["extends"]
    at = meta[("extends",)]
    if not isinstance(ext, str) or not ext.strip():
        raise RuleError(Problem(_("extends must be the path of the base rule set"),
                                file=doc.file, line=at.line, field="extends",
                                fix=_("write extends: ../<base folder>")))
    if len(chain) > MAX_EXTENDS:
        raise RuleError(Problem(
            _("the chain of extends is longer than {n} rule sets").format(n=MAX_EXTENDS),
            file=doc.file, line=at.line, field="extends",
            fix=_("extend the base rule set directly instead of a variant of a variant")))
    base_path = _find_file(path.parent / ext, file=doc.file, line=at.line, field="extends")
    here = base_path.resolve()
    if here in chain:
        names = " → ".join(_display(p) for p in (*chain, here))
        raise RuleError(Problem(_("extends goes round in a circle: {names}").format(names=names),
                                file=doc.file, line=at.line, field="extends",
                                fix=_("make the base a rule set that does not extend this one")))
    base, bmeta, docs, notes = _resolve(base_path, (*chain, here))
    merged, mmeta, more = _apply_variant(base, bmeta, doc)
    if merged.get("id") == base.get("id"):
        more.append(_("the variant keeps the base's id {id}; give it its own").format(
            id=repr(base.get("id"))))
    return merged, mmeta, [*docs, doc], notes + more


# --------------------------------------------------------------------------- validation
def _unwrap(tp: Any, value: Any) -> Any:
    """The model class (or container type) a value of annotation ``tp`` is checked as."""
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            options = [a for a in typing.get_args(tp) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            if isinstance(value, dict) and "kind" in value:
                for m in models:
                    if m.model_fields.get("kind") and m.model_fields["kind"].default == \
                            value["kind"]:
                        return m
            tp = models[0] if models else options[0]
        else:
            return tp


def _model_at(path: PathT, data: Any) -> type[BaseModel] | None:
    tp: Any = RuleSet
    cur = data
    for part in path:
        tp = _unwrap(tp, cur)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            f = tp.model_fields.get(str(part))
            if f is None:
                return None
            tp = f.annotation
        elif typing.get_origin(tp) in (tuple, list):
            tp = typing.get_args(tp)[0]
        elif typing.get_origin(tp) is dict:
            tp = typing.get_args(tp)[1]
        else:
            return None
        try:
            cur = cur[part]
        except (KeyError, IndexError, TypeError):
            cur = None
    tp = _unwrap(tp, cur)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _data_path(loc: tuple[Any, ...], data: Any) -> PathT:
    """A pydantic error location → the path in the data (union tags and '[key]' dropped)."""
    out: list[str | int] = []
    cur = data
    tag_seen: int | None = None
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(cur, dict):
            if "kind" in cur and part == cur["kind"] and tag_seen != id(cur):
                tag_seen = id(cur)
                continue
            out.append(part)
            cur = cur.get(part) if isinstance(part, str) else None
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            out.append(part)
            cur = cur[part]
        else:
            out.append(part)
            cur = None
    return tuple(out)


def _locate(path: PathT, meta: Meta, fallback: str) -> tuple[str, int | None]:
    """File and line to report for ``path``: where its value was written, except that a
    problem inside what a variant overrode, at a value the variant did not write, is
    reported at the variant's override (the base alone was fine: the override caused it)."""
    at = locate(path, meta)
    for n in range(len(path), 1, -1):
        blame = meta.get((OVERRIDDEN, *path[:n]))
        if blame is not None and (at is None or at.file != blame.file):
            at = blame
            break
    return (fallback, None) if at is None else (at.file, at.line)


def _value_fix(topic: str) -> str | None:
    """How to fix what a model check (:class:`RuleValueError` ``topic``) refused."""
    return {
        "bands_overlap": _("make each band start where the previous one ends (its min = the "
                           "previous band's max), or use hit: first"),
        "bands_gap": _("make each band start where the previous one ends (its min = the "
                       "previous band's max); leave the lowest min or the highest max empty "
                       "to cover the rest"),
        "bands_empty": _("list at least one band"),
        "max_sum": _("set max to the sum of its parts, or leave max out so it is derived"),
        "band_above_max": _("lower the band points or raise the leaf max"),
        "band_order": _("swap min and max, or fix the typo"),
        "band_negative": _("give the band 0 points or more"),
        "class_same": _("give each class its own min"),
        "class_order": _("list classes from the highest min to the lowest"),
        "code_twice": _("give every area, criterion and leaf of a tree its own code"),
        "task_weights": _("write each weight as a share between 0 and 1 (0.5 = half)"),
        "tasks_need_bands": _("add bands: over the completion rate, or use mode: rate"),
        "tasks_bands_unused": _("remove bands:, or write mode: bands"),
        "survey_options": _("write each option's value as a percentage between 0 and 100"),
        "source_decision": _("add decision: <number and date of the decision> under source:"),
        "source_assumptions": _("add assumptions: <what the simulation assumes and why> under "
                                "source:"),
        "group_twice": _("give each group its own id"),
    }.get(topic)


def _refine(path: PathT, error: RuleValueError, data: dict[str, Any]
            ) -> tuple[PathT, str | None]:
    """Point model-level errors at the key that is wrong; a fix when one is known."""
    node: Any
    try:
        node = _get(data, path)
    except (KeyError, IndexError, TypeError):
        return path, _value_fix(error.topic)
    topic, values = error.topic, error.values
    if topic == "group_tree":
        for i, g in enumerate(data.get("groups") or []):
            if isinstance(g, dict) and str(g.get("id")) == values["group"]:
                trees = [str(t) for t in data.get("trees") or {}]
                return ("groups", i, "tree"), suggest_fix(values["tree"], trees,
                                                           _one_of(trees))
    if topic == "component_areas":
        for i, c in enumerate(data.get("components") or []):
            if isinstance(c, dict) and str(c.get("id")) == values["component"]:
                codes = sorted({str(n.get("code")) for _p, level, n in _tree_nodes(data)
                                if level == "area"})
                return ("components", i, "areas"), _("use area codes of the trees: {codes}"
                                                     ).format(codes=", ".join(codes))
    if topic == "group_twice":
        seen: set[str] = set()
        for i, g in enumerate(data.get("groups") or []):
            gid = str(g.get("id")) if isinstance(g, dict) else ""
            if gid in seen:
                return ("groups", i, "id"), _value_fix(topic)
            seen.add(gid)
    if topic == "code_twice":
        seen_paths = [p for p, _l, n in _tree_nodes(data)
                      if p[:2] == path[:2] and str(n.get("code")) == values["code"]]
        if len(seen_paths) > 1:
            return seen_paths[1] + ("code",), _value_fix(topic)
    if isinstance(node, dict):
        key = {"max_sum": "max", "band_above_max": "max", "task_weights": "weights",
               "survey_options": "options", "tasks_bands_unused": "bands",
               "tasks_need_bands": "mode"}.get(topic)
        if key in node:
            return path + (key,), _value_fix(topic)
        if topic.startswith("bands_") and isinstance(node.get("bands"), list):
            return path + ("bands",), _value_fix(topic)
    return path, _value_fix(topic)


def _problem(err: Any, data: dict[str, Any], meta: Meta, fallback: str) -> Problem:
    etype = err["type"]
    path = _data_path(err["loc"], data)
    last = path[-1] if path else ""
    allowed: list[str] = []
    if etype == "extra_forbidden":
        model = _model_at(path[:-1], data)
        allowed = [a for a in sorted(model.model_fields) if a not in _LOADER_KEYS] if model \
            else []
    message, fix = describe(err, key=str(last), allowed=allowed)
    error = (err.get("ctx") or {}).get("error")
    if etype == "missing":
        path = path[:-1] if path else path
    elif etype == "union_tag_invalid":
        path = path + ("kind",)
    elif isinstance(error, RuleValueError):
        path, topic_fix = _refine(path, error, data)
        fix = topic_fix or fix
    file, line = _locate(path, meta, fallback)
    return Problem(message, file=file, line=line, field=render_path(path) or None, fix=fix)


def _fix_numbers_as_text(exc: ValidationError, data: dict[str, Any], meta: Meta) -> bool:
    """Text fields written as numbers (``version: 1.10``, ``code: 3``): use the raw text."""
    changed = False
    for err in exc.errors():
        if err["type"] != "string_type" or not isinstance(err.get("input"), int | float):
            continue
        path = _data_path(err["loc"], data)
        at = meta.get(path)
        raw = at.raw if at is not None and at.raw is not None else None
        try:
            _set(data, path, raw if raw is not None else str(err["input"]))
        except (KeyError, IndexError, TypeError):
            continue
        changed = True
    return changed


def _dedupe(problems: list[Problem]) -> list[Problem]:
    """One problem per file line and message (a YAML alias, or a variant's override of a
    leaf code that several trees share, puts the same lines at many paths)."""
    groups: dict[tuple[Any, ...], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.line, p.message, p.fix), []).append(p)
    out = []
    for same in groups.values():
        first = same[0]
        if len(same) > 1 and first.line is not None:
            first = first.replace(message=_("{message} (also at {places}, which use the same "
                                            "lines)").format(
                message=first.message, places=", ".join(str(p.field) for p in same[1:])))
        out.append(first)
    return out


def _spurious(err: Any) -> bool:
    """A 'list too short' error pydantic adds to a non-empty list whose items failed."""
    items = err.get("input")
    return err["type"] == "too_short" and isinstance(items, list | tuple) and len(items) > 0


def _validate(data: dict[str, Any], meta: Meta, fallback: str) -> RuleSet:
    for _attempt in range(4):
        try:
            return RuleSet.model_validate(data)
        except ValidationError as exc:
            if _fix_numbers_as_text(exc, data, meta):
                continue
            errors = [e for e in exc.errors() if not _spurious(e)]
            problems = _dedupe([_problem(e, data, meta, fallback)
                                for e in errors[:MAX_PROBLEMS]])
            problems.sort(key=lambda p: (str(p.file), p.line or 0))
            if len(errors) > MAX_PROBLEMS:
                more = len(errors) - MAX_PROBLEMS
                problems.append(Problem(ngettext("... and {n} more problem",
                                                 "... and {n} more problems", more).format(n=more),
                                        file=fallback, fix=_("fix the ones above first")))
            raise RuleError(problems) from None
    raise RuleError(Problem(_("the rule set does not validate"), file=fallback,
                            fix=_("check the text fields")))  # pragma: no cover


# --------------------------------------------------------------------------- checks
@dataclass
class _Checker:
    rules: RuleSet
    meta: Meta
    fallback: str
    indicators: list[str]
    problems: list[Problem] = field(default_factory=list)

    def at(self, path: PathT, message: str, fix: str, severity: Severity = "error") -> None:
        file, line = _locate(path, self.meta, self.fallback)
        self.problems.append(Problem(message, file=file, line=line, field=render_path(path),
                                     fix=fix, severity=severity))

    def coverage(self, path: PathT, bands: tuple[Band, ...], hit: str,
                 domain: tuple[float, float] | None) -> None:
        """Warn about stretches of the domain no band covers (``hit: first`` only: the
        model refuses them under ``unique``) and about bands wholly outside it."""
        if domain is None:
            return
        gaps, outside = uncovered(bands, domain)
        lo, hi = domain
        for g_lo, g_hi in gaps if hit == "first" else ():
            where = (_("the top of the domain, {hi}").format(hi=f"{hi:g}") if g_lo == g_hi
                     else f"[{g_lo:g}, {g_hi:g})")
            self.at(path + ("bands",), _("no band covers {where} of the domain [{lo}, {hi}]: "
                                         "values there earn 0 points").format(
                                             where=where, lo=f"{lo:g}", hi=f"{hi:g}"),
                    _("add a band for it (points: 0 if that is intended), or leave the lowest "
                      "min or the highest max empty"), "warning")
        for i in outside:
            self.at(path + ("bands", i), _("the band lies wholly outside the domain [{lo}, "
                                           "{hi}]: no value can fall in it").format(
                                               lo=f"{lo:g}", hi=f"{hi:g}"),
                    _("correct its min and max (a typo such as 950 for 95?) or remove it"),
                    "warning")

    def indicator(self, path: PathT, name: str) -> None:
        if name not in self.indicators:
            self.at(path, _("{name} is not a known indicator").format(name=repr(name)),
                    suggest_fix(name, self.indicators, _one_of(self.indicators)))

    def expression(self, path: PathT, text: str) -> None:
        try:
            compile_expression(text, [*self.indicators, "max_points"], where=render_path(path))
        except ExpressionError as exc:
            file, line = _locate(path, self.meta, self.fallback)
            self.problems += [p.replace(file=file, line=line) for p in exc.problems]

    def run(self) -> list[Problem]:
        rules = self.rules
        for tid, tree in rules.trees.items():
            for ai, area in enumerate(tree.areas):
                for ci, crit in enumerate(area.criteria):
                    for li, leaf in enumerate(crit.leaves):
                        p: PathT = ("trees", tid, "areas", ai, "criteria", ci, "leaves", li)
                        rule = leaf.rule
                        if rule.kind == "bands":
                            self.indicator(p + ("rule", "indicator"), rule.indicator)
                            self.coverage(p + ("rule",), rule.bands, rule.hit, rule.domain)
                        elif rule.kind == "tasks" and rule.bands:
                            self.coverage(p + ("rule",), rule.bands, rule.hit, (0.0, 100.0))
                        elif rule.kind == "formula":
                            self.expression(p + ("rule", "expr"), rule.expr)
                        if leaf.applies_if is not None:
                            self.expression(p + ("applies_if",), leaf.applies_if)
        for i, adj in enumerate(rules.adjustments):
            if adj.rule.kind == "formula":
                self.expression(("adjustments", i, "rule", "expr"), adj.rule.expr)
        area_codes = sorted({a.code for t in rules.trees.values() for a in t.areas})
        for i, key in enumerate(rules.ranking.tie_break):
            name = key.lstrip("+-")
            if name in TOTALS_KEYS_SET or name in area_codes or name in self.indicators:
                continue
            self.at(("ranking", "tie_break", i), _(
                "tie-break key {key} is neither a total (points, index, bonus, deduction, "
                "max_points), an area code nor an indicator").format(key=repr(key)),
                suggest_fix(name, [*TOTAL_KEYS, *area_codes, *self.indicators],
                             _("use points, index, an area code or an indicator name; prefix "
                               "'-' when lower is better")))
        for i, test in enumerate(rules.tests):
            p = ("tests", i)
            if test.tree is not None and test.tree not in rules.trees:
                self.at(p + ("tree",), _("the test names tree {tree}, which is not defined"
                                         ).format(tree=repr(test.tree)),
                        suggest_fix(test.tree, list(rules.trees), _one_of(rules.trees)))
                continue
            try:
                rules.leaf(test.leaf, test.tree)
            except KeyError:
                codes = sorted({leaf.code for tid, t in rules.trees.items()
                                if test.tree in (None, tid) for _a, _c, leaf in t.leaves()})
                message = (_("the test names leaf {leaf}, which tree {tree} has not")
                           if test.tree else _("the test names leaf {leaf}, which no tree has"))
                self.at(p + ("leaf",), message.format(leaf=repr(test.leaf), tree=test.tree),
                        suggest_fix(test.leaf, codes, _("use a leaf code")))
            for name in test.indicators:
                self.indicator(p + ("indicators", name), name)
        return self.problems


TOTALS_KEYS_SET = frozenset(TOTAL_KEYS)


def _content_hash(docs: list[_Doc]) -> str:
    h = hashlib.sha256()
    for doc in docs:
        h.update(doc.text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _self_tests(rules: RuleSet, meta: Meta, fallback: str) -> list[Problem]:
    out = []
    for p in run_rule_tests(rules):
        path: PathT = ()
        if p.field and (m := re.match(r"tests\[(\d+)\]", p.field)):
            path = ("tests", int(m[1]))
        file, line = _locate(path, meta, fallback)
        out.append(p.replace(file=p.file or file, line=p.line or line))
    return out


# --------------------------------------------------------------------------- public
def load_rules(path: str | os.PathLike[str], *, run_tests: bool = True) -> RuleSet:
    """Load, check and self-test a rule set.

    Parameters
    ----------
    path : str or PathLike
        A rule-set folder (containing ``ruleset.yaml``) or a ``.yaml`` file.
    run_tests : bool, default True
        Run the file's own ``tests`` (needs :mod:`scoring.engine`).

    Returns
    -------
    RuleSet
        Validated, with ``content_hash`` (sha256 of the file texts, base first) and
        ``notes`` (what the loader derived for a variant).

    Raises
    ------
    RuleError
        With one :class:`~scoring.errors.Problem` per thing to fix, each naming the file,
        line, YAML path, what is wrong and how to fix it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "ruleset.yaml").write_text('''
    ... id: demo
    ... version: "1"
    ... title: Demo
    ... source: {kind: simulation, assumptions: a two-leaf example}
    ... groups: [{id: department, name: Sở, tree: main}]
    ... trees:
    ...   main:
    ...     name: Cây
    ...     areas:
    ...       - code: "1"
    ...         name: Thủ tục hành chính
    ...         criteria:
    ...           - code: "1.1"
    ...             name: Giải quyết hồ sơ
    ...             leaves:
    ...               - code: "1.1.1"
    ...                 name: Đúng hạn
    ...                 max: 2
    ...                 rule: {kind: formula, expr: "min(on_time_rate / 50, 2)"}
    ... ''', encoding="utf-8")
    >>> rules = load_rules(folder)
    >>> rules.trees["main"].total_max, len(rules.content_hash)
    (2.0, 64)
    """
    given = Path(path)
    file = _find_file(given, file=_display(given))
    return _finish(*_resolve(file, (file.resolve(),)), run_tests=run_tests)[0]


def _finish(data: dict[str, Any], meta: Meta, docs: list[_Doc], notes: list[str], *,
            run_tests: bool) -> tuple[RuleSet, list[Problem]]:
    """Validate resolved data; (the rule set, its warnings) or a RuleError."""
    fallback = docs[-1].file
    rules = _validate(data, meta, fallback)
    found = _dedupe(_Checker(rules, meta, fallback, list(INDICATORS)).run())
    errors = [p for p in found if p.severity == "error"]
    if errors:
        raise RuleError(errors[:MAX_PROBLEMS])
    rules = rules.model_copy(update={"content_hash": _content_hash(docs),
                                     "notes": tuple(notes)})
    if run_tests:
        failures = _self_tests(rules, meta, fallback)
        if failures:
            raise RuleError(failures[:MAX_PROBLEMS])
    warnings = [p for p in found if p.severity == "warning"]
    return rules, warnings + [Problem(n, file=fallback, severity="warning") for n in notes]


def _one_of(choices: Any) -> str:
    return _("use one of: {choices}").format(choices=", ".join(choices))


def load_variant(base: str | os.PathLike[str], overrides: Mapping[str, Any], *,
                 id: str = "variant", title: str | None = None,
                 assumptions: str = "overrides entered by hand", file: str = "overrides",
                 run_tests: bool = True) -> RuleSet:
    """A variant of the rule set at ``base`` from an in-memory ``overrides`` mapping.

    Exactly as if a variant file said ``extends: <base>`` and ``overrides: <overrides>``:
    the same merge, the same validation and the same messages (their ``field`` names the
    override, e.g. ``overrides["7.2.1"].max``; their file is ``file``).

    Parameters
    ----------
    base : str or PathLike
        The rule-set folder or YAML file the variant extends.
    overrides : mapping
        Code (or ``"<tree>/<code>"``) → fields to change, as in a variant file.
    id, title, assumptions : str
        The variant's id, title (default: the base's) and ``source.assumptions``.
    file : str
        How messages name the overrides.
    run_tests : bool
        Run the rule set's own tests.

    Raises
    ------
    RuleError
        As :func:`load_rules`.

    Examples
    --------
    >>> from scoring.paths import BUNDLED_RULES
    >>> v = load_variant(BUNDLED_RULES, {"7.2.1": {"max": 3}})        # doctest: +SKIP
    """
    given = Path(base)
    base_file = _find_file(given, file=_display(given)).resolve()
    doc: dict[str, Any] = {"id": id, "source": {"kind": "simulation",
                                                "assumptions": assumptions},
                           "extends": str(base_file)}
    if title is not None:
        doc["title"] = title
    doc["overrides"] = dict(overrides)
    try:
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    except yaml.YAMLError as exc:
        raise RuleError(Problem(_("the overrides cannot be written as YAML: {why}").format(
            why=exc), file=file, field="overrides",
            fix=_("use only text, numbers, lists and mappings"))) from None
    data, meta = parse_yaml(text, file, RuleError)
    meta[()] = At(file, 1)
    variant = _Doc(base_file.parent / f"{file}.yaml", file, text, data, meta)
    return _finish(*_resolve_doc(variant, (base_file.parent / f"{file}.yaml",)),
                   run_tests=run_tests)[0]


def check_rules(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of a rule set, as a list (empty when it loads cleanly).

    Errors stop the load; the loader's notes on a variant come back as warnings.
    Never raises for a problem the user can fix.

    Examples
    --------
    >>> [p.message for p in check_rules("no/such/folder")]
    ['the rule set no/such/folder does not exist']
    """
    try:
        given = Path(path)
        file = _find_file(given, file=_display(given))
        return _finish(*_resolve(file, (file.resolve(),)), run_tests=True)[1]
    except CchcError as exc:
        return list(exc.problems)
