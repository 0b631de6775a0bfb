"""Credit holds and the order desk's credit check.

* ``place_hold`` (MANAGE_CREDIT, a reason) and ``release_hold`` (APPROVE; the
  person who placed a manual hold cannot release it: segregation of duties).
  Every hold is a row in ``credit_holds`` (who, when, why, source), mirrored
  by the ``customers.on_hold`` flag, audited before/after and written to the
  customer's timeline.
* Automatic holds: the dunning run places one when a level with the ``hold``
  action is reached, and ``auto_holds`` (run by dunning) and ``check_credit``
  place one when the open AR alone exceeds the credit limit (the domain's
  ``should_hold``).
* ``check_credit`` answers "may this order go on credit?" with the domain's
  ``check_credit``: exposure = open AR + open orders + this order against the
  limit, the hold, and items overdue beyond ``refuse_overdue_after_days``.

Amounts in another currency than the customer's are converted with the company
setting ``fx_rates`` (units of base currency per unit); a missing rate is an
error naming the currency. ``credit_policy`` in the settings may set
``refuse_overdue_after_days`` (default 60) and ``hold_overdue_after_days``
(default: none, i.e. overdue items alone do not cause a hold).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission, check_different_people
from owed.domain.credit.limits import CreditDecision, CreditPolicy, check_credit, should_hold
from owed.domain.errors import ConfigurationError, InvalidInput, RuleViolation
from owed.domain.money import Currency, Money
from owed.services.customers import Customer
from owed.services.fx_rates import rates_as_of
from owed.services.promises import customer_by_external
from owed.services.unit_of_work import UnitOfWork


def credit_policy(settings: dict[str, Any]) -> CreditPolicy:
    raw = settings.get("credit_policy", {})
    try:
        return CreditPolicy(
            refuse_overdue_after_days=raw.get("refuse_overdue_after_days", 60),
            hold_overdue_after_days=raw.get("hold_overdue_after_days"),
            hold_over_limit_tolerance=Decimal(str(raw.get("hold_over_limit_tolerance", "0"))),
        )
    except (AttributeError, ArithmeticError) as exc:
        raise ConfigurationError(f"setting credit_policy is not valid: {exc}") from None


def fx_rates(uow: UnitOfWork) -> dict[str, Decimal]:
    """Today's rates from the company setting ``fx_rates`` (one reader for all: see
    ``services.fx_rates.rates_as_of``, which also takes dated rate tables)."""
    return rates_as_of(uow, uow.today())


def convert(amount: Money, to: str, base: str, rates: dict[str, Decimal]) -> Money:
    """Through the base currency; rounded to the target's minor unit."""
    target = Currency.of(to)
    if amount.currency == target:
        return amount

    def rate(code: str) -> Decimal:
        if code == Currency.of(base).code:
            return Decimal(1)
        if code not in rates:
            raise InvalidInput(
                f"no exchange rate for {code} in setting fx_rates (units of {base} per {code})",
                currency=code,
            )
        return rates[code]

    return Money(amount.amount * rate(amount.currency.code) / rate(target.code), target).round()


def _exposure(uow: UnitOfWork, customer: Customer) -> tuple[Money, date | None]:
    by_currency, oldest_due = uow.collections.exposure(customer.id)
    rates = fx_rates(uow)
    total = Money.zero(customer.currency)
    for code, minor in sorted(by_currency.items()):
        total = total + convert(
            Money.from_minor(minor, code), customer.currency, uow.company.base_currency, rates
        )
    return total, oldest_due


# -- holds ----------------------------------------------------------------------------


def place_hold_in(
    uow: UnitOfWork, customer: Customer, source: str, reason: str, today: date
) -> int:
    """Put the customer on hold inside the caller's transaction (audited)."""
    hold_id = uow.collections.place_hold(
        customer.id,
        source=source,
        reason=reason,
        placed_on=today,
        placed_by=uow.actor.username,
        placed_at=uow.now(),
    )
    uow.collections.add_activities(
        [
            {
                "customer_id": customer.id,
                "kind": "hold",
                "on_date": today,
                "note": f"credit hold ({source}): {reason}",
                "outcome": "hold",
                "created_by": uow.actor.username,
                "created_at": uow.now(),
            }
        ]
    )
    uow.audit(
        "credit.hold",
        "customer",
        customer.external_id,
        before={"on_hold": False},
        after={"on_hold": True, "source": source, "reason": reason, "hold": hold_id},
    )
    return int(hold_id)


@dataclass(frozen=True)
class PlaceHold:
    customer: str
    reason: str


def place_hold(cmd: PlaceHold, uow: UnitOfWork) -> int:
    with uow:
        uow.require(Permission.MANAGE_CREDIT)
        if not cmd.reason.strip():
            raise InvalidInput("a credit hold needs a reason (--reason)")
        customer = customer_by_external(uow, cmd.customer)
        if customer.on_hold:
            raise RuleViolation(f"customer {customer.external_id} is already on credit hold")
        hold_id = place_hold_in(uow, customer, "manual", cmd.reason.strip(), uow.today())
        uow.commit()
        return int(hold_id)


