"""The SQL unit of work: one connection, one transaction."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine

from owed.adapters.db.audit import AuditRepository
from owed.adapters.db.directory import CompanyRepository, UserRepository
from owed.adapters.db.errors import translated
from owed.adapters.db.ledger import LedgerRepository
from owed.domain.audit import AuditEvent
from owed.domain.auth import SYSTEM_USERNAME, Actor, Role
from owed.domain.clock import Clock
from owed.domain.errors import Conflict, NotFound, NotPermitted
from owed.services.unit_of_work import UnitOfWork

if TYPE_CHECKING:  # repositories are imported on first use: a command loads only what it needs
    from owed.adapters.db.billing import BillingRepository
    from owed.adapters.db.cash import CashRepository
    from owed.adapters.db.collections import CollectionsRepository
    from owed.adapters.db.customers import CustomerRepository
    from owed.adapters.db.disputes import DisputeRepository
    from owed.adapters.db.reporting import ReportingRepository

SYSTEM_ACTOR = Actor(0, SYSTEM_USERNAME, frozenset({Role.ADMIN}))


class SqlUnitOfWork(UnitOfWork):
    """Acts as ``username`` in company ``company_code``.

    ``username=None`` runs as the system actor; only bootstrap and scheduled
    jobs do that, and their audit records say so.
    """

    def __init__(
        self,
        engine: Engine,
        company_code: str,
        username: str | None,
        clock: Clock,
        *,
        creating: bool = False,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.company_code = company_code
        self.username = username
        self.clock = clock
        self.creating = creating  # the company is created inside this unit of work
        self._conn: Connection | None = None

    def __enter__(self) -> SqlUnitOfWork:
        super().__enter__()
        self._conn = self.engine.connect()  # transactions begin on first use
        for klass in type(self).__mro__:
            for name, attr in vars(klass).items():
                if isinstance(attr, cached_property):
                    self.__dict__.pop(name, None)
        company = CompanyRepository(self._conn).get(self.company_code)
        if self.creating:
            if company is not None:
                self._close()
                raise Conflict(f"company {self.company_code!r} already exists")
            self.actor = SYSTEM_ACTOR
            return self
        if company is None:
            self._close()
            raise NotFound("company", self.company_code)
        self.company = company
        if self.username is None:
            self.actor = SYSTEM_ACTOR
        else:
            actor = UserRepository(self._conn, company.id).get(self.username)
            if actor is None:
                self._close()
                raise NotPermitted(
                    self.username,
                    "use Owed",
                    f"no active user {self.username!r} in company {company.code}",
                )
            self.actor = actor
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.rollback()
        finally:
            self._close()

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self._conn

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- repositories -----------------------------------------------------
    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.conn, self.company.id)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.conn, self.company.id)

    @cached_property
    def companies(self) -> CompanyRepository:
        return CompanyRepository(self.conn)

    @cached_property
    def audit_log(self) -> AuditRepository:
        return AuditRepository(self.conn, self.company.id)

    @cached_property
    def cash(self) -> CashRepository:
        from owed.adapters.db.cash import CashRepository

        return CashRepository(self.conn, self.company.id)

    @cached_property
    def customers(self) -> CustomerRepository:
        from owed.adapters.db.customers import CustomerRepository

        return CustomerRepository(self.conn, self.company.id)

    @cached_property
    def billing(self) -> BillingRepository:
        from owed.adapters.db.billing import BillingRepository

        return BillingRepository(self.conn, self.company.id)

    @cached_property
    def collections(self) -> CollectionsRepository:
        from owed.adapters.db.collections import CollectionsRepository

        return CollectionsRepository(self.conn, self.company.id)

    @cached_property
    def disputes(self) -> DisputeRepository:
        from owed.adapters.db.disputes import DisputeRepository

        return DisputeRepository(self.conn, self.company.id)

    @cached_property
    def reporting(self) -> ReportingRepository:
        from owed.adapters.db.reporting import ReportingRepository

        return ReportingRepository(self.conn, self.company.id)

    # -- transaction ------------------------------------------------------
    def _seal(self, events: list[AuditEvent]) -> None:
        self.audit_log.append(events, self.clock.now())

    def _commit(self) -> None:
        with translated():
            self.conn.commit()

    def _rollback(self) -> None:
        if self._conn is not None and self._conn.in_transaction():
            self._conn.rollback()

    def settings(self) -> dict[str, Any]:
        return self.company.settings
