"""Property: any sequence of apply / unapply / return / pair keeps every cent accounted for."""

from __future__ import annotations

import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from owed.domain.errors import InvalidInput, RuleViolation
from owed.services.cash_corrections import ApplyReceipt, Target, apply_receipt
from owed.services.cash_returns import PairReturns, pair_returns
from owed.services.cash_unapply import UnapplyReceipt
from owed.services.cash_unapply import unapply_receipt as unapply
from tests.builders import add_customer, add_invoice
from tests.conftest import make_env
from tests.integration.cash.returns_helpers import credit, import_lines, invariants_hold, returned

AMOUNTS = ("120.00", "75.50", "200.00")
_files = itertools.count()

operation = st.one_of(
    st.tuples(st.just("apply"), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("unapply"), st.integers(0, 2)),
    st.tuples(st.just("return"), st.integers(0, 2), st.sampled_from(("0", "2.50", "-10.00"))),
    st.tuples(st.just("pair")),
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(operation, min_size=1, max_size=8))
def test_any_sequence_keeps_conservation_and_the_ledger_balanced(engine: Engine, ops) -> None:
    env = make_env(engine)
    acme = add_customer(env, "Acme Corporation")
    invoices = [add_invoice(env, acme, "150.00"), add_invoice(env, acme, "90.00")]
    lines = [credit(a, f"PAY-{i}", e2e=f"E2E-{i}-REF") for i, a in enumerate(AMOUNTS)]
    receipt_ids = import_lines(env, *lines, name=f"p{next(_files)}")
    for op in ops:
        try:
            if op[0] == "apply":
                apply_receipt(
                    ApplyReceipt(receipt_ids[op[1]], (Target(invoices[op[2]].number),)),
                    env.uow(),
                )
            elif op[0] == "unapply":
                unapply(UnapplyReceipt(receipt_ids[op[1]]), env.uow())
            elif op[0] == "return":
                amount = Decimal(AMOUNTS[op[1]]) + Decimal(op[2])
                import_lines(
                    env,
                    returned(str(amount), f"RET-{next(_files)}", e2e=f"E2E-{op[1]}-REF"),
                    name=f"r{next(_files)}",
                )
            else:
                pair_returns(PairReturns(), env.uow())
        except (RuleViolation, InvalidInput):
            pass  # a refused operation (nothing applied or open, returned) changes nothing
        invariants_hold(env)
