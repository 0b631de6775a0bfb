"""Remittance reason codes mapped to our dispute reason codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from owed.domain.disputes.deductions import reason_for_deduction
from owed.domain.disputes.model import ReasonCode


@pytest.mark.parametrize(("code", "reason"), [
    ("01", ReasonCode.PRICING), ("06", ReasonCode.QUANTITY), ("19", ReasonCode.DUPLICATE_BILLING),
    ("59", ReasonCode.NOT_RECEIVED), ("55", ReasonCode.TAX), (" 04 ", ReasonCode.DAMAGED_QUALITY),
    ("DAMAGED", ReasonCode.DAMAGED_QUALITY), ("promotion", ReasonCode.TRADE_PROMOTION),
    ("shortage", ReasonCode.SHORTAGE), ("quantity", ReasonCode.QUANTITY),
    ("UNEARNED_DISCOUNT", ReasonCode.OTHER), ("99", ReasonCode.OTHER), (None, ReasonCode.OTHER),
])  # fmt: skip
def test_known_codes(code, reason):
    assert reason_for_deduction(code) is reason


@given(st.one_of(st.none(), st.text(max_size=12)))
def test_always_a_reason_code(code):
    assert isinstance(reason_for_deduction(code), ReasonCode)
