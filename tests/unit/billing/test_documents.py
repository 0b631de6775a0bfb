"""Documents: line amounts, totals, the status machine, credit memos, PO and numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from owed.domain.billing.documents import (
    DocumentAction,
    DocumentKind,
    DocumentStatus,
    DraftLine,
    check_credit_memo,
    check_po,
    compute_totals,
    credit_memo_lines_for,
    format_number,
    status_for,
    transition,
)
from owed.domain.billing.tax import TaxCode, TaxRounding
from owed.domain.errors import InvalidInput, InvalidTransition, OverApplication, RuleViolation
from owed.domain.money import Money

VAT19 = TaxCode("DE19", Decimal(19))
VAT7 = TaxCode("DE7", Decimal(7))


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def line(qty: str, price: str, code: str | None = "DE19", discount: str = "0") -> DraftLine:
    return DraftLine(f"item {price}", Decimal(qty), eur(price), Decimal(discount), code, "4000")


class TestLinesAndTotals:
    def test_line_amount_applies_discount_and_rounds_half_up(self) -> None:
        assert line("3", "9.99").amount == eur("29.97")
        assert line("1", "10.00", discount="12.5").amount == eur("8.75")
        assert line("0.3335", "10.00").amount == eur("3.34")  # 3.335 → 3.34
        assert line("1", "0.05", discount="50").amount == eur("0.03")  # 0.025 → 0.03

    def test_line_discount_outside_zero_to_hundred_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="discount 101 %"):
            line("1", "1.00", discount="101")

    def test_line_refuses_float_quantity(self) -> None:
        with pytest.raises(TypeError, match="float"):
            DraftLine("x", 1.5, eur("1.00"))  # type: ignore[arg-type]

    def test_compute_totals_with_two_rates(self) -> None:
        totals = compute_totals(
            [line("2", "50.00"), line("1", "10.00", "DE7"), line("1", "5.00", None)],
            [VAT19, VAT7],
            prices_include_tax=False,
            rounding=TaxRounding.PER_DOCUMENT,
        )
        assert (totals.net, totals.tax, totals.gross) == (
            eur("115.00"),
            eur("19.70"),
            eur("134.70"),
        )
        assert [(s.code, s.base, s.tax) for s in totals.taxes] == [
            ("DE19", eur("100.00"), eur("19.00")),
            ("DE7", eur("10.00"), eur("0.70")),
        ]


class TestStatus:
    def test_status_for(self) -> None:
        assert status_for(eur("100.00"), eur("100.00")) is DocumentStatus.ISSUED
        assert status_for(eur("100.00"), eur("0.01")) is DocumentStatus.PARTIALLY_PAID
        assert status_for(eur("100.00"), eur("0")) is DocumentStatus.PAID
        with pytest.raises(OverApplication):
            status_for(eur("100.00"), eur("-0.01"))
        with pytest.raises(RuleViolation, match="exceeds the document total"):
            status_for(eur("100.00"), eur("100.01"))

    def test_full_life_of_an_invoice(self) -> None:
        status = transition(DocumentStatus.DRAFT, DocumentAction.ISSUE, eur("0"), eur("100"))
        assert status is DocumentStatus.ISSUED
        status = transition(status, DocumentAction.APPLY, eur("40"), eur("60"))
        assert status is DocumentStatus.PARTIALLY_PAID
        status = transition(status, DocumentAction.APPLY, eur("100"), eur("0"))
        assert status is DocumentStatus.PAID
        status = transition(status, DocumentAction.UNAPPLY, eur("40"), eur("60"))
        assert status is DocumentStatus.PARTIALLY_PAID
        status = transition(status, DocumentAction.UNAPPLY, eur("0"), eur("100"))
        assert status is DocumentStatus.ISSUED
        assert (
            transition(status, DocumentAction.VOID, eur("0"), eur("100")) is DocumentStatus.VOIDED
        )

    def test_void_a_draft(self) -> None:
        assert (
            transition(DocumentStatus.DRAFT, DocumentAction.VOID, eur("0"), eur("0"))
            is DocumentStatus.VOIDED
        )

    @pytest.mark.parametrize(
        ("status", "action", "applied", "open_amount", "reason"),
        [
            (DocumentStatus.ISSUED, DocumentAction.ISSUE, "0", "100", "only a draft"),
            (DocumentStatus.ISSUED, DocumentAction.VOID, "0.01", "99.99", "0.01 EUR has been"),
            (DocumentStatus.PARTIALLY_PAID, DocumentAction.VOID, "40", "60", "credit memo"),
            (DocumentStatus.PAID, DocumentAction.VOID, "100", "0", "has been applied"),
            (DocumentStatus.VOIDED, DocumentAction.VOID, "0", "100", "only a draft or an issued"),
            (DocumentStatus.DRAFT, DocumentAction.APPLY, "10", "90", "issued or partially_paid"),
            (DocumentStatus.PAID, DocumentAction.APPLY, "100", "0", "apply an amount"),
            (DocumentStatus.VOIDED, DocumentAction.APPLY, "10", "90", "apply an amount"),
            (DocumentStatus.ISSUED, DocumentAction.UNAPPLY, "0", "100", "unapply an amount"),
        ],
    )
    def test_refused_transitions(
        self,
        status: DocumentStatus,
        action: DocumentAction,
        applied: str,
        open_amount: str,
        reason: str,
    ) -> None:
        with pytest.raises(InvalidTransition) as caught:
            transition(
                status,
                action,
                eur(applied),
                eur(open_amount),
                kind=DocumentKind.CREDIT_MEMO,
                number="CM-000007",
            )
        message = str(caught.value)
        assert message.startswith(f"credit memo CM-000007 is {status.value}: cannot")
        assert reason in message


class TestCreditMemos:
    INVOICE = (line("3", "9.99"), line("1", "10.01", "DE7"), line("2", "0.33", None))

    def test_forty_percent_of_three_lines_with_odd_cents(self) -> None:
        credit = credit_memo_lines_for(self.INVOICE, Decimal("0.4"))
        # Invoice lines 29.97 + 10.01 + 0.66 = 40.64; 40 % = 16.256 → 16.26.
        # Exact shares 11.988, 4.004, 0.264 round to 16.25; the missing cent goes to
        # the share that lost most to rounding (4.004, tied with 0.264: the earlier line).
        assert [c.amount for c in credit] == [eur("11.99"), eur("4.01"), eur("0.26")]
        assert sum(c.amount for c in credit) == eur("16.26")
        assert [c.tax_code for c in credit] == ["DE19", "DE7", None]
        assert all(c.quantity == 1 and c.account == "4000" for c in credit)
        assert credit[0].description == "Credit 40 % of: item 9.99"

    def test_an_amount_spread_over_the_lines(self) -> None:
        credit = credit_memo_lines_for(self.INVOICE, eur("10.00"))
        assert sum(c.amount for c in credit) == eur("10.00")
        assert [c.amount for c in credit] == [eur("7.38"), eur("2.46"), eur("0.16")]

    def test_credit_more_than_the_lines_is_refused(self) -> None:
        with pytest.raises(OverApplication):
            credit_memo_lines_for(self.INVOICE, eur("40.65"))
        with pytest.raises(InvalidInput, match="fraction"):
            credit_memo_lines_for(self.INVOICE, Decimal("1.01"))

    def test_credit_memo_may_not_exceed_the_open_amount(self) -> None:
        check_credit_memo(eur("60.00"), eur("60.00"), invoice="INV-000001")
        with pytest.raises(OverApplication, match=r"only 60\.00 EUR is open"):
            check_credit_memo(eur("60.01"), eur("60.00"), invoice="INV-000001")
        with pytest.raises(InvalidInput, match="must be positive"):
            check_credit_memo(eur("0"), eur("60.00"))


class TestPoAndNumbers:
    def test_po_required(self) -> None:
        check_po(False, None)
        check_po(True, "PO-4711")
        for missing in (None, "", "   "):
            with pytest.raises(RuleViolation, match="requires a purchase order"):
                check_po(True, missing)

    def test_format_number(self) -> None:
        assert format_number("INV", 123) == "INV-000123"
        assert format_number("CM-", 7, width=4) == "CM-0007"
        assert format_number("", 42) == "000042"
        assert format_number("INV", 1234567) == "INV-1234567"
        with pytest.raises(InvalidInput):
            format_number("INV", -1)


money = st.integers(min_value=0, max_value=10**7).map(lambda c: Money.from_minor(c, "EUR"))
draft_lines = st.lists(
    st.builds(
        DraftLine,
        description=st.just("x"),
        quantity=st.decimals(min_value=0, max_value=1000, places=3),
        unit_price=money,
        discount_percent=st.decimals(min_value=0, max_value=100, places=1),
        tax_code=st.sampled_from(["DE19", "DE7", None]),
    ),
    min_size=1,
    max_size=10,
)


class TestProperties:
    @given(draft_lines, st.booleans(), st.sampled_from(list(TaxRounding)))
    def test_totals_add_up(
        self, lines: list[DraftLine], included: bool, rounding: TaxRounding
    ) -> None:
        totals = compute_totals(
            lines, [VAT19, VAT7], prices_include_tax=included, rounding=rounding
        )
        assert totals.net + totals.tax == totals.gross
        assert sum(t.net for t in totals.lines) == totals.net
        assert sum(t.gross for t in totals.lines) == totals.gross
        for draft, computed in zip(lines, totals.lines, strict=True):
            assert computed.net + computed.tax == computed.gross
            assert (computed.gross if included else computed.net) == draft.amount

    @given(draft_lines, st.integers(min_value=1, max_value=100))
    def test_credit_fraction_lines_sum_to_the_rounded_target(
        self, lines: list[DraftLine], percent: int
    ) -> None:
        whole = sum(line.amount for line in lines[1:]) + lines[0].amount
        assume(whole.amount > 0)
        fraction = Decimal(percent) / 100
        credit = credit_memo_lines_for(lines, fraction)
        assert sum((c.amount for c in credit), Money(0, "EUR")) == (whole * fraction).round()
        assert all(c.amount.amount > 0 for c in credit)
