"""The facts behind the KPIs, read in bulk and grouped.

One query per fact, at customer granularity (``uow.reporting``); each amount is
converted to the base currency (``fx_rates.Converter``) and summed per group:
everything (``"all"``), or per segment, collector or customer. A receipt with
no known customer falls in ``"(unidentified)"``. The definitions the facts serve are
in ``services.reporting``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from owed.domain.collections.promises import PromiseStatus
from owed.domain.money import Money
from owed.domain.reporting import kpis as k
from owed.services.fx_rates import Converter
from owed.services.kpi_periods import Month, month_back, months_between
from owed.services.unit_of_work import UnitOfWork

ZERO = Decimal(0)
ALL = "all"
UNIDENTIFIED = "(unidentified)"


def group_key(by: str | None, customers: dict[int, Any]) -> Callable[[int | None], str]:
    def key(customer_id: int | None) -> str:
        if by is None:
            return ALL
        c = customers.get(customer_id) if customer_id is not None else None
        if c is None:
            return UNIDENTIFIED
        if by == "customer":
            return str(c.external_id)
        return str(getattr(c, by) or "(none)")

    return key


def sum_by(
    rows: Iterable[Any], key: Callable[[int | None], str], value: Callable[[Any], Decimal]
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[key(r.customer_id)] += value(r)
    return out


@dataclass
class KpiFacts:
    """The period's facts in the base currency, summed per group (``key`` of a customer)."""

    key: Callable[[int | None], str]
    begin: dict[str, Decimal]
    end_total: dict[str, Decimal]
    end_current: dict[str, Decimal]
    sales: dict[tuple[str, str], Decimal]  # (group, YYYY-MM)
    write_offs: dict[str, Decimal]
    outcomes: dict[str, list[k.PaymentOutcome]]
    auto_apps: dict[str, tuple[int, int]]  # (correct, total)
    open_receipts: dict[str, list[k.OpenReceipt]]
    cycle: dict[str, list[tuple[date, date]]]
    deductions_open: dict[str, Decimal]
    deductions_new: dict[str, Decimal]
    promises: dict[str, list[PromiseStatus]]
    history: list[Month]  # months newest first, for countback
    conv: Converter
    as_of: date

    @classmethod
    def load(
        cls,
        uow: UnitOfWork,
        conv: Converter,
        *,
        by: str | None,
        start: date,
        end: date,
        history_months: int,
        thirty: bool,
    ) -> KpiFacts:
        """Every fact of ``start``..``end``, grouped ``by``; sales back ``history_months``."""
        repo = uow.reporting
        key = group_key(by, repo.customers())

        def ar(r: Any) -> Decimal:
            return conv.minor(r.total_minor, r.currency)

        def cur(r: Any) -> Decimal:
            return conv.minor(r.current_minor, r.currency)

        end_rows = repo.ar_by_customer(end)
        history_start = month_back(end, history_months - 1)
        history = list(reversed(months_between(min(history_start, start), end, thirty)))
        sales: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for r in repo.credit_sales_by_month(history[-1].start, end):
            label = f"{int(r.year):04d}-{int(r.month):02d}"
            sales[(key(r.customer_id), label)] += conv.minor(r.sales_minor, r.currency)
        return cls(
            key=key,
            begin=sum_by(repo.ar_by_customer(start - timedelta(days=1)), key, ar),
            end_total=sum_by(end_rows, key, ar),
            end_current=sum_by(end_rows, key, cur),
            sales=sales,
            write_offs=sum_by(
                repo.write_offs(start, end), key, lambda r: conv.minor(r.amount_minor, r.currency)
            ),
            outcomes=_outcomes(repo, start, end, key, conv),
            auto_apps=_accuracy(repo.auto_applications(start, end), key),
            open_receipts=_open_receipts(repo.unapplied_as_of(end), key),
            cycle=_cycles(repo.disputes(), start, end, key),
            deductions_open=_deductions(repo.disputes(), start, end, key, conv, open_at_end=True),
            deductions_new=_deductions(repo.disputes(), start, end, key, conv, open_at_end=False),
            promises=_promises(repo.promises_due(start, end), key),
            history=history,
            conv=conv,
            as_of=end,
        )

    def groups(self) -> list[str]:
        found: set[str] = set()
        for mapping in (
            self.begin,
            self.end_total,
            self.write_offs,
            self.outcomes,
            self.auto_apps,
            self.open_receipts,
            self.cycle,
            self.promises,
        ):
            found |= set(mapping)
        found |= {g for g, _ in self.sales}
        return sorted(found) or [ALL]

    def sales_in(self, group: str, months: Iterable[Month]) -> Decimal:
        return sum((self.sales.get((group, m.label), ZERO) for m in months), ZERO)


