"""The web's unit page and ``/api/explain`` say a ledger row's rule in the same words as
``cchc explain`` (:func:`scoring.vocabulary.rule_text`), and keep the engine's code in the API."""

from __future__ import annotations

import html

from scoring import vocabulary as V
from scoring.dataset import load_dataset
from scoring.engine import explain, score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules


def test_unit_page_and_api_show_the_rule_in_words(client) -> None:
    result = score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
    rows = explain(result, "so-du-lich")
    expected = {r.leaf: V.rule_text(V.rule_item(result.rules, r.group, r.leaf), r.status,
                                    r.rule, r.value, result.rules.not_applicable)
                for r in rows.itertuples()}
    api = {r["leaf"]: r for r in client.get("/api/explain/so-du-lich").json()["leaves"]}
    page = client.get("/unit/so-du-lich").text
    for r in rows.itertuples():
        assert api[r.leaf]["rule"] == r.rule
        assert api[r.leaf]["rule_text"] == expected[r.leaf]
        if r.status != "missing":
            assert f"<td>{html.escape(expected[r.leaf])}</td>" in page
    assert "self_points=" not in page and "[90, 95)" not in page  # no codes for people
