"""The score and survey tables indexed against a dataset's agencies (built once per
:class:`~scoring.dataset.Dataset`, see ``Dataset.index``).

Each row's agency becomes a position among the agencies (−1 = none) and its leaf a code,
so the engine reads manual and survey leaves with array operations only.

Examples
--------
>>> agencies = pd.DataFrame({"group": ["commune", "commune"], "ranked": [True, True]},
...                         index=pd.Index(["a", "b"], name="agency_id"))
>>> scores = pd.DataFrame({"agency_id": ["b", "zz", "a"], "leaf": ["1.1", "1.1", "2.1"],
...                        "self_points": [1.0, 2.0, 3.0]})
>>> t = DatasetIndex.of(agencies, scores, pd.DataFrame()).scores
>>> t.agency.tolist(), t.leaf_code.tolist(), t.leaves
([1, -1, 0], [0, 0, 1], {'1.1': 0, '2.1': 1})
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def text_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of ``values`` as text (``str(v)``; −1 for None/NaN) and the texts.

    >>> codes, texts = text_codes(np.array(["x", "".join(["x"]), 1.5, None], dtype=object))
    >>> codes.tolist(), texts.tolist()
    ([0, 0, 1, -1], ['x', '1.5'])
    """
    values = np.asarray(values, dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) == "string":     # all text
        # a dict of the texts and Index.get_indexer use the strings' cached hashes:
        # about twice as fast as pd.factorize on large columns
        texts = pd.Index(list(dict.fromkeys(values.tolist())), dtype=object)
        return texts.get_indexer(values).astype(np.int64, copy=False), texts.to_numpy()
    series = pd.Series(values, dtype=object)
    text = series.astype(str).to_numpy(dtype=object)
    text[series.isna().to_numpy()] = None
    codes, texts = pd.factorize(text)
    return codes.astype(np.int64, copy=False), np.asarray(texts, dtype=object)


def as_text(values: np.ndarray) -> np.ndarray:
    """``values`` as an object array of str (no copy when they are text already)."""
    values = np.asarray(values)
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return values.astype(str).astype(object)


def floats(col: pd.Series) -> np.ndarray:
    """A column as floats (NaN for blanks and text that is not a number)."""
    if pd.api.types.is_float_dtype(col.dtype):
        return col.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


NO_ROWS = pd.DataFrame()
"""The frame of a table that has no rows (never modified; one for all: a rule file's
self-tests build two empty tables per test)."""


@dataclass(frozen=True, eq=False)
class IndexedTable:
    """A score or survey table against a list of agencies.

    Attributes
    ----------
    df : DataFrame
    agency : ndarray of int
        Per row, the position of its agency (−1 = none).
    leaf_code : ndarray of int
        Per row, a code into ``leaves`` (−1 = no leaf).
    leaves : dict of str → int
    """

    df: pd.DataFrame
    agency: np.ndarray
    leaf_code: np.ndarray
    leaves: dict[str, int]
    _numbers: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    """Columns converted on first use (numbers, option codes)."""

    @classmethod
    def of(cls, df: pd.DataFrame | None, agency_ids: pd.Index) -> IndexedTable:
        if df is None or not len(df) or not {"agency_id", "leaf"} <= set(df.columns):
            empty = np.zeros(0, dtype=np.int64)
            return cls(df=NO_ROWS, agency=empty, leaf_code=empty, leaves={})
        leaf_code, leaves = text_codes(df["leaf"].to_numpy())
        ids = df["agency_id"].to_numpy(dtype=object)
        if pd.api.types.infer_dtype(ids, skipna=False) == "string":
            agency = agency_ids.get_indexer(ids).astype(np.int64, copy=False)
        else:
            codes, texts = text_codes(ids)
            agency = np.append(agency_ids.get_indexer(texts), -1)[codes]
        return cls(df=df, agency=agency, leaf_code=leaf_code,
                   leaves={t: i for i, t in enumerate(leaves)})

    def number(self, col: str) -> np.ndarray:
        """Column ``col`` as floats (NaN when the table lacks it; converted once)."""
        if col not in self._numbers:
            self._numbers[col] = floats(self.df[col]) if col in self.df.columns \
                else np.full(len(self.df), np.nan)
        return self._numbers[col]

    def options(self) -> tuple[np.ndarray, np.ndarray]:
        """(option code per row, option texts), coded once."""
        if "option" not in self.df.columns:
            return np.full(len(self.df), -1), np.zeros(0, dtype=object)
        if "option codes" not in self._numbers:
            codes, texts = text_codes(self.df["option"].to_numpy())
            self._numbers["option codes"], self._numbers["option texts"] = codes, texts
        return self._numbers["option codes"], self._numbers["option texts"]


@dataclass(frozen=True, eq=False)
class DatasetIndex:
    """What scoring reads from a dataset, prepared once: agency ids as text, ranked flags,
    groups, names, and the score and survey tables indexed (:class:`IndexedTable`)."""

    agency_ids: pd.Index
    ranked: np.ndarray
    groups: np.ndarray
    names: np.ndarray | None
    scores: IndexedTable
    surveys: IndexedTable

    @classmethod
    def of(cls, agencies: pd.DataFrame, scores: pd.DataFrame | None,
           surveys: pd.DataFrame | None) -> DatasetIndex:
        ids = agencies.index if agencies.index.inferred_type == "string" \
            else pd.Index(as_text(agencies.index.to_numpy()), dtype=object)
        return cls(
            agency_ids=ids,
            ranked=agencies["ranked"].to_numpy(dtype=bool) if "ranked" in agencies.columns
            else np.ones(len(agencies), dtype=bool),
            groups=as_text(agencies["group"].to_numpy()) if "group" in agencies.columns
            else np.full(len(agencies), "", dtype=object),
            names=as_text(agencies["name"].to_numpy()) if "name" in agencies.columns
            else None,
            scores=IndexedTable.of(scores, ids), surveys=IndexedTable.of(surveys, ids))

    def table(self, name: str) -> IndexedTable:
        """``scores`` or ``surveys``."""
        return self.scores if name == "scores" else self.surveys
