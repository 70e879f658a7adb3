"""Why an agency got its points: its ledger rows, leaf by leaf."""

from __future__ import annotations

import pandas as pd

from scoring.engine.result import ScoreResult
from scoring.errors import Problem, UsageError
from scoring.i18n import _


def explain(result: ScoreResult, agency_id: str) -> pd.DataFrame:
    """The ledger rows of ``agency_id`` in tree order (then bonus and deductions).

    Columns are those of :attr:`ScoreResult.ledger`; ``points`` add up to the agency's
    total (before the floor at zero).

    Examples
    --------
    >>> rows = explain(result, "so-du-lich")                          # doctest: +SKIP
    >>> rows[["leaf", "rule", "points", "max_points", "status"]]      # doctest: +SKIP
    """
    try:
        return result.agency_ledger(str(agency_id))
    except KeyError:
        raise UsageError(Problem(
            _("agency {agency!r} is not scored by this rule set").format(agency=agency_id),
            field="AGENCY",
            fix=_("name a ranked agency of one of the groups: {groups}").format(
                groups=", ".join(g.id for g in result.rules.groups)))) from None
