"""CCHC scoring engine: rule files → per-unit points, index, ranks and classes.

Data flows one way: dataset → indicators → leaf points (the ledger) → totals/index →
ranks/classes → reports. See ``docs/ARCHITECTURE.md``.
"""

__version__ = "0.1.0"
