"""The unit of work: one transaction, one acting user, one company.

A use case opens it with ``with uow:``, reads and writes through its
repositories, records what changed with ``uow.audit(...)``, and calls
``uow.commit()``. Leaving the block without committing rolls everything back,
so a failed use case changes nothing. The audit events recorded during the
transaction are sealed into the hash chain in the same transaction at commit.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from owed.domain.audit import AuditEvent
from owed.domain.auth import Actor, Permission, check_permission
from owed.domain.clock import Clock, today


@dataclass(frozen=True)
class CompanyRef:
    id: int
    code: str
    name: str
    base_currency: str
    timezone: str
    fiscal_year_start: int
    allow_combined_duties: bool
    settings: dict[str, Any]


class UnitOfWork(abc.ABC):
    """Abstract unit of work.

    Repositories are attributes named by capability (``ledger``, ``users``,
    ``companies``, ``audit_log``, ``customers``, ``billing``, ...); the SQL
    implementation is ``owed.adapters.db.uow.SqlUnitOfWork``. Their methods
    are documented there.
    """

    actor: Actor
    company: CompanyRef
    clock: Clock
    ledger: Any
    users: Any
    companies: Any
    audit_log: Any
    cash: Any
    disputes: Any
    customers: Any  # owed.adapters.db.customers.CustomerRepository
    billing: Any  # owed.adapters.db.billing.BillingRepository
    collections: Any  # owed.adapters.db.collections.CollectionsRepository
    reporting: Any  # owed.adapters.db.reporting.ReportingRepository

    def __init__(self) -> None:
        self._events: list[AuditEvent] = []

    def __enter__(self) -> UnitOfWork:
        self._events = []
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    # -- audit ------------------------------------------------------------
    def audit(
        self,
        action: str,
        object_type: str,
        object_id: object,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        self._events.append(
            AuditEvent(self.actor.username, action, object_type, str(object_id), before, after)
        )

    def commit(self) -> None:
        self._seal(self._events)
        self._events = []
        self._commit()

    def rollback(self) -> None:
        self._events = []
        self._rollback()

    # -- helpers ----------------------------------------------------------
    def require(self, permission: Permission) -> None:
        check_permission(self.actor, permission)

    def today(self) -> date:
        return today(self.clock, self.company.timezone)

    def now(self) -> datetime:
        return self.clock.now()

    def attach_company(self, company: CompanyRef) -> None:
        self.company = company

    @abc.abstractmethod
    def _seal(self, events: list[AuditEvent]) -> None: ...

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def _rollback(self) -> None: ...
