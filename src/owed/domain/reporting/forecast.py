"""Cash collections forecast from each customer's payment behaviour.

The model is small on purpose, so a collector can follow it:

1. **Behaviour.** For each paid invoice, ``days late = paid date − due date``
   (negative when early). Per customer, the amount-weighted mean and standard
   deviation ("spread") of days late. Customers with little history are
   shrunk towards the company-wide figures (the prior) with credibility
   ``z = n / (n + k)``: ``mean = z · own mean + (1 − z) · prior mean``, and
   likewise for the variance; ``k`` (default 5) is how many invoices the prior
   is worth. Broken promises add a penalty (default 5 days each, at most 20)
   to the expected lateness. The spread is never below 2 days.
2. **Distribution of the pay date.** An open item is expected to be paid
   ``mean`` days after its due date, spread as a normal curve discretized
   into days (weights ``exp(−(t − μ)² / 2σ²)``, computed in ``Decimal``).
   The item is still open on ``as_of``, so the days before ``as_of`` are
   impossible: the curve is cut there and rescaled (conditioning on not paid
   yet).
3. **Already late beyond expectation.** When ``as_of`` is past
   ``μ + 2σ`` the curve has almost nothing left. Such an item lands in the
   first weeks with a decaying probability: week ``k`` gets ``(1 − r) · rᵏ``
   (``r`` = 0.6 by default), and what falls after the horizon is "later".
4. **Aggregation.** Expected amounts are summed per day and currency
   unrounded; week totals are rounded once, by allocating the rounded
   horizon total over the weeks (largest remainder), so weeks plus "beyond
   the horizon" equal the open total to the cent and the weekly amounts never
   exceed it.

``backtest`` replays the model at past dates, fitting behaviour only on
invoices paid before each date (no look-ahead), and compares the expected
cash of the next 14 days and 13 weeks with the actual cash the caller supplies.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money, to_decimal
from owed.domain.reporting.ratio import Ratio

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class ForecastSettings:
    shrink_invoices: Decimal = Decimal(5)  # k: how many invoices the prior is worth
    broken_promise_penalty_days: Decimal = Decimal(5)
    max_penalty_days: Decimal = Decimal(20)
    min_spread_days: Decimal = Decimal(2)
    default_prior_mean: Decimal = Decimal(0)  # used when there is no history at all
    default_prior_spread: Decimal = Decimal(7)
    overdue_cutoff_sd: Decimal = Decimal(2)
    decay_per_week: Decimal = Decimal("0.6")
    tail_sd: Decimal = Decimal(5)  # the curve is computed out to μ ± 5σ


DEFAULT_SETTINGS = ForecastSettings()


@dataclass(frozen=True)
class PaidInvoice:
    customer_id: str
    due_date: date
    paid_date: date
    amount: Decimal

    @property
    def days_late(self) -> int:
        return (self.paid_date - self.due_date).days


@dataclass(frozen=True)
class PaymentBehaviour:
    customer_id: str | None  # None: the company-wide prior
    mean_days_late: Decimal  # including the broken-promise penalty
    spread_days: Decimal
    invoices: int
    credibility: Decimal  # z, the weight of the customer's own history
    penalty_days: Decimal = ZERO

    def explain(self) -> str:
        who = "company average" if self.customer_id is None else f"customer {self.customer_id}"
        text = (
            f"{who}: expected {self.mean_days_late.quantize(Decimal('0.1'))} days late "
            f"(spread {self.spread_days.quantize(Decimal('0.1'))} days) from "
            f"{self.invoices} paid invoice(s), own history weight "
            f"{(self.credibility * 100).quantize(ONE)} %"
        )
        if self.penalty_days:
            text += f", including {self.penalty_days} days for broken promises"
        return text


@dataclass(frozen=True)
class BehaviourModel:
    prior: PaymentBehaviour
    customers: Mapping[str, PaymentBehaviour]

    def for_customer(self, customer_id: str) -> PaymentBehaviour:
        return self.customers.get(customer_id, self.prior)


def _weighted_stats(invoices: Sequence[PaidInvoice]) -> tuple[Decimal, Decimal] | None:
    """Amount-weighted mean and variance of days late; None without positive amounts."""
    paid = [i for i in invoices if i.amount > 0]
    weight = sum((i.amount for i in paid), ZERO)
    if weight == 0:
        return None
    mean = sum((i.amount * i.days_late for i in paid), ZERO) / weight
    variance = sum((i.amount * (i.days_late - mean) ** 2 for i in paid), ZERO) / weight
    return mean, variance


def fit_behaviours(
    history: Iterable[PaidInvoice],
    broken_promises: Mapping[str, int] | None = None,
    settings: ForecastSettings = DEFAULT_SETTINGS,
) -> BehaviourModel:
    """Per-customer behaviour, shrunk towards the company prior; see the module docstring."""
    invoices = list(history)
    for i in invoices:
        if not isinstance(i.amount, Decimal):
            raise TypeError(f"paid invoice amount must be a Decimal (customer {i.customer_id})")
    overall = _weighted_stats(invoices)
    prior_mean, prior_var = overall or (
        settings.default_prior_mean,
        settings.default_prior_spread**2,
    )
    prior = PaymentBehaviour(None, prior_mean, _spread(prior_var, settings), len(invoices), ZERO)
    by_customer: dict[str, list[PaidInvoice]] = {}
    for i in invoices:
        by_customer.setdefault(i.customer_id, []).append(i)
    broken = dict(broken_promises or {})
    customers: dict[str, PaymentBehaviour] = {}
    for cid in sorted(set(by_customer) | set(broken)):
        own = by_customer.get(cid, [])
        stats = _weighted_stats(own)
        n = Decimal(len(own)) if stats else ZERO
        z = n / (n + settings.shrink_invoices) if n else ZERO
        mean_c, var_c = stats or (prior_mean, prior_var)
        mean = z * mean_c + (ONE - z) * prior_mean
        variance = z * var_c + (ONE - z) * prior_var
        penalty = min(
            settings.max_penalty_days,
            settings.broken_promise_penalty_days * broken.get(cid, 0),
        )
        customers[cid] = PaymentBehaviour(
            cid, mean + penalty, _spread(variance, settings), len(own), z, penalty
        )
    return BehaviourModel(prior, customers)


def _spread(variance: Decimal, settings: ForecastSettings) -> Decimal:
    return max(settings.min_spread_days, variance.sqrt() if variance > 0 else ZERO)


@dataclass(frozen=True)
class ForecastItem:
    customer_id: str
    document: str
    currency: str
    open_amount: Decimal
    due_date: date


@dataclass(frozen=True)
class ItemForecast:
    document: str
    customer_id: str
    method: str  # "behaviour" | "overdue_decay"
    expected_date: date  # due date + expected lateness, or as_of for overdue decay
    in_horizon: Decimal  # probability of payment within the horizon


@dataclass(frozen=True)
class Forecast:
    as_of: date
    weeks: int
    weekly: Mapping[str, tuple[Money, ...]]  # per currency, week 1 starts on as_of
    beyond: Mapping[str, Money]  # expected after the horizon
    open_total: Mapping[str, Money]  # positive open items only: credits are not forecast
    daily: Mapping[str, tuple[Decimal, ...]] = field(repr=False)  # unrounded, per day
    items: tuple[ItemForecast, ...] = field(repr=False, default=())

    def week_start(self, week: int) -> date:
        return self.as_of + timedelta(days=7 * (week - 1))

    def expected_in_days(self, days: int, currency: str) -> Money:
        """Expected collections in ``as_of`` .. ``as_of + days − 1``."""
        code = Currency.of(currency).code
        if not 0 <= days <= 7 * self.weeks:
            raise InvalidInput(f"the forecast covers 0..{7 * self.weeks} days, not {days}")
        if code not in self.weekly:
            return Money.zero(code)
        if days % 7 == 0:
            return sum(self.weekly[code][: days // 7], Money.zero(code))
        return Money(sum(self.daily[code][:days], ZERO), code).round()


def _kernel(mean: Decimal, sigma: Decimal, tail_sd: Decimal) -> tuple[int, list[Decimal]]:
    """Unscaled normal weights ``exp(−(j − mean)² / 2σ²)`` for day offsets j from the due date.

    Returns the first offset and the weights from there to ``mean + tail_sd·σ``.
    """
    low = int((mean - tail_sd * sigma).to_integral_value(ROUND_FLOOR))
    high = int((mean + tail_sd * sigma).to_integral_value(ROUND_CEILING))
    two_var = 2 * sigma * sigma
    return low, [(-((j - mean) ** 2) / two_var).exp() for j in range(low, high + 1)]


def _normal_vector(
    kernel: tuple[int, list[Decimal]], offset: int, horizon: int
) -> tuple[list[Decimal], Decimal]:
    """Daily probabilities for days 0..horizon−1 and the mass beyond, given not paid before 0.

    ``offset`` is the due date's day number counted from ``as_of``.
    """
    low, weights = kernel
    daily = [ZERO] * horizon
    beyond = ZERO
    for j, weight in enumerate(weights, start=low):
        t = offset + j
        if t < 0:
            continue
        if t < horizon:
            daily[t] = weight
        else:
            beyond += weight
    mass = sum(daily, ZERO) + beyond
    if mass == 0:
        return [ZERO] * horizon, ONE
    scale = ONE / mass
    return [w * scale for w in daily], beyond * scale


def _decay_vector(weeks: int, r: Decimal) -> tuple[list[Decimal], Decimal]:
    daily: list[Decimal] = []
    for k in range(weeks):
        daily.extend([(ONE - r) * r**k / 7] * 7)
    return daily, r**weeks


def forecast(
    open_items: Iterable[ForecastItem],
    behaviours: BehaviourModel,
    as_of: date,
    weeks: int = 13,
    settings: ForecastSettings = DEFAULT_SETTINGS,
) -> Forecast:
    """Expected collections per week for ``weeks`` weeks from ``as_of``."""
    if weeks < 1:
        raise InvalidInput(f"a forecast needs at least one week, got {weeks}")
    horizon = 7 * weeks
    vectors: dict[tuple[Decimal, Decimal, date], tuple[str, list[Decimal], Decimal]] = {}
    kernels: dict[tuple[Decimal, Decimal], tuple[int, list[Decimal]]] = {}
    grouped: dict[tuple[str, tuple[Decimal, Decimal, date]], Decimal] = {}
    open_sums: dict[str, Decimal] = {}
    explained: list[ItemForecast] = []
    for item in open_items:
        amount = to_decimal(item.open_amount)  # refuses floats
        code = Currency.of(item.currency).code
        if amount <= 0:
            continue  # credits are not collections
        open_sums[code] = open_sums.get(code, ZERO) + amount
        b = behaviours.for_customer(item.customer_id)
        key = (b.mean_days_late, b.spread_days, item.due_date)
        if key not in vectors:
            vectors[key] = _vector(b, item.due_date, as_of, horizon, settings, kernels)
        grouped[(code, key)] = grouped.get((code, key), ZERO) + amount
        method, _, later = vectors[key]
        expected = (
            as_of
            if method == "overdue_decay"
            else item.due_date + timedelta(days=int(b.mean_days_late.to_integral_value()))
        )
        explained.append(
            ItemForecast(item.document, item.customer_id, method, expected, ONE - later)
        )
    daily: dict[str, list[Decimal]] = {}
    for (code, key), amount_sum in grouped.items():
        _, probs, _ = vectors[key]
        days = daily.setdefault(code, [ZERO] * horizon)
        for t, p in enumerate(probs):
            if p:
                days[t] += amount_sum * p
    open_total = {code: Money(amount, code) for code, amount in open_sums.items()}
    weekly = {code: _round_weeks(days, code, weeks) for code, days in daily.items()}
    for code in open_total:
        weekly.setdefault(code, tuple(Money.zero(code) for _ in range(weeks)))
    later_money = {
        code: open_total[code] - sum(weekly[code], Money.zero(code)) for code in open_total
    }
    return Forecast(
        as_of,
        weeks,
        weekly,
        later_money,
        open_total,
        {code: tuple(days) for code, days in daily.items()},
        tuple(explained),
    )


def _vector(
    b: PaymentBehaviour,
    due: date,
    as_of: date,
    horizon: int,
    s: ForecastSettings,
    kernels: dict[tuple[Decimal, Decimal], tuple[int, list[Decimal]]],
) -> tuple[str, list[Decimal], Decimal]:
    offset = (due - as_of).days
    if offset + b.mean_days_late + s.overdue_cutoff_sd * b.spread_days < 0:
        return ("overdue_decay", *_decay_vector(horizon // 7, s.decay_per_week))
    key = (b.mean_days_late, b.spread_days)
    if key not in kernels:
        kernels[key] = _kernel(b.mean_days_late, b.spread_days, s.tail_sd)
    return ("behaviour", *_normal_vector(kernels[key], offset, horizon))


def _round_weeks(days: list[Decimal], code: str, weeks: int) -> tuple[Money, ...]:
    sums = [sum(days[7 * k : 7 * k + 7], ZERO) for k in range(weeks)]
    rounded_total = Money(sum(sums, ZERO), code).round(ROUND_HALF_UP)
    if rounded_total.amount == 0 or all(s == 0 for s in sums):
        return tuple(Money.zero(code) for _ in sums)
    return tuple(rounded_total.allocate([max(s, ZERO) for s in sums]))


@dataclass(frozen=True)
class BacktestPoint:
    as_of: date
    open_items: tuple[ForecastItem, ...]
    actual_14_days: Decimal
    actual_13_weeks: Decimal


@dataclass(frozen=True)
class BacktestRow:
    as_of: date
    expected_14_days: Decimal
    actual_14_days: Decimal
    expected_13_weeks: Decimal
    actual_13_weeks: Decimal


@dataclass(frozen=True)
class ErrorStats:
    mape: Decimal | None  # mean of |expected − actual| ÷ actual, over points with actual > 0
    points_used: int
    bias: Ratio  # Σ(expected − actual) ÷ Σ actual; positive = the forecast is too high


@dataclass(frozen=True)
class BacktestResult:
    rows: tuple[BacktestRow, ...]
    next_14_days: ErrorStats
    next_13_weeks: ErrorStats


def _errors(pairs: Sequence[tuple[Decimal, Decimal]]) -> ErrorStats:
    used = [(f, a) for f, a in pairs if a > 0]
    mape = sum((abs(f - a) / a for f, a in used), ZERO) / len(used) if used else None
    bias = Ratio(sum((f - a for f, a in pairs), ZERO), sum((a for _, a in pairs), ZERO))
    return ErrorStats(mape, len(used), bias)


def backtest(
    history: Sequence[PaidInvoice],
    points: Sequence[BacktestPoint],
    currency: str,
    broken_promises: Mapping[str, int] | None = None,
    settings: ForecastSettings = DEFAULT_SETTINGS,
) -> BacktestResult:
    """Replay the forecast at each point's date, fitting only on invoices paid before it."""
    code = Currency.of(currency).code
    rows = []
    for point in points:
        known = [h for h in history if h.paid_date < point.as_of]
        model = fit_behaviours(known, broken_promises, settings)
        result = forecast(point.open_items, model, point.as_of, 13, settings)
        rows.append(
            BacktestRow(
                point.as_of,
                result.expected_in_days(14, code).amount,
                point.actual_14_days,
                result.expected_in_days(91, code).amount,
                point.actual_13_weeks,
            )
        )
    return BacktestResult(
        tuple(rows),
        _errors([(r.expected_14_days, r.actual_14_days) for r in rows]),
        _errors([(r.expected_13_weeks, r.actual_13_weeks) for r in rows]),
    )
