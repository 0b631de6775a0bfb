"""Tax on documents: exclusive and inclusive prices, per-line and per-document rounding."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.billing.tax import (
    DocumentTotals,
    TaxableAmount,
    TaxCode,
    TaxRounding,
    compute_tax,
)
from owed.domain.errors import InvalidInput
from owed.domain.money import Money, total

VAT19 = TaxCode("DE19", Decimal(19), "VAT 19 %")
VAT7 = TaxCode("DE7", Decimal(7), "VAT 7 %")
ZERO = TaxCode("EXEMPT", Decimal(0), "exempt")
CODES = [VAT19, VAT7, ZERO]


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def taxable(*items: tuple[str, str | None]) -> list[TaxableAmount]:
    return [TaxableAmount(eur(amount), code) for amount, code in items]


def assert_exact(totals: DocumentTotals) -> None:
    for line in totals.lines:
        assert line.net + line.tax == line.gross
    assert totals.net + totals.tax == totals.gross
    assert sum(line.net for line in totals.lines) == totals.net
    assert sum(line.tax for line in totals.lines) == totals.tax
    assert sum(line.gross for line in totals.lines) == totals.gross
    assert total((s.tax for s in totals.taxes), totals.tax.currency) == totals.tax


class TestTaxExclusive:
    def test_two_rates_per_line(self) -> None:
        totals = compute_tax(
            taxable(("100.00", "DE19"), ("10.00", "DE7"), ("5.55", "DE19")),
            CODES,
            prices_include_tax=False,
            rounding=TaxRounding.PER_LINE,
        )
        assert [line.tax for line in totals.lines] == [eur("19.00"), eur("0.70"), eur("1.05")]
        assert totals.tax_for("DE19") == eur("20.05")  # 19.00 + 1.0545 → 1.05
        assert totals.tax_for("DE7") == eur("0.70")
        assert (totals.net, totals.tax, totals.gross) == (
            eur("115.55"),
            eur("20.75"),
            eur("136.30"),
        )
        assert_exact(totals)

    def test_per_line_and_per_document_differ_by_a_cent(self) -> None:
        lines = taxable(("10.03", "DE19"), ("10.03", "DE19"), ("5.00", "DE7"))
        per_line = compute_tax(
            lines, CODES, prices_include_tax=False, rounding=TaxRounding.PER_LINE
        )
        per_doc = compute_tax(
            lines, CODES, prices_include_tax=False, rounding=TaxRounding.PER_DOCUMENT
        )
        # 10.03 × 19 % = 1.9057 → 1.91 per line, twice 3.82; 20.06 × 19 % = 3.8114 → 3.81.
        # Per document, the cent comes off the first of the equally rounded lines.
        assert per_line.tax_for("DE19") == eur("3.82")
        assert per_doc.tax_for("DE19") == eur("3.81")
        assert [line.tax for line in per_doc.lines] == [eur("1.90"), eur("1.91"), eur("0.35")]
        assert per_line.gross == eur("29.23")
        assert per_doc.gross == eur("29.22")
        assert_exact(per_line)
        assert_exact(per_doc)

    def test_line_without_tax_code_carries_no_tax_and_no_summary(self) -> None:
        totals = compute_tax(
            taxable(("12.34", None), ("1.00", "EXEMPT")),
            CODES,
            prices_include_tax=False,
            rounding=TaxRounding.PER_DOCUMENT,
        )
        assert totals.tax == eur("0")
        assert [s.code for s in totals.taxes] == ["EXEMPT"]
        assert totals.taxes[0].base == eur("1.00")


class TestTaxInclusive:
    def test_two_rates_extracted(self) -> None:
        totals = compute_tax(
            taxable(("119.00", "DE19"), ("10.70", "DE7")),
            {c.code: c for c in CODES},
            prices_include_tax=True,
            rounding=TaxRounding.PER_LINE,
        )
        assert [(line.net, line.tax) for line in totals.lines] == [
            (eur("100.00"), eur("19.00")),
            (eur("10.00"), eur("0.70")),
        ]
        assert totals.gross == eur("129.70")
        assert_exact(totals)

    def test_per_line_and_per_document_differ_by_a_cent(self) -> None:
        lines = taxable(("1.02", "DE19"), ("1.02", "DE19"), ("2.14", "DE7"))
        per_line = compute_tax(lines, CODES, prices_include_tax=True, rounding=TaxRounding.PER_LINE)
        per_doc = compute_tax(
            lines, CODES, prices_include_tax=True, rounding=TaxRounding.PER_DOCUMENT
        )
        # 1.02 × 19/119 = 0.16286 → 0.16 per line; 2.04 × 19/119 = 0.32571 → 0.33.
        assert per_line.tax_for("DE19") == eur("0.32")
        assert per_doc.tax_for("DE19") == eur("0.33")
        assert per_line.tax_for("DE7") == per_doc.tax_for("DE7") == eur("0.14")
        # Gross is what the customer was quoted, whatever the rounding.
        assert per_line.gross == per_doc.gross == eur("4.18")
        assert per_line.net == eur("3.72")
        assert per_doc.net == eur("3.71")
        assert_exact(per_line)
        assert_exact(per_doc)


class TestRefusals:
    def test_unknown_tax_code_names_the_line(self) -> None:
        with pytest.raises(InvalidInput, match="line 2: unknown tax code 'FR20'"):
            compute_tax(
                taxable(("1.00", "DE19"), ("1.00", "FR20")),
                CODES,
                prices_include_tax=False,
                rounding=TaxRounding.PER_LINE,
            )

    def test_mixed_currencies_and_unrounded_amounts(self) -> None:
        with pytest.raises(InvalidInput, match="line 2 is in USD"):
            compute_tax(
                [TaxableAmount(eur("1.00")), TaxableAmount(Money("1.00", "USD"))],
                CODES,
                prices_include_tax=False,
                rounding=TaxRounding.PER_LINE,
            )
        with pytest.raises(InvalidInput, match=r"line 1: amount 1\.005 is not rounded"):
            compute_tax(
                [TaxableAmount(eur("1.005"))],
                CODES,
                prices_include_tax=False,
                rounding=TaxRounding.PER_LINE,
            )

    def test_no_lines_and_negative_rate(self) -> None:
        with pytest.raises(InvalidInput, match="at least one line"):
            compute_tax([], CODES, prices_include_tax=False, rounding=TaxRounding.PER_LINE)
        with pytest.raises(InvalidInput, match="must not be negative"):
            TaxCode("NEG", Decimal(-1))


amounts = st.integers(min_value=-(10**9), max_value=10**9).map(lambda c: Money.from_minor(c, "EUR"))
rates = st.decimals(min_value=0, max_value=30, places=2)
lines = st.lists(st.tuples(amounts, st.sampled_from([0, 1, 2, None])), min_size=1, max_size=12)


class TestProperties:
    @given(
        lines,
        st.lists(rates, min_size=3, max_size=3),
        st.booleans(),
        st.sampled_from(list(TaxRounding)),
    )
    def test_totals_are_exact_and_add_up(
        self,
        items: list[tuple[Money, int | None]],
        rate_values: list[Decimal],
        included: bool,
        rounding: TaxRounding,
    ) -> None:
        codes = [TaxCode(f"T{i}", rate) for i, rate in enumerate(rate_values)]
        totals = compute_tax(
            [TaxableAmount(m, None if c is None else f"T{c}") for m, c in items],
            codes,
            prices_include_tax=included,
            rounding=rounding,
        )
        assert_exact(totals)
        for line, (amount, _) in zip(totals.lines, items, strict=True):
            assert (line.gross if included else line.net) == amount
            assert line.tax.is_exact
        for summary in totals.taxes:
            members = [line for line in totals.lines if line.tax_code == summary.code]
            assert summary.base == sum(line.net for line in members)
            if rounding is TaxRounding.PER_DOCUMENT:
                base = sum(
                    (m.amount for m, c in items if c is not None and f"T{c}" == summary.code),
                    Decimal(0),
                )
                exact = base * summary.rate / ((100 + summary.rate) if included else 100)
                assert abs(summary.tax.amount - exact) <= Decimal("0.005")
