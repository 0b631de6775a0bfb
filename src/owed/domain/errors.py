"""One exception hierarchy for all of Owed.

Every error names the rule that was broken and carries the fields a caller
needs to explain it. Entrypoints map the top-level classes to exit codes or
HTTP statuses in one place (``owed.entrypoints.cli.errors``)::

    OwedError
    ├── InvalidInput                 the caller gave something malformed
    │   ├── MoneyError
    │   │   ├── UnknownCurrency
    │   │   ├── CurrencyMismatch
    │   │   └── InexactAmount        more decimals than the currency has
    │   ├── InvalidFile              a file with one or more bad rows/records
    │   └── ConfigurationError
    ├── NotFound
    ├── Conflict                     duplicate, or changed by someone else
    ├── RuleViolation                a business rule refuses the change
    │   ├── UnbalancedEntry
    │   ├── ClosedPeriod
    │   ├── InvalidTransition
    │   └── OverApplication
    ├── NotPermitted                 the acting user may not do this
    │   └── SegregationOfDuties
    └── IntegrityFailure             stored data fails a check (audit chain)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class OwedError(Exception):
    """Root of every error Owed raises on purpose."""

    def __init__(self, message: str, **fields: Any) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields

    def __str__(self) -> str:
        return self.message


class InvalidInput(OwedError):
    """The caller supplied a value that cannot be accepted as given."""


class MoneyError(InvalidInput):
    """A money value or operation is not valid."""


class UnknownCurrency(MoneyError):
    def __init__(self, code: object) -> None:
        super().__init__(f"unknown currency code {code!r} (expected an ISO 4217 code)", code=code)


class CurrencyMismatch(MoneyError):
    def __init__(self, left: str, right: str, operation: str = "combine") -> None:
        super().__init__(
            f"cannot {operation} {left} with {right}: amounts in different currencies",
            left=left,
            right=right,
        )


class InexactAmount(MoneyError):
    def __init__(self, amount: object, currency: str, minor_units: int) -> None:
        super().__init__(
            f"{amount} {currency} has more than the {minor_units} decimal place(s) "
            f"that {currency} allows",
            amount=amount,
            currency=currency,
        )


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where, and why."""

    position: str
    reason: str
    row: int | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


class InvalidFile(InvalidInput):
    """A file that cannot be imported as it stands; lists every problem found."""

    def __init__(self, path: str, problems: list[Problem], what: str = "file") -> None:
        shown = "; ".join(str(p) for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(
            f"{path}: {len(problems)} problem(s) in {what}, nothing imported: {shown}{more}",
            path=path,
        )
        self.path = path
        self.problems = problems


class ConfigurationError(InvalidInput):
    """Settings or a configuration file are not usable."""


class NotFound(OwedError):
    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found", kind=kind, key=key)
        self.kind = kind
        self.key = key


class Conflict(OwedError):
    """The change collides with existing data (a duplicate, or a concurrent change)."""


class RuleViolation(OwedError):
    """A business rule refuses the change."""


class UnbalancedEntry(RuleViolation):
    def __init__(self, imbalances: dict[str, object]) -> None:
        detail = ", ".join(f"{cur} off by {amt}" for cur, amt in sorted(imbalances.items()))
        super().__init__(
            f"journal entry does not balance: {detail} (debits must equal credits per currency)",
            imbalances=imbalances,
        )


class ClosedPeriod(RuleViolation):
    def __init__(self, period: str, on: object) -> None:
        super().__init__(
            f"period {period} is closed: nothing can be posted dated {on}",
            period=period,
            on=on,
        )


class InvalidTransition(RuleViolation):
    def __init__(self, kind: str, key: object, state: str, action: str) -> None:
        super().__init__(
            f"{kind} {key} is {state}: cannot {action}", kind=kind, key=key, state=state
        )


class OverApplication(RuleViolation):
    def __init__(self, document: str, open_amount: object, attempted: object) -> None:
        super().__init__(
            f"cannot apply {attempted} to {document}: only {open_amount} is open",
            document=document,
            open_amount=open_amount,
            attempted=attempted,
        )


class NotPermitted(OwedError):
    def __init__(self, user: str, permission: str, reason: str = "") -> None:
        why = f": {reason}" if reason else ""
        super().__init__(
            f"user {user!r} is not permitted to {permission}{why}",
            user=user,
            permission=permission,
        )


class SegregationOfDuties(NotPermitted):
    def __init__(self, user: str, permission: str, rule: str) -> None:
        super().__init__(user, permission, f"segregation of duties ({rule})")
        self.rule = rule


class IntegrityFailure(OwedError):
    """Stored data fails an integrity check."""
