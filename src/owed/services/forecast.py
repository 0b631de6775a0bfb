"""Cash forecast and its back-test, fed from the database (model: ``domain.reporting.forecast``).

* **History**: every active cash application to a document is a paid record
  (customer, due date, applied on, amount): days late = applied on − due
  date, weighted by amount. Broken promises (as last evaluated) add their
  penalty per customer.
* **Open items** as of the forecast date are rebuilt from settlements
  (``open as of D = total − Σ settlements ≤ D``), so a forecast "as of" a
  past date sees the book as it was then.
* **Forecast**: expected collections per week for ``weeks`` weeks per
  currency; headline: expected cash in the next 14 days. Each run is recorded
  in ``forecast_snapshots``.
* **Back-test** (``backtest``): as-of dates every ``step_days`` from
  ``date_from`` to ``date_to``; at each, the model is fitted only on
  applications made before that date, and compared with the cash actually
  applied in the next 14 days / 13 weeks (from that date on) to documents
  issued before it; the open items are those open at the end of the day
  before (the book as it stood when the day began).
  Mean absolute percentage error (MAPE) and bias per horizon, recorded too.
  Broken promises are taken as known before ``date_from`` (no look-ahead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.errors import InvalidInput
from owed.domain.money import Currency, Money
from owed.domain.reporting import forecast as fc
from owed.services.unit_of_work import UnitOfWork


def _history(rows: list[Any]) -> list[fc.PaidInvoice]:
    return [
        fc.PaidInvoice(
            str(r.customer_id),
            r.due_date,
            r.applied_on,
            Currency.of(r.currency).from_minor(int(r.amount_minor)),
        )
        for r in rows
    ]


def _open_items(rows: list[Any]) -> list[fc.ForecastItem]:
    return [
        fc.ForecastItem(
            str(r.customer_id),
            r.number,
            r.currency,
            Currency.of(r.currency).from_minor(int(r.open_minor)),
            r.due_date,
        )
        for r in rows
        if int(r.open_minor) > 0
    ]


@dataclass(frozen=True)
class RunForecast:
    as_of: date | None = None  # default: today
    weeks: int = 13


@dataclass(frozen=True)
class ForecastResult:
    forecast: fc.Forecast
    next_14_days: dict[str, Money]
    model: fc.BehaviourModel
    snapshot_ids: tuple[int, ...]


def run_forecast(cmd: RunForecast, uow: UnitOfWork) -> ForecastResult:
    if not 1 <= cmd.weeks <= 52:
        raise InvalidInput(f"--weeks must be between 1 and 52, got {cmd.weeks}")
    with uow:
        uow.require(Permission.REPORT)
        as_of = cmd.as_of or uow.today()
        repo = uow.reporting
        broken = {str(c): n for c, n in repo.broken_promises(before=as_of).items()}
        model = fc.fit_behaviours(_history(repo.paid_history(before=as_of)), broken)
        result = fc.forecast(_open_items(repo.open_items(as_of)), model, as_of, cmd.weeks)
        horizon = min(14, 7 * cmd.weeks)
        headline = {c: result.expected_in_days(horizon, c) for c in sorted(result.open_total)}
        ids = []
        for code, weekly in sorted(result.weekly.items()):
            ids.append(
                repo.add_snapshot(
                    "forecast",
                    as_of,
                    None,
                    cmd.weeks,
                    code,
                    headline[code].to_minor(),
                    {
                        "weekly": [str(w.amount) for w in weekly],
                        "beyond": str(result.beyond[code].amount),
                        "open_total": str(result.open_total[code].amount),
                        "next_14_days": str(headline[code].amount),
                    },
                    uow.actor.username,
                    uow.now(),
                )
            )
        uow.commit()  # the snapshots: a report run is not audited as a state change
        return ForecastResult(result, headline, model, tuple(ids))


@dataclass(frozen=True)
class RunBacktest:
    date_from: date
    date_to: date
    step_days: int = 7
    currency: str | None = None  # default: the base currency


@dataclass(frozen=True)
class BacktestReport:
    currency: str
    result: fc.BacktestResult
    snapshot_id: int


def run_backtest(cmd: RunBacktest, uow: UnitOfWork) -> BacktestReport:
    if cmd.date_to < cmd.date_from:
        raise InvalidInput(f"--to {cmd.date_to} is before --from {cmd.date_from}")
    if cmd.step_days < 1:
        raise InvalidInput(f"the step must be at least one day, got {cmd.step_days}")
    with uow:
        uow.require(Permission.REPORT)
        code = Currency.of(cmd.currency or uow.company.base_currency).code
        repo = uow.reporting
        history = _history(repo.paid_history())
        broken = {str(c): n for c, n in repo.broken_promises(before=cmd.date_from).items()}
        points = []
        day = cmd.date_from
        while day <= cmd.date_to:
            # the book at the start of the day: open at the end of the day before
            eve = day - timedelta(days=1)
            items = [i for i in _open_items(repo.open_items(eve)) if i.currency == code]
            points.append(
                fc.BacktestPoint(
                    day, tuple(items), _actual(repo, day, 14, code), _actual(repo, day, 91, code)
                )
            )
            day += timedelta(days=cmd.step_days)
        result = fc.backtest(history, points, code, broken)
        summary = {
            "points": len(points),
            "step_days": cmd.step_days,
            "mape_14_days": _text(result.next_14_days.mape),
            "bias_14_days": _text(result.next_14_days.bias.value),
            "mape_13_weeks": _text(result.next_13_weeks.mape),
            "bias_13_weeks": _text(result.next_13_weeks.bias.value),
            "rows": [
                [
                    r.as_of,
                    str(r.expected_14_days),
                    str(r.actual_14_days),
                    str(r.expected_13_weeks),
                    str(r.actual_13_weeks),
                ]
                for r in result.rows
            ],
        }
        sid = repo.add_snapshot(
            "backtest",
            cmd.date_from,
            cmd.date_to,
            13,
            code,
            None,
            summary,
            uow.actor.username,
            uow.now(),
        )
        uow.commit()
        return BacktestReport(code, result, sid)


def _actual(repo: Any, day: date, days: int, code: str) -> Decimal:
    rows = repo.cash_applied_between(day, day + timedelta(days=days - 1), day - timedelta(days=1))
    minor = sum(int(r.amount_minor) for r in rows if r.currency == code)
    return Currency.of(code).from_minor(minor)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)
