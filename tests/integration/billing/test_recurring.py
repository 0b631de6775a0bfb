"""Recurring billing: a mid-month upgrade prorated by the run; runs are idempotent."""

from __future__ import annotations

from datetime import date

from owed.domain.money import Money
from owed.services import billing as svc
from owed.services import recurring
from tests.integration.billing.conftest import add_customer, ar_by_customer, entry_lines


def test_mid_month_upgrade_is_prorated_in_the_next_run_and_runs_are_idempotent(env):
    add_customer(env, "C1")
    sub = recurring.create_subscription(
        recurring.CreateSubscription("C1", "Seats", date(2026, 1, 1), "10", "10.00"),
        env.uow("clara"),
    )
    assert recurring.run_billing(recurring.RunBilling("2026-01"), env.uow("clara")).invoices == [
        "INV-000001"
    ]
    first = recurring.run_billing(recurring.RunBilling("2026-02"), env.uow("clara"))
    assert first.invoices == ["INV-000002"]
    # Upgrade to 15 seats from 15 February (14 of February's 28 days remain).
    recurring.change_subscription(
        recurring.ChangeSubscription(sub, date(2026, 2, 15), "15"), env.uow("clara")
    )
    recurring.record_usage(
        recurring.RecordUsage(sub, date(2026, 2, 20), "3", "2.50", "Support hours"),
        env.uow("clara"),
    )

    march = recurring.run_billing(recurring.RunBilling("2026-03"), env.uow("clara"))

    doc = svc.get_document(env.uow(), march.invoices[0])
    amounts = [(ln.draft.description.split(" (")[0], ln.net.amount) for ln in doc.lines]
    # March in advance 15 × 10.00; February upgrade 5 × 10.00 × 14/28; usage 3 × 2.50
    assert [a for _, a in amounts] == [
        Money("150.00", "USD").amount,
        Money("25.00", "USD").amount,
        Money("7.50", "USD").amount,
    ]
    assert amounts[1][0].startswith("Upgrade from 2026-02-15")
    assert doc.total == Money("182.50", "USD")
    assert doc.issue_date == date(2026, 3, 1)
    assert entry_lines(env, "document", doc.id) == [
        [["1200", "182.50", True], ["4000", "-182.50", False]]
    ]
    again = recurring.run_billing(recurring.RunBilling("2026-03"), env.uow("clara"))
    assert (again.invoices, again.already_billed) == ([], 1)
    assert len(svc.list_documents(env.uow())) == 3
    total_ar = sum((m for m in ar_by_customer(env).values()), Money.zero("USD"))
    assert total_ar == Money("382.50", "USD")
