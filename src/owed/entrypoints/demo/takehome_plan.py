"""The take-home's one-page follow-up plan for the five most delinquent accounts.

The five are the top of the collections worklist (``get_worklist``'s ranking:
amount and days past due, risk, promises, disputes, contact). For each the
plan ties three things together: what is past due, what happened today (the
cash application's outcome for that customer), and the cash the forecast
expects from them in the next 14 days. The per-customer expectation runs the
same pure forecast (``owed.domain.reporting.forecast``) with the behaviour
model ``run_forecast`` fitted, on that customer's open items only, so the five
figures and the company total come from one model.

Each account gets a drafted email, rendered with the dunning templates (full
text in ``emails/``; the level its oldest item has reached, capped at the
first-contact level, see ``FIRST_CONTACT_LEVEL``), and call notes: whom to
call, what to ask, what to offer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from owed.adapters.mail.templates import DunningContext, DunningItem, render_dunning
from owed.domain.cash_application.model import OpenItem
from owed.domain.customers.model import ContactRole
from owed.domain.money import Money
from owed.domain.reporting import forecast as fc
from owed.services.collections import GetWorklist, get_worklist
from owed.services.customers import get_customer
from owed.services.dunning_selection import DEFAULT_POLICY
from owed.services.forecast import ForecastResult
from owed.services.unit_of_work import UnitOfWork

TOP = 5
# The take-home company has sent no reminder yet, and the templates of levels 3+
# say it has (and announce a hold or an agency): the draft is at most level 2,
# and the plan names the policy's level for the oldest item as the escalation.
FIRST_CONTACT_LEVEL = 2
PLAN_THRESHOLD_DAYS = 60  # oldest item this late, or ...
PLAN_THRESHOLD_AMOUNT = Decimal(20_000)  # ... this much past due: offer a payment plan


@dataclass(frozen=True)
class PlanAccount:
    rank: int
    customer: str
    name: str
    collector: str
    contact: str
    past_due: Decimal
    oldest_days: int
    oldest_item: str
    today: str
    expected_14_days: Decimal
    level: int  # the policy's level for the oldest item
    level_name: str
    drafted_level: int
    subject: str
    email_text: str
    ask: str
    offer: str


@dataclass(frozen=True)
class FollowUpPlan:
    as_of: date
    currency: str
    accounts: tuple[PlanAccount, ...]
    expected_total: Decimal  # the company's next 14 days (run_forecast's headline)

    @property
    def expected_from_five(self) -> Decimal:
        return sum((a.expected_14_days for a in self.accounts), Decimal("0.00"))

    @property
    def past_due_of_five(self) -> Decimal:
        return sum((a.past_due for a in self.accounts), Decimal("0.00"))


def build_plan(
    uow: Callable[[], UnitOfWork],
    as_of: date,
    company_name: str,
    forecast: ForecastResult,
    open_items: Sequence[OpenItem],
    today_notes: Mapping[str, list[str]],
    currency: str,
) -> FollowUpPlan:
    """The five top-ranked accounts of the worklist, with email, call notes and expectation."""
    entries = get_worklist(GetWorklist(), uow())
    entries.sort(
        key=lambda e: (-e.ranked.score.value, -e.ranked.account.past_due.amount, e.customer)
    )
    accounts = []
    for rank, entry in enumerate(entries[:TOP], start=1):
        customer = get_customer(uow(), entry.customer)
        items = sorted(
            (i for i in open_items if i.customer_id == customer.id),
            key=lambda i: (i.due_date, i.number),
        )
        overdue = [i for i in items if i.due_date < as_of]
        oldest = overdue[0] if overdue else items[0]
        days = (as_of - oldest.due_date).days
        level = max(
            (lv for lv in DEFAULT_POLICY.levels if lv.days_after_due <= days),
            key=lambda lv: lv.number,
        )
        contact = _contact(customer)
        email = render_dunning(
            customer.language or "en",
            min(level.number, FIRST_CONTACT_LEVEL),
            DunningContext(
                customer.name,
                company_name,
                [
                    DunningItem(
                        i.number,
                        i.due_date,
                        (as_of - i.due_date).days,
                        Money(i.open_amount, i.currency),
                    )
                    for i in overdue
                ],
                Money(sum((i.open_amount for i in overdue), Decimal(0)), currency),
                pay_by=as_of + timedelta(days=7),
                contact=f"{entry.collector}, accounts receivable",
            ),
        )
        expected = _expected(forecast, customer.id, items, as_of, currency)
        past_due = entry.ranked.account.past_due.amount
        notes = today_notes.get(entry.customer) or ["nothing received today"]
        accounts.append(
            PlanAccount(
                rank,
                entry.customer,
                customer.name,
                entry.collector,
                contact,
                past_due,
                days,
                oldest.number,
                "; ".join(notes),
                expected,
                level.number,
                level.name,
                min(level.number, FIRST_CONTACT_LEVEL),
                email.subject,
                email.text,
                _ask(oldest.number, days, overdue, notes),
                _offer(past_due, days, expected, as_of),
            )
        )
    total = forecast.next_14_days.get(currency)
    return FollowUpPlan(
        as_of, currency, tuple(accounts), total.amount if total else Decimal("0.00")
    )


def _contact(customer: object) -> str:
    contacts = getattr(customer, "contacts", ())
    for c in contacts:
        if c.role is ContactRole.AP and (c.email or c.phone):
            return ", ".join(filter(None, (c.name, c.phone, c.email)))
    email = getattr(customer, "email", None)
    return (
        f"accounts payable at {email} (no AP phone on file: ask for a direct line)"
        if email
        else "no AP contact on file: find one before calling"
    )


def _expected(
    forecast: ForecastResult,
    customer_id: int,
    items: Sequence[OpenItem],
    as_of: date,
    currency: str,
) -> Decimal:
    own = [
        fc.ForecastItem(str(customer_id), i.number, i.currency, i.open_amount, i.due_date)
        for i in items
    ]
    if not own:
        return Decimal("0.00")
    return fc.forecast(own, forecast.model, as_of, weeks=2).expected_in_days(14, currency).amount


def _ask(oldest: str, days: int, overdue: Sequence[OpenItem], notes: Sequence[str]) -> str:
    ask = f"a payment date for {oldest} ({days} days past due)"
    if len(overdue) > 1:
        ask += f" and the other {len(overdue) - 1} past-due invoice(s)"
    if any("short" in n for n in notes):
        ask += "; the backup for today's short payment"
    if any("twice" in n or "duplicate" in n for n in notes):
        ask += "; consent to apply today's duplicate payment to the past-due items"
    if any("not applied" in n for n in notes):
        ask += "; the remittance advice for today's unapplied payment"
    return ask


def _offer(past_due: Decimal, days: int, expected: Decimal, as_of: date) -> str:
    gap = past_due - expected
    if days >= PLAN_THRESHOLD_DAYS or past_due >= PLAN_THRESHOLD_AMOUNT:
        half = (past_due / 2).quantize(Decimal("0.01"))
        return (
            f"a payment plan: {half:,} by {as_of + timedelta(days=7)}, the rest by "
            f"{as_of + timedelta(days=21)}; record both as promises (owed promise add)"
        )
    if gap > 0:
        return (
            f"a promise to pay the {gap:,.2f} the forecast does not expect by "
            f"{as_of + timedelta(days=7)}; record it (owed promise add)"
        )
    return f"confirm the payment the forecast expects before {as_of + timedelta(days=14)}"


def render_plan(plan: FollowUpPlan) -> str:
    cur = plan.currency
    lines = [
        f"# Follow-up plan: five most delinquent accounts, {plan.as_of.isoformat()}",
        "",
        f"**Expected cash in the next 14 days: {plan.expected_total:,.2f} {cur}** company-wide; "
        f"{plan.expected_from_five:,.2f} of it from these five accounts, which are "
        f"{plan.past_due_of_five:,.2f} {cur} past due. Goal of the calls below: turn the "
        "rest into dated promises.",
        "",
    ]
    for a in plan.accounts:
        lines += [
            f"## {a.rank}. {a.name} ({a.customer}): {a.past_due:,.2f} past due, oldest "
            f"{a.oldest_days} days ({a.oldest_item})",
            f"- Today: {a.today}. Expected in 14 days: **{a.expected_14_days:,.2f} {cur}**. "
            f"Collector: {a.collector}.",
            f'- Email: "{a.subject}" (draft in `emails/{a.customer}.txt`, level '
            f"{a.drafted_level}; policy level for the oldest item: {a.level}, {a.level_name}: "
            "escalate if no promise).",
            f"- Call: {a.contact}. Ask: {a.ask}. Offer: {a.offer}.",
            "",
        ]
    return "\n".join(lines)
