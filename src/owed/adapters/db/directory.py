"""Companies and users."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from owed.adapters.db.errors import translated
from owed.adapters.db.schema import audit_heads, companies, users
from owed.domain.audit import GENESIS
from owed.domain.auth import Actor, Role
from owed.services.unit_of_work import CompanyRef


def _company(row: Any) -> CompanyRef:
    return CompanyRef(
        id=row.id,
        code=row.code,
        name=row.name,
        base_currency=row.base_currency,
        timezone=row.timezone,
        fiscal_year_start=row.fiscal_year_start,
        allow_combined_duties=bool(row.allow_combined_duties),
        settings=json.loads(row.settings or "{}"),
    )


class CompanyRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, code: str) -> CompanyRef | None:
        row = self.conn.execute(select(companies).where(companies.c.code == code)).one_or_none()
        return _company(row) if row else None

    def get_by_id(self, company_id: int) -> CompanyRef:
        return _company(
            self.conn.execute(select(companies).where(companies.c.id == company_id)).one()
        )

    def list(self) -> list[CompanyRef]:
        return [_company(r) for r in self.conn.execute(select(companies).order_by(companies.c.id))]

    def add(
        self,
        code: str,
        name: str,
        base_currency: str,
        timezone: str,
        fiscal_year_start: int,
        allow_combined_duties: bool,
        at: datetime,
    ) -> CompanyRef:
        with translated():
            company_id = self.conn.execute(
                companies.insert().values(
                    code=code,
                    name=name,
                    base_currency=base_currency,
                    timezone=timezone,
                    fiscal_year_start=fiscal_year_start,
                    allow_combined_duties=allow_combined_duties,
                    settings="{}",
                    created_at=at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
            self.conn.execute(
                audit_heads.insert().values(company_id=company_id, seq=0, hash=GENESIS)
            )
        return self.get_by_id(company_id)

    def update_settings(self, company_id: int, settings: dict[str, Any]) -> None:
        self.conn.execute(
            companies.update()
            .where(companies.c.id == company_id)
            .values(settings=json.dumps(settings, sort_keys=True))
        )


def _actor(row: Any) -> Actor:
    return Actor(row.id, row.username, frozenset(Role(r) for r in row.roles.split(",") if r))


class UserRepository:
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id

    def get(self, username: str) -> Actor | None:
        row = self.conn.execute(
            select(users).where(
                users.c.company_id == self.company_id,
                users.c.username == username,
                users.c.active.is_(True),
            )
        ).one_or_none()
        return _actor(row) if row else None

    def add(
        self,
        username: str,
        display_name: str,
        email: str | None,
        roles: frozenset[Role],
        at: datetime,
    ) -> Actor:
        with translated():
            self.conn.execute(
                users.insert().values(
                    company_id=self.company_id,
                    username=username,
                    display_name=display_name,
                    email=email,
                    roles=",".join(sorted(r.value for r in roles)),
                    created_at=at,
                )
            )
        actor = self.get(username)
        assert actor is not None
        return actor

    def set_roles(self, username: str, roles: frozenset[Role]) -> None:
        self.conn.execute(
            users.update()
            .where(users.c.company_id == self.company_id, users.c.username == username)
            .values(roles=",".join(sorted(r.value for r in roles)))
        )

    def set_active(self, username: str, active: bool) -> None:
        self.conn.execute(
            users.update()
            .where(users.c.company_id == self.company_id, users.c.username == username)
            .values(active=active)
        )

    def list(self) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(users).where(users.c.company_id == self.company_id).order_by(users.c.username)
        )
        return [dict(r._mapping) for r in rows]

    def count(self) -> int:
        return len(self.list())
