"""The dataset: one province-year of agencies, dossier counts, plan tasks and score tables.

:class:`Dataset` is an immutable value; build variants with :meth:`Dataset.replace`.
Loading and validation of a dataset folder live below the class (``load_dataset``,
``check_dataset``); the folder layout is described in ``docs/ARCHITECTURE.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

TASK_STATUSES: tuple[str, ...] = ("done_on_time", "done_late", "not_done", "in_progress",
                                  "not_arising")
GROUPS: tuple[str, ...] = ("department", "district", "commune")


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})


@dataclass(frozen=True, eq=False)
class Dataset:
    """One province-year of data, validated.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"khanh-hoa-2022"``.
    agencies : DataFrame
        Indexed by ``agency_id``; columns ``name, group, parent_id, aliases, ranked, kind``.
        ``aliases`` is a tuple of str, ``ranked`` a bool.
    dossiers : DataFrame
        Indexed by ``agency_id``; the counts of ``dossiers.csv`` as floats (NaN = missing).
    tasks : DataFrame
        Indexed by ``task_id``; ``lead_agency_ids`` is a tuple of str; ``status`` one of
        :data:`TASK_STATUSES`.
    scores, surveys, findings : DataFrame
        Manual score table, survey table and data-quality findings (may be empty).
    manifest : dict
        Source, period and checksums.
    content_hash : str
        sha256 over the data files, for provenance.
    path : Path, optional
        Where it was loaded from.
    """

    name: str
    agencies: pd.DataFrame
    dossiers: pd.DataFrame
    tasks: pd.DataFrame
    scores: pd.DataFrame = field(default_factory=lambda: _empty(
        ["agency_id", "leaf", "self_points", "appraised_points", "note"]))
    surveys: pd.DataFrame = field(default_factory=lambda: _empty(
        ["agency_id", "leaf", "option", "count", "share"]))
    findings: pd.DataFrame = field(default_factory=lambda: _empty(
        ["severity", "table", "agency", "column", "published", "expected", "message", "line"]))
    manifest: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    path: Path | None = None

    def replace(self, **changes: Any) -> Dataset:
        """Return a copy with some fields replaced (e.g. a what-if ``dossiers`` table)."""
        return replace(self, **changes)

    def ranked_agencies(self, group: str | None = None) -> pd.DataFrame:
        """Agencies ranked in their group (optionally one group), in file order."""
        a = self.agencies[self.agencies["ranked"].astype(bool)]
        return a if group is None else a[a["group"] == group]