def _outcomes(
    repo: Any, start: date, end: date, key: Callable[[int | None], str], conv: Converter
) -> dict[str, list[k.PaymentOutcome]]:
    apps: dict[int, list[Any]] = defaultdict(list)
    for a in repo.applications_of_receipts_in(start, end):
        apps[int(a.receipt_id)].append(a)
    out: dict[str, list[k.PaymentOutcome]] = defaultdict(list)
    for r in repo.receipts_in(start, end):
        mine = apps.get(int(r.id), [])
        active = [a for a in mine if a.reversed_on is None]
        invoices = bool(mine) and all(a.how == "auto" and a.reversed_on is None for a in mine)
        proposed = (json.loads(r.proposal) if r.proposal else {}) or {}
        identified = proposed.get("customer_id")
        account = invoices or (
            identified is not None
            and bool(active)
            and all(a.customer_id == identified for a in active)
        )
        amount = conv.minor(r.amount_minor, r.currency)
        out[key(r.customer_id)].append(k.PaymentOutcome(amount, account, invoices))
    return out


def _accuracy(rows: Iterable[Any], key: Callable[[int | None], str]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for r in rows:
        correct, total = out.get(key(r.customer_id), (0, 0))
        out[key(r.customer_id)] = (correct + (r.reversed_on is None), total + 1)
    return out


def _open_receipts(
    rows: Iterable[Any], key: Callable[[int | None], str]
) -> dict[str, list[k.OpenReceipt]]:
    out: dict[str, list[k.OpenReceipt]] = defaultdict(list)
    for r in rows:
        out[key(r.customer_id)].append(
            k.OpenReceipt(r.value_date, Money.from_minor(int(r.unapplied_minor), r.currency))
        )
    return out


def _opened(d: Any) -> date:
    return d.opened_on or d.opened_at.date()  # type: ignore[no-any-return]


def _cycles(
    rows: Iterable[Any], start: date, end: date, key: Callable[[int | None], str]
) -> dict[str, list[tuple[date, date]]]:
    out: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for d in rows:
        closed = d.closed_on
        if d.status in ("resolved", "rejected") and closed and start <= closed <= end:
            out[key(d.customer_id)].append((_opened(d), closed))
    return out


def _deductions(
    rows: Iterable[Any],
    start: date,
    end: date,
    key: Callable[[int | None], str],
    conv: Converter,
    open_at_end: bool,
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for d in rows:
        if d.source != "deduction":
            continue
        opened = _opened(d)
        if open_at_end:
            counts = opened <= end and (d.closed_on is None or d.closed_on > end)
        else:  # a deduction cancelled because its payment was unapplied never was one
            counts = start <= opened <= end and d.status != "cancelled"
        if counts:
            out[key(d.customer_id)] += conv.minor(d.amount_minor, d.currency)
    return out


def _promises(
    rows: Iterable[Any], key: Callable[[int | None], str]
) -> dict[str, list[PromiseStatus]]:
    out: dict[str, list[PromiseStatus]] = defaultdict(list)
    for r in rows:
        out[key(r.customer_id)].append(PromiseStatus(r.status))
    return out
