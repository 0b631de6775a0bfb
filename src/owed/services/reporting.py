"""KPI use case: the AR guide's KPIs over a date range, overall or per group, and by month.

The figures themselves are computed by ``owed.domain.reporting.kpis``; this
module reads the facts in bulk (one query each, at customer granularity),
converts them to the base currency and groups them (``by`` = segment,
collector or customer). Definitions, with their denominators:

* **ending / beginning AR**: open items as of the period end / the day before
  the period start, from documents and dated settlements (credit memos
  negative). **Current AR**: open items not yet due (due date ≥ the date).
* **credit sales**: invoices + debit memos − credit memos issued in the
  period (drafts and voided documents excluded), by issue date.
* **days**: calendar days of the period; with company setting
  ``"kpi_month_days": 30`` every month counts 30 days (the 30-day convention).
* **bad-debt %**: write-off settlements dated in the period ÷ credit sales.
* **auto-match rate**: denominator = receipts valued in the period (count and
  value). Account level: the customer applied to is the one the matching run
  identified (or the receipt was applied automatically). Invoice level: every
  application of the receipt is ``how = 'auto'`` and none was ever reversed.
* **cash application accuracy**: automatic applications made in the period
  that were never reversed ÷ automatic applications made in the period.
* **unapplied cash > 7 days**: receipts with cash not applied as of the period
  end, valued more than 7 days before it (denominator: receipts not fully
  applied).
* **dispute cycle time**: disputes closed (resolved or rejected) in the
  period: Σ(closed − opened) ÷ their number. **DDO**: deductions (disputes
  opened by cash application) open at the period end ÷ (deductions opened in
  the period ÷ days).
* **promise-kept rate**: promises whose date falls in the period, kept ÷
  (kept + broken) as last evaluated.

Multi-currency: every amount is converted to the base currency with the
company setting ``"fx_rates"`` (see ``rates_as_of``); a missing rate is a
``ConfigurationError`` naming the currency.
"""

from __future__ import annotations

import calendar
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.collections.promises import PromiseStatus
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Currency, Money
from owed.domain.reporting import kpis as k
from owed.domain.reporting.ratio import Days, Ratio
from owed.services.unit_of_work import UnitOfWork

ZERO = Decimal(0)
GROUPINGS = ("segment", "collector", "customer")
ALL = "all"
UNIDENTIFIED = "(unidentified)"


# -- currency conversion --------------------------------------------------------
def rates_as_of(uow: UnitOfWork, as_of: date) -> dict[str, Decimal]:
    """Rates (base units per unit) from settings ``"fx_rates"``.

    Either flat ``{"EUR": "1.08"}`` or dated ``{"2026-03-31": {"EUR": "1.08"}}``,
    in which case the latest date on or before ``as_of`` is used.
    """
    raw: dict[str, Any] = dict(uow.company.settings.get("fx_rates", {}) or {})
    if raw and all(isinstance(v, dict) for v in raw.values()):
        dated = sorted(d for d in raw if date.fromisoformat(d) <= as_of)
        raw = dict(raw[dated[-1]]) if dated else {}
    rates: dict[str, Decimal] = {}
    for code, value in raw.items():
        if isinstance(value, float):
            value = repr(value)  # a rate typed as a JSON number: its shortest exact text
        try:
            rate = Decimal(str(value))
        except ArithmeticError:
            raise ConfigurationError(f"fx_rates: {code} rate {value!r} is not a number") from None
        if rate <= 0:
            raise ConfigurationError(f"fx_rates: {code} rate must be positive, got {value!r}")
        rates[Currency.of(code).code] = rate
    return rates


@dataclass(frozen=True)
class Converter:
    base: str
    rates: dict[str, Decimal]
    as_of: date

    def minor(self, minor: int, currency: str) -> Decimal:
        """An amount in minor units of ``currency`` → base currency Decimal (rounded)."""
        return self.money(Money.from_minor(int(minor), currency)).amount

    def money(self, amount: Money) -> Money:
        code = amount.currency.code
        if code == self.base:
            return amount
        rate = self.rates.get(code)
        if rate is None:
            raise ConfigurationError(
                f"no exchange rate for {code} in company setting 'fx_rates' as of "
                f"{self.as_of} (base currency {self.base}): add e.g. "
                f'{{"fx_rates": {{"{code}": "1.10"}}}}',
                currency=code,
            )
        return Money(amount.amount * rate, self.base).round()


