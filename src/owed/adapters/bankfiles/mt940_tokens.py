"""Split MT940/MT942 text into tags and statements, with line numbers.

The ``mt-940`` package parses tag *values* well but its file-level reader
fails on real files (a ``:28C:`` wrapped over two lines, a ``:61:`` with more
than one supplementary line, a customer reference longer than 16 characters)
and merges blocks without line numbers. So the file is cut into tags here and
each value is then read with the package's tag patterns (``mt940`` module).

Rules:

* A tag starts a line: ``:20:``, ``:61:``, ``:60F:``... Any other line continues
  the current tag. An unknown tag-like line (``:12:``) inside ``:86:``/``:61:``/
  ``:NS:`` is text (a wrapped time ``13:12:11``); elsewhere it is a problem.
* Before the first tag, SWIFT envelope and bank header lines (``{1:...}``,
  ``ABNANL2A``, ``940``, ``:940:``, ``0000 01INGBNL2A...``) are ignored.
* A line ``-`` (or ``-}``, ``-XXX``) ends a message only when the next tag is
  ``:20:``, a header follows, or the file ends; otherwise it is text (ING wraps
  ``MND-EV01`` with the ``-`` on a line of its own).
* A new statement starts at ``:20:``, and at an opening balance when the
  current statement already has one (files of bare ``:60F:`` snippets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

KNOWN_TAGS = frozenset(
    {
        "13", "13D", "20", "21", "25", "25P", "28", "28C", "34F", "60", "60F", "60M", "61",
        "62", "62F", "62M", "64", "65", "86", "90C", "90D", "NS",
    }
)  # fmt: skip
_TEXT_TAGS = frozenset({"86", "61", "NS"})
_TAG = re.compile(r"^:([0-9A-Z]{2,4}):(.*)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_OPENINGS = frozenset({"60", "60F", "60M"})


@dataclass
class Tag:
    name: str
    line: int  # 1-based line of the tag itself
    lines: list[str] = field(default_factory=list)

    @property
    def value(self) -> str:
        return "\n".join(self.lines)

    @property
    def first(self) -> str:
        return self.lines[0] if self.lines else ""


@dataclass
class Block:
    """One statement's tags, in file order."""

    tags: list[Tag] = field(default_factory=list)

    def has(self, *names: str) -> bool:
        return any(t.name in names for t in self.tags)


def _is_header(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("{", "-}")) or stripped in (":940:", ":942:")


def _ends_message(lines: list[str], index: int) -> bool:
    """Is the ``-`` line at ``index`` a message end (``:20:``, header or EOF next)?"""
    for later in lines[index + 1 :]:
        match = _TAG.match(later)
        if match:
            return match.group(1) == "20" or later.strip() in (":940:", ":942:")
        if _is_header(later):
            return True
    return True


def tokenize(text: str) -> tuple[list[Tag], list[tuple[int, str]]]:
    """The tags of ``text`` and (line, reason) problems found while cutting it."""
    lines = [_CONTROL.sub("", raw.rstrip("\r")) for raw in re.split(r"\r\n|\n|\r", text)]
    tags: list[Tag] = []
    problems: list[tuple[int, str]] = []
    current: Tag | None = None
    for index, line in enumerate(lines):
        number = index + 1
        match = _TAG.match(line)
        if match and match.group(1) in KNOWN_TAGS:
            current = Tag(match.group(1), number, [match.group(2)])
            tags.append(current)
            continue
        if match and (current is None or current.name not in _TEXT_TAGS):
            if line.strip() in (":940:", ":942:") and not tags:
                continue
            problems.append((number, f"{line.strip()[:20]!r} is not an MT940 tag"))
            continue
        if current is None:
            continue  # envelope / bank header before the first tag
        if line.startswith("-") and len(line.strip()) <= 4 and _ends_message(lines, index):
            current = None
            continue
        if _is_header(line):
            current = None
            continue
        if not line.strip() and current.name not in _TEXT_TAGS:
            continue
        if not line and current.name in _TEXT_TAGS:
            continue
        current.lines.append(line)
    return tags, problems


def blocks(tags: list[Tag]) -> list[Block]:
    """Group tags into statements (see the module docstring)."""
    result: list[Block] = []
    current: Block | None = None
    for tag in tags:
        starts = (
            current is None
            or (tag.name == "20" and current.tags)
            or (tag.name in _OPENINGS and current.has(*_OPENINGS))
        )
        if starts:
            current = Block()
            result.append(current)
        assert current is not None
        current.tags.append(tag)
    return result
