"""Small helpers shared by CLI commands: parsing and rendering."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from owed.domain.errors import InvalidInput

if TYPE_CHECKING:
    from owed.domain.money import Money

console = Console()


def parse_date(text: str | None, what: str = "date") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date: use YYYY-MM-DD") from None


def money_cell(amount: Money | None) -> str:
    return "" if amount is None or amount.is_zero() else amount.format()


def table(title: str, *columns: str, numeric: tuple[str, ...] = ()) -> Table:
    t = Table(title=title, title_justify="left", header_style="bold")
    for col in columns:
        t.add_column(col, justify="right" if col in numeric else "left")
    return t