def converter(uow: UnitOfWork, as_of: date) -> Converter:
    return Converter(uow.company.base_currency, rates_as_of(uow, as_of), as_of)


# -- calendar ---------------------------------------------------------------------
@dataclass(frozen=True)
class Month:
    year: int
    month: int
    start: date
    end: date  # clipped to the period end
    days: int  # days counted for this month (actual, or 30)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def months_between(date_from: date, date_to: date, thirty_day: bool = False) -> list[Month]:
    """Calendar months touching the range, oldest first, clipped to it."""
    if date_to < date_from:
        raise InvalidInput(f"the period ends ({date_to}) before it starts ({date_from})")
    out = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        first = date(year, month, 1)
        last = date(year, month, calendar.monthrange(year, month)[1])
        start, end = max(first, date_from), min(last, date_to)
        out.append(Month(year, month, start, end, 30 if thirty_day else (end - start).days + 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


# -- the use case ---------------------------------------------------------------------
@dataclass(frozen=True)
class ReportKpis:
    date_from: date
    date_to: date
    by: str | None = None  # segment | collector | customer
    trend: bool = False
    history_months: int = 24  # how far countback DSO may walk back


@dataclass(frozen=True)
class KpiRow:
    group: str
    beginning_ar: Decimal
    ending_ar: Decimal
    ending_current_ar: Decimal
    credit_sales: Decimal
    write_offs: Decimal
    dso: Days
    dso_countback: k.Countback
    best_possible_dso: Days
    add: Days | None
    cei: k.Cei
    percent_current: Ratio
    bad_debt: Ratio
    auto_match: k.AutoMatchRate
    cash_application_accuracy: Ratio
    unapplied_over_7_days: int
    unapplied_over_7_days_amount: Decimal  # base currency
    receipts_not_fully_applied: int
    dispute_cycle_time: Days
    ddo: Days
    promise_kept: Ratio


@dataclass(frozen=True)
class KpiReport:
    date_from: date
    date_to: date
    base_currency: str
    by: str | None
    days: int
    months: int
    rows: tuple[KpiRow, ...]
    trend: tuple[tuple[str, k.TrendRow], ...] = ()  # (group, month row)


def report_kpis(cmd: ReportKpis, uow: UnitOfWork) -> KpiReport:
    if cmd.by is not None and cmd.by not in GROUPINGS:
        raise InvalidInput(f"--by must be one of {', '.join(GROUPINGS)}, not {cmd.by!r}")
    with uow:
        uow.require(Permission.REPORT)
        thirty = int(uow.company.settings.get("kpi_month_days", 0) or 0) == 30
        months = months_between(cmd.date_from, cmd.date_to, thirty)
        conv = converter(uow, cmd.date_to)
        facts = _Facts.load(uow, cmd, conv, thirty)
        rows = tuple(_row(group, facts, months) for group in facts.groups())
        trend: list[tuple[str, k.TrendRow]] = []
        if cmd.trend:
            trend = _trend(uow, facts, months, conv)
        return KpiReport(
            cmd.date_from,
            cmd.date_to,
            conv.base,
            cmd.by,
            sum(m.days for m in months),
            len(months),
            rows,
            tuple(trend),
        )


def _group_key(by: str | None, customers: dict[int, Any]) -> Callable[[int | None], str]:
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


def _sum_by(
    rows: Iterable[Any], key: Callable[[int | None], str], value: Callable[[Any], Decimal]
) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        out[key(r.customer_id)] += value(r)
    return out


@dataclass
class _Facts:
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
    def load(cls, uow: UnitOfWork, cmd: ReportKpis, conv: Converter, thirty: bool) -> _Facts:
        repo = uow.reporting
        key = _group_key(cmd.by, repo.customers())
        start, end = cmd.date_from, cmd.date_to

        def ar(r: Any) -> Decimal:
            return conv.minor(r.total_minor, r.currency)

        def cur(r: Any) -> Decimal:
            return conv.minor(r.current_minor, r.currency)

        end_rows = repo.ar_by_customer(end)
        history_start = _month_back(end, cmd.history_months - 1)
        history = list(reversed(months_between(min(history_start, start), end, thirty)))
        sales: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for r in repo.credit_sales_by_month(history[-1].start, end):
            label = f"{int(r.year):04d}-{int(r.month):02d}"
            sales[(key(r.customer_id), label)] += conv.minor(r.sales_minor, r.currency)
        return cls(
            key=key,
            begin=_sum_by(repo.ar_by_customer(start - timedelta(days=1)), key, ar),
            end_total=_sum_by(end_rows, key, ar),
            end_current=_sum_by(end_rows, key, cur),
            sales=sales,
            write_offs=_sum_by(
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
        else:
            counts = start <= opened <= end
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


def _row(group: str, f: _Facts, months: list[Month]) -> KpiRow:
    days = sum(m.days for m in months)
    sales = f.sales_in(group, months)
    end_ar = f.end_total.get(group, ZERO)
    end_cur = f.end_current.get(group, ZERO)
    dso = k.dso_standard(end_ar, sales, days)
    bpdso = k.best_possible_dso(end_cur, sales, days)
    add = None
    if dso.days is not None and bpdso.days is not None:
        add = k.average_days_delinquent(dso.days, bpdso.days)
    countback = k.dso_countback(
        end_ar,
        [k.MonthSales(f.sales.get((group, m.label), ZERO), m.days, m.label) for m in f.history],
    )
    unapplied = k.unapplied_over_days(f.open_receipts.get(group, []), f.as_of, 7)
    correct, applied = f.auto_apps.get(group, (0, 0))
    return KpiRow(
        group=group,
        beginning_ar=f.begin.get(group, ZERO),
        ending_ar=end_ar,
        ending_current_ar=end_cur,
        credit_sales=sales,
        write_offs=f.write_offs.get(group, ZERO),
        dso=dso,
        dso_countback=countback,
        best_possible_dso=bpdso,
        add=add,
        cei=k.cei(f.begin.get(group, ZERO), sales, len(months), end_ar, end_cur),
        percent_current=k.percent_current(end_cur, end_ar),
        bad_debt=k.bad_debt_percent(f.write_offs.get(group, ZERO), sales),
        auto_match=k.auto_match_rate(f.outcomes.get(group, [])),
        cash_application_accuracy=k.cash_application_accuracy(correct, applied),
        unapplied_over_7_days=unapplied.count,
        unapplied_over_7_days_amount=sum(
            (f.conv.money(m).amount for m in unapplied.amounts.values()), ZERO
        ),
        receipts_not_fully_applied=unapplied.receipts_with_unapplied,
        dispute_cycle_time=k.dispute_cycle_time(f.cycle.get(group, [])),
        ddo=k.days_deductions_outstanding(
            f.deductions_open.get(group, ZERO), f.deductions_new.get(group, ZERO), days
        ),
        promise_kept=k.promise_kept_rate(f.promises.get(group, [])),
    )


def _trend(
    uow: UnitOfWork, f: _Facts, months: list[Month], conv: Converter
) -> list[tuple[str, k.TrendRow]]:
    """Month by month: AR as of each month end (one query per month), countback over history."""
    repo = uow.reporting

    def ar(r: Any) -> Decimal:
        return conv.minor(r.total_minor, r.currency)

    def cur(r: Any) -> Decimal:
        return conv.minor(r.current_minor, r.currency)

    begin = f.begin
    write_offs: dict[str, dict[str, Decimal]] = {}
    per_month: list[tuple[Month, dict[str, Decimal], dict[str, Decimal], dict[str, Decimal]]] = []
    for m in months:
        rows = repo.ar_by_customer(m.end)
        total, current = _sum_by(rows, f.key, ar), _sum_by(rows, f.key, cur)
        per_month.append((m, begin, total, current))
        write_offs[m.label] = _sum_by(
            repo.write_offs(m.start, m.end), f.key, lambda r: conv.minor(r.amount_minor, r.currency)
        )
        begin = total
    groups = sorted({g for _, b, t, _ in per_month for g in (*b, *t)} | set(f.groups()))
    out: list[tuple[str, k.TrendRow]] = []
    for group in groups:
        inputs = [
            k.MonthInputs(
                m.label,
                m.days,
                b.get(group, ZERO),
                t.get(group, ZERO),
                c.get(group, ZERO),
                f.sales.get((group, m.label), ZERO),
                write_offs[m.label].get(group, ZERO),
            )
            for m, b, t, c in per_month
        ]
        for i, row in enumerate(k.kpi_trend(inputs)):
            m = per_month[i][0]
            older = [h for h in f.history if h.label <= m.label]
            history = [
                k.MonthSales(f.sales.get((group, h.label), ZERO), h.days, h.label) for h in older
            ]
            row = replace(row, dso_countback=k.dso_countback(inputs[i].ending_ar, history))
            out.append((group, row))
    return out
