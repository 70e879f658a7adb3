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
