"""Learning from a correction: the next similar receipt applies itself."""

from __future__ import annotations

from decimal import Decimal

from owed.domain.cash_application import (
    Knowledge,
    ReferencePattern,
    learn_from_correction,
    match_receipt,
)
from owed.domain.cash_application.learning import reference_patterns
from tests.unit.cash_application.builders import allocations, context, item, receipt

D = Decimal


def test_a_vendor_prefixed_number_becomes_a_pattern() -> None:
    paid = receipt("10.00", text="PAYMENT V10233012345")
    invoice = item(1, 1, "INV-012345", "10.00")
    assert reference_patterns(paid, [invoice]) == [ReferencePattern("V10233", "")]
    assert reference_patterns(receipt("10.00", text="INV 12345"), [invoice]) == []


def test_after_one_correction_a_similar_receipt_is_applied_automatically() -> None:
    first_invoice = item(10, 4, "INV-012345", "640.00")
    second_invoice = item(11, 4, "INV-012399", "640.00")
    ctx = context(first_invoice, second_invoice, item(12, 4, "INV-012400", "75.00"))
    first = receipt(
        "640.00",
        receipt_id=1,
        text="V10233012345",
        payer="IT SUPPLY PMTS",
        account="NL91ABNA0417164300",
    )
    second = receipt(
        "640.00",
        receipt_id=2,
        text="V10233012399",
        payer="IT SUPPLY PMTS",
        account="NL91ABNA0417164300",
    )

    before = match_receipt(first, ctx, Knowledge())
    assert not before.auto  # nobody knows this payer, and the number reads as nothing

    learned = learn_from_correction(Knowledge(), first, [first_invoice], customer_id=4)
    assert learned.accounts == {"NL91ABNA0417164300": 4}
    assert learned.patterns[4] == (ReferencePattern("V10233", ""),)

    after = match_receipt(second, ctx, learned)
    assert after.auto and allocations(after) == {11: D("640.00")}
    assert "known for Initech Supply LLC" in after.explanation


def test_learning_returns_new_knowledge_and_keeps_the_old() -> None:
    old = Knowledge()
    new = learn_from_correction(old, receipt("1.00", payer="ACME CORP INTL"), [], 1)
    assert old.payer_names == {} and new.payer_names == {"ACME INTL": 1}
