"""Rule edits made in a form → a variant rule file (``extends`` + ``overrides``) → a rule set.

The form never shows YAML. What the user changes (a leaf's thresholds, points and max, a
tasks leaf's weights, the class cut-offs) becomes the ``overrides`` and ``groups`` of a
variant file in exactly the format of the command line, written with ruamel.yaml (key
order kept, short rows on one line, a comment saying what it is), and is loaded by the
same loader as ``cchc check``, so the checks and messages are the same. Each message is
put back beside the form field it is about, by the line of the variant file it names.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from scoring.errors import CchcError, Problem, UsageError
from scoring.i18n import _
from scoring.rules.loader import load_rules
from scoring.rules.model import TASK_STATUSES
from scoring.text import slug

from .library import Entry, NotFound, valid_id

EDITABLE_KINDS = ("bands", "tasks", "formula", "manual", "survey")
WEIGHT_STATUSES = tuple(s for s in TASK_STATUSES if s != "not_arising")


# --------------------------------------------------------------------------- the edit
@dataclass(frozen=True)
class Edit:
    """What the user changed, in the variant-file format.

    Attributes
    ----------
    overrides : mapping
        Leaf code → changed fields (``max``, ``rule: {bands | weights}``).
    groups : tuple of mapping
        ``{"id": group, "classes": [{"label", "min"}, ...]}`` for groups whose cut-offs
        changed.
    """

    overrides: Mapping[str, Any] = field(default_factory=dict)
    groups: tuple[Mapping[str, Any], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.overrides and not self.groups

    def key(self) -> str:
        """A stable fingerprint of the edit (for caching)."""
        text = repr((sorted((k, repr(v)) for k, v in self.overrides.items()),
                     [repr(g) for g in self.groups]))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def number(text: str | None, *, blank: bool = False) -> float | None:
    """A number typed in a form: ``98,5`` or ``98.5``; blank is None when allowed.

    Examples
    --------
    >>> number("98,5"), number(" 4 "), number("", blank=True)
    (98.5, 4.0, None)
    """
    raw = (text or "").strip().replace(" ", "")
    if not raw:
        if blank:
            return None
        raise ValueError(_("a number is needed here"))
    if raw.count(",") == 1 and "." not in raw:
        raw = raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(_("{text!r} is not a number").format(text=text)) from None
    if not math.isfinite(value):
        raise ValueError(_("{text!r} is not a number").format(text=text))
    return value


def _plain(x: float | None) -> float | int | None:
    """Whole numbers as ints, so the file reads ``4`` not ``4.0``."""
    if x is None:
        return None
    return int(x) if float(x).is_integer() else float(x)


def editable_leaves(rules: Any) -> list[dict[str, Any]]:
    """Every leaf a user may edit, once per code: ``code, name, kind, max``."""
    seen: dict[str, dict[str, Any]] = {}
    for tree in rules.trees.values():
        for _area, _crit, leaf in tree.leaves():
            if leaf.code not in seen and leaf.rule.kind in EDITABLE_KINDS:
                seen[leaf.code] = {"code": leaf.code, "name": leaf.name,
                                   "kind": leaf.rule.kind, "max": leaf.max}
    return sorted(seen.values(), key=lambda d: [int(p) if p.isdigit() else p
                                                 for p in d["code"].split(".")])


def leaf_form(rules: Any, code: str) -> dict[str, Any]:
    """The current values of leaf ``code`` as form fields (strings, Vietnamese decimals)."""
    try:
        leaf = rules.leaf(code)
    except KeyError:
        raise NotFound(Problem(_("the rule set has no leaf {code!r}").format(code=code),
                               field="leaf", fix=_("pick a leaf from the list"))) from None
    rule = leaf.rule
    same, others = [], []
    for tid, tree in rules.trees.items():
        for _a, _c, other in tree.leaves():
            if other.code == code:
                (same if other.rule.kind == rule.kind else others).append(
                    tid if other.rule.kind == rule.kind else f"{tid} ({other.rule.kind})")
    out: dict[str, Any] = {"code": leaf.code, "name": leaf.name, "kind": rule.kind,
                           "max": _text(leaf.max), "bands": [], "weights": {},
                           "other_kinds": others, "trees": same}
    bands = getattr(rule, "bands", None) or ()
    out["bands"] = [{"min": _text(b.min), "max": _text(b.max), "points": _text(b.points)}
                    for b in bands]
    if rule.kind == "tasks":
        out["weights"] = {s: _text(rule.weights.get(s, 0.0)) for s in WEIGHT_STATUSES}
    if rule.kind == "bands":
        out["indicator"] = rule.indicator
    return out


def class_form(rules: Any) -> list[dict[str, Any]]:
    """Each group's class cut-offs as form fields."""
    return [{"id": g.id, "name": g.name, "unclassified": g.unclassified,
             "classes": [{"label": c.label, "min": _text(c.min)} for c in g.classes]}
            for g in rules.groups]


