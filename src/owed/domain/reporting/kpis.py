"""AR key performance indicators, exactly as docs/AR_GUIDE defines them.

Every function takes plain ``Decimal`` amounts in one currency (the service
converts to the base currency first) and returns a ``Ratio`` or ``Days``
carrying the denominator and the inputs, never a bare number. Arithmetic is
exact ``Decimal``; rounding happens only for display. A KPI whose denominator
is zero is undefined (``None``), not zero.

===========================  =========================================================
KPI                          formula (denominator last)
===========================  =========================================================
DSO, standard                ending AR ÷ credit sales × days in period
DSO, countback               walk back month by month from period-end AR, subtracting
                             each month's credit sales and counting its days; the last
                             month contributes remaining AR ÷ its sales × its days
Best Possible DSO            current AR ÷ credit sales × days
ADD                          DSO − Best Possible DSO
CEI (CRF form)               (begin AR + sales ÷ N − end total AR)
                             ÷ (begin AR + sales ÷ N − end current AR) × 100
% current                    current AR ÷ total AR
Bad-debt %                   write-offs ÷ credit sales of the same period
Auto-match rate              untouched payments ÷ all payments, by count and by value,
                             at account level and at invoice level
Cash application accuracy    correctly applied payments ÷ payments applied
Unapplied cash > 7 days      count and amount of receipts with an unapplied rest more
                             than 7 days after their value date
Dispute cycle time           Σ(resolved − opened) ÷ disputes resolved
DDO                          open deductions ÷ (deductions in period ÷ days in period)
Promise-kept rate            promises kept ÷ promises kept or broken (pending excluded)
===========================  =========================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from owed.domain.collections.promises import PromiseStatus
from owed.domain.errors import InvalidInput
from owed.domain.money import Money
from owed.domain.reporting.ratio import Days, Ratio


def _amount(name: str, value: Decimal) -> Decimal:
    if not isinstance(value, Decimal) or isinstance(value, bool):
        raise TypeError(f"KPI input {name} must be a Decimal, got {type(value).__name__}")
    return value


def _days_ratio(numerator: Decimal, denominator: Decimal, days: int, **inputs: Decimal) -> Days:
    if days <= 0:
        raise InvalidInput(f"days in the period must be positive, got {days}")
    figure = numerator / denominator * days if denominator != 0 else None
    return Days(figure, denominator, {**inputs, "days_in_period": Decimal(days)})


def dso_standard(ending_ar: Decimal, credit_sales: Decimal, days_in_period: int) -> Days:
    """Ending AR ÷ credit sales × days; the denominator is the credit sales."""
    _amount("ending_ar", ending_ar)
    _amount("credit_sales", credit_sales)
    return _days_ratio(
        ending_ar, credit_sales, days_in_period, ending_ar=ending_ar, credit_sales=credit_sales
    )


@dataclass(frozen=True)
class MonthSales:
    sales: Decimal
    days: int
    label: str = ""


@dataclass(frozen=True)
class Countback:
    days: Decimal
    ending_ar: Decimal
    months_used: tuple[tuple[MonthSales, Decimal], ...]  # each month and the days it gave
    history_exhausted: bool  # AR exceeds all sales given: ``days`` is a lower bound

    def display(self, places: int = 1) -> Decimal:
        return self.days.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def dso_countback(ending_ar: Decimal, months_newest_first: Sequence[MonthSales]) -> Countback:
    """Count back through the months (newest first) until the ending AR is used up."""
    _amount("ending_ar", ending_ar)
    remaining = ending_ar
    total_days = Decimal(0)
    used: list[tuple[MonthSales, Decimal]] = []
    for month in months_newest_first:
        if remaining <= 0:
            break
        _amount("sales", month.sales)
        if month.days <= 0:
            raise InvalidInput(f"month {month.label or len(used) + 1} must have positive days")
        if remaining > month.sales:
            contributed = Decimal(month.days)
            remaining -= month.sales
        else:
            contributed = remaining / month.sales * month.days
            remaining = Decimal(0)
        total_days += contributed
        used.append((month, contributed))
    return Countback(total_days, ending_ar, tuple(used), remaining > 0)


def best_possible_dso(current_ar: Decimal, credit_sales: Decimal, days_in_period: int) -> Days:
    """Current (not yet due) AR ÷ credit sales × days."""
    _amount("current_ar", current_ar)
    _amount("credit_sales", credit_sales)
    return _days_ratio(
        current_ar, credit_sales, days_in_period, current_ar=current_ar, credit_sales=credit_sales
    )


def average_days_delinquent(dso: Decimal, best_possible: Decimal) -> Days:
    """ADD = DSO − Best Possible DSO (no denominator of its own; reported as 1)."""
    _amount("dso", dso)
    _amount("best_possible", best_possible)
    return Days(dso - best_possible, Decimal(1), {"dso": dso, "best_possible_dso": best_possible})


@dataclass(frozen=True)
class Cei:
    """CEI with its inputs. ``numerator``/``denominator`` are in AR units, for display.

    The value is computed from the same formula multiplied through by N,
    ``(N·begin + sales − N·end total) ÷ (N·begin + sales − N·end current)``,
    which is exact for decimal inputs: dividing the sales by N first would
    round, and the subtraction can cancel most of the digits left.
    """

    beginning_ar: Decimal
    credit_sales: Decimal
    months: int
    ending_total_ar: Decimal
    ending_current_ar: Decimal

    @property
    def ratio(self) -> Ratio:
        n = self.months
        collectible = n * self.beginning_ar + self.credit_sales
        return Ratio(
            collectible - n * self.ending_total_ar, collectible - n * self.ending_current_ar
        )

    @property
    def numerator(self) -> Decimal:
        return self.beginning_ar + self.credit_sales / self.months - self.ending_total_ar

    @property
    def denominator(self) -> Decimal:
        return self.beginning_ar + self.credit_sales / self.months - self.ending_current_ar

    @property
    def value(self) -> Decimal | None:
        return self.ratio.value

    def percent(self, places: int = 1) -> Decimal | None:
        return self.ratio.percent(places)


def cei(
    beginning_ar: Decimal,
    credit_sales: Decimal,
    months: int,
    ending_total_ar: Decimal,
    ending_current_ar: Decimal,
) -> Cei:
    """Collection effectiveness index (CRF form); ``percent()`` gives the figure."""
    for name, value in (
        ("beginning_ar", beginning_ar),
        ("credit_sales", credit_sales),
        ("ending_total_ar", ending_total_ar),
        ("ending_current_ar", ending_current_ar),
    ):
        _amount(name, value)
    if months <= 0:
        raise InvalidInput(f"CEI needs a positive number of months, got {months}")
    return Cei(beginning_ar, credit_sales, months, ending_total_ar, ending_current_ar)


def percent_current(current_ar: Decimal, total_ar: Decimal) -> Ratio:
    return Ratio(_amount("current_ar", current_ar), _amount("total_ar", total_ar))


def bad_debt_percent(write_offs: Decimal, credit_sales: Decimal) -> Ratio:
    return Ratio(_amount("write_offs", write_offs), _amount("credit_sales", credit_sales))


@dataclass(frozen=True)
class PaymentOutcome:
    """How one payment was applied: which levels needed no human touch."""

    amount: Decimal
    account_untouched: bool  # the right customer was found automatically
    invoices_untouched: bool  # the right invoices were applied automatically


@dataclass(frozen=True)
class AutoMatchRate:
    account_by_count: Ratio
    account_by_value: Ratio
    invoice_by_count: Ratio
    invoice_by_value: Ratio


def auto_match_rate(outcomes: Iterable[PaymentOutcome]) -> AutoMatchRate:
    """Untouched ÷ all payments, four ways; each Ratio carries its denominator."""
    n = Decimal(0)
    value = Decimal(0)
    acc_n = acc_v = inv_n = inv_v = Decimal(0)
    for i, o in enumerate(outcomes, start=1):
        amount = _amount("amount", o.amount)
        if o.invoices_untouched and not o.account_untouched:
            raise InvalidInput(f"payment {i}: invoices applied untouched but the account was not")
        n += 1
        value += amount
        if o.account_untouched:
            acc_n += 1
            acc_v += amount
        if o.invoices_untouched:
            inv_n += 1
            inv_v += amount
    return AutoMatchRate(Ratio(acc_n, n), Ratio(acc_v, value), Ratio(inv_n, n), Ratio(inv_v, value))


def cash_application_accuracy(correctly_applied: int, payments_applied: int) -> Ratio:
    if not 0 <= correctly_applied <= payments_applied:
        raise InvalidInput(
            f"correctly applied ({correctly_applied}) must be between 0 and the payments "
            f"applied ({payments_applied})"
        )
    return Ratio(Decimal(correctly_applied), Decimal(payments_applied))


@dataclass(frozen=True)
class OpenReceipt:
    value_date: date
    unapplied: Money


@dataclass(frozen=True)
class UnappliedAged:
    count: int
    amounts: dict[str, Money]  # per currency
    receipts_with_unapplied: int  # the denominator: receipts not fully applied
    days: int


def unapplied_over_days(
    receipts: Iterable[OpenReceipt], as_of: date, days: int = 7
) -> UnappliedAged:
    """Receipts with an unapplied rest more than ``days`` days after their value date."""
    count = 0
    considered = 0
    amounts: dict[str, Money] = {}
    for r in receipts:
        if r.unapplied.amount <= 0:
            continue
        considered += 1
        if (as_of - r.value_date).days > days:
            count += 1
            code = r.unapplied.currency.code
            amounts[code] = amounts.get(code, Money.zero(code)) + r.unapplied
    return UnappliedAged(count, amounts, considered, days)


def dispute_cycle_time(opened_and_resolved: Iterable[tuple[date, date]]) -> Days:
    """Σ(resolved − opened) ÷ disputes resolved."""
    total = 0
    n = 0
    for opened, resolved in opened_and_resolved:
        if resolved < opened:
            raise InvalidInput(f"dispute {n + 1} resolved {resolved} before it opened {opened}")
        total += (resolved - opened).days
        n += 1
    figure = Decimal(total) / n if n else None
    return Days(figure, Decimal(n), {"total_days": Decimal(total), "resolved": Decimal(n)})


def days_deductions_outstanding(
    open_deductions: Decimal, deductions_in_period: Decimal, days_in_period: int
) -> Days:
    """Open deductions ÷ average daily deductions (deductions in period ÷ days)."""
    _amount("open_deductions", open_deductions)
    _amount("deductions_in_period", deductions_in_period)
    return _days_ratio(
        open_deductions,
        deductions_in_period,
        days_in_period,
        open_deductions=open_deductions,
        deductions_in_period=deductions_in_period,
    )


def promise_kept_rate(statuses: Iterable[PromiseStatus]) -> Ratio:
    """Kept ÷ (kept + broken); pending promises are not yet decided and excluded."""
    kept = broken = 0
    for s in statuses:
        kept += s is PromiseStatus.KEPT
        broken += s is PromiseStatus.BROKEN
    return Ratio(Decimal(kept), Decimal(kept + broken))


@dataclass(frozen=True)
class MonthInputs:
    month: str  # "2026-03"
    days: int
    beginning_ar: Decimal
    ending_ar: Decimal
    ending_current_ar: Decimal
    credit_sales: Decimal
    write_offs: Decimal = Decimal(0)


@dataclass(frozen=True)
class TrendRow:
    month: str
    dso: Days
    dso_countback: Countback
    best_possible_dso: Days
    add: Days | None  # None when DSO or BPDSO is undefined
    cei: Cei  # one-month CEI (N = 1)
    percent_current: Ratio
    bad_debt: Ratio


def kpi_trend(months_oldest_first: Sequence[MonthInputs]) -> list[TrendRow]:
    """One row of KPIs per month; countback DSO walks back through the earlier months."""
    rows = []
    for i, m in enumerate(months_oldest_first):
        dso = dso_standard(m.ending_ar, m.credit_sales, m.days)
        bpdso = best_possible_dso(m.ending_current_ar, m.credit_sales, m.days)
        add = None
        if dso.days is not None and bpdso.days is not None:
            add = average_days_delinquent(dso.days, bpdso.days)
        history = [MonthSales(p.credit_sales, p.days, p.month) for p in months_oldest_first[i::-1]]
        rows.append(
            TrendRow(
                month=m.month,
                dso=dso,
                dso_countback=dso_countback(m.ending_ar, history),
                best_possible_dso=bpdso,
                add=add,
                cei=cei(m.beginning_ar, m.credit_sales, 1, m.ending_ar, m.ending_current_ar),
                percent_current=percent_current(m.ending_current_ar, m.ending_ar),
                bad_debt=bad_debt_percent(m.write_offs, m.credit_sales),
            )
        )
    return rows
