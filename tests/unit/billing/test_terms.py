"""Payment terms: worked examples, parsing round-trips, and installment invariants."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.billing.terms import (
    Discount,
    Installment,
    InstallmentPart,
    PaymentTerms,
    TermsKind,
)
from owed.domain.errors import InvalidInput
from owed.domain.money import Money


def usd(amount: str) -> Money:
    return Money(amount, "USD")


class TestWorkedExamples:
    def test_two_ten_net_thirty_on_a_thousand(self) -> None:
        terms = PaymentTerms.parse("2/10 NET 30")
        issue = date(2026, 1, 15)
        assert terms.discount_date(issue) == date(2026, 1, 25)
        assert terms.discount_amount(usd("1000.00")) == usd("20.00")
        assert terms.due_date(issue) == date(2026, 2, 14)

    def test_discount_available_until_the_discount_date_then_zero(self) -> None:
        terms = PaymentTerms.parse("2/10 NET 30")
        issue, total = date(2026, 1, 15), usd("1000.00")
        assert terms.discount_available(total, issue, date(2026, 1, 25)) == usd("20.00")
        assert terms.discount_available(total, issue, date(2026, 1, 26)) == usd("0")
        assert terms.discount_available(total, issue, date(2026, 1, 27), grace_days=2) == usd(
            "20.00"
        )
        assert terms.discount_available(total, issue, date(2026, 1, 28), grace_days=2) == usd("0")

    def test_no_discount_is_zero_in_the_total_currency(self) -> None:
        terms = PaymentTerms.parse("NET 30")
        assert terms.discount_date(date(2026, 1, 15)) is None
        assert terms.discount_amount(Money("99.99", "EUR")) == Money("0", "EUR")
        assert terms.discount_available(
            Money("99.99", "EUR"), date(2026, 1, 15), date(2026, 1, 15)
        ) == Money(0, "EUR")

    def test_discount_is_rounded_half_up_to_the_currency(self) -> None:
        terms = PaymentTerms.net(30, Discount(Decimal("1.5"), 10))
        assert terms.discount_amount(usd("0.99")) == usd("0.01")  # 0.01485
        assert terms.discount_amount(usd("1.00")) == usd("0.02")  # 0.015 → half up
        assert terms.discount_amount(Money("1234", "JPY")) == Money("19", "JPY")  # 18.51

    @pytest.mark.parametrize(
        ("issue", "due"),
        [
            (date(2026, 1, 15), date(2026, 2, 15)),
            (date(2026, 1, 31), date(2026, 2, 15)),
            (date(2026, 2, 1), date(2026, 3, 15)),
            (date(2024, 2, 10), date(2024, 3, 15)),  # leap February ends on the 29th
            (date(2026, 12, 20), date(2027, 1, 15)),
        ],
    )
    def test_eom_plus_fifteen(self, issue: date, due: date) -> None:
        assert PaymentTerms.parse("EOM+15").due_date(issue) == due

    def test_plain_eom_is_the_last_day_of_the_month(self) -> None:
        assert PaymentTerms.parse("EOM").due_date(date(2026, 4, 3)) == date(2026, 4, 30)

    def test_due_on_receipt_and_cod(self) -> None:
        issue = date(2026, 3, 9)
        for text in ("DUE ON RECEIPT", "COD", "due upon receipt", "Receipt"):
            terms = PaymentTerms.parse(text)
            assert terms.kind is TermsKind.RECEIPT
            assert terms.due_date(issue) == issue
            assert terms.schedule(issue, usd("10.00")) == [Installment(issue, usd("10.00"))]

    def test_installments_split_one_hundred_in_three_exactly(self) -> None:
        terms = PaymentTerms.parse("INSTALLMENTS 30:34,60:33,90:33")
        issue = date(2026, 1, 1)
        schedule = terms.schedule(issue, usd("100.00"))
        assert schedule == [
            Installment(date(2026, 1, 31), usd("34.00")),
            Installment(date(2026, 3, 2), usd("33.00")),
            Installment(date(2026, 4, 1), usd("33.00")),
        ]
        thirds = PaymentTerms.parse("INSTALLMENTS 0:33.33,30:33.33,60:33.34")
        odd = thirds.schedule(issue, usd("100.01"))
        assert [part.amount for part in odd] == [usd("33.33"), usd("33.33"), usd("33.35")]
        assert terms.due_date(issue) == date(2026, 4, 1)

    def test_fixed_amount_parts_come_first_and_percents_share_the_rest(self) -> None:
        terms = PaymentTerms.parse("INSTALLMENTS 0:100.00 USD,30:50,60:50")
        amounts = [i.amount for i in terms.schedule(date(2026, 1, 1), usd("300.01"))]
        assert amounts == [usd("100.00"), usd("100.01"), usd("100.00")]

    def test_fixed_amounts_larger_than_the_total_are_refused(self) -> None:
        terms = PaymentTerms.parse("INSTALLMENTS 0:100.00 USD,30:100")
        with pytest.raises(InvalidInput, match="do not fit"):
            terms.schedule(date(2026, 1, 1), usd("50.00"))


class TestParsing:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("NET30", "NET 30"),
            ("Net 30", "NET 30"),
            ("net 45 days", "NET 45"),
            ("N60", "NET 60"),
            ("2/10 NET 30", "2/10 NET 30"),
            ("2% 10 Net 30", "2/10 NET 30"),
            ("2%/10 net30", "2/10 NET 30"),
            ("1.50/10 NET 45", "1.5/10 NET 45"),
            ("EOM+15", "EOM+15"),
            ("eom 15", "EOM+15"),
            ("EOM", "EOM"),
            ("DUE ON RECEIPT", "DUE ON RECEIPT"),
            ("COD", "DUE ON RECEIPT"),
            ("INSTALLMENTS 30:50,60:50", "INSTALLMENTS 30:50,60:50"),
            ("installments 30:50%, 60:50%", "INSTALLMENTS 30:50,60:50"),
            ("INSTALLMENTS 0:100 usd,30:100", "INSTALLMENTS 0:100.00 USD,30:100"),
        ],
    )
    def test_common_spellings_and_canonical_code(self, text: str, code: str) -> None:
        terms = PaymentTerms.parse(text)
        assert terms.code == code
        assert PaymentTerms.parse(terms.code) == terms

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "NET",
            "NET -5",
            "30 days",
            "2/40 NET 30",  # discount period longer than the net period
            "0/10 NET 30",
            "INSTALLMENTS 30:50,60:40",  # does not sum to 100
            "INSTALLMENTS 60:50,30:50",  # days out of order
            "INSTALLMENTS 30:abc",
            "INSTALLMENTS 0:10.005 USD,30:100",  # more decimals than USD has
            "INSTALLMENTS 0:10 XXX,30:100",
        ],
    )
    def test_bad_text_is_refused_with_the_accepted_forms(self, text: str) -> None:
        with pytest.raises(InvalidInput) as caught:
            PaymentTerms.parse(text)
        assert "accepted forms" in str(caught.value)
        assert repr(text) in str(caught.value)

    def test_terms_are_immutable_and_hashable(self) -> None:
        terms = PaymentTerms.parse("2/10 NET 30")
        assert hash(terms) == hash(PaymentTerms.parse("2% 10 Net 30"))
        with pytest.raises(AttributeError):
            terms.days = 60  # type: ignore[misc]

    def test_discount_only_with_net_terms(self) -> None:
        with pytest.raises(InvalidInput, match="only with NET"):
            PaymentTerms(TermsKind.EOM, 15, Discount(Decimal(2), 10))


percents = st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8)
totals = st.integers(min_value=0, max_value=10**11).map(
    lambda cents: Money.from_minor(cents, "USD")
)


@st.composite
def installment_terms(draw: st.DrawFn) -> PaymentTerms:
    weights = draw(percents)
    scaled = [Decimal(w) * 100 / sum(weights) for w in weights]
    # Make the percents sum to exactly 100: round all but the last to 2 places.
    head = [p.quantize(Decimal("0.01")) for p in scaled[:-1]]
    last = Decimal(100) - sum(head, Decimal(0))
    if last <= 0 or any(p <= 0 for p in head):
        head, last = [], Decimal(100)
    parts = [*head, last]
    return PaymentTerms.installments(
        [InstallmentPart(30 * (i + 1), percent=p) for i, p in enumerate(parts)]
    )


class TestProperties:
    @given(installment_terms(), totals)
    def test_installments_sum_to_the_total(self, terms: PaymentTerms, total: Money) -> None:
        schedule = terms.schedule(date(2026, 1, 1), total)
        assert sum(i.amount for i in schedule) == total
        assert all(i.amount.is_exact and i.amount.amount >= 0 for i in schedule)

    @given(installment_terms())
    def test_installment_code_round_trips(self, terms: PaymentTerms) -> None:
        assert PaymentTerms.parse(terms.code) == terms

    @given(
        st.integers(min_value=0, max_value=120),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99.99"), places=2),
        st.integers(min_value=0, max_value=120),
        totals,
    )
    def test_discount_terms_round_trip_and_never_exceed_the_total(
        self, net: int, percent: Decimal, discount_days: int, total: Money
    ) -> None:
        terms = PaymentTerms.net(max(net, discount_days), Discount(percent, discount_days))
        assert PaymentTerms.parse(terms.code) == terms
        discount = terms.discount_amount(total)
        assert discount.is_exact
        assert Money(0, "USD") <= discount <= total
