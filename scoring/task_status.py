"""The five statuses of a plan task, defined once: every module that reads or checks a
status imports them from here (the words a person reads are in :mod:`scoring.vocabulary`).

Examples
--------
>>> TASK_STATUSES
('done_on_time', 'done_late', 'not_done', 'in_progress', 'not_arising')
"""

from __future__ import annotations

from typing import Literal, get_args

TaskStatus = Literal["done_on_time", "done_late", "not_done", "in_progress", "not_arising"]
"""A status as the rule model's type (a rule file's ``tasks`` weights and tests)."""

TASK_STATUSES: tuple[str, ...] = get_args(TaskStatus)
"""The statuses in their order (the order of the ``tasks_*`` indicators)."""
