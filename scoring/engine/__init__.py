"""The scoring engine: rule set + dataset → ledger, totals, ranks and classes.

>>> from scoring.engine import score, ScoreResult   # doctest: +SKIP

Public API: :func:`score`, :class:`ScoreResult`, :func:`explain`, :func:`evaluate_leaf`,
:class:`LeafOutcome`, :func:`register_leaf_kind`, :func:`rank_values`, :func:`classify`,
:func:`run_rule_tests`. See ``docs/ARCHITECTURE.md`` ("Engine").
"""

from scoring.engine.explain import explain
from scoring.engine.leaves import (
    LEAF_EVALUATORS,
    STATUSES,
    LeafOutcome,
    LeafTables,
    evaluate_leaf,
    lookup_bands,
    register_leaf_kind,
)
from scoring.engine.ranking import RANK_METHODS, canonical, classify, rank_values
from scoring.engine.result import LEDGER_COLUMNS, TOTALS_COLUMNS, LedgerBlock, ScoreResult
from scoring.engine.score import score
from scoring.engine.selftest import run_rule_tests

__all__ = ["LEAF_EVALUATORS", "LEDGER_COLUMNS", "RANK_METHODS", "STATUSES", "TOTALS_COLUMNS",
           "LeafOutcome", "LeafTables", "LedgerBlock", "ScoreResult", "canonical", "classify",
           "evaluate_leaf", "explain", "lookup_bands", "rank_values", "register_leaf_kind",
           "run_rule_tests", "score"]