def _text(x: float | None) -> str:
    if x is None:
        return ""
    v = _plain(x)
    return str(v).replace(".", ",")


def parse_form(rules: Any, form: Mapping[str, str]) -> tuple[Edit, dict[str, str]]:
    """Read a submitted rule form into an :class:`Edit` (only what differs from ``rules``).

    Field names: ``leaf`` (the code), ``max``, ``band-<i>-min|max|points``,
    ``weight-<status>``, ``class-<group>-<i>``. Returns the edit and, per field, the
    reason a value could not be read (the edit is then incomplete and must not be used).
    """
    errors: dict[str, str] = {}

    def read(name: str, *, blank: bool = False) -> float | None:
        try:
            return number(form.get(name), blank=blank)
        except ValueError as err:
            errors[name] = str(err)
            return None

    overrides: dict[str, Any] = {}
    code = (form.get("leaf") or "").strip()
    if code:
        base = leaf_form(rules, code)
        change: dict[str, Any] = {}
        new_max = read("max")
        leaf = rules.leaf(code)
        if new_max is not None and new_max != leaf.max:
            change["max"] = _plain(new_max)
        if base["kind"] in ("bands", "tasks") and base["bands"]:
            bands = []
            i = 0
            while f"band-{i}-points" in form:
                lo = read(f"band-{i}-min", blank=True)
                hi = read(f"band-{i}-max", blank=True)
                pts = read(f"band-{i}-points")
                if not all(form.get(f"band-{i}-{k}", "").strip() == ""
                           for k in ("min", "max", "points")):
                    row = CommentedMap()
                    if lo is not None:
                        row["min"] = _plain(lo)
                    if hi is not None:
                        row["max"] = _plain(hi)
                    row["points"] = _plain(pts)
                    bands.append(row)
                i += 1
            old = [(b.min, b.max, b.points) for b in leaf.rule.bands]
            new = [(r.get("min"), r.get("max"), r.get("points")) for r in bands]
            if [tuple(None if v is None else float(v) for v in t) for t in new] != old:
                change.setdefault("rule", {})["bands"] = bands
        if base["kind"] == "tasks" and all(f"weight-{s}" in form for s in WEIGHT_STATUSES):
            weights = {s: read(f"weight-{s}") for s in WEIGHT_STATUSES}
            if any(weights[s] != leaf.rule.weights.get(s, 0.0) for s in WEIGHT_STATUSES):
                change.setdefault("rule", {})["weights"] = {
                    s: _plain(w) for s, w in weights.items()}
        if change and base["other_kinds"]:
            # scored another way in some tree: change only the trees of this kind
            for tid in base["trees"]:
                overrides[f"{tid}/{code}"] = change
        elif change:
            overrides[code] = change
    groups = []
    for g in rules.groups:
        mins = [read(f"class-{g.id}-{i}") if f"class-{g.id}-{i}" in form else c.min
                for i, c in enumerate(g.classes)]
        if any(m is not None and m != c.min for m, c in zip(mins, g.classes, strict=True)):
            groups.append({"id": g.id, "classes": [
                {"label": c.label, "min": _plain(m if m is not None else c.min)}
                for m, c in zip(mins, g.classes, strict=True)]})
    return Edit(overrides, tuple(groups)), errors