@dataclass(frozen=True)
class ReleaseHold:
    customer: str
    reason: str = ""


def release_hold(cmd: ReleaseHold, uow: UnitOfWork) -> None:
    with uow:
        uow.require(Permission.APPROVE)
        customer = customer_by_external(uow, cmd.customer)
        hold = uow.collections.open_hold(customer.id)
        if hold is None and not customer.on_hold:
            raise RuleViolation(f"customer {customer.external_id} is not on credit hold")
        if hold is not None and hold["source"] == "manual":
            check_different_people(
                uow.actor,
                hold["placed_by"],
                "release a credit hold",
                "whoever placed a hold does not release it",
            )
        if hold is not None:
            uow.collections.release_hold(
                hold["id"],
                customer.id,
                released_by=uow.actor.username,
                released_at=uow.now(),
                release_reason=cmd.reason,
            )
        else:  # flagged on the customer without a hold record (e.g. imported)
            uow.collections.set_on_hold(customer.id, False)
        uow.collections.add_activities(
            [
                {
                    "customer_id": customer.id,
                    "kind": "hold_release",
                    "on_date": uow.today(),
                    "note": f"credit hold released: {cmd.reason or 'no reason given'}",
                    "outcome": "released",
                    "created_by": uow.actor.username,
                    "created_at": uow.now(),
                }
            ]
        )
        uow.audit(
            "credit.release",
            "customer",
            customer.external_id,
            before={
                "on_hold": True,
                "hold": hold["id"] if hold else None,
                "placed_by": hold["placed_by"] if hold else None,
            },
            after={"on_hold": False, "reason": cmd.reason},
        )
        uow.commit()


def auto_holds(uow: UnitOfWork, today: date, exclude: set[str]) -> list[str]:
    """Hold every customer whose open AR exceeds the credit limit (inside the caller's work)."""
    policy = credit_policy(uow.company.settings)
    limited = [
        c["id"]
        for c in uow.collections.dunning_customers()
        if c["credit_limit_minor"] is not None and not c["on_hold"]
    ]
    held = []
    for customer in uow.collections.customers_by_id(limited).values():
        if customer.external_id in exclude or customer.credit_limit is None:
            continue
        exposure, oldest = _exposure(uow, customer)
        days = (today - oldest).days if oldest is not None else None
        decision = should_hold(customer.credit_limit, exposure, days, (), policy)
        if decision.hold:
            place_hold_in(uow, customer, "limit", "; ".join(decision.reasons), today)
            held.append(customer.external_id)
    return held


# -- the credit check ----------------------------------------------------------------------


@dataclass(frozen=True)
class CheckCredit:
    customer: str
    amount: Decimal | str
    open_orders: Decimal | str = Decimal(0)
    currency: str | None = None  # of the order; default the customer's


@dataclass(frozen=True)
class CreditAnswer:
    customer: str
    decision: CreditDecision
    hold_placed: bool

    def as_dict(self) -> dict[str, Any]:
        d = self.decision
        return {
            "customer": self.customer,
            "allowed": d.allowed,
            "reasons": list(d.reasons),
            "exposure": str(d.exposure.amount),
            "currency": d.exposure.currency.code,
            "limit": str(d.limit.amount) if d.limit is not None else None,
            "headroom": str(d.headroom.amount) if d.headroom is not None else None,
            "hold_placed": self.hold_placed,
        }


def check_customer_credit(cmd: CheckCredit, uow: UnitOfWork) -> CreditAnswer:
    with uow:
        uow.require(Permission.READ)
        customer = customer_by_external(uow, cmd.customer)
        today = uow.today()
        rates = fx_rates(uow)
        base = uow.company.base_currency
        order_cur = cmd.currency or customer.currency
        order = convert(Money(cmd.amount, order_cur), customer.currency, base, rates)
        orders = convert(Money(cmd.open_orders, order_cur), customer.currency, base, rates)
        open_ar, oldest = _exposure(uow, customer)
        days = max((today - oldest).days, 0) if oldest is not None else None
        policy = credit_policy(uow.company.settings)
        on_hold = customer.on_hold
        placed = False
        if not on_hold and customer.credit_limit is not None:
            hold = should_hold(customer.credit_limit, open_ar, days, (), policy)
            if hold.hold:
                place_hold_in(uow, customer, "limit", "; ".join(hold.reasons), today)
                on_hold = placed = True
        decision = check_credit(
            customer.credit_limit, open_ar, orders, order, on_hold, days, policy
        )
        if placed:
            uow.commit()
        return CreditAnswer(customer.external_id, decision, placed)
