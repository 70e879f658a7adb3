"""Declared uncertainties: what ``cchc simulate`` may vary, and within which limits.

An uncertainty file is YAML beside the rule set (``uncertainty.yaml`` in the rule-set
folder) or anywhere given with ``--uncertainty``. It is a separate file, not a section of
the rule set, so that the rules stay exactly what the decision says and the assumptions
of a simulation are reviewed on their own. Four kinds of source can be declared:

``leaf_max``
    A leaf's maximum is uncertain within ``range: [low, high]`` (uniform). The leaf's
    points scale with its maximum (a leaf worth 2 that earned 1.5 is worth 3 and earns
    2.25), and so does the agency's maximum.
``band_shift``
    The thresholds of a bands leaf move together by up to ``by`` indicator units either
    way (uniform); only that leaf is re-evaluated against its stored value.
``leave_one_out``
    In each run (with ``probability``) one leaf, drawn from ``leaves`` (``all`` or a
    list of codes), is left out of points and maximum, as if it did not arise.
``perturb``
    Manual (appraised) or survey points are uncertain: each agency's points on the
    chosen leaves get independent normal noise with standard deviation ``sd`` times the
    leaf's maximum, clipped to ``[0, max]``.

Every entry may say ``why`` (shown in the output) and, for a code used in several trees,
``group`` to restrict it to one group.

Examples
--------
>>> u = Uncertainty.model_validate({"leaf_max": [{"leaf": "3.1", "range": [1, 3]}],
...                                 "band_shift": [{"leaf": "3.2", "by": 2.5}]})
>>> [s.name for s in u.sources()]
['leaf_max 3.1', 'band_shift 3.2']
>>> Uncertainty().is_empty
True
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from scoring.errors import Problem, UsageError
from scoring.i18n import N_, _
from scoring.rules.model import Model
from scoring.text import suggest_fix
from scoring.validation_words import describe
from scoring.yamlfile import locate, read_yaml, render_path

UNCERTAINTY_FILE = "uncertainty.yaml"
MAX_FILE_BYTES = 1024 * 1024
_FORMAT_FIX = N_("see docs/mo-phong.md, section 'The uncertainty file', for the fields each "
                 "entry takes")


class LeafMax(Model):
    """A leaf's maximum drawn uniformly from ``range``."""

    leaf: str
    group: str | None = None
    range: tuple[float, float]
    why: str | None = None

    @model_validator(mode="after")
    def _range(self) -> LeafMax:
        lo, hi = self.range
        if not 0 < lo <= hi:
            raise ValueError(_("range [{low}, {high}] must satisfy 0 < low <= high").format(
                low=f"{lo:g}", high=f"{hi:g}"))
        return self

    @property
    def name(self) -> str:
        return f"leaf_max {self.leaf}" + (f" ({self.group})" if self.group else "")


class BandShift(Model):
    """All thresholds of a bands leaf moved together by ``U(-by, +by)``."""

    leaf: str
    group: str | None = None
    by: float = Field(gt=0)
    why: str | None = None

    @property
    def name(self) -> str:
        return f"band_shift {self.leaf}" + (f" ({self.group})" if self.group else "")


class LeaveOneOut(Model):
    """One leaf left out per run (with ``probability``), drawn from ``leaves``."""

    leaves: Literal["all"] | tuple[str, ...] = "all"
    group: str | None = None
    probability: float = Field(default=1.0, gt=0, le=1)
    why: str | None = None

    @property
    def name(self) -> str:
        return "leave_one_out" + (f" ({self.group})" if self.group else "")


class Perturb(Model):
    """Normal noise on manual/survey points: ``sd`` × leaf max, clipped to ``[0, max]``."""

    kinds: tuple[Literal["manual", "survey"], ...] = ("manual", "survey")
    leaves: Literal["all"] | tuple[str, ...] = "all"
    group: str | None = None
    sd: float = Field(gt=0, le=1)
    why: str | None = None

    @property
    def name(self) -> str:
        what = "+".join(self.kinds)
        if self.leaves != "all":
            what += " " + ",".join(self.leaves)
        return f"perturb {what}" + (f" ({self.group})" if self.group else "")


Source = LeafMax | BandShift | LeaveOneOut | Perturb


class Uncertainty(Model):
    """The declared uncertainties of one rule set (all lists may be empty)."""

    version: Literal[1] = 1
    description: str | None = None
    leaf_max: tuple[LeafMax, ...] = ()
    band_shift: tuple[BandShift, ...] = ()
    leave_one_out: LeaveOneOut | None = None
    perturb: tuple[Perturb, ...] = ()

    @model_validator(mode="after")
    def _unique(self) -> Uncertainty:
        for kind in ("leaf_max", "band_shift"):
            seen: set[tuple[str, str | None]] = set()
            for entry in getattr(self, kind):
                key = (entry.leaf, entry.group)
                if key in seen:
                    raise ValueError(_("{kind} declares leaf {leaf} twice; keep one entry "
                                       "per leaf").format(kind=kind, leaf=repr(entry.leaf)))
                seen.add(key)
        return self

    @property
    def is_empty(self) -> bool:
        """True when nothing is declared uncertain."""
        return not (self.leaf_max or self.band_shift or self.leave_one_out or self.perturb)

    def sources(self) -> Iterator[Source]:
        """Every declared source in a fixed order (the order of the sensitivity table)."""
        yield from self.leaf_max
        yield from self.band_shift
        if self.leave_one_out is not None:
            yield self.leave_one_out
        yield from self.perturb


