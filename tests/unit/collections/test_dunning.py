"""Dunning selection: every rule, a worked scenario, and invariants."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from owed.domain.collections.dunning import select
from owed.domain.collections.dunning_policy import (
    Channel,
    DunningAction,
    DunningLevel,
    DunningPolicy,
)
from owed.domain.collections.dunning_run import CustomerDunningState, DunningItem, ExclusionReason
from owed.domain.collections.promises import PlanStatus, PromiseStatus
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.domain.money import Money

D = Decimal
TODAY = date(2026, 3, 31)

STANDARD = DunningPolicy(
    "standard",
    None,
    (
        DunningLevel(1, "Friendly", -3, template="friendly"),
        DunningLevel(2, "Reminder", 1, template="reminder"),
        DunningLevel(3, "Firm", 15, channel=Channel.EMAIL, template="firm"),
        DunningLevel(
            4,
            "Final",
            30,
            channel=Channel.LETTER,
            template="final",
            actions=frozenset({DunningAction.HOLD}),
        ),
        DunningLevel(
            5,
            "Agency",
            60,
            D(500),
            Channel.LETTER,
            "agency",
            frozenset({DunningAction.ESCALATE_AGENCY}),
        ),
    ),
)


def overdue(document: str, days: int, amount: str = "100.00", **kw: object) -> DunningItem:
    return DunningItem(document, "USD", TODAY - timedelta(days=days), D(amount), **kw)  # type: ignore[arg-type]


def customer(*items: DunningItem, **kw: object) -> CustomerDunningState:
    return CustomerDunningState("C1", "retail", tuple(items), **kw)  # type: ignore[arg-type]


def reasons(run: object, document: str | None = None) -> set[ExclusionReason]:
    return {e.reason for e in run.why_not("C1", document)}  # type: ignore[attr-defined]


# -- the scenario -----------------------------------------------------------------


def test_three_overdue_invoices_one_disputed_one_promised_gets_one_notice_for_the_third() -> None:
    # A customer owes three invoices, each 20 days past due and never dunned.
    disputed = overdue("INV-1", 20, disputed_amount=D("100.00"))
    promised = overdue("INV-2", 20, promise=PromiseStatus.PENDING)
    plain = overdue("INV-3", 20)

    # Today's run looks at the customer.
    run = select([customer(disputed, promised, plain)], [STANDARD], TODAY)

    # Exactly one notice goes out, and it lists only the third invoice.
    assert len(run.notices) == 1
    notice = run.notices[0]
    assert [i.document for i in notice.items] == ["INV-3"]
    assert notice.totals == {"USD": Money("100.00", "USD")}
    # The third invoice was never dunned and is past due, so it moves to level 2
    # (the pre-due level 1 is passed over for an overdue item).
    assert notice.items[0].level == 2
    # The preview explains the other two.
    assert reasons(run, "INV-1") == {ExclusionReason.DISPUTED}
    assert reasons(run, "INV-2") == {ExclusionReason.PROMISE_TO_PAY}


# -- what is never dunned ---------------------------------------------------------


def test_already_run_today_sends_nothing() -> None:
    run = select([customer(overdue("A", 40), last_run=TODAY)], [STANDARD], TODAY)

    assert run.notices == ()
    assert reasons(run) == {ExclusionReason.ALREADY_RUN_TODAY}


def test_run_yesterday_does_not_block_today() -> None:
    run = select(
        [customer(overdue("A", 40), last_run=TODAY - timedelta(days=1))], [STANDARD], TODAY
    )
    assert len(run.notices) == 1


def test_blocked_customer_is_never_dunned() -> None:
    run = select([customer(overdue("A", 40), blocked=True)], [STANDARD], TODAY)

    assert run.notices == ()
    assert [e.item for e in run.exclusions] == [None]
    assert reasons(run) == {ExclusionReason.BLOCKED}


def test_partly_disputed_item_is_dunned_for_the_undisputed_rest_only() -> None:
    item = overdue("A", 10, "1000.00", disputed_amount=D("400.00"))

    run = select([customer(item)], [STANDARD], TODAY)

    line = run.notices[0].items[0]
    assert line.dunned_amount == Money("600.00", "USD")
    assert line.disputed_amount == Money("400.00", "USD")
    assert run.notices[0].totals["USD"] == Money("600.00", "USD")
    assert reasons(run, "A") == {ExclusionReason.PARTLY_DISPUTED}


def test_broken_promise_and_broken_plan_no_longer_protect() -> None:
    items = (
        overdue("P-PENDING", 10, promise=PromiseStatus.PENDING),
        overdue("P-BROKEN", 10, promise=PromiseStatus.BROKEN),
        overdue("PLAN-CURRENT", 10, plan=PlanStatus.CURRENT),
        overdue("PLAN-BROKEN", 10, plan=PlanStatus.BROKEN),
    )

    run = select([customer(*items)], [STANDARD], TODAY)

    assert {i.document for i in run.notices[0].items} == {"P-BROKEN", "PLAN-BROKEN"}
    assert reasons(run, "PLAN-CURRENT") == {ExclusionReason.PAYMENT_PLAN}


def test_unapplied_cash_covering_the_overdue_amount_stops_the_notice() -> None:
    items = (overdue("A", 10, "300.00"), overdue("B", 40, "200.00", last_level=3))
    cash = (Money("450.00", "USD"),)
    credits = (Money("50.00", "USD"),)

    run = select([customer(*items, unapplied_cash=cash, credits=credits)], [STANDARD], TODAY)

    assert run.notices == ()
    assert reasons(run, "A") == {ExclusionReason.COVERED_BY_UNAPPLIED}


def test_partial_cover_does_not_stop_the_notice_but_is_passed_to_the_letter() -> None:
    items = (overdue("A", 10, "300.00"), overdue("B", 40, "200.00", last_level=3))
    cash = (Money("499.99", "USD"),)

    run = select([customer(*items, unapplied_cash=cash)], [STANDARD], TODAY)

    assert len(run.notices) == 1
    assert run.notices[0].unapplied == cash


def test_cash_in_another_currency_does_not_cover() -> None:
    run = select(
        [customer(overdue("A", 10), unapplied_cash=(Money("1000", "EUR"),))], [STANDARD], TODAY
    )
    assert len(run.notices) == 1


def test_cover_left_after_overdue_items_also_covers_pre_due_reminders() -> None:
    items = (overdue("LATE", 10, "100.00"), overdue("SOON", -2, "50.00"))

    covered = select([customer(*items, unapplied_cash=(Money("150", "USD"),))], [STANDARD], TODAY)
    short = select([customer(*items, unapplied_cash=(Money("120", "USD"),))], [STANDARD], TODAY)

    assert covered.notices == ()
    assert [i.document for i in short.notices[0].items] == ["SOON"]
    assert reasons(short, "LATE") == {ExclusionReason.COVERED_BY_UNAPPLIED}


# -- levels ---------------------------------------------------------------------------


def test_levels_advance_one_at_a_time_and_are_not_repeated() -> None:
    first = select([customer(overdue("A", 45, last_level=2))], [STANDARD], TODAY)
    assert first.notices[0].items[0].level == 3  # not 4, although 45 days >= 30

    last = select([customer(overdue("A", 400, "900", last_level=5))], [STANDARD], TODAY)
    assert last.notices == ()
    assert reasons(last, "A") == {ExclusionReason.LAST_LEVEL_SENT}


def test_friendly_reminder_before_due_and_not_before_its_threshold() -> None:
    due_in_3 = select([customer(overdue("A", -3))], [STANDARD], TODAY)
    due_in_4 = select([customer(overdue("A", -4))], [STANDARD], TODAY)

    assert due_in_3.notices[0].items[0].level == 1
    assert due_in_3.notices[0].template == "friendly"
    assert due_in_4.notices == ()
    (why,) = due_in_4.why_not("C1", "A")
    assert why.reason is ExclusionReason.NOT_DUE_FOR_LEVEL
    assert "2026-04-01" in why.detail  # due 2026-04-04, level 1 from three days before


def test_spacing_between_levels_is_kept_when_a_level_went_out_late() -> None:
    # Level 2 (day 1) went out only on day 40; level 3 (day 15) is 14 days later.
    sent = TODAY - timedelta(days=10)
    waiting = select(
        [customer(overdue("A", 50, last_level=2, last_sent_on=sent))], [STANDARD], TODAY
    )
    ready = select(
        [customer(overdue("A", 54, last_level=2, last_sent_on=TODAY - timedelta(days=14)))],
        [STANDARD],
        TODAY,
    )

    assert waiting.notices == ()
    assert reasons(waiting, "A") == {ExclusionReason.TOO_SOON}
    assert ready.notices[0].items[0].level == 3


def test_one_consolidated_notice_at_the_highest_level_with_all_actions() -> None:
    items = (overdue("A", 5), overdue("B", 35, last_level=3), overdue("C", 16, last_level=2))

    run = select([customer(*items)], [STANDARD], TODAY)

    (notice,) = run.notices
    assert notice.level.number == 4
    assert notice.channel is Channel.LETTER
    assert {(i.document, i.level) for i in notice.items} == {("A", 2), ("B", 4), ("C", 3)}
    assert notice.actions == frozenset({DunningAction.HOLD})
    assert [i.document for i in notice.items] == ["B", "C", "A"]  # oldest due first


def test_min_amount_is_on_the_customers_total_at_that_level() -> None:
    small = (overdue("A", 70, "200", last_level=4), overdue("B", 70, "250", last_level=4))
    enough = (*small, overdue("C", 70, "50", last_level=4))

    below = select([customer(*small)], [STANDARD], TODAY)
    reached = select([customer(*enough)], [STANDARD], TODAY)

    assert below.notices == ()
    assert reasons(below, "A") == {ExclusionReason.BELOW_MIN_AMOUNT}
    assert reached.notices[0].level.number == 5
    assert reached.notices[0].totals["USD"] == Money("500", "USD")


def test_policy_by_segment_with_default_and_missing_policy() -> None:
    vip = DunningPolicy("vip", "vip", (DunningLevel(1, "Call", 10),))
    state = CustomerDunningState("C1", "vip", (overdue("A", 5),))

    assert select([state], [STANDARD, vip], TODAY).notices == ()
    assert select([customer(overdue("A", 5))], [vip], TODAY).exclusions[0].reason is (
        ExclusionReason.NO_POLICY
    )


def test_invalid_policies_and_states_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="level 2"):
        DunningPolicy("bad", None, (DunningLevel(1, "a", 10), DunningLevel(2, "b", 5)))
    with pytest.raises(ConfigurationError, match="segment"):
        select([], [STANDARD, DunningPolicy("x", None, (DunningLevel(1, "a", 1),))], TODAY)
    with pytest.raises(InvalidInput, match="listed twice"):
        select([customer(overdue("A", 5), overdue("A", 6))], [STANDARD], TODAY)
    with pytest.raises(TypeError):
        select([customer(DunningItem("A", "USD", TODAY, 1.5))], [STANDARD], TODAY)  # type: ignore[arg-type]


# -- invariants -------------------------------------------------------------------

item_strategy = st.builds(
    DunningItem,
    document=st.text("ABCDEFGH", min_size=1, max_size=4),
    currency=st.sampled_from(["USD", "EUR"]),
    due_date=st.integers(-30, 200).map(lambda d: TODAY - timedelta(days=d)),
    open_amount=st.integers(-100, 5_000).map(D),
    disputed_amount=st.integers(0, 6_000).map(D) | st.just(D(0)),
    promise=st.none() | st.sampled_from(list(PromiseStatus)),
    plan=st.none() | st.sampled_from(list(PlanStatus)),
    last_level=st.integers(0, 5),
    last_sent_on=st.none() | st.integers(0, 90).map(lambda d: TODAY - timedelta(days=d)),
)
state_strategy = st.builds(
    CustomerDunningState,
    customer_id=st.sampled_from(["C1", "C2", "C3"]),
    segment=st.just("retail"),
    items=st.lists(item_strategy, max_size=8, unique_by=lambda i: i.document).map(tuple),
    unapplied_cash=st.lists(
        st.builds(Money, st.integers(0, 3_000), st.sampled_from(["USD", "EUR"])), max_size=2
    ).map(tuple),
    blocked=st.booleans(),
)


@settings(max_examples=300)
@given(state_strategy)
def test_never_dunned_blocked_disputed_promised_or_planned(state: CustomerDunningState) -> None:
    run = select([state], [STANDARD], TODAY)
    items = {i.document: i for i in state.items}
    for notice in run.notices:
        assert not state.blocked
        for line in notice.items:
            item = items[line.document]
            assert item.disputed_amount < item.open_amount
            assert line.dunned_amount.amount == item.open_amount - item.disputed_amount
            assert item.promise is not PromiseStatus.PENDING
            assert item.plan is not PlanStatus.CURRENT
            assert line.level > item.last_level
            assert STANDARD.level(line.level) is not None


@settings(max_examples=300)
@given(state_strategy)
def test_every_item_is_either_noticed_or_explained(state: CustomerDunningState) -> None:
    run = select([state], [STANDARD], TODAY)
    noticed = {line.document for n in run.notices for line in n.items}
    explained = {e.item for e in run.exclusions}
    assert len(run.notices) <= 1
    if None in explained:  # the whole customer was excluded
        assert not noticed
        return
    for item in state.items:
        assert item.document in noticed or item.document in explained


@settings(max_examples=300)
@given(state_strategy)
def test_overdue_items_are_not_dunned_when_cash_covers_all_overdue(
    state: CustomerDunningState,
) -> None:
    run = select([state], [STANDARD], TODAY)
    for notice in run.notices:
        for line in notice.items:
            if line.days_overdue <= 0:
                continue
            code = line.dunned_amount.currency
            overdue_total = sum(
                (
                    i.open_amount - min(i.disputed_amount, i.open_amount)
                    for i in state.items
                    if i.currency == code.code
                    and i.open_amount > 0
                    and (TODAY - i.due_date).days > 0
                    and i.promise is not PromiseStatus.PENDING
                    and i.plan is not PlanStatus.CURRENT
                ),
                D(0),
            )
            cover = sum((m.amount for m in state.unapplied_cash if m.currency == code), D(0))
            assert cover == 0 or cover < overdue_total


@given(state_strategy)
def test_a_second_run_on_the_same_day_sends_nothing(state: CustomerDunningState) -> None:
    after = CustomerDunningState(
        state.customer_id, state.segment, state.items, state.unapplied_cash, last_run=TODAY
    )
    assert select([after], [STANDARD], TODAY).notices == ()
