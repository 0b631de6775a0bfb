"""Worked examples for the rules that use the payment date, misread references and
abbreviated payer names (issue #4: more receipts applied automatically, still right).

Each test gives a receipt, the open items, the expected proposal, a phrase of its
explanation and the confidence band; each can fail if its rule is removed or loosened.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from owed.domain.cash_application import (
    AdjustmentKind,
    CustomerInfo,
    Knowledge,
    MatchContext,
    MatchSettings,
    match_receipt,
)
from owed.domain.cash_application.names import abbreviates, similarity
from owed.domain.payments.statement import RemittanceLine
from tests.unit.cash_application.builders import allocations, context, item, receipt

D = Decimal
KNOWN = Knowledge(accounts={"ACCT1": 1})
LATE = date(2024, 6, 30)  # due three months after the payment of 2024-03-28


# -- several items of the same amount, a person choosing: the payment date chooses --

PERSON_CHOOSES = MatchSettings(oldest_first=False)  # else the oldest is settled (test_oldest)


def test_of_two_equal_invoices_the_one_falling_due_near_the_payment_is_applied() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "500.00"), item(11, 1, "INV-001044", "500.00", due=LATE)
    )
    decision = match_receipt(
        receipt("500.00", account="ACCT1", text="PAYMENT"), ctx, KNOWN, PERSON_CHOOSES
    )
    assert decision.auto
    assert allocations(decision) == {10: D("500.00")}
    assert "only INV-001043 falls due within 15 days of the payment" in decision.explanation
    assert 0.90 <= decision.confidence < 0.95  # account 0.97 - amount 0.03 - timing 0.02


def test_equal_invoices_both_due_near_the_payment_stay_a_choice_for_a_person() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "500.00"),
        item(11, 1, "INV-001044", "500.00", due=date(2024, 4, 5)),
    )
    decision = match_receipt(
        receipt("500.00", account="ACCT1", text="PAYMENT"), ctx, KNOWN, PERSON_CHOOSES
    )
    assert not decision.auto
    assert len(decision.suggestions) == 2


def test_a_combination_among_the_invoices_due_by_the_payment_is_applied() -> None:
    # eight open items make any two-to-five of them summing to 30.00 possibly chance,
    # but only two fall due by the payment's window, and they add up to it
    later = [item(20 + n, 1, f"INV-00200{n}", f"{1000 + 37 * n}.00", due=LATE) for n in range(6)]
    ctx = context(
        item(10, 1, "INV-001043", "12.00"),
        item(11, 1, "INV-001044", "18.00", due=date(2024, 4, 5)),
        *later,
    )
    decision = match_receipt(receipt("30.00", account="ACCT1"), ctx, KNOWN)
    assert decision.auto
    assert allocations(decision) == {10: D("12.00"), 11: D("18.00")}
    assert "among the invoices due by 2024-04-12" in decision.explanation
    assert decision.confidence == 0.90  # 0.97 - 0.05 (combination) - 0.02 (timing)


# -- a short pay without remittance ---------------------------------------------


def test_a_payment_short_of_the_only_invoice_due_near_it_opens_a_deduction() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "1000.00"), item(11, 1, "INV-001044", "5000.00", due=LATE)
    )
    decision = match_receipt(receipt("850.00", account="ACCT1", text="PAYMENT"), ctx, KNOWN)
    assert decision.auto
    assert allocations(decision) == {10: D("850.00")}
    (deduction,) = decision.adjustments
    assert deduction.kind is AdjustmentKind.DEDUCTION and deduction.amount == D("150.00")
    assert deduction.item_id == 10
    assert "the only invoice falling due within 15 days" in decision.explanation
    assert decision.confidence == 0.90  # 0.97 - 0.04 (short pay) - 0.03 (no reason)


def test_a_short_payment_of_a_customer_with_many_open_invoices_stays_manual() -> None:
    many = [item(20 + n, 1, f"INV-00200{n:02d}", f"{3000 + n}.00", due=LATE) for n in range(12)]
    ctx = context(item(10, 1, "INV-001043", "1000.00"), *many)
    decision = match_receipt(receipt("850.00", account="ACCT1", text="PAYMENT"), ctx, KNOWN)
    assert not decision.auto


def test_a_payment_short_by_more_than_the_deduction_limit_stays_manual() -> None:
    ctx = context(item(10, 1, "INV-001043", "1000.00"))
    decision = match_receipt(receipt("400.00", account="ACCT1", text="PAYMENT"), ctx, KNOWN)
    assert not decision.auto


# -- references that are misread ------------------------------------------------


def _line(reference: str, paid: str) -> tuple[RemittanceLine, ...]:
    return (RemittanceLine(reference=reference, paid=D(paid), invoice_amount=D(paid)),)


def test_a_structured_typo_that_names_another_customers_invoice_is_read_as_the_payers() -> None:
    ctx = context(item(10, 1, "INV-001043", "100.00"), item(20, 2, "INV-001034", "999.00"))
    paying = receipt("100.00", account="ACCT1", lines=_line("INV-001034", "100.00"))
    decision = match_receipt(paying, ctx, KNOWN)
    assert decision.auto
    assert allocations(decision) == {10: D("100.00")}
    assert "names another customer's invoice" in decision.explanation
    assert decision.confidence >= 0.93


def test_the_other_customers_invoice_stays_when_the_payers_amount_does_not_agree() -> None:
    ctx = context(item(10, 1, "INV-001043", "100.00"), item(20, 2, "INV-001034", "999.00"))
    paying = receipt("50.00", account="ACCT1", lines=_line("INV-001034", "50.00"))
    decision = match_receipt(paying, ctx, KNOWN)
    assert not decision.auto
    assert "names another customer's invoice" not in decision.explanation


def test_a_remittance_number_with_a_garbled_prefix_is_read_when_the_amount_agrees() -> None:
    ctx = context(item(10, 1, "INV-001043", "100.00"), item(11, 1, "INV-001044", "100.00"))
    decision = match_receipt(
        receipt("100.00", account="ACCT1", lines=_line("INVV001043", "100.00")), ctx, KNOWN
    )
    assert decision.auto
    assert allocations(decision) == {10: D("100.00")}
    assert decision.confidence >= 0.93


def test_an_unlearned_quoting_pattern_is_read_for_a_known_payer() -> None:
    ctx = context(item(10, 1, "INV-104214", "100.00"), item(11, 1, "INV-104215", "100.00"))
    decision = match_receipt(
        receipt("100.00", account="ACCT1", text="PMT FOR V27207104214"), ctx, KNOWN
    )
    assert decision.auto
    assert allocations(decision) == {10: D("100.00")}
    assert "ends with the number of INV-104214" in decision.explanation
    assert 0.90 <= decision.confidence <= 0.92


def test_an_unlearned_quoting_pattern_needs_a_known_payer() -> None:
    ctx = context(item(10, 1, "INV-104214", "100.00"), item(11, 1, "INV-104215", "100.00"))
    decision = match_receipt(receipt("100.00", text="PMT FOR V27207104214"), ctx)
    assert not decision.auto


# -- payer names ------------------------------------------------------------------


def test_abbreviations_keep_the_first_letter_and_the_order_of_the_letters() -> None:
    assert abbreviates("MATLS", "MATERIALS") and abbreviates("WHSL", "WHOLESALE")
    assert abbreviates("PHARMA", "PHARMACEUTICALS") and abbreviates("CONS", "CONSOLIDATED")
    assert not abbreviates("MAT", "MOTORS")  # no A in MOTORS
    assert not abbreviates("ST", "STEEL")  # too short to tell
    assert not abbreviates("XMATLS", "MATERIALS")


def test_a_payer_name_abbreviated_word_for_word_names_the_customer() -> None:
    assert (
        similarity("COPPER CONS PHARMA HLDGS", "Copper Consolidated Pharmaceuticals Holdings Inc")
        == 0.96
    )
    assert similarity("COPPER CONS PHARMA", "Copper Construction Machines Inc") < 0.88


def test_an_abbreviated_payer_name_with_an_exact_amount_is_applied() -> None:
    customers = (
        CustomerInfo(1, "Solar Materials Wholesale Inc"),
        CustomerInfo(2, "Globex Trading GmbH"),
    )
    ctx = MatchContext.build([item(10, 1, "INV-001043", "250.00")], customers)
    decision = match_receipt(receipt("250.00", payer="SOLAR MATLS WHSL"), ctx)
    assert decision.auto and allocations(decision) == {10: D("250.00")}
    assert "SOLAR MATLS WHSL" in decision.explanation


def test_a_payer_name_resembling_two_companies_still_confirms_their_quoted_invoice() -> None:
    customers = (
        CustomerInfo(1, "Quartz Strategic Metals Inc"),
        CustomerInfo(2, "Quartz Strategic Mining Inc"),
    )
    ctx = MatchContext.build([item(10, 1, "INV-001043", "1000.00")], customers)
    short = receipt("900.00", payer="QUARTZ STRATEGIC", text="INV-001043 SHORT PAID FREIGHT")
    decision = match_receipt(short, ctx)
    assert decision.auto
    assert allocations(decision) == {10: D("900.00")}
    assert "the quoted invoices are that payer's" in decision.explanation
    assert decision.adjustments[0].kind is AdjustmentKind.DEDUCTION


def test_a_quoted_invoice_of_a_company_the_payer_does_not_resemble_stays_capped() -> None:
    customers = (
        CustomerInfo(1, "Quartz Strategic Metals Inc"),
        CustomerInfo(2, "Quartz Strategic Mining Inc"),
        CustomerInfo(3, "Globex Trading GmbH"),
    )
    ctx = MatchContext.build([item(10, 3, "INV-001043", "1000.00")], customers)
    short = receipt("900.00", payer="QUARTZ STRATEGIC", text="INV-001043 SHORT PAID FREIGHT")
    decision = match_receipt(short, ctx)
    assert not decision.auto
