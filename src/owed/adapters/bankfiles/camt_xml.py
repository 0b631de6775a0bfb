"""Namespace-agnostic helpers for reading ISO 20022 XML with lxml.

CAMT versions .02 to .08 live in different namespaces and rename a few
elements; every lookup here matches the *local* name only, so one reader
serves all versions. ``path`` arguments are local names separated by ``/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import TypeAlias

from lxml import etree

Element: TypeAlias = etree._Element

_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


def local(el: Element) -> str:
    tag = el.tag
    if not isinstance(tag, str):  # comment or processing instruction
        return ""
    return tag.rsplit("}", 1)[-1]


def kids(el: Element | None, name: str) -> Iterator[Element]:
    """Direct children of ``el`` with local name ``name``."""
    if el is None:
        return
    for child in el:
        if local(child) == name:
            yield child


def find(el: Element | None, path: str) -> Element | None:
    """The first element along ``path`` (local names, ``/``-separated)."""
    current = el
    for step in path.split("/"):
        if current is None:
            return None
        current = next(kids(current, step), None)
    return current


def find_all(el: Element | None, path: str) -> list[Element]:
    """Every element matching ``path``, fanning out at each step."""
    level: list[Element] = [el] if el is not None else []
    for step in path.split("/"):
        level = [child for parent in level for child in kids(parent, step)]
    return level


def text(el: Element | None, path: str | None = None) -> str | None:
    """Stripped text of ``el`` (or of ``path`` under it); ``None`` when absent or empty."""
    target = find(el, path) if path else el
    if target is None or target.text is None:
        return None
    value = " ".join(target.text.split())
    return value or None


def first_text(el: Element | None, *paths: str) -> str | None:
    for path in paths:
        value = text(el, path)
        if value is not None:
            return value
    return None


def read_date(el: Element | None) -> date | str | None:
    """A ``Dt`` / ``DtTm`` choice (``BookgDt``, ``ValDt``, ``Bal/Dt``) as a date.

    Returns the offending text when it is present but not a date.
    """
    raw = first_text(el, "Dt", "DtTm")
    if raw is None:
        return None
    match = _DATE.match(raw)
    if not match:
        return raw
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return raw


def line_of(el: Element) -> int | None:
    line = el.sourceline
    return int(line) if line is not None else None
