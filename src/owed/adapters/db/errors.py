"""Translate database refusals into Owed's own errors."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, IntegrityError

from owed.domain.errors import ClosedPeriod, Conflict, IntegrityFailure, UnbalancedEntry


@contextmanager
def translated() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        raise translate(exc) from exc


def translate(exc: DBAPIError) -> Exception:
    message = str(exc.orig) if exc.orig is not None else str(exc)
    if "owed: unbalanced journal entry" in message:
        return UnbalancedEntry({"(database)": "refused by the database"})
    m = re.search(r"owed: period (\S+) is closed", message)
    if m or "owed: period is closed" in message:
        return ClosedPeriod(m.group(1) if m else "(database)", "a closed period")
    if "owed:" in message:  # any other guard of ours
        return IntegrityFailure(f"refused by the database: {message.splitlines()[0]}")
    if isinstance(exc, IntegrityError):
        return Conflict(f"the change conflicts with existing data: {message.splitlines()[0]}")
    return exc
