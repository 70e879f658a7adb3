"""The stamp every title made from an illustrative dataset carries: ``SỐ LIỆU MINH HỌA``.

A dataset whose ``manifest.json`` says ``"illustrative": true`` (the demo built by
``tools/make_demo.py``) holds invented numbers; every workbook, form and printed header made
from it starts its title with this stamp so nobody mistakes it for a province's results.
"""

from __future__ import annotations

from typing import Any

from scoring.i18n import _


def illustrative_stamp(manifest: dict[str, Any] | None) -> str:
    """``"SỐ LIỆU MINH HỌA — "`` when the manifest marks the data illustrative, else ``""``.

    Examples
    --------
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     illustrative_stamp({"illustrative": True}), illustrative_stamp({})
    ('SỐ LIỆU MINH HỌA — ', '')
    """
    if manifest and manifest.get("illustrative"):
        return _("ILLUSTRATIVE DATA") + " — "
    return ""


def dataset_stamp(dataset: Any) -> str:
    """:func:`illustrative_stamp` of a dataset (anything with a ``manifest``)."""
    return illustrative_stamp(getattr(dataset, "manifest", None) or {})


def stamp_titles(titles: tuple[str, ...], dataset: Any) -> tuple[str, ...]:
    """An appendix's title lines with the stamp before the title proper (the second line).

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> from scoring.i18n import language
    >>> with language("vi"):
    ...     stamp_titles(("Phụ lục I", "KẾT QUẢ"), NS(manifest={"illustrative": True}))
    ('Phụ lục I', 'SỐ LIỆU MINH HỌA — KẾT QUẢ')
    """
    return (titles[0], dataset_stamp(dataset) + titles[1], *titles[2:])
