"""Helpers shared by the collections mixins: the open document statuses, chunked id lists.

``OPEN_STATUSES`` are the document statuses that carry an open amount (read
by the aging, dunning and the credit exposure); ``_chunks`` splits lists of
ids for ``IN (...)`` by SQLite's variable limit (dunning, promise and plan
evaluation).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

_CHUNK = 900


OPEN_STATUSES = ("issued", "partially_paid")


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
