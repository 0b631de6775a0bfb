"""The ledger on a real database: posting, balances, periods, and the guards.

Runs on SQLite, and on PostgreSQL when OWED_TEST_DATABASE_URL is set. The
``*_database_refuses_*`` tests write straight into the tables, past the
services, to show the database itself keeps the ledger balanced and
append-only.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.exc import DBAPIError

from owed.adapters.db.schema import audit_log, journal_entries, journal_lines
from owed.domain.errors import (
    ClosedPeriod,
    Conflict,
    InvalidInput,
    NotFound,
    NotPermitted,
    RuleViolation,
    UnbalancedEntry,
)
from owed.domain.ledger import JournalEntry, JournalLine
from owed.domain.money import Money
from owed.services import ledger
from owed.services.ledger import ClosePeriod, ManualLine, ReopenPeriod, ReverseEntry
from tests.conftest import Env, make_env
from tests.integration.foundation.builders import (
    company_id,
    cr,
    dr,
    insert_raw_entry,
    post,
    snapshot,
)

MAR_1, MAR_10, MAR_20, APR_2 = (
    date(2026, 3, 1),
    date(2026, 3, 10),
    date(2026, 3, 20),
    date(2026, 4, 2),
)


def usd(amount: str) -> Money:
    return Money(amount, "USD")


# -- posting and reading back ---------------------------------------------------------------
def test_posted_entry_reads_back_exactly_and_names_its_poster(env: Env) -> None:
    env.add_user("lee", "lead")
    entry_id = post(
        env,
        MAR_10,
        dr("1200", "108.00", customer_id=7),
        cr("4000", "100.00"),
        cr("2200", "8.00"),
        user="lee",
        description="Invoice 1",
    )
    with env.uow() as uow:
        entry = uow.ledger.get_entry(entry_id)
        head = uow.conn.execute(
            select(journal_entries).where(journal_entries.c.id == entry_id)
        ).one()
    assert entry is not None
    assert entry.entry_date == MAR_10
    assert entry.description == "Invoice 1"
    assert [(ln.account, ln.amount, ln.customer_id) for ln in entry.lines] == [
        ("1200", usd("108.00"), 7),
        ("4000", usd("-100.00"), None),
        ("2200", usd("-8.00"), None),
    ]
    assert head.posted_by == "lee"
    posted_at = head.posted_at  # SQLite hands back a naive UTC value
    assert posted_at.replace(tzinfo=posted_at.tzinfo or UTC) == env.clock.now()
    assert head.entry_date == MAR_10
    with env.uow() as uow:
        line_dates = (
            uow.conn.execute(
                select(journal_lines.c.entry_date).where(journal_lines.c.entry_id == entry_id)
            )
            .scalars()
            .all()
        )
    assert line_dates == [MAR_10] * 3
    assert head.period == "2026-03"
    assert head.source_type == "manual"


def test_trial_balance_and_account_balance_as_of_dates(env: Env) -> None:
    post(env, MAR_1, dr("1200", "100.00"), cr("4000", "100.00"))
    post(env, MAR_10, dr("1000", "60.00"), cr("1200", "60.00"))
    post(env, MAR_20, dr("1200", "5.00"), cr("2200", "5.00"))

    def tb_rows(as_of: date | None) -> dict[str, tuple[str, str]]:
        tb = ledger.trial_balance(env.uow(), as_of)
        assert tb.balanced
        return {r.account.code: (str(r.debit.amount), str(r.credit.amount)) for r in tb.rows}

    assert tb_rows(MAR_1 - timedelta(days=1)) == {}
    assert tb_rows(MAR_1) == {"1200": ("100.00", "0"), "4000": ("0", "100.00")}
    assert tb_rows(MAR_10) == {
        "1000": ("60.00", "0"),
        "1200": ("40.00", "0"),
        "4000": ("0", "100.00"),
    }
    assert tb_rows(None) == {
        "1000": ("60.00", "0"),
        "1200": ("45.00", "0"),
        "2200": ("0", "5.00"),
        "4000": ("0", "100.00"),
    }
    tb = ledger.trial_balance(env.uow(), None)
    assert tb.totals() == {"USD": (usd("105.00"), usd("105.00"))}
    assert next(r for r in tb.rows if r.account.code == "1200").account.name.startswith(
        "Accounts receivable"
    )
    with env.uow() as uow:
        assert uow.ledger.account_balance("1200", "USD", MAR_1 - timedelta(days=1)) == usd("0")
        assert uow.ledger.account_balance("1200", "USD", MAR_10) == usd("40.00")
        assert uow.ledger.account_balance("1200", "usd") == usd("45.00")
        assert uow.ledger.account_balance("1200", "EUR") == Money(0, "EUR")


def test_accounts_that_net_to_zero_leave_the_trial_balance(env: Env) -> None:
    post(env, MAR_1, dr("1200", "10.00"), cr("4000", "10.00"))
    post(env, MAR_1, dr("4000", "10.00"), cr("1200", "10.00"))
    assert ledger.trial_balance(env.uow()).rows == []


def test_customer_subledger_balances(env: Env) -> None:
    post(env, MAR_1, dr("1200", "100.00", customer_id=1), cr("4000", "100.00"))
    post(env, MAR_1, dr("1200", "50.00", customer_id=2), cr("4000", "50.00"))
    post(env, MAR_1, dr("1200", "7000", "JPY", customer_id=2), cr("4000", "7000", "JPY"))
    post(env, MAR_10, dr("1000", "40.00"), cr("1200", "40.00", customer_id=1))
    post(env, MAR_20, dr("1000", "50.00"), cr("1200", "50.00", customer_id=2))
    # a line for customer 1 on another account is not AR
    post(env, MAR_20, dr("2100", "3.00", customer_id=1), cr("1000", "3.00"))

    assert ledger.customer_balances(env.uow()) == {
        (1, "USD"): usd("60.00"),
        (2, "USD"): usd("0.00"),
        (2, "JPY"): Money(7000, "JPY"),
    }
    assert ledger.customer_balances(env.uow(), as_of=MAR_10) == {
        (1, "USD"): usd("60.00"),
        (2, "USD"): usd("50.00"),
        (2, "JPY"): Money(7000, "JPY"),
    }
    assert ledger.customer_balances(env.uow(), as_of=MAR_1, customer_id=1) == {
        (1, "USD"): usd("100.00")
    }
    assert ledger.subledger_vs_control(env.uow()) == {
        "USD": (usd("60.00"), usd("60.00")),
        "JPY": (Money(7000, "JPY"), Money(7000, "JPY")),
    }


def test_subledger_differs_from_control_when_an_ar_line_has_no_customer(env: Env) -> None:
    post(env, MAR_1, dr("1200", "100.00", customer_id=1), cr("4000", "100.00"))
    post(env, MAR_1, dr("1200", "1.00"), cr("4000", "1.00"))
    assert ledger.subledger_vs_control(env.uow()) == {"USD": (usd("100.00"), usd("101.00"))}


def test_customers_of_other_companies_are_not_seen(engine: Engine, env: Env) -> None:
    other = make_env(engine)
    post(other, MAR_1, dr("1200", "999.00", customer_id=1), cr("4000", "999.00"))
    post(env, MAR_1, dr("1200", "1.00", customer_id=1), cr("4000", "1.00"))
    assert ledger.customer_balances(env.uow()) == {(1, "USD"): usd("1.00")}
    assert ledger.trial_balance(env.uow()).totals() == {"USD": (usd("1.00"), usd("1.00"))}


# -- properties ----------------------------------------------------------------------------
ACCOUNTS = ["1000", "1200", "2100", "2200", "4000", "6100"]


@st.composite
def balanced_postings(draw: st.DrawFn) -> list[tuple[date, list[tuple[str, str, int]]]]:
    postings = []
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        day = date(2026, 3, 1) + timedelta(days=draw(st.integers(min_value=0, max_value=60)))
        lines: list[tuple[str, str, int]] = []
        for code in draw(
            st.lists(st.sampled_from(["USD", "JPY", "BHD"]), min_size=1, max_size=3, unique=True)
        ):
            amounts = draw(
                st.lists(st.integers(min_value=1, max_value=10**12), min_size=1, max_size=3)
            )
            for minor in amounts:
                lines.append((draw(st.sampled_from(ACCOUNTS)), code, minor))
            rest = sum(amounts)
            for minor in Money.from_minor(rest, code).allocate(
                draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
            ):
                if minor:
                    lines.append((draw(st.sampled_from(ACCOUNTS)), code, -minor.to_minor()))
        postings.append((day, lines))
    return postings


def to_manual(account: str, code: str, minor: int) -> ManualLine:
    amount = Money.from_minor(abs(minor), code)
    return ManualLine(account, debit=amount) if minor > 0 else ManualLine(account, credit=amount)


@settings(max_examples=30, deadline=None)
@given(postings=balanced_postings(), as_of_offset=st.integers(min_value=0, max_value=60))
def test_balanced_postings_keep_the_trial_balance_at_zero_per_currency(
    engine: Engine, postings: list[tuple[date, list[tuple[str, str, int]]]], as_of_offset: int
) -> None:
    env = make_env(engine)
    expected: dict[tuple[str, str], int] = defaultdict(int)
    as_of = date(2026, 3, 1) + timedelta(days=as_of_offset)
    for day, lines in postings:
        post(env, day, *(to_manual(*ln) for ln in lines))
        if day <= as_of:
            for account, code, minor in lines:
                expected[account, code] += minor
    tb = ledger.trial_balance(env.uow(), as_of)
    assert tb.balanced
    for debit, credit in tb.totals().values():
        assert debit == credit
    got = {(r.account.code, r.currency): (r.debit - r.credit).to_minor() for r in tb.rows}
    assert got == {k: v for k, v in expected.items() if v != 0}


AMOUNTS = [
    1,
    -1,
    5,
    99,
    100,
    12345,
    -67890,
    10**15 - 1,
    10**15,
    -(10**15),
    2**53 + 1,
    -(2**53) - 1,
    2**62,
]


@pytest.mark.parametrize("code", ["USD", "JPY", "BHD"])
def test_money_round_trips_through_the_database_exactly(env: Env, code: str) -> None:
    lines = []
    for minor in AMOUNTS:
        amount = Money.from_minor(minor, code)
        lines += [JournalLine("1200", amount), JournalLine("4000", -amount)]
    with env.uow() as uow:
        (entry_id,) = ledger.post_entries(uow, [JournalEntry(MAR_1, "round trip", tuple(lines))])
        uow.commit()
    with env.uow() as uow:
        entry = uow.ledger.get_entry(entry_id)
        assert entry is not None
        assert [ln.amount for ln in entry.lines] == lines_amounts(lines)
        assert [ln.amount.to_minor() for ln in entry.lines[::2]] == AMOUNTS
        assert uow.ledger.account_balance("1200", code) == Money.from_minor(sum(AMOUNTS), code)
        assert uow.ledger.balances()[("4000", code)] == Money.from_minor(-sum(AMOUNTS), code)


def lines_amounts(lines: list[JournalLine]) -> list[Money]:
    return [ln.amount for ln in lines]


@settings(max_examples=30, deadline=None)
@given(
    minors=st.lists(
        st.integers(min_value=-(10**15), max_value=10**15).filter(bool), min_size=1, max_size=20
    ),
    code=st.sampled_from(["USD", "JPY", "BHD"]),
)
def test_any_amount_round_trips_through_the_database(
    engine: Engine, minors: list[int], code: str
) -> None:
    env = make_env(engine)
    rest = -sum(minors)
    lines = [to_manual("1200", code, m) for m in minors]
    if rest:
        lines.append(to_manual("4000", code, rest))
    entry_id = post(env, MAR_1, *lines)
    with env.uow() as uow:
        entry = uow.ledger.get_entry(entry_id)
        assert entry is not None
        assert [ln.amount.to_minor() for ln in entry.lines] == minors + ([rest] if rest else [])
        assert all(ln.amount.currency.code == code for ln in entry.lines)
        assert uow.ledger.account_balance("1200", code) == Money.from_minor(sum(minors), code)


# -- reversal ---------------------------------------------------------------------------------
def test_a_reversed_entry_nets_to_zero_and_cannot_be_reversed_twice(env: Env) -> None:
    entry_id = post(
        env, MAR_10, dr("1200", "108.00", customer_id=3), cr("4000", "100.00"), cr("2200", "8.00")
    )
    reversal_id = ledger.reverse_entry(ReverseEntry(entry_id, reason="typo"), env.uow())
    assert reversal_id != entry_id
    with env.uow() as uow:
        reversal = uow.ledger.get_entry(reversal_id)
        assert reversal is not None
        assert reversal.reverses_id == entry_id
        assert reversal.entry_date == date(2026, 3, 15)  # the company's today
        assert reversal.description == f"Reversal of entry {entry_id}: typo"
        assert uow.ledger.reversal_of(entry_id) == reversal_id
    assert ledger.trial_balance(env.uow()).rows == []
    assert ledger.customer_balances(env.uow()) == {(3, "USD"): usd("0.00")}
    before = snapshot(env)
    with pytest.raises(RuleViolation, match=f"already reversed by entry {reversal_id}"):
        ledger.reverse_entry(ReverseEntry(entry_id), env.uow())
    with pytest.raises(RuleViolation, match="itself a reversal"):
        ledger.reverse_entry(ReverseEntry(reversal_id), env.uow())
    with pytest.raises(NotFound):
        ledger.reverse_entry(ReverseEntry(10**12), env.uow())
    assert snapshot(env) == before


def test_a_reversal_cannot_land_in_a_closed_period(env: Env) -> None:
    entry_id = post(env, APR_2, dr("1200", "1.00"), cr("4000", "1.00"))
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    with pytest.raises(ClosedPeriod):
        ledger.reverse_entry(ReverseEntry(entry_id, on=MAR_20), env.uow())
    assert snapshot(env) == before


# -- periods ------------------------------------------------------------------------------
def test_posting_into_a_closed_period_fails_and_changes_nothing(env: Env) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    assert ledger.list_periods(env.uow())[0][:3] == ("2026-03", "closed", "admin")
    before = snapshot(env)
    with pytest.raises(ClosedPeriod, match="2026-03") as info:
        post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    assert info.value.fields == {"period": "2026-03", "on": MAR_10}
    assert snapshot(env) == before
    post(env, APR_2, dr("1200", "1.00"), cr("4000", "1.00"))  # the next period is open
    post(env, date(2026, 2, 28), dr("1200", "1.00"), cr("4000", "1.00"))  # so is the last
    assert snapshot(env).entries == before.entries + 2


def test_a_batch_touching_one_closed_period_posts_nothing(env: Env) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    good = JournalEntry(
        APR_2, "ok", (JournalLine("1200", usd("1.00")), JournalLine("4000", usd("-1.00")))
    )
    bad = JournalEntry(MAR_20, "closed", good.lines)
    with env.uow() as uow, pytest.raises(ClosedPeriod):
        ledger.post_entries(uow, [good, bad])
    assert snapshot(env) == before


def test_closing_twice_is_refused_and_reopening_needs_a_reason(env: Env) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    with pytest.raises(RuleViolation, match="already closed"):
        ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    for reason in ["", "   "]:
        with pytest.raises(InvalidInput, match="reason"):
            ledger.reopen_period(ReopenPeriod("2026-03", reason), env.uow())
    with pytest.raises(RuleViolation, match="not closed"):
        ledger.reopen_period(ReopenPeriod("2026-04", "why not"), env.uow())
    with pytest.raises(InvalidInput, match="YYYY-MM"):
        ledger.close_period(ClosePeriod("March"), env.uow())
    assert snapshot(env) == before
    ledger.reopen_period(ReopenPeriod("2026-03", "late supplier invoice"), env.uow())
    assert snapshot(env).periods == (("2026-03", "open"),)
    post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    ledger.close_period(ClosePeriod("2026-03"), env.uow())  # and it can be closed again
    assert snapshot(env).periods == (("2026-03", "closed"),)


# -- refusals that change nothing ---------------------------------------------------------
def test_a_float_amount_fails_with_type_error_before_anything_is_written(env: Env) -> None:
    before = snapshot(env)
    with pytest.raises(TypeError, match="float"):
        post(env, MAR_10, dr("1200", 10.5), cr("4000", "10.50"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        post(
            env,
            MAR_10,
            ManualLine("1200", debit=10.5),  # type: ignore[arg-type]
            cr("4000", "10.50"),
        )
    assert snapshot(env) == before


def test_unbalanced_unknown_account_and_malformed_lines_change_nothing(env: Env) -> None:
    before = snapshot(env)
    with pytest.raises(UnbalancedEntry, match=r"USD off by 10\.00"):
        post(env, MAR_10, dr("1200", "100.00"), cr("4000", "90.00"))
    with pytest.raises(NotFound, match="9999"):
        post(env, MAR_10, dr("9999", "1.00"), cr("4000", "1.00"))
    with pytest.raises(InvalidInput, match="not both"):
        post(
            env,
            MAR_10,
            ManualLine("1200", debit=usd("1.00"), credit=usd("1.00")),
            cr("4000", "1.00"),
        )
    with pytest.raises(InvalidInput, match="not both"):
        post(env, MAR_10, ManualLine("1200"), cr("4000", "1.00"))
    assert snapshot(env) == before


@pytest.mark.parametrize("role", ["analyst", "clerk", "specialist", "auditor"])
def test_only_leads_and_admins_post_journals(env: Env, role: str) -> None:
    env.add_user("pat", role)
    before = snapshot(env)
    with pytest.raises(NotPermitted, match="post manual journal entries"):
        post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"), user="pat")
    entry_id = post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    with pytest.raises(NotPermitted):
        ledger.reverse_entry(ReverseEntry(entry_id), env.uow("pat"))
    assert snapshot(env).entries == before.entries + 1


def test_a_clerk_cannot_close_or_reopen_a_period(env: Env) -> None:
    env.add_user("carl", "clerk")
    before = snapshot(env)
    with pytest.raises(NotPermitted, match="close and reopen periods"):
        ledger.close_period(ClosePeriod("2026-03"), env.uow("carl"))
    assert snapshot(env) == before
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    with pytest.raises(NotPermitted):
        ledger.reopen_period(ReopenPeriod("2026-03", "please"), env.uow("carl"))
    assert snapshot(env) == before


def test_an_unknown_user_may_do_nothing(env: Env) -> None:
    with pytest.raises(NotPermitted, match="no active user 'ghost'"):
        ledger.trial_balance(env.uow("ghost"))


# -- the database's own guards -------------------------------------------------------------
def test_the_raw_insert_helper_is_accepted_when_the_entry_is_sound(env: Env) -> None:
    # the control for the refusals below: the same path, a sound entry, is accepted
    with env.engine.connect() as conn:
        insert_raw_entry(
            conn, company_id(env), MAR_10, [("1200", "USD", 100), ("4000", "USD", -100)]
        )
        conn.commit()
    assert ledger.trial_balance(env.uow()).totals() == {"USD": (usd("1.00"), usd("1.00"))}


def test_the_database_refuses_a_posting_into_a_closed_period(env: Env) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="owed: period"):
        insert_raw_entry(
            conn, company_id(env), MAR_10, [("1200", "USD", 100), ("4000", "USD", -100)]
        )
    assert snapshot(env) == before


def test_the_database_refuses_a_closed_period_date_under_another_period_label(
    env: Env,
) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="owed:"):
        insert_raw_entry(
            conn,
            company_id(env),
            MAR_10,
            [("1200", "USD", 100), ("4000", "USD", -100)],
            period="2026-04",
        )
    assert snapshot(env) == before


@pytest.mark.parametrize(
    "lines",
    [
        [("1200", "USD", 100), ("4000", "USD", -90)],
        [("1200", "USD", 100), ("4000", "EUR", -100)],
        [("1200", "USD", 100), ("4000", "USD", -100), ("1200", "JPY", 5), ("4000", "JPY", -4)],
        [("1200", "USD", 0), ("4000", "USD", 0)][:1],
        [],
    ],
    ids=["short", "cross-currency", "one-currency-off", "one-line", "no-lines"],
)
def test_the_database_refuses_an_unbalanced_entry(
    env: Env, lines: list[tuple[str, str, int]]
) -> None:
    before = snapshot(env)
    with (
        env.engine.connect() as conn,
        pytest.raises(DBAPIError, match="owed: unbalanced journal entry"),
    ):
        insert_raw_entry(conn, company_id(env), MAR_10, lines)
    assert snapshot(env) == before


def test_the_database_refuses_an_entry_split_across_companies(engine: Engine, env: Env) -> None:
    other = make_env(engine)
    before, other_before = snapshot(env), snapshot(other)
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="owed:"):
        insert_raw_entry(
            conn,
            company_id(env),
            MAR_10,
            [("1200", "USD", 100), ("4000", "USD", -100)],
            line_company_ids=[company_id(env), company_id(other)],
        )
    assert (snapshot(env), snapshot(other)) == (before, other_before)


def test_the_database_refuses_lines_dated_apart_from_their_entry(env: Env) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="owed:"):
        insert_raw_entry(
            conn,
            company_id(env),
            APR_2,
            [("1200", "USD", 100), ("4000", "USD", -100)],
            line_dates=[MAR_10, MAR_10],
        )
    assert snapshot(env) == before


def test_the_database_refuses_lines_without_an_entry(env: Env) -> None:
    before = snapshot(env)
    with env.engine.connect() as conn:
        conn.execute(
            journal_lines.insert(),
            [
                {
                    "entry_id": 10**12 + 7,
                    "line_no": 1,
                    "company_id": company_id(env),
                    "entry_date": MAR_10,
                    "account_code": "1200",
                    "currency": "USD",
                    "amount_minor": 100,
                }
            ],
        )
        with pytest.raises(DBAPIError):  # the deferred foreign key, at commit
            conn.commit()
    assert snapshot(env) == before


def test_a_commit_the_database_refuses_leaves_the_connection_pool_usable(env: Env) -> None:
    # SQLite keeps a transaction open when COMMIT fails on a deferred foreign key;
    # the pooled connection must not come back holding it (and the write lock).
    before = snapshot(env)
    for attempt in range(3):
        with pytest.raises(Conflict), env.uow() as uow:
            uow.conn.execute(
                journal_lines.insert().values(
                    entry_id=10**12 + 100 + attempt,
                    line_no=1,
                    company_id=uow.company.id,
                    entry_date=MAR_10,
                    account_code="1200",
                    currency="USD",
                    amount_minor=1,
                )
            )
            uow.commit()
    assert snapshot(env) == before
    post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    assert snapshot(env).entries == before.entries + 1


def test_the_database_refuses_a_line_added_to_a_posted_entry(env: Env) -> None:
    entry_id = post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    before = snapshot(env)
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="already posted"):
        conn.execute(
            journal_lines.insert().values(
                entry_id=entry_id,
                line_no=3,
                company_id=company_id(env),
                entry_date=MAR_10,
                account_code="1200",
                currency="USD",
                amount_minor=500,
            )
        )
    assert snapshot(env) == before


@pytest.mark.parametrize("table", [journal_lines, journal_entries, audit_log], ids=lambda t: t.name)
@pytest.mark.parametrize("verb", ["update", "delete"])
def test_the_database_refuses_to_update_or_delete_ledger_and_audit_rows(
    env: Env, table: object, verb: str
) -> None:
    post(env, MAR_10, dr("1200", "1.00"), cr("4000", "1.00"))
    cid = company_id(env)
    before = snapshot(env)
    values = {
        "journal_lines": {"amount_minor": 999},
        "journal_entries": {"description": "changed"},
        "audit_log": {"actor": "mallory"},
    }[table.name]  # type: ignore[attr-defined]
    stmt = (
        update(table).where(table.c.company_id == cid).values(**values)  # type: ignore[arg-type, attr-defined]
        if verb == "update"
        else delete(table).where(table.c.company_id == cid)
    )  # type: ignore[arg-type, attr-defined]
    with env.engine.connect() as conn, pytest.raises(DBAPIError, match="append-only"):
        conn.execute(stmt)
    assert snapshot(env) == before


def test_the_bulk_path_past_the_service_checks_is_still_refused_by_the_database(
    env: Env,
) -> None:
    ledger.close_period(ClosePeriod("2026-03"), env.uow())
    before = snapshot(env)
    entry = JournalEntry(
        MAR_10, "bulk", (JournalLine("1200", usd("1.00")), JournalLine("4000", usd("-1.00")))
    )
    with env.uow() as uow, pytest.raises(ClosedPeriod):
        uow.ledger.add_entries([entry], "admin", uow.now())
    assert snapshot(env) == before
    with env.uow() as uow:  # and the open period takes the same entry
        (entry_id,) = uow.ledger.add_entries(
            [JournalEntry(APR_2, "bulk", entry.lines)], "admin", uow.now()
        )
        uow.commit()
    assert snapshot(env).entries == before.entries + 1
    with env.uow() as uow:
        assert uow.ledger.get_entry(entry_id).lines == entry.lines  # type: ignore[union-attr]
