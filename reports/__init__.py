"""The publication workbook: turns the engine's ``ScoreResult`` into the ranking workbook.

Reads results only; computes nothing of its own. The engine never imports this package.

Examples
--------
>>> from reports import write_workbook, default_filename  # doctest: +SKIP
>>> write_workbook(score(rules, ds), Path(default_filename(result)))  # doctest: +SKIP
"""

from reports.workbook import (
    GroupSummary,
    WorkbookSummary,
    creation_time,
    default_filename,
    summarise,
    write_workbook,
)

__all__ = ["GroupSummary", "WorkbookSummary", "creation_time",
           "default_filename", "summarise", "write_workbook"]
