"""Cash application on a real database: import, match, apply, unapply, learn, conserve."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from owed.adapters.db.schema import journal_entries
from owed.adapters.db.schema_cash import applications, receipts
from owed.domain.errors import InvalidInput, NotPermitted, OverApplication
from owed.domain.payments.statement import (
    Direction,
    Method,
    ParsedFile,
    RemittanceLine,
    Statement,
    StatementLine,
)
from owed.services import ledger as ledger_svc
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from owed.services.cash_reading import export_applications, list_exceptions
from owed.services.cash_settings import ConfigureCashApplication, configure_cash_application
from owed.services.cash_unapply import UnapplyReceipt, unapply_receipt
from owed.services.payments import ImportBankFile, import_bank_file
from tests.builders import add_customer, add_invoice, open_amount


def line(
    amount: str,
    *,
    ref: str,
    text: str = "",
    payer: str | None = None,
    account: str | None = None,
    remittance=(),
    day: date = date(2026, 3, 10),
    direction=Direction.CREDIT,
    reversal: bool = False,
) -> StatementLine:
    return StatementLine(
        amount=Decimal(amount),
        currency="USD",
        direction=direction,
        value_date=day,
        bank_reference=ref,
        method=Method.ACH,
        payer_name=payer,
        payer_account=account,
        remittance_text=text,
        remittance=tuple(remittance),
        is_reversal=reversal,
        source_position=f"test {ref}",
    )


def bank_file(*lines: StatementLine, fmt: str = "csv") -> ParsedFile:
    return ParsedFile(fmt, (Statement("111222333", "USD", tuple(lines)),))


def import_lines(env, *lines: StatementLine, name: str = "bank.csv", digest: str | None = None):
    parsed = bank_file(*lines)
    return import_bank_file(ImportBankFile(parsed, name, digest or f"sha-{name}"), env.uow())


def run(env, user: str = "admin"):
    return run_cash_application(RunCashApplication(), env.uow(user), keep_decisions=True)


def conservation_holds(env) -> None:
    """allocations + credits + unapplied == receipt, for every receipt; ledger balances."""
    uow = env.uow()
    with uow:
        rows = uow.conn.execute(
            select(
                receipts.c.id, receipts.c.amount_minor, receipts.c.unapplied_minor, receipts.c.kind
            ).where(receipts.c.company_id == uow.company.id)
        ).all()
        for r in rows:
            applied = uow.conn.execute(
                select(func.coalesce(func.sum(applications.c.amount_minor), 0)).where(
                    applications.c.receipt_id == r.id, applications.c.reversed_on.is_(None)
                )
            ).scalar_one()
            if r.kind == "receipt":
                assert applied + r.unapplied_minor == r.amount_minor, r
    tb = ledger_svc.trial_balance(env.uow())
    assert tb.balanced
    for _cur, (sub, control) in ledger_svc.subledger_vs_control(env.uow()).items():
        assert sub == control


def test_remittance_applies_automatically_with_explanation(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "1043.50")
    import_lines(env, line("1043.50", ref="B1", payer="ACME CORP", text=f"PAYMENT {inv.number}"))
    result = run(env)
    assert result.auto_applied == 1
    assert open_amount(env, inv.number) == Decimal("0.00")
    decision = result.decisions[0]
    assert inv.number in decision.explanation
    conservation_holds(env)


def test_same_file_twice_and_same_transaction_in_another_file_create_nothing(env):
    acme = add_customer(env, "Acme Corporation")
    add_invoice(env, acme, "100.00")
    first = import_lines(
        env, line("100.00", ref="TX1"), line("55.00", ref="TX2"), name="intraday.csv"
    )
    again = import_lines(
        env, line("100.00", ref="TX1"), line("55.00", ref="TX2"), name="intraday.csv"
    )
    eod = import_lines(
        env,
        line("100.00", ref="TX1"),
        line("55.00", ref="TX2"),
        line("70.00", ref="TX3"),
        name="eod.csv",
    )
    assert first.receipts_created == 2
    assert again.already_imported and again.receipts_created == 0
    assert eod.receipts_created == 1 and eod.duplicates == 2
    uow = env.uow()
    with uow:
        count = uow.conn.execute(
            select(func.count())
            .select_from(receipts)
            .where(receipts.c.company_id == uow.company.id)
        ).scalar_one()
    assert count == 3
    conservation_holds(env)


def test_debits_are_skipped_and_returns_are_queued(env):
    result = import_lines(
        env,
        line("12.00", ref="FEE", direction=Direction.DEBIT),
        line("500.00", ref="RET", direction=Direction.DEBIT, reversal=True),
    )
    assert result.skipped_debits == 1 and result.returns_created == 1
    items = list_exceptions(env.uow())
    assert [e.kind for e in items] == ["return"]
    conservation_holds(env)


def test_unknown_payer_is_never_applied_and_is_listed_with_its_age(env):
    acme = add_customer(env, "Acme Corporation")
    add_invoice(env, acme, "250.00")
    import_lines(
        env,
        line(
            "250.00",
            ref="X9",
            payer="SOMEONE ELSE ENTIRELY",
            text="THANK YOU",
            day=date(2026, 3, 2),
        ),
    )
    result = run(env)
    assert result.auto_applied == 0
    (item,) = list_exceptions(env.uow())
    assert item.business_days_open == 9  # 2026-03-02 (Mon) to 2026-03-13 (Fri): today is 03-15
    assert item.over_sla
    conservation_holds(env)


def test_manual_apply_teaches_the_payer_account(env):
    globex = add_customer(env, "Globex Industries")
    inv1 = add_invoice(env, globex, "800.00")
    inv2 = add_invoice(env, globex, "640.00")
    import_lines(
        env,
        line("800.00", ref="G1", payer="GBX LLC", account="DE89370400440532013000", text="MARCH"),
        name="a.csv",
    )
    assert run(env).auto_applied == 0
    rid = list_exceptions(env.uow())[0].receipt_id
    apply_receipt(ApplyReceipt(rid, (Target(inv1.number),)), env.uow())
    assert open_amount(env, inv1.number) == 0
    # the same payer account pays the other invoice: now it applies itself
    import_lines(
        env,
        line("640.00", ref="G2", payer="GBX LLC", account="DE89370400440532013000", text="APRIL"),
        name="b.csv",
    )
    assert run(env).auto_applied == 1
    assert open_amount(env, inv2.number) == 0
    conservation_holds(env)


def test_unapply_reopens_the_invoice_and_returns_the_cash(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "300.00")
    import_lines(env, line("300.00", ref="U1", text=inv.number))
    run(env)
    rid = list_exceptions(env.uow()) or None
    assert rid is None  # fully applied: nothing in the queue
    uow = env.uow()
    with uow:
        receipt_id = uow.conn.execute(
            select(receipts.c.id).where(receipts.c.company_id == uow.company.id)
        ).scalar_one()
    unapply_receipt(UnapplyReceipt(receipt_id, reason="wrong customer"), env.uow())
    assert open_amount(env, inv.number) == Decimal("300.00")
    assert [e.receipt_id for e in list_exceptions(env.uow())] == [receipt_id]
    conservation_holds(env)


def test_over_application_is_refused_and_changes_nothing(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "100.00")
    import_lines(env, line("150.00", ref="O1", text="no reference"))
    run(env)
    rid = list_exceptions(env.uow())[0].receipt_id
    uow = env.uow()
    with uow:
        before = uow.conn.execute(
            select(func.count())
            .select_from(journal_entries)
            .where(journal_entries.c.company_id == uow.company.id)
        ).scalar_one()
    with pytest.raises(OverApplication):
        apply_receipt(ApplyReceipt(rid, (Target(inv.number, Decimal("150.00")),)), env.uow())
    with uow:
        after = uow.conn.execute(
            select(func.count())
            .select_from(journal_entries)
            .where(journal_entries.c.company_id == uow.company.id)
        ).scalar_one()
    assert after == before
    assert open_amount(env, inv.number) == Decimal("100.00")


def test_overpayment_is_kept_as_customer_credit(env):
    acme = add_customer(env, "Acme Corporation")
    inv = add_invoice(env, acme, "100.00")
    import_lines(env, line("130.00", ref="P1", text="no reference"))
    run(env)
    rid = list_exceptions(env.uow())[0].receipt_id
    apply_receipt(
        ApplyReceipt(rid, (Target(inv.number),), keep_remainder_as_credit=True), env.uow()
    )
    assert list_exceptions(env.uow()) == []
    rows = export_applications(env.uow())
    assert {r["rule"] for r in rows} == {"manual", "customer_credit"}
    conservation_holds(env)


def test_an_analyst_cannot_apply_cash(env):
    env.add_user("ann", "analyst")
    with pytest.raises(NotPermitted):
        run(env, "ann")


def test_structured_remittance_with_discount_and_deduction(env):
    acme = add_customer(env, "Acme Corporation")
    inv1 = add_invoice(
        env, acme, "1000.00", discount="20.00", discount_days=10, issue_date=date(2026, 3, 1)
    )
    inv2 = add_invoice(env, acme, "500.00", issue_date=date(2026, 3, 1))
    remittance = (
        RemittanceLine(inv1.number, paid=Decimal("980.00"), discount=Decimal("20.00")),
        RemittanceLine(
            inv2.number, paid=Decimal("400.00"), adjustment=Decimal("100.00"), reason_code="DAMAGED"
        ),
    )
    import_lines(
        env,
        line(
            "1380.00",
            ref="S1",
            payer="ACME CORPORATION",
            remittance=remittance,
            day=date(2026, 3, 9),
        ),
    )
    result = run(env)
    assert result.auto_applied == 1, result.decisions[0].explanation
    assert open_amount(env, inv1.number) == 0 and open_amount(env, inv2.number) == 0
    tb = {(r.account.code): r for r in ledger_svc.trial_balance(env.uow()).rows}
    assert tb["4900"].debit.amount == Decimal("20.00")  # sales discount
    assert tb["1250"].debit.amount == Decimal("100.00")  # deduction to clear
    rows = export_applications(env.uow())
    assert [(r["invoice_number"], r["amount"], r["status"]) for r in rows] == [
        (inv1.number, "980.00", "auto"),
        (inv2.number, "400.00", "auto"),
    ]
    conservation_holds(env)


def test_a_receipt_dated_in_a_closed_period_is_booked_today(env):
    from owed.services.ledger import ClosePeriod, close_period

    close_period(ClosePeriod("2026-02"), env.uow())
    import_lines(env, line("75.00", ref="LATE1", day=date(2026, 2, 27)))
    tb_feb = ledger_svc.trial_balance(env.uow(), as_of=date(2026, 2, 28))
    assert tb_feb.rows == []  # nothing landed in the closed month
    tb_now = {r.account.code: r for r in ledger_svc.trial_balance(env.uow()).rows}
    assert tb_now["1000"].debit.amount == Decimal("75.00")
    conservation_holds(env)


def test_a_subscription_payment_settles_the_oldest_unless_an_earlier_one_awaits(env):
    hooli = add_customer(env, "Hooli Streaming")
    issued = (date(2026, 2, 1), date(2026, 3, 1), date(2026, 3, 5), date(2026, 3, 8))
    march, april, _may, june = (add_invoice(env, hooli, "49.00", issue_date=d) for d in issued)
    account = "DE89370400440532013000"
    import_lines(env, line("49.00", ref="S0", payer="HOOLI", account=account, text="MARCH"))
    assert run(env).auto_applied == 0  # the payer account is not known yet
    rid = list_exceptions(env.uow())[0].receipt_id
    apply_receipt(ApplyReceipt(rid, (Target(march.number),)), env.uow())
    # 13.00 that fits nothing waits for a person, then a subscription payment arrives:
    # which invoice is the oldest still unpaid depends on what the 13.00 pays
    import_lines(env, line("13.00", ref="S1", account=account), name="b.csv")
    import_lines(env, line("49.00", ref="S2", account=account), name="c.csv")
    result = run(env)
    assert result.auto_applied == 0
    assert "of the same customer awaits review" in result.decisions[1].explanation
    # a person applies the 13.00 to June; the next run settles April, the oldest
    odd = result.decisions[0].receipt_id
    apply_receipt(ApplyReceipt(odd, (Target(june.number),)), env.uow())
    second = run(env)
    assert second.auto_applied == 1 and open_amount(env, april.number) == 0
    assert "the payment settles the one due first" in second.decisions[0].explanation
    conservation_holds(env)


def test_the_oldest_first_policy_can_be_turned_off_is_checked_and_audited(env):
    hooli = add_customer(env, "Hooli Streaming")
    add_invoice(env, hooli, "49.00", issue_date=date(2026, 2, 10))
    add_invoice(env, hooli, "49.00", issue_date=date(2026, 2, 15))
    import_lines(env, line("49.00", ref="S1", payer="Hooli Streaming"))
    policy = configure_cash_application(ConfigureCashApplication({"oldest_first": "no"}), env.uow())
    assert policy.oldest_first is False
    assert run(env).auto_applied == 0
    with pytest.raises(InvalidInput, match="must be true or false"):
        configure_cash_application(ConfigureCashApplication({"oldest_first": "perhaps"}), env.uow())
    with pytest.raises(NotPermitted):
        configure_cash_application(
            ConfigureCashApplication({}, reset=("oldest_first",)), env.uow("clerk")
        )
    configure_cash_application(ConfigureCashApplication({}, reset=("oldest_first",)), env.uow())
    assert run(env).auto_applied == 1
    uow = env.uow()
    with uow:
        changes = [r for r in uow.audit_log.records() if r.action == "cashapp.configure"]
    assert [(json.loads(c.before), json.loads(c.after)) for c in changes] == [
        ({}, {"oldest_first": False}),
        ({"oldest_first": False}, {}),
    ]