# --------------------------------------------------------------------------- loading
def load_uncertainty(path: str | Path) -> Uncertainty:
    """Read and validate an uncertainty file.

    Parameters
    ----------
    path : str or Path
        The YAML file.

    Returns
    -------
    Uncertainty

    Raises
    ------
    UsageError
        Missing file, bad YAML or a field that fails validation, with file, line, field
        and a fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "u.yaml"
    >>> _ = p.write_text("band_shift:\\n  - leaf: '3.1'\\n    by: 2\\n", encoding="utf-8")
    >>> load_uncertainty(p).band_shift[0].by
    2.0
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(Problem(_("uncertainty file not found"), file=path,
                                 fix=_("give an existing YAML file with --uncertainty, or "
                                       "put {name} in the rule-set folder").format(
                                           name=UNCERTAINTY_FILE)))
    file = str(path)
    _text, data, meta = read_yaml(path, file, UsageError, MAX_FILE_BYTES)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise UsageError(Problem(_("the file must be a mapping (leaf_max:, band_shift:, ...)"),
                                 file=path, line=meta[()].line, fix=_(_FORMAT_FIX)))
    try:
        return Uncertainty.model_validate(data)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            loc = tuple(x for x in e["loc"] if isinstance(x, str | int))
            message, fix = describe(e, key=str(loc[-1]) if loc else None)
            if e["type"] in ("extra_forbidden", "value_error"):
                fix = _(_FORMAT_FIX)
            if e["type"] == "missing":
                loc = loc[:-1]
            at = locate(loc, meta)
            problems.append(Problem(
                message, file=path, line=None if at is None else at.line,
                field=render_path(loc) or None, fix=fix))
        raise UsageError(problems) from None


def default_uncertainty_path(rules_path: str | Path) -> Path:
    """Where the uncertainty file of a rule set is looked for.

    ``rules/x/`` → ``rules/x/uncertainty.yaml``; ``rules/x/variant.yaml`` →
    ``rules/x/uncertainty.yaml``.

    Examples
    --------
    >>> default_uncertainty_path("rules/x/variant.yaml").as_posix()
    'rules/x/uncertainty.yaml'
    """
    rules_path = Path(rules_path)
    folder = rules_path if rules_path.is_dir() or not rules_path.suffix else rules_path.parent
    return folder / UNCERTAINTY_FILE


def find_uncertainty(rules_path: str | Path, extends: str | None = None) -> Path:
    """The uncertainty file of a rule set: beside it, else beside the set it extends.

    Parameters
    ----------
    rules_path : str or Path
        The rule-set folder or YAML file given on the command line.
    extends : str, optional
        The rule set's ``extends`` (relative to its folder), for variants that declare no
        uncertainty of their own.

    Returns
    -------
    Path
        The first existing candidate, else the default path (so that the error names it).
    """
    own = default_uncertainty_path(rules_path)
    if own.is_file() or not extends:
        return own
    rules_path = Path(rules_path)
    folder = rules_path if rules_path.is_dir() or not rules_path.suffix else rules_path.parent
    base = default_uncertainty_path(folder / extends)
    return base if base.is_file() else own


def check_against(unc: Uncertainty, rules: Any, *, file: str | Path | None = None) -> None:
    """Raise :class:`UsageError` if ``unc`` names leaves or groups ``rules`` lacks.

    Parameters
    ----------
    unc : Uncertainty
    rules : scoring.rules.model.RuleSet
    file : path, optional
        Named in the messages.
    """
    groups = {g.id: rules.tree_of(g.id) for g in rules.groups}
    problems: list[Problem] = []

    def codes(group: str | None) -> list[str]:
        trees = groups.values() if group is None else [groups[group]]
        return [leaf.code for t in trees for _, _, leaf in t.leaves()]

    def check(kind: str, i: int | None, leaf_codes: tuple[str, ...], group: str | None) -> None:
        where = kind if i is None else f"{kind}[{i}]"
        if group is not None and group not in groups:
            problems.append(Problem(_("unknown group {group}").format(group=repr(group)),
                                    file=file, field=where + ".group",
                                    fix=suggest_fix(group, list(groups),
                                                     _("use one of: {groups}").format(
                                                         groups=", ".join(groups)))))
            return
        known = codes(group)
        for code in leaf_codes:
            if code not in known:
                message = (_("leaf {leaf} is not in the rule set (group {group})") if group
                           else _("leaf {leaf} is not in the rule set"))
                problems.append(Problem(
                    message.format(leaf=repr(code), group=group), file=file,
                    field=where + ".leaf",
                    fix=suggest_fix(code, known, _("use a leaf code of the rule set's tree"))))

    for i, e in enumerate(unc.leaf_max):
        check("leaf_max", i, (e.leaf,), e.group)
    for i, e in enumerate(unc.band_shift):
        check("band_shift", i, (e.leaf,), e.group)
    if unc.leave_one_out is not None:
        lo = unc.leave_one_out
        check("leave_one_out", None, () if lo.leaves == "all" else lo.leaves, lo.group)
    for i, e in enumerate(unc.perturb):
        check("perturb", i, () if e.leaves == "all" else e.leaves, e.group)
    if problems:
        raise UsageError(problems)
