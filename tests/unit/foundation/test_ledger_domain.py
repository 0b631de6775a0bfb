"""Journal entries are built balanced per currency, or not at all."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.errors import InexactAmount, InvalidInput, UnbalancedEntry
from owed.domain.ledger import (
    SYSTEM_ACCOUNTS,
    AccountType,
    FiscalCalendar,
    JournalEntry,
    JournalLine,
    SystemAccount,
    reverse,
)
from owed.domain.ledger.periods import parse_period, period_key
from owed.domain.money import Money

DAY = date(2026, 3, 10)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def entry(*lines: JournalLine, entry_id: int | None = None) -> JournalEntry:
    return JournalEntry(DAY, "test", tuple(lines), id=entry_id)


def net_by_account(*entries: JournalEntry) -> dict[tuple[str, str], int]:
    net: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        for ln in e.lines:
            net[ln.account, ln.amount.currency.code] += ln.amount.to_minor()
    return dict(net)


# -- worked example ---------------------------------------------------------------
def test_invoice_posting_balances() -> None:
    # An invoice of 100.00 plus 8.00 tax: Dr AR 108.00 / Cr revenue 100.00 / Cr tax 8.00
    invoice = entry(
        JournalLine.debit(
            "1200", usd("108.00"), customer_id=7, document_type="invoice", document_id=1
        ),
        JournalLine.credit("4000", usd("100.00")),
        JournalLine.credit("2200", usd("8.00")),
    )
    assert invoice.total_debits("USD") == usd("108.00")
    assert invoice.currencies == {"USD"}
    assert [ln.amount for ln in invoice.lines] == [usd("108.00"), usd("-100.00"), usd("-8.00")]
    assert invoice.lines[0].customer_id == 7


# -- refusals ---------------------------------------------------------------------------
def test_unbalanced_entry_is_refused_naming_the_currency() -> None:
    with pytest.raises(UnbalancedEntry, match=r"USD off by 10\.00") as info:
        entry(JournalLine.debit("1200", usd("100.00")), JournalLine.credit("4000", usd("90.00")))
    assert info.value.fields["imbalances"] == {"USD": usd("10.00").amount}


def test_credit_heavy_entry_reports_a_negative_imbalance() -> None:
    with pytest.raises(UnbalancedEntry, match=r"USD off by -0\.01"):
        entry(JournalLine.debit("1200", usd("1.00")), JournalLine.credit("4000", usd("1.01")))


def test_multi_currency_entry_balances_per_currency() -> None:
    e = entry(
        JournalLine.debit("1200", usd("100.00")),
        JournalLine.credit("4000", usd("100.00")),
        JournalLine.debit("1200", Money("5000", "JPY")),
        JournalLine.credit("4000", Money("5000", "JPY")),
    )
    assert e.currencies == {"USD", "JPY"}
    assert e.total_debits("JPY") == Money(5000, "JPY")


def test_balancing_across_currencies_is_not_balancing() -> None:
    # 100 USD against 100 EUR: equal numbers, different money.
    with pytest.raises(UnbalancedEntry) as info:
        entry(
            JournalLine.debit("1200", usd("100.00")),
            JournalLine.credit("4000", Money("100.00", "EUR")),
        )
    assert set(info.value.fields["imbalances"]) == {"USD", "EUR"}


def test_only_the_unbalanced_currency_is_named() -> None:
    with pytest.raises(UnbalancedEntry) as info:
        entry(
            JournalLine.debit("1200", usd("100.00")),
            JournalLine.credit("4000", usd("100.00")),
            JournalLine.debit("1200", Money("1.000", "BHD")),
            JournalLine.credit("4000", Money("0.999", "BHD")),
        )
    assert info.value.fields["imbalances"] == {"BHD": Money("0.001", "BHD").amount}
    assert "USD" not in str(info.value)


def test_zero_line_is_refused() -> None:
    with pytest.raises(InvalidInput, match="zero amount"):
        entry(
            JournalLine.debit("1200", usd("10.00")),
            JournalLine.credit("4000", usd("10.00")),
            JournalLine.debit("1000", usd("0.00")),
        )


@pytest.mark.parametrize(
    ("amount", "code"), [("10.005", "USD"), ("10.5", "JPY"), ("1.0001", "BHD")]
)
def test_inexact_line_is_refused(amount: str, code: str) -> None:
    m = Money(amount, code)
    with pytest.raises(InexactAmount, match=code):
        entry(JournalLine.debit("1200", m), JournalLine.credit("4000", m))


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_lines_is_refused(count: int) -> None:
    lines = [JournalLine.debit("1200", usd("1.00"))][:count]
    with pytest.raises(InvalidInput, match="at least two lines"):
        entry(*lines)


def test_float_amount_on_a_line_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        JournalLine("1200", 10.5)  # type: ignore[arg-type]


# -- reversal -------------------------------------------------------------------------
def test_reverse_nets_to_zero_and_points_back() -> None:
    original = entry(
        JournalLine.debit("1200", usd("108.00"), customer_id=7, memo="inv 1"),
        JournalLine.credit("4000", usd("100.00")),
        JournalLine.credit("2200", usd("8.00")),
        entry_id=41,
    )
    rev = reverse(original, date(2026, 4, 1))
    assert rev.reverses_id == 41
    assert rev.entry_date == date(2026, 4, 1)
    assert "entry 41" in rev.description
    assert rev.lines[0].customer_id == 7 and rev.lines[0].memo == "inv 1"
    assert all(v == 0 for v in net_by_account(original, rev).values())


def test_reverse_needs_a_posted_entry() -> None:
    unposted = entry(
        JournalLine.debit("1200", usd("1.00")), JournalLine.credit("4000", usd("1.00"))
    )
    with pytest.raises(InvalidInput, match="posted"):
        reverse(unposted, DAY)


# -- properties -------------------------------------------------------------------------
accounts = st.sampled_from([a.code for a in SYSTEM_ACCOUNTS])
codes = st.sampled_from(["USD", "JPY", "BHD"])
nonzero = st.integers(min_value=-(10**12), max_value=10**12).filter(lambda n: n != 0)


@st.composite
def balanced_lines(draw: st.DrawFn) -> list[JournalLine]:
    lines: list[JournalLine] = []
    for code in draw(st.lists(codes, min_size=1, max_size=3, unique=True)):
        amounts = draw(st.lists(nonzero, min_size=1, max_size=5))
        balancing = -sum(amounts)
        if balancing == 0:  # make the balancing line non-zero
            amounts.append(1)
            balancing = -sum(amounts)
        for minor in [*amounts, balancing]:
            lines.append(JournalLine(draw(accounts), Money.from_minor(minor, code)))
    return draw(st.permutations(lines))


@given(lines=balanced_lines())
def test_any_balanced_set_of_lines_is_an_entry_and_its_reversal_cancels_it(
    lines: list[JournalLine],
) -> None:
    e = JournalEntry(DAY, "p", tuple(lines), id=1)
    rev = reverse(e, DAY)
    assert all(v == 0 for v in net_by_account(e, rev).values())
    for code in e.currencies:
        assert e.total_debits(code) == -sum(
            (
                ln.amount
                for ln in e.lines
                if ln.amount.currency.code == code and ln.amount.amount < 0
            ),
            Money.zero(code),
        )


@given(lines=balanced_lines(), index=st.integers(min_value=0), delta=nonzero)
def test_changing_any_one_line_unbalances_the_entry(
    lines: list[JournalLine], index: int, delta: int
) -> None:
    i = index % len(lines)
    old = lines[i]
    new_minor = old.amount.to_minor() + delta
    if new_minor == 0:
        return
    lines[i] = JournalLine(old.account, Money.from_minor(new_minor, old.amount.currency))
    with pytest.raises(UnbalancedEntry) as info:
        JournalEntry(DAY, "p", tuple(lines))
    assert set(info.value.fields["imbalances"]) == {old.amount.currency.code}


# -- chart and periods -------------------------------------------------------------------
def test_system_chart_has_every_role_once_and_unique_codes() -> None:
    roles = [a.role for a in SYSTEM_ACCOUNTS]
    assert sorted(r.value for r in roles if r) == sorted(r.value for r in SystemAccount)
    assert len({a.code for a in SYSTEM_ACCOUNTS}) == len(SYSTEM_ACCOUNTS)
    ar = next(a for a in SYSTEM_ACCOUNTS if a.role is SystemAccount.AR_CONTROL)
    assert ar.code == "1200" and ar.type.debit_normal
    assert not AccountType.REVENUE.debit_normal


def test_periods() -> None:
    assert period_key(date(2026, 3, 31)) == "2026-03"
    assert parse_period("2026-02") == (date(2026, 2, 1), date(2026, 2, 28))
    assert parse_period("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    for bad in ["2026-13", "2026-3", "March", "2026-00"]:
        with pytest.raises(InvalidInput):
            parse_period(bad)
    july = FiscalCalendar(7)
    assert july.fiscal_year_of(date(2026, 6, 30)) == 2026
    assert july.fiscal_year_of(date(2026, 7, 1)) == 2027
    assert FiscalCalendar().fiscal_year_of(date(2026, 12, 31)) == 2026
    with pytest.raises(InvalidInput):
        FiscalCalendar(13)