def edit_from_json(body: Mapping[str, Any]) -> Edit:
    """The ``overrides`` (and optional ``groups``) of an API request as an :class:`Edit`."""
    overrides = body.get("overrides") or {}
    groups = body.get("groups") or []
    if not isinstance(overrides, Mapping) or not isinstance(groups, list):
        raise UsageError(Problem(_("overrides must map codes to changes"), field="overrides",
                                 fix=_('send e.g. {"overrides": {"3.2.1": {"max": 4}}}')))
    return Edit({str(k): v for k, v in overrides.items()}, tuple(groups))


# --------------------------------------------------------------------------- the file
@dataclass(frozen=True)
class VariantText:
    """A variant file's text and, per line, the form field it holds."""

    text: str
    fields: Mapping[int, str]


def _flow(row: Mapping[str, Any]) -> CommentedMap:
    m = CommentedMap(row)
    m.fa.set_flow_style()
    return m


def _yaml() -> YAML:
    y = YAML()
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 100
    return y


def variant_text(base: Entry, base_rules: Any, edit: Edit, variant_id: str, *,
                 extends: str, note: str = "") -> VariantText:
    """The variant file for ``edit`` on ``base`` (``extends`` as it should be written)."""
    doc = CommentedMap()
    doc["extends"] = extends
    doc["id"] = variant_id
    doc["version"] = f"{base_rules.version}-{variant_id}"
    doc["title"] = _("{title} — variant {id}").format(title=base_rules.title, id=variant_id)
    source = CommentedMap()
    source["kind"] = "simulation"
    source["assumptions"] = note.strip() or _(
        "The rule set {base} with the changes below, made in the web application to try "
        "them before adopting them; not a published rule.").format(base=base_rules.id)
    doc["source"] = source
    if edit.groups:
        groups = CommentedSeq()
        for g in edit.groups:
            gm = CommentedMap()
            gm["id"] = g["id"]
            classes = CommentedSeq(_flow(c) for c in g.get("classes", []))
            gm["classes"] = classes
            groups.append(gm)
        doc["groups"] = groups
    if edit.overrides:
        ov = CommentedMap()
        for code, change in edit.overrides.items():
            cm = CommentedMap()
            for k, v in change.items():
                if k == "rule" and isinstance(v, Mapping):
                    rm = CommentedMap()
                    for rk, rv in v.items():
                        if rk == "bands":
                            rm[rk] = CommentedSeq(_flow(b) for b in rv)
                        elif rk == "weights":
                            rm[rk] = _flow(rv)
                        else:
                            rm[rk] = rv
                    cm[k] = rm
                else:
                    cm[k] = v
            ov[str(code)] = cm
        doc["overrides"] = ov
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    doc.yaml_set_start_comment(_("Variant of {base} saved from the cchc web application on "
                                 "{stamp}.\nCheck it with: cchc check --rules <this file>")
                               .format(base=base.id, stamp=stamp))
    buf = io.StringIO()
    _yaml().dump(doc, buf)
    text = buf.getvalue()
    return VariantText(text, _field_lines(text, edit))


def _field_lines(text: str, edit: Edit) -> dict[int, str]:
    """1-based line → form field name, from the text read back with positions."""
    data = YAML().load(text)
    out: dict[int, str] = {}
    ov = data.get("overrides") or {}
    for code in ov:
        change = ov[code]
        out[ov.lc.key(code)[0] + 1] = "leaf"
        if "max" in change:
            out[change.lc.key("max")[0] + 1] = "max"
        rule = change.get("rule") or {}
        if rule:
            out[change.lc.key("rule")[0] + 1] = "leaf"
        if "bands" in rule:
            out[rule.lc.key("bands")[0] + 1] = "bands"
            for i in range(len(rule["bands"])):
                out[rule["bands"].lc.item(i)[0] + 1] = f"band-{i}"
        if "weights" in rule:
            out[rule.lc.key("weights")[0] + 1] = "weights"
    for g in data.get("groups") or []:
        out[g.lc.key("classes")[0] + 1] = f"class-{g['id']}"
        for i in range(len(g["classes"])):
            out[g["classes"].lc.item(i)[0] + 1] = f"class-{g['id']}-{i}"
    return out


