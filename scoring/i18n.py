"""What a person reads, in their language: Vietnamese by default, English on request.

Messages are written in the code in English, wrapped in :func:`_` (or :func:`ngettext`);
their Vietnamese translations live in gettext catalogs under ``scoring/locale/vi/LC_MESSAGES``.
Catalogs are split by *domain* (one ``<domain>.po`` per part of the code, e.g. ``cli``,
``importer``, ``web``) so that parts can be translated independently; at run time every
domain of the language is merged into one catalog.

The language is chosen once, at start: ``--lang`` on the command line, else ``CCHC_LANG``,
else Vietnamese. ``set_language`` switches it (tests, the web application per request).

Examples
--------
>>> from scoring.i18n import _, set_language
>>> set_language("en")
>>> _("Rules") == "Rules"
True
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"

_catalogs: dict[str, gettext.NullTranslations] = {}
_current: str | None = None
# per request/task/thread context: ``language()`` sets it, so concurrent web requests in
# different languages do not see each other's choice; ``set_language`` stays process-wide
_scoped: ContextVar[str | None] = ContextVar("cchc_language", default=None)


class Catalog(gettext.GNUTranslations):
    """One language's messages from every domain, in one table."""

    def absorb(self, other: Catalog) -> None:
        """Take ``other``'s messages (they win where both have one)."""
        self._catalog.update(other._catalog)


def _load(lang: str) -> gettext.NullTranslations:
    """Every domain's compiled catalog of ``lang``, merged into one table (English needs
    none): a message is one look-up, not one per domain (there are some eighty), and
    later domains (in file-name order) win, as before."""
    merged: Catalog | None = None
    folder = LOCALE_DIR / lang / "LC_MESSAGES"
    for mo in sorted(folder.glob("*.mo")) if folder.is_dir() else ():
        with mo.open("rb") as fh:
            domain = Catalog(fh)
        if merged is None:
            merged = domain
        else:
            merged.absorb(domain)
    return merged if merged is not None else gettext.NullTranslations()


def normalize_language(lang: str | None) -> str:
    """``vi``/``en`` from a user's spelling (``EN``, ``en_US.UTF-8``, ``vi-VN``); default vi."""
    code = (lang or "").strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def set_language(lang: str | None) -> str:
    """Use ``lang`` from now on; returns the language in force."""
    global _current
    _current = normalize_language(lang)
    return _current


def get_language() -> str:
    """The language in force: the innermost :func:`language` block of this context, else
    the process-wide one (``CCHC_LANG`` until :func:`set_language` is called)."""
    scoped = _scoped.get()
    if scoped is not None:
        return scoped
    if _current is None:
        return set_language(os.environ.get("CCHC_LANG"))
    return _current


def _catalog() -> gettext.NullTranslations:
    lang = get_language()
    if lang not in _catalogs:
        _catalogs[lang] = _load(lang)
    return _catalogs[lang]


def _(message: str) -> str:
    """``message`` (English, as written in the code) in the language in force."""
    return _catalog().gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it now (module-level tables);
    pass it through :func:`_` where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, translated."""
    return _catalog().ngettext(singular, plural, n)


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Switch language inside a block (``with language("en"): ...``).

    The switch is local to the current context (thread, asyncio task, web request):
    other threads keep their language, so one process can answer in both at once.
    """
    token = _scoped.set(normalize_language(lang))
    try:
        yield _scoped.get() or DEFAULT_LANGUAGE
    finally:
        _scoped.reset(token)
