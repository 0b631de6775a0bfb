"""Write-off approvals (segregation of duties, approval matrix) and agency rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from owed.domain.collections.writeoffs import (
    AGENCY_COLUMNS,
    ApprovalMatrix,
    Debtor,
    PlacedItem,
    agency_export_rows,
    check_approval,
)
from owed.domain.errors import InvalidInput, NotPermitted, SegregationOfDuties
from owed.domain.money import Money

MATRIX = ApprovalMatrix()


def usd(amount: str) -> Money:
    return Money(amount, "USD")


def test_nobody_approves_their_own_write_off_not_even_an_admin() -> None:
    with pytest.raises(SegregationOfDuties, match="own write-off"):
        check_approval(MATRIX, "ann", " Ann ", ["admin"], usd("1.00"))


@pytest.mark.parametrize(
    ("roles", "amount", "allowed"),
    [
        (["clerk"], "0.01", False),
        (["specialist"], "250.00", True),
        (["specialist"], "250.01", False),
        (["lead"], "10000.00", True),
        (["specialist", "lead"], "9999.99", True),
        (["admin"], "100000.00", True),
        (["admin"], "100000.01", False),
        (["auditor"], "1.00", False),
    ],
)
def test_default_matrix_limits(roles: list[str], amount: str, allowed: bool) -> None:
    if allowed:
        check_approval(MATRIX, "requester", "approver", roles, usd(amount))
    else:
        with pytest.raises(NotPermitted) as raised:
            check_approval(MATRIX, "requester", "approver", roles, usd(amount))
        assert not isinstance(raised.value, SegregationOfDuties)


def test_configurable_matrix_and_currency_check() -> None:
    matrix = ApprovalMatrix("EUR", {"manager": Decimal(500)})
    check_approval(matrix, "a", "b", ["manager"], Money("500", "EUR"))
    with pytest.raises(InvalidInput, match="converted"):
        check_approval(matrix, "a", "b", ["manager"], usd("1"))
    with pytest.raises(InvalidInput, match="positive"):
        check_approval(matrix, "a", "b", ["manager"], Money("0", "EUR"))


def test_agency_rows_place_only_the_undisputed_open_amount() -> None:
    debtors = [Debtor("C1", "Acme Ltd", "GB123", "1 High St", "ap@acme.test", "+44 1")]
    items = [
        PlacedItem(
            "C1",
            "INV-1",
            date(2025, 10, 1),
            date(2025, 10, 31),
            usd("1000"),
            usd("800"),
            usd("300"),
            date(2025, 12, 1),
            5,
        ),
        PlacedItem(
            "C1", "INV-2", date(2025, 10, 1), date(2025, 10, 31), usd("50"), usd("50"), usd("50")
        ),
    ]

    export = agency_export_rows(debtors, items, date(2026, 3, 1))

    (row,) = export.rows
    assert tuple(row) == AGENCY_COLUMNS
    assert row["placed_amount"] == "500.00"
    assert row["open_amount"] == "800.00"
    assert row["days_past_due"] == "121"
    assert row["last_payment_date"] == "2025-12-01"
    assert [(s.document, s.reason) for s in export.skipped] == [("INV-2", "disputed in full")]


def test_agency_rows_need_the_debtor() -> None:
    item = PlacedItem("C9", "INV-1", date(2025, 1, 1), date(2025, 1, 31), usd("1"), usd("1"))
    with pytest.raises(InvalidInput, match="C9"):
        agency_export_rows([], [item], date(2026, 3, 1))
