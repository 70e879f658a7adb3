"""The rule sets and datasets the web application offers, by id, and their results.

Ids come from folder and file names (``khanh-hoa-2022``); a request names an id, never
a path, and an id is looked up among the listed entries only, so no request can reach a
file outside the bundled folders, the folders given at start and the workspace.
Loaded rule sets, datasets and scored results are kept in bounded caches keyed by what
they were made from (file signatures, then the content hashes), so an edited or
replaced file is read again and two requests never share anything they could change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.consistency import fit_fingerprint, require_fit
from scoring.errors import Problem, UsageError
from scoring.i18n import _
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import RULES_FILE, load_rules

from .cache import BoundedCache
from .config import WebConfig

ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
DATA_FILES = ("agencies.csv", "agencies.xlsx")


class NotFound(UsageError):
    """An id, agency or page that does not exist (HTTP 404)."""


@dataclass(frozen=True)
class Entry:
    """One rule set or dataset on offer.

    Attributes
    ----------
    id : str
        What requests name it by.
    path : Path
        Folder (or, for a saved variant, the YAML file).
    origin : str
        ``bundled``, ``given`` (on the command line) or ``workspace``.
    """

    id: str
    path: Path
    origin: str

    def public(self) -> dict[str, str]:
        """What the API shows (no file-system path)."""
        return {"id": self.id, "origin": self.origin}


def valid_id(text: str) -> bool:
    """Whether ``text`` can be an id (letters, digits, ``.``, ``_``, ``-``; no ``..``).

    Examples
    --------
    >>> valid_id("khanh-hoa-2022"), valid_id("../etc"), valid_id("/abs"), valid_id("a..b")
    (True, False, False, False)
    """
    return bool(ID_PATTERN.fullmatch(text)) and ".." not in text


def _signature(paths: Iterable[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for p in paths:
        try:
            st = p.stat()
        except OSError:
            continue
        out.append((str(p), st.st_mtime_ns, st.st_size))
    return tuple(sorted(out))


def _rule_entries(config: WebConfig) -> list[Entry]:
    found: list[Entry] = []
    bundled = BUNDLED_RULES.parent
    if bundled.is_dir():
        found += [Entry(d.name, d, "bundled") for d in sorted(bundled.iterdir())
                  if (d / RULES_FILE).is_file() and valid_id(d.name)]
    given = config.rules
    gid = given.stem if given.is_file() else given.name
    found.append(Entry(gid, given.resolve(), "given"))
    found += [Entry(p.stem, p, "workspace")
              for p in sorted((config.workspace / "rules").glob("*.yaml")) if valid_id(p.stem)]
    return _unique(found)


def _data_entries(config: WebConfig) -> list[Entry]:
    found: list[Entry] = []
    bundled = BUNDLED_DATASET.parent
    if bundled.is_dir():
        found += [Entry(d.name, d, "bundled") for d in sorted(bundled.iterdir())
                  if any((d / f).is_file() for f in DATA_FILES) and valid_id(d.name)]
    found.append(Entry(config.data.name, config.data.resolve(), "given"))
    found += [Entry(d.name, d, "workspace")
              for d in sorted((config.workspace / "datasets").iterdir())
              if d.is_dir() and valid_id(d.name)]
    return _unique(found)


def _unique(entries: list[Entry]) -> list[Entry]:
    """The first entry of each id and of each path."""
    seen_ids: set[str] = set()
    seen_paths: set[Path] = set()
    out = []
    for e in entries:
        key = e.path.resolve()
        if e.id in seen_ids or key in seen_paths:
            continue
        seen_ids.add(e.id)
        seen_paths.add(key)
        out.append(e)
    return out


class Library:
    """Rule sets, datasets and scored results for one running application.

    Every method may be called from several request threads at once.
    """

    def __init__(self, config: WebConfig):
        self.config = config
        self._rules: BoundedCache[Any] = BoundedCache(32)
        self._data: BoundedCache[Any] = BoundedCache(max(2, config.cache_size // 2))
        self._results: BoundedCache[Any] = BoundedCache(config.cache_size)
        self._extra: BoundedCache[Any] = BoundedCache(64)

    # ------------------------------------------------------------------ listing
    def rulesets(self) -> list[Entry]:
        return _rule_entries(self.config)

    def datasets(self) -> list[Entry]:
        return _data_entries(self.config)

    @property
    def default_rules(self) -> str:
        return self._default(self.rulesets(), self.config.rules)

    @property
    def default_data(self) -> str:
        return self._default(self.datasets(), self.config.data)

    @staticmethod
    def _default(entries: list[Entry], path: Path) -> str:
        target = path.resolve()
        for e in entries:
            if e.path.resolve() == target:
                return e.id
        return entries[0].id

    def rules_entry(self, rules_id: str | None) -> Entry:
        return self._find(self.rulesets(), rules_id or self.default_rules, "rules")

    def data_entry(self, data_id: str | None) -> Entry:
        return self._find(self.datasets(), data_id or self.default_data, "data")

    @staticmethod
    def _find(entries: list[Entry], wanted: str, field: str) -> Entry:
        if valid_id(wanted):
            for e in entries:
                if e.id == wanted:
                    return e
        what = _("rule set") if field == "rules" else _("dataset")
        names = ", ".join(e.id for e in entries)
        raise NotFound(Problem(_("there is no {what} {id!r}").format(what=what, id=wanted),
                               field=field, fix=_("use one of: {names}").format(names=names)))

    # ------------------------------------------------------------------ loading
    def _rules_signature(self) -> tuple[tuple[str, int, int], ...]:
        files: list[Path] = []
        for e in self.rulesets():
            folder = e.path if e.path.is_dir() else e.path.parent
            files += folder.glob("*.y*ml")
        return _signature(files)

    def load_rules(self, rules_id: str | None) -> Any:
        """The validated rule set of ``rules_id`` (read again when a rule file changed)."""
        entry = self.rules_entry(rules_id)
        key = (str(entry.path), self._rules_signature())
        return self._rules.get_or_compute(key, lambda: load_rules(entry.path))

    def load_data(self, data_id: str | None) -> Any:
        """The validated dataset of ``data_id`` (read again when a file changed)."""
        from scoring.dataset import load_dataset

        entry = self.data_entry(data_id)
        folder = entry.path
        key = (str(folder), _signature([folder, *folder.iterdir()]) if folder.is_dir() else ())
        return self._data.get_or_compute(key, lambda: load_dataset(folder))

    def fit(self, rules: Any, ds: Any) -> tuple[Problem, ...]:
        """The warnings of the gate every command that scores passes (``require_fit``,
        what ``cchc check`` reports about the rule set and the dataset together).

        Raises
        ------
        DataError
            On anything ``cchc check`` calls an error, with the same messages (the
            dataset's files named ``<dataset id>/<file>``).
        """
        return self._extra.get_or_compute(     # a threshold edit keeps the fingerprint
            ("fit", fit_fingerprint(rules), ds.name, ds.content_hash),
            lambda: tuple(require_fit(rules, ds, f"{ds.name}/")))

    def result(self, rules: Any, ds: Any) -> Any:
        """``score(rules, ds)``, cached by (rule-set hash, dataset hash), once the pair
        has passed :meth:`fit`."""
        from scoring.engine import score

        def compute() -> Any:
            self.fit(rules, ds)
            res = score(rules, ds)
            res.totals  # noqa: B018 - built once here, then only read by requests
            res.areas  # noqa: B018
            return res

        return self._results.get_or_compute(
            ("score", rules.id, rules.content_hash, ds.content_hash), compute)

    def score(self, rules_id: str | None, data_id: str | None) -> Any:
        """The scored result of a rule set and dataset named by id."""
        return self.result(self.load_rules(rules_id), self.load_data(data_id))

    def memo(self, key: tuple[Any, ...], compute: Any) -> Any:
        """Cache anything else derived from cached inputs (variants, comparisons)."""
        return self._extra.get_or_compute(key, compute)
