"""The scoring engine: rule set + dataset → ledger, totals, ranks and classes.

>>> from scoring.engine import score, ScoreResult   # doctest: +SKIP

Public API: :func:`score`, :class:`ScoreResult`, :func:`explain`, :func:`evaluate_leaf`,
:class:`LeafOutcome`, :func:`rank`, :func:`classify`, :func:`run_rule_tests`. See
``docs/ARCHITECTURE.md`` ("Engine").
"""

from scoring.engine.explain import explain
from scoring.engine.leaves import STATUSES, LeafOutcome, LeafTables, evaluate_leaf, lookup_bands
from scoring.engine.ranking import canonical, class_positions, classify, index_of, rank
from scoring.engine.result import LEDGER_COLUMNS, TOTALS_COLUMNS, LedgerBlock, ScoreResult
from scoring.engine.score import score
from scoring.engine.selftest import run_rule_tests

__all__ = ["LEDGER_COLUMNS", "STATUSES", "TOTALS_COLUMNS", "LeafOutcome", "LeafTables",
           "LedgerBlock", "ScoreResult", "canonical", "class_positions", "classify",
           "evaluate_leaf", "explain", "index_of", "lookup_bands", "rank", "run_rule_tests",
           "score"]
