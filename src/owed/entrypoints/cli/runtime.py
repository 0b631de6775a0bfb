"""What every CLI command needs: settings, the engine, and units of work.

On first use the schema is migrated, and if the database has no company yet
one is created with an admin user named after the operating-system user (or
``OWED_USER``), so the README's commands work with no set-up. Settings, the
engine and the adapters are imported on first use: importing this module is
cheap, as every CLI module does it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from owed.adapters.db.uow import SqlUnitOfWork
    from owed.config import Settings
    from owed.domain.clock import Clock


@dataclass
class Runtime:
    settings: Settings
    user_override: str | None = None

    @cached_property
    def engine(self) -> Engine:
        from owed.adapters.db.engine import ensure_schema, make_engine

        engine = make_engine(self.settings.database_url)
        ensure_schema(engine)
        self._bootstrap(engine)
        return engine

    @cached_property
    def clock(self) -> Clock:
        from owed.adapters.clock import SystemClock
        from owed.domain.clock import FixedClock

        instant = self.settings.fixed_instant()
        return FixedClock(instant) if instant else SystemClock()

    @property
    def username(self) -> str:
        return self.user_override or self.settings.acting_user()

    def uow(self, username: str | None = None) -> SqlUnitOfWork:
        from owed.adapters.db.uow import SqlUnitOfWork

        return SqlUnitOfWork(
            self.engine, self.settings.company, username or self.username, self.clock
        )

    def system_uow(self) -> SqlUnitOfWork:
        from owed.adapters.db.uow import SqlUnitOfWork

        return SqlUnitOfWork(self.engine, self.settings.company, None, self.clock)

    def _bootstrap(self, engine: Engine) -> None:
        from owed.adapters.db.directory import CompanyRepository
        from owed.adapters.db.uow import SqlUnitOfWork
        from owed.services.companies import CreateCompany, create_company

        with engine.connect() as conn:
            exists = CompanyRepository(conn).get(self.settings.company) is not None
        if exists:
            return
        create_company(
            CreateCompany(
                code=self.settings.company,
                name=self.settings.company_name,
                base_currency=self.settings.base_currency,
                timezone=self.settings.timezone,
                admin_username=self.username,
            ),
            SqlUnitOfWork(engine, self.settings.company, None, self.clock, creating=True),
        )


_runtime: Runtime | None = None


def runtime() -> Runtime:
    global _runtime
    if _runtime is None:
        from owed.config import load_settings

        _runtime = Runtime(load_settings())
    return _runtime


def reset_runtime(rt: Runtime | None = None) -> None:
    """Tests and the demo swap the runtime (e.g. another database)."""
    global _runtime
    _runtime = rt
