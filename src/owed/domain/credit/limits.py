"""Credit checks on new orders, and when to put an account on hold.

Exposure is what the customer would owe if the new order shipped:
``open AR + open (unbilled) orders + the new order``, all in the limit's
currency (the service converts beforehand). ``check_credit`` collects every
reason to refuse rather than stopping at the first, so the order desk sees
the whole picture:

* the account is on credit hold;
* the exposure exceeds the credit limit (a limit of ``None`` means no limit
  has been set and is not checked; a limit of 0 means cash in advance);
* when ``CreditPolicy.refuse_overdue_after_days`` is set, an open item is
  overdue by more than that many days.

``should_hold`` decides whether an account should go on hold: a dunning
level with the ``hold`` action was reached, exposure exceeds the limit by
more than the policy's tolerance, or an item is overdue beyond the policy's
hold threshold. Both functions return values carrying their reasons; neither
changes anything (the service applies a hold and audits it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from owed.domain.collections.dunning_policy import DunningAction
from owed.domain.errors import InvalidInput
from owed.domain.money import Money


@dataclass(frozen=True)
class CreditPolicy:
    refuse_overdue_after_days: int | None = 60  # None: overdue items do not block orders
    hold_overdue_after_days: int | None = 90  # None: overdue items alone never cause a hold
    hold_over_limit_tolerance: Decimal = Decimal(0)  # 0.10: hold only beyond limit + 10 %


DEFAULT_POLICY = CreditPolicy()


@dataclass(frozen=True)
class CreditDecision:
    allowed: bool
    reasons: tuple[str, ...]
    exposure: Money
    limit: Money | None

    @property
    def headroom(self) -> Money | None:
        """Limit less exposure (negative when over); None without a limit."""
        return None if self.limit is None else self.limit - self.exposure


def exposure_of(open_ar: Money, open_orders: Money, order_amount: Money) -> Money:
    return open_ar + open_orders + order_amount


def check_credit(
    limit: Money | None,
    open_ar: Money,
    open_orders: Money,
    order_amount: Money,
    on_hold: bool,
    oldest_overdue_days: int | None = None,
    policy: CreditPolicy = DEFAULT_POLICY,
) -> CreditDecision:
    """May this order be accepted on credit? Every refusal reason is listed."""
    if order_amount.amount < 0:
        raise InvalidInput(f"an order amount must not be negative, got {order_amount}")
    exposure = exposure_of(open_ar, open_orders, order_amount)
    reasons: list[str] = []
    if on_hold:
        reasons.append("the account is on credit hold")
    if limit is not None and exposure > limit:
        reasons.append(
            f"exposure {exposure} (open AR {open_ar} + open orders {open_orders} + "
            f"this order {order_amount}) exceeds the credit limit {limit} by "
            f"{exposure - limit}"
        )
    days = policy.refuse_overdue_after_days
    if days is not None and oldest_overdue_days is not None and oldest_overdue_days > days:
        reasons.append(
            f"an item is {oldest_overdue_days} days overdue; orders are refused beyond {days} days"
        )
    return CreditDecision(not reasons, tuple(reasons), exposure, limit)


@dataclass(frozen=True)
class HoldDecision:
    hold: bool
    reasons: tuple[str, ...]


def should_hold(
    limit: Money | None,
    exposure: Money,
    oldest_overdue_days: int | None = None,
    dunning_actions: Iterable[DunningAction] = (),
    policy: CreditPolicy = DEFAULT_POLICY,
) -> HoldDecision:
    """Should the account go on credit hold? See the module docstring."""
    reasons: list[str] = []
    if DunningAction.HOLD in set(dunning_actions):
        reasons.append("a dunning level with a credit hold was reached")
    if limit is not None:
        ceiling = limit * (Decimal(1) + policy.hold_over_limit_tolerance)
        if exposure > ceiling:
            reasons.append(f"exposure {exposure} exceeds the credit limit {limit}")
    days = policy.hold_overdue_after_days
    if days is not None and oldest_overdue_days is not None and oldest_overdue_days > days:
        reasons.append(f"an item is {oldest_overdue_days} days overdue (hold beyond {days} days)")
    return HoldDecision(bool(reasons), tuple(reasons))
