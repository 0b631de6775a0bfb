"""Each rule with worked examples, read like a clerk's notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from owed.domain.cash_application import AdjustmentKind, Knowledge, MatchSettings, match_receipt
from owed.domain.payments.statement import Method, RemittanceLine
from tests.unit.cash_application.builders import allocations, context, item, receipt

D = Decimal
KNOWN = Knowledge(accounts={"DE89370400440532013000": 1})


def kinds(decision: object) -> list[tuple[str, Decimal, int | None]]:
    return [(a.kind.value, a.amount, a.item_id) for a in decision.adjustments]  # type: ignore[attr-defined]


# -- 1. structured remittance ------------------------------------------------


def test_structured_lines_apply_paid_amounts_with_discount_and_deduction() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "1000.00", discount="20.00", discount_date=date(2024, 3, 30)),
        item(11, 1, "INV-001044", "500.00"),
    )
    lines = (
        RemittanceLine("INV-001043", paid=D("980.00"), discount=D("20.00")),
        RemittanceLine("1044", paid=D("450.00"), adjustment=D("50.00"), reason_code="DAMAGED"),
    )
    decision = match_receipt(receipt("1430.00", lines=lines, payer="ACME CORP INTL"), ctx)
    assert decision.auto and decision.rule == "remittance"
    assert allocations(decision) == {10: D("980.00"), 11: D("450.00")}
    assert kinds(decision) == [("discount", D("20.00"), 10), ("deduction", D("50.00"), 11)]
    assert decision.adjustments[1].reason_code == "DAMAGED"


def test_structured_line_naming_nothing_is_not_applied_automatically() -> None:
    ctx = context(item(10, 1, "INV-001043", "1000.00"))
    lines = (RemittanceLine("INV-001043", paid=D("1000.00")), RemittanceLine("XYZ-1", paid=D("5")))
    decision = match_receipt(receipt("1005.00", lines=lines), ctx)
    assert not decision.auto and "XYZ-1" in decision.explanation


# -- 2. references in free text -------------------------------------------------


def test_several_invoices_quoted_in_one_line() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "100.00"),
        item(11, 1, "INV-001044", "200.00"),
        item(12, 1, "INV-001050", "300.00"),
    )
    decision = match_receipt(receipt("600.00", text="INV 1043/1044 and 1050"), ctx)
    assert decision.auto and decision.customer_id == 1
    assert allocations(decision) == {10: D("100.00"), 11: D("200.00"), 12: D("300.00")}
    assert "amount equals their open balance" in decision.explanation


def test_a_one_character_typo_is_read_within_the_payers_invoices() -> None:
    ctx = context(item(10, 1, "INV-104381", "750.00"), item(20, 2, "INV-104318", "99.00"))
    paid = receipt("750.00", text="Invoice 104318", account="DE89 3704 0044 0532 0130 00")
    decision = match_receipt(paid, ctx, KNOWN)
    assert decision.auto and allocations(decision) == {10: D("750.00")}
    assert "one character differs" in decision.explanation


def test_a_bare_number_that_neither_payer_nor_amount_confirms_is_only_suggested() -> None:
    ctx = context(item(10, 1, "INV-104381", "750.00"))
    decision = match_receipt(receipt("300.00", text="REFUND 104381", payer="J SMITH"), ctx)
    assert not decision.auto and decision.allocations == ()


def test_po_and_rf_references() -> None:
    ctx = context(
        item(10, 1, "INV-001043", "100.00", po="4500012345"),
        item(11, 2, "INV-001044", "200.00", rf="RF18539007547034"),
    )
    by_po = match_receipt(receipt("100.00", text="PO 4500012345"), ctx)
    by_rf = match_receipt(receipt("200.00", text="RF18 5390 0754 7034"), ctx)
    assert allocations(by_po) == {10: D("100.00")} and by_po.auto
    assert allocations(by_rf) == {11: D("200.00")} and by_rf.auto


# -- 3. customer identification -------------------------------------------------


def test_known_account_identifies_the_customer_and_parent_pays_for_child() -> None:
    ctx = context(item(30, 3, "INV-005000", "410.00"))
    paid = receipt("410.00", account="DE89370400440532013000", payer="ACME HQ")
    decision = match_receipt(paid, ctx, KNOWN)
    assert decision.auto and allocations(decision) == {30: D("410.00")}
    assert decision.customer_id == 3  # the child owns the invoice; the parent paid


def test_abbreviated_payer_name_identifies_the_customer() -> None:
    ctx = context(item(10, 1, "INV-001043", "321.00"), item(20, 2, "INV-002000", "321.00"))
    decision = match_receipt(receipt("321.00", payer="ACME CORP INTL"), ctx)
    assert decision.auto and allocations(decision) == {10: D("321.00")}
    assert "matches customer Acme Corporation International Ltd" in decision.explanation


def test_unknown_payer_without_references_stays_unapplied() -> None:
    ctx = context(item(10, 1, "INV-001043", "321.00"))
    decision = match_receipt(receipt("321.00", payer="SOMEONE ELSE"), ctx)
    assert not decision.auto and decision.customer_id is None
    assert decision.unapplied == D("321.00")


# -- 4. amount --------------------------------------------------------------------


def test_unique_combination_of_open_invoices() -> None:
    ctx = context(
        item(10, 1, "INV-001", "100.00", due=date(2024, 1, 31)),
        item(11, 1, "INV-002", "250.00", due=date(2024, 2, 29)),
        item(12, 1, "INV-003", "975.00", due=date(2024, 3, 31)),
    )
    decision = match_receipt(receipt("1075.00", account="DE89370400440532013000"), ctx, KNOWN)
    assert decision.auto and allocations(decision) == {10: D("100.00"), 12: D("975.00")}


def test_equal_open_amounts_become_suggestions_when_a_person_chooses() -> None:
    ctx = context(item(10, 1, "INV-001", "99.00"), item(11, 1, "INV-002", "99.00"))
    person_chooses = MatchSettings(oldest_first=False)
    decision = match_receipt(
        receipt("99.00", account="DE89370400440532013000"), ctx, KNOWN, person_chooses
    )
    assert not decision.auto and decision.allocations == ()
    assert decision.customer_id == 1  # known, so the cash can wait on account
    assert {s.allocations[0].item_id for s in decision.suggestions} == {10, 11}


# -- 5. differences ----------------------------------------------------------------


def test_discount_within_terms_and_grace() -> None:
    ctx = context(
        item(10, 1, "INV-1", "1000.00", discount="20.00", discount_date=date(2024, 3, 25))
    )
    decision = match_receipt(receipt("980.00", text="INV-1", paid_on=date(2024, 3, 28)), ctx)
    assert decision.auto and kinds(decision) == [("discount", D("20.00"), 10)]


def test_discount_taken_late_is_unearned() -> None:
    ctx = context(item(10, 1, "INV-1", "1000.00", discount="20.00", discount_date=date(2024, 3, 1)))
    decision = match_receipt(receipt("980.00", text="INV-1", paid_on=date(2024, 3, 28)), ctx)
    proposal = decision.suggestions[0] if decision.suggestions else decision
    assert [a.kind for a in proposal.adjustments] == [AdjustmentKind.DEDUCTION]
    assert proposal.adjustments[0].reason_code == "UNEARNED_DISCOUNT"


def test_short_pay_within_tolerance_is_written_off() -> None:
    ctx = context(item(10, 1, "INV-1", "1000.00"))
    decision = match_receipt(receipt("996.00", text="INV-1"), ctx)
    assert decision.auto and kinds(decision) == [("write_off", D("4.00"), 10)]


def test_short_pay_beyond_tolerance_opens_a_deduction_with_the_reason() -> None:
    ctx = context(item(10, 1, "INV-1", "1000.00"))
    paid = receipt(
        "900.00", text="INV-1 short paid damaged goods", account="DE89370400440532013000"
    )
    decision = match_receipt(paid, ctx, KNOWN)
    assert decision.auto and kinds(decision) == [("deduction", D("100.00"), 10)]
    assert decision.adjustments[0].reason_code == "DAMAGED"


def test_wire_fee_is_a_bank_fee() -> None:
    ctx = context(item(10, 1, "INV-1", "1000.00"))
    decision = match_receipt(receipt("975.00", text="INV-1", method=Method.WIRE), ctx)
    assert decision.auto and kinds(decision) == [("bank_fee", D("25.00"), 10)]


def test_small_overpayment_becomes_customer_credit() -> None:
    ctx = context(item(10, 1, "INV-1", "1000.00"))
    decision = match_receipt(receipt("1010.00", text="INV-1", payer="ACME CORP INTL"), ctx)
    assert decision.auto and kinds(decision) == [("customer_credit", D("10.00"), None)]
    assert decision.unapplied == 0
