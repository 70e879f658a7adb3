"""The workbook's view of the vocabulary (:mod:`scoring.vocabulary` owns every label).

Kept so the workbook writer reads its labels under the names it has always used; every
table here is translated when read, so the language chosen at start-up applies.

Examples
--------
>>> from scoring.i18n import language
>>> with language("vi"):
...     STATUS_LABELS["not_applicable"], vi_number(1234.5, 2)
('Không phát sinh', '1.234,50')
"""

from __future__ import annotations

from typing import Any

from scoring import vocabulary as V
from scoring.number_format import format_number as vi_number  # noqa: F401
from scoring.vocabulary import (  # noqa: F401 - re-exported for the writer
    class_condition,
    indicator_label,
    indicator_unit,
    roman,
)
from scoring.vocabulary import rule_words as describe_rule  # noqa: F401

STATUS_LABELS = V.Translated(V.STATUSES)
KIND_LABELS = V.Translated(V.KINDS)
SEVERITY_LABELS = V.Translated(V.SEVERITIES)
RANK_METHOD_LABELS = V.Translated(V.RANK_METHODS)
INDICATOR_LABELS = V.Translated(V.INDICATORS, pick=lambda entry: entry[0])
FINDING_HEADINGS = V.Translated({k: V.COLUMNS[k] for k in (
    "severity", "table", "agency", "column", "published", "expected", "message", "line")})
LEDGER_HEADINGS = V.Translated({k: V.COLUMNS[k] for k in (
    "agency_id", "agency", "group", "area", "criterion", "leaf", "name", "kind", "component",
    "inputs", "value", "rule", "points", "max_points", "leaf_max", "status")})


def group_label(group: Any) -> str:
    """The group's name as the rule set gives it (in English: the standard label)."""
    return V.group_label(group.id, group.name)
