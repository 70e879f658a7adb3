"""Find an agency from what a user types: its id, its name or an alias.

Matching is accent- and case-insensitive (:func:`scoring.text.fold`), so ``"so du lich"``,
``"SỞ DU LỊCH"`` and ``"sở du lịch"`` all find *Sở Du lịch*. An exact id, name or alias wins;
otherwise a unique prefix, then a unique substring. Anything unknown or ambiguous is a
:class:`scoring.errors.UsageError` naming the closest agencies.

Examples
--------
>>> import pandas as pd
>>> from scoring.dataset import Dataset
>>> agencies = pd.DataFrame(
...     {"name": ["Sở Du lịch", "Sở Tư pháp"], "group": ["department"] * 2,
...      "parent_id": [None, None], "aliases": [("SDL",), ()], "ranked": [True, True]},
...     index=pd.Index(["so-du-lich", "so-tu-phap"], name="agency_id"))
>>> ds = Dataset("demo", agencies, pd.DataFrame(), pd.DataFrame())
>>> resolve_agency(ds, "SO DU LICH"), resolve_agency(ds, "tư pháp"), resolve_agency(ds, "sdl")
('so-du-lich', 'so-tu-phap', 'so-du-lich')
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from scoring.dataset import Dataset
from scoring.errors import Problem, UsageError
from scoring.text import fold, nfc, suggest

_SHOWN = 5
_CACHE: weakref.WeakKeyDictionary[Dataset, list[tuple[str, str]]] = weakref.WeakKeyDictionary()


def _keys(ds: Dataset) -> list[tuple[str, str]]:
    """(folded key, agency_id) for every id, name and alias (cached per dataset)."""
    cached = _CACHE.get(ds)
    if cached is not None:
        return cached
    a = ds.agencies
    names = a["name"] if "name" in a else [""] * len(a)
    aliases = a["aliases"] if "aliases" in a else [()] * len(a)
    keys: list[tuple[str, str]] = []
    for aid, name, alias in zip(a.index, names, aliases, strict=True):
        aid = str(aid)
        keys.append((fold(aid), aid))
        if name:
            keys.append((fold(str(name)), aid))
        if isinstance(alias, str):
            alias = tuple(x for x in alias.split(";") if x.strip())
        keys.extend((fold(x), aid) for x in alias or ())
    _CACHE[ds] = keys
    return keys


def _describe(ds: Dataset, ids: Iterable[str]) -> str:
    a = ds.agencies
    parts = []
    for aid in ids:
        label = f"{a.at[aid, 'name']} ({aid}"
        parent = a.at[aid, "parent_id"] if "parent_id" in a else None
        if isinstance(parent, str) and parent in a.index:
            label += f", {a.at[parent, 'name']}"
        parts.append(label + ")")
    return ", ".join(parts)


def resolve_agency(ds: Dataset, query: str) -> str:
    """The ``agency_id`` that ``query`` names.

    Parameters
    ----------
    ds : Dataset
        The dataset whose agencies are searched.
    query : str
        An id, a name or an alias; accents, case and extra spaces are ignored. A unique
        prefix or substring of one (e.g. ``"du lich"``) is enough.

    Returns
    -------
    str
        The agency id.

    Raises
    ------
    UsageError
        If nothing matches (with the closest names) or several agencies match equally
        (with the candidates, so the user can pick an id).

    Examples
    --------
    >>> from scoring.dataset import load_dataset
    >>> from scoring.paths import BUNDLED_DATASET
    >>> resolve_agency(load_dataset(BUNDLED_DATASET), "SO DU LICH")
    'so-du-lich'
    """
    text = nfc(str(query)).strip()
    if not text:
        raise UsageError(Problem("the agency is blank", field="AGENCY",
                                 fix="give an agency id or name"))
    ids = find_agencies(ds, text)
    if len(ids) == 1:
        return ids[0]
    if len(ids) > 1:
        more = f" and {len(ids) - _SHOWN} more" if len(ids) > _SHOWN else ""
        raise UsageError(Problem(
            f"'{text}' matches {len(ids)} agencies: {_describe(ds, ids[:_SHOWN])}{more}",
            field="AGENCY", fix="give the agency id, or more of the name"))
    raise UsageError(Problem(f"unknown agency '{text}'", field="AGENCY",
                             fix=suggest_agencies(ds, text)))


def find_agencies(ds: Dataset, query: str, *, exact: bool = False) -> list[str]:
    """Every agency ``query`` could name, at the first level that matches anything.

    An id wins; then an exact name or alias (accent- and case-insensitive), then a prefix,
    then a substring (``exact=True`` stops after exact names). Empty when nothing matches.

    Examples
    --------
    >>> from scoring.dataset import load_dataset
    >>> from scoring.paths import BUNDLED_DATASET
    >>> find_agencies(load_dataset(BUNDLED_DATASET), "sở du lịch")
    ['so-du-lich']
    """
    text = nfc(str(query)).strip()
    if not text:
        return []
    if text in ds.agencies.index:
        return [text]
    q = fold(text)
    keys = _keys(ds)
    levels = [lambda k: k == q]
    if not exact:
        levels += [lambda k: k.startswith(q), lambda k: q in k]
    for match in levels:
        ids = list(dict.fromkeys(aid for key, aid in keys if match(key)))
        if ids:
            return ids
    return []


def suggest_agencies(ds: Dataset, query: str) -> str:
    """How to fix an unknown agency: the closest names (or where to look)."""
    names: dict[str, str] = {}
    for key, aid in _keys(ds):
        names.setdefault(key, aid)
    hits = list(dict.fromkeys(names[fold(h)] for h in suggest(query, list(names), n=_SHOWN,
                                                                 cutoff=0.5)))
    return (f"did you mean {_describe(ds, hits[:3])}?" if hits else
            "give an agency id or name from agencies.csv")
