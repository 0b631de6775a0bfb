"""Shared checks and set-up for the disputes tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from owed.adapters.db.schema import companies
from owed.services import ledger as ledger_svc


def set_day(env, day: date) -> None:
    env.clock.instant = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def configure(env, **settings: Any) -> None:
    """Merge keys into the company's settings JSON (what `owed config` would do)."""
    with env.engine.begin() as conn:
        current = conn.execute(
            select(companies.c.settings).where(companies.c.code == env.code)
        ).scalar_one()
        merged = {**json.loads(current or "{}"), **settings}
        conn.execute(
            update(companies)
            .where(companies.c.code == env.code)
            .values(settings=json.dumps(merged))
        )


def balances(env) -> dict[str, Decimal]:
    """Net debit balance per account code (credits negative)."""
    out: dict[str, Decimal] = {}
    for row in ledger_svc.trial_balance(env.uow()).rows:
        out[row.account.code] = row.debit.amount - row.credit.amount
    return out


def assert_books_hold(env) -> None:
    """The trial balance balances and the AR subledger equals the GL control account."""
    assert ledger_svc.trial_balance(env.uow()).balanced
    for cur, (sub, control) in ledger_svc.subledger_vs_control(env.uow()).items():
        assert sub == control, f"{cur}: subledger {sub} != control {control}"
