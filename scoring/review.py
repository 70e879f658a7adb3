"""``review.csv``: the rules of a human decision on a task, in one place.

Columns ``task_id, field, value, justification``; ``field`` is ``status`` (value one of
the five statuses) or ``lead_agency_ids`` (``;``-separated agency ids or names, matched
accent-, case- and punctuation-insensitively; an entry naming a collective such as "Các
sở, ban, ngành" marks the task collective instead of naming an agency).

Both readers of the file — ``cchc import-report`` (:mod:`scoring.importer.review`) and the
dataset loader (:mod:`scoring.dataset`, so ``cchc check`` and every command) — validate
it here, so a row gets the same verdict everywhere: an unknown task id, an unknown field,
a status outside the five, an agency that resolves to nothing or to several agencies, a
blank justification, or the same (task, field) twice are errors.

Examples
--------
>>> leads = LeadIndex([("so-noi-vu", ["Sở Nội vụ"])])
>>> rows = [{"task_id": "I.1", "field": "lead_agency_ids", "value": "SO NOI VU",
...          "justification": "QĐ 12"}]
>>> decisions, problems = validate_review(rows, {"I.1"}, leads, "review.csv")
>>> decisions[0].value, problems
('so-noi-vu', [])
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from scoring.errors import Problem
from scoring.i18n import _
from scoring.task_status import TASK_STATUSES
from scoring.text import did_you_mean, fold, slug, suggest
from scoring.vocabulary import task_status_choices

REVIEW_COLUMNS: tuple[str, ...] = ("task_id", "field", "value", "justification")
REVIEW_FIELDS: tuple[str, ...] = ("status", "lead_agency_ids")


def is_collective(text: str) -> bool:
    """Whether a lead names a collective ("các sở, ngành", "UBND các huyện", "UBND cấp xã").

    Examples
    --------
    >>> is_collective("Các sở, ban, ngành"), is_collective("Sở Nội vụ")
    (True, False)
    """
    f = fold(text)
    return f.startswith("cac") or " cac " in f or f.startswith("ubnd cap")


class LeadIndex:
    """Agency ids, names and aliases by matching key, built once for a whole file.

    Parameters
    ----------
    agencies : iterable of (agency_id, names)
        Every agency with the names and aliases it may be written as.
    """

    def __init__(self, agencies: Iterable[tuple[str, Iterable[str]]]):
        self.agencies = [(agency_id, tuple(names)) for agency_id, names in agencies]
        self.ids: set[str] = {agency_id for agency_id, _names in self.agencies}

    @functools.cached_property
    def by_key(self) -> dict[str, set[str]]:
        """Matching key → agency ids (built on the first name that is not an id)."""
        out: dict[str, set[str]] = {}
        for agency_id, names in self.agencies:
            for text in (agency_id, *names):
                out.setdefault(slug(text), set()).add(agency_id)
        return out

    def resolve(self, name: str) -> set[str]:
        """The agencies ``name`` can mean (an id means its agency only)."""
        if name in self.ids:
            return {name}
        return set(self.by_key.get(slug(name), ()))

    def close(self, name: str) -> list[str]:
        """Agency ids whose id or name is close to ``name`` (for a did-you-mean)."""
        spelled: dict[str, str] = {}
        for agency_id, names in self.agencies:
            for text in (agency_id, *names):
                spelled.setdefault(text, agency_id)
        out: list[str] = []
        for hit in suggest(name, list(spelled), n=3):
            if spelled[hit] not in out:
                out.append(spelled[hit])
        return out


@dataclass(frozen=True)
class ReviewDecision:
    """One valid row of ``review.csv`` (``value`` normalised: a status, or agency ids
    joined by ``;``; ``collective_text`` the entries that name a collective)."""

    task_id: str
    field: str
    value: str
    justification: str
    line: int
    collective_text: str = ""


def _leads(value: str, leads: LeadIndex | None, file: str, line: int
           ) -> tuple[list[str], list[str], list[Problem]]:
    ids: list[str] = []
    collective: list[str] = []
    problems: list[Problem] = []
    for name in dict.fromkeys(p.strip() for p in value.split(";") if p.strip()):
        found = {name} if leads is None else leads.resolve(name)
        if len(found) == 1:
            ids.extend(found - set(ids))
        elif len(found) > 1:
            problems.append(Problem(
                _("{name} names several agencies ({ids})").format(
                    name=repr(name), ids=", ".join(sorted(found))),
                file=file, line=line, field="value", fix=_("use the agency id")))
        elif is_collective(name):
            collective.append(name)
        else:
            close = leads.close(name) if leads is not None else []
            problems.append(Problem(
                _("unknown agency {name}").format(name=repr(name)), file=file, line=line,
                field="value",
                fix=did_you_mean(close) + _(
                    "use agency ids from agencies.csv or their names, separated by ';'")))
    if not problems and not ids and not collective:
        problems.append(Problem(_("no agency given"), file=file, line=line, field="value",
                                fix=_("list the lead agencies, separated by ';'")))
    return ids, collective, problems


def validate_review(rows: Iterable[Mapping[str, str]], task_ids: Collection[str],
                    leads: LeadIndex | None, file: str
                    ) -> tuple[list[ReviewDecision], list[Problem]]:
    """Check every row of ``review.csv``; the valid decisions and every problem.

    Parameters
    ----------
    rows : iterable of mapping
        The rows, by column name; ``_line`` (optional) is the row's line in the file
        (else rows are numbered from 2).
    task_ids : collection of str
        The task ids of ``tasks.csv``.
    leads : LeadIndex or None
        The agencies lead names resolve to (None: names are taken as ids).
    file : str
        How messages name the file.
    """
    known = list(task_ids)
    known_set = set(known)
    problems: list[Problem] = []
    decisions: list[ReviewDecision] = []
    seen: dict[tuple[str, str], int] = {}
    for n, row in enumerate(rows, start=2):
        line = int(row.get("_line", n))
        task_id, fld = row.get("task_id", ""), row.get("field", "")
        value, why = row.get("value", ""), row.get("justification", "")
        if task_id not in known_set:
            close = suggest(task_id, known, n=1, cutoff=0.5)
            problems.append(Problem(
                _("unknown task id {task}").format(task=repr(task_id)), file=file, line=line,
                field="task_id",
                fix=did_you_mean(close) + _("use a task id of tasks.csv, e.g. I.1 or VII.12")))
            continue
        if fld not in REVIEW_FIELDS:
            problems.append(Problem(_("unknown field {field}").format(field=repr(fld)),
                                    file=file, line=line, field="field",
                                    fix=_("use one of {fields}").format(
                                        fields=", ".join(REVIEW_FIELDS))))
            continue
        if (task_id, fld) in seen:
            problems.append(Problem(
                _("{task} {field} is reviewed twice (first on line {line})").format(
                    task=task_id, field=fld, line=seen[(task_id, fld)]), file=file, line=line,
                field="task_id", fix=_("keep one decision per task and field")))
            continue
        seen[(task_id, fld)] = line
        if not why:
            problems.append(Problem(_("blank justification"), file=file, line=line,
                                    field="justification",
                                    fix=_("cite the evidence (document number and date) for "
                                          "the decision")))
            continue
        if fld == "status":
            if value not in TASK_STATUSES:
                close = suggest(value, TASK_STATUSES, n=1, cutoff=0.5)
                problems.append(Problem(
                    _("bad status {value}").format(value=repr(value)), file=file, line=line,
                    field="value",
                    fix=did_you_mean(close) + _("use one of {statuses}").format(
                        statuses=task_status_choices())))
                continue
            decisions.append(ReviewDecision(task_id, fld, value, why, line))
            continue
        ids, collective, bad = _leads(value, leads, file, line)
        problems += bad
        if not bad:
            decisions.append(ReviewDecision(task_id, fld, ";".join(ids), why, line,
                                            "; ".join(collective)))
    return decisions, problems
