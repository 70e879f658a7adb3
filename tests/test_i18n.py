"""Every message a user reads has its Vietnamese translation, compiled, and both languages work."""

import importlib.util
from pathlib import Path

import pytest

from scoring import i18n

ROOT = Path(__file__).resolve().parents[1]


def _catalogs():
    spec = importlib.util.spec_from_file_location("catalogs", ROOT / "tools" / "catalogs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_message_has_a_compiled_vietnamese_translation():
    problems = _catalogs().problems()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("spelling", "expected"), [
    ("en", "en"), ("EN", "en"), ("en_US.UTF-8", "en"), ("vi-VN", "vi"), ("", "vi"),
    (None, "vi"), ("fr", "vi"),
])
def test_language_spellings(spelling, expected):
    assert i18n.normalize_language(spelling) == expected


def test_language_context_restores_previous():
    with i18n.language("en"):
        assert i18n.get_language() == "en"
        with i18n.language("vi"):
            assert i18n.get_language() == "vi"
        assert i18n.get_language() == "en"


def test_every_domain_is_translated_through_the_one_merged_catalog():
    """``_`` and ``ngettext`` give each .po file's own translation of its messages, whichever
    of the eighty-odd domains holds it (they are merged into one table at first use)."""
    tool = _catalogs()
    seen = 0
    with i18n.language("vi"):
        for po in sorted((tool.LOCALE / tool.LANG / "LC_MESSAGES").glob("*.po")):
            for entry in tool.read(po):
                if not entry.id or not entry.string:
                    continue
                if isinstance(entry.id, tuple):
                    assert i18n.ngettext(*entry.id, 2) == entry.string[0], (po.name, entry.id)
                else:
                    assert i18n._(entry.id) == entry.string, (po.name, entry.id)
                seen += 1
        assert i18n._("no such message, surely") == "no such message, surely"
    assert seen > 500
