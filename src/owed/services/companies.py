"""Companies (legal entities) and their first users."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from owed.domain.auth import Role, check_role_combination
from owed.domain.errors import InvalidInput
from owed.domain.ledger import SYSTEM_ACCOUNTS
from owed.domain.money import Currency
from owed.services.unit_of_work import CompanyRef, UnitOfWork


@dataclass(frozen=True)
class CreateCompany:
    code: str
    name: str
    base_currency: str = "USD"
    timezone: str = "UTC"
    fiscal_year_start: int = 1
    admin_username: str = "admin"
    admin_display_name: str = ""
    allow_combined_duties: bool = True  # small teams; role-pair rules then warn, doc rules hold


def check_create_company(cmd: CreateCompany) -> None:
    if not cmd.code or not cmd.code.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput(f"company code {cmd.code!r} must be letters, digits, - or _")
    if not cmd.name.strip():
        raise InvalidInput("a company needs a name")
    Currency.of(cmd.base_currency)
    try:
        ZoneInfo(cmd.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"unknown timezone {cmd.timezone!r} (use an IANA name such as Europe/Berlin)"
        ) from None
    if not 1 <= cmd.fiscal_year_start <= 12:
        raise InvalidInput("fiscal year start must be a month number 1-12")
    if not cmd.admin_username.strip():
        raise InvalidInput("the first user needs a username")


def create_company(cmd: CreateCompany, uow: UnitOfWork) -> CompanyRef:
    """Create a company with the AR chart of accounts and its first admin user.

    ``uow`` must be opened in creating mode (the company does not exist yet).
    """
    check_create_company(cmd)
    check_role_combination(frozenset({Role.ADMIN}), cmd.allow_combined_duties)
    with uow:
        now = uow.now()
        company: CompanyRef = uow.companies.add(
            cmd.code,
            cmd.name.strip(),
            Currency.of(cmd.base_currency).code,
            cmd.timezone,
            cmd.fiscal_year_start,
            cmd.allow_combined_duties,
            now,
        )
        uow.attach_company(company)
        for account in SYSTEM_ACCOUNTS:
            uow.ledger.add_account(account, now)
        uow.users.add(
            cmd.admin_username,
            cmd.admin_display_name or cmd.admin_username,
            None,
            frozenset({Role.ADMIN}),
            now,
        )
        uow.audit(
            "company.create",
            "company",
            company.code,
            after={
                "name": company.name,
                "base_currency": company.base_currency,
                "timezone": company.timezone,
                "fiscal_year_start": company.fiscal_year_start,
            },
        )
        uow.audit("user.add", "user", cmd.admin_username, after={"roles": ["admin"]})
        uow.commit()
        return company