# --------------------------------------------------------------------------- loading
@dataclass(frozen=True)
class Attempt:
    """A variant loaded (``rules``), or the loader's problems placed on form fields."""

    rules: Any = None
    text: str = ""
    field_problems: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.rules is not None


def preview_id(base_id: str) -> str:
    return f"{base_id}-thu"


def try_variant(workspace: Path, base: Entry, base_rules: Any, edit: Edit,
                variant_id: str | None = None) -> Attempt:
    """Load ``edit`` on ``base`` with the rule loader, from a temporary variant file.

    The file lives in the workspace's ``tmp`` folder only while it is read; its
    ``extends`` names the base by its absolute path.
    """
    vid = variant_id or preview_id(base.id)
    vt = variant_text(base, base_rules, edit, vid, extends=str(base.path.resolve()))
    folder = Path(tempfile.mkdtemp(prefix="variant-", dir=workspace / "tmp"))
    try:
        path = folder / f"{vid}.yaml"
        path.write_text(vt.text, encoding="utf-8")
        try:
            rules = load_rules(path)
        except CchcError as err:
            return _placed(err, path, vt)
        return Attempt(rules=rules, text=vt.text)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _placed(err: CchcError, path: Path, vt: VariantText) -> Attempt:
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for p in err.problems:
        mine = p.file is not None and Path(str(p.file)).name == path.name
        shown = str(p.replace(file=None, line=None)) if mine else str(p)
        name = vt.fields.get(p.line or 0) if mine else None
        if name is None:
            general.append(shown)
        else:
            by_field.setdefault(name, []).append(shown)
    return Attempt(text=vt.text, field_problems={k: tuple(v) for k, v in by_field.items()},
                   problems=tuple(general))


def save_variant(workspace: Path, base: Entry, base_rules: Any, edit: Edit, name: str,
                 taken: set[str], note: str = "") -> Path:
    """Write the variant file ``<workspace>/rules/<id>.yaml`` (checked first, atomic).

    Raises
    ------
    UsageError
        The name is not usable or already taken, there is nothing to save, or the
        variant does not load (its first problem).
    """
    vid = slug(name)
    if not vid or not valid_id(vid):
        raise UsageError(Problem(_("{name!r} cannot name a rule set").format(name=name),
                                 field="name", fix=_("use letters, digits and dashes, e.g. "
                                                     "khanh-hoa-2022-dung-han-99")))
    if vid in taken:
        raise UsageError(Problem(_("a rule set named {id!r} already exists").format(id=vid),
                                 field="name", fix=_("choose another name")))
    if edit.empty:
        raise UsageError(Problem(_("nothing has been changed"), field="name",
                                 fix=_("change a value in the form first")))
    folder = workspace / "rules"
    target = folder / f"{vid}.yaml"
    extends = os.path.relpath(base.path.resolve(), folder.resolve())
    vt = variant_text(base, base_rules, edit, vid, extends=extends, note=note)
    fd, tmp = tempfile.mkstemp(prefix=f".{vid}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(vt.text)
        check = Path(tmp).with_suffix(".yaml")
        os.replace(tmp, check)
        load_rules(check)  # the same checks as `cchc check`, before it is visible
        try:
            os.link(check, target)  # fails if someone saved that name meanwhile
        except FileExistsError:
            raise UsageError(Problem(_("a rule set named {id!r} already exists").format(
                id=vid), field="name", fix=_("choose another name"))) from None
    finally:
        for p in (Path(tmp), Path(tmp).with_suffix(".yaml")):
            p.unlink(missing_ok=True)
    return target
