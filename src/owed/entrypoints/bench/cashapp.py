"""End-to-end cash application benchmark: generate, load, import, match, persist, evaluate.

1. ``owed.simulation.cashapp.generate`` makes customers, open invoices and messy
   receipts with ground truth.
2. Customers, invoices (with their opening-balance postings) and the payer
   accounts the firm already knows are bulk-loaded into a fresh company.
3. The receipts are imported through the same use case as ``owed import bank``.
4. ``run_cash_application`` matches and persists (applications, settlements,
   journal entries, audit) in batches, exactly as ``owed cashapp run``.
5. The decisions are compared with the truth.

Used by ``owed bench cashapp`` and ``benchmarks/bench_cashapp.py``.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Engine, select

from owed.adapters.db.schema import customers as customers_t
from owed.adapters.db.schema import documents as documents_t
from owed.adapters.db.schema_cash import match_knowledge
from owed.adapters.db.uow import SqlUnitOfWork
from owed.domain.cash_application.model import Allocation, Decision
from owed.domain.clock import FixedClock
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.domain.payments.statement import Direction, ParsedFile, Statement, StatementLine
from owed.services.cash_application import RunCashApplication, run_cash_application
from owed.services.companies import CreateCompany, create_company
from owed.services.ledger import account, post_entries
from owed.services.payments import ImportBankFile, import_bank_file
from owed.simulation.cashapp import Metrics, Profile, Scenario, evaluate, generate


@dataclass
class CashappBenchResult:
    receipts: int
    items: int
    customers: int
    seconds: dict[str, float]
    metrics: Metrics

    def lines(self) -> list[str]:
        s = self.seconds
        out = [
            f"size                     {self.receipts} receipts, {self.items} open items, "
            f"{self.customers} customers",
        ]
        for key in ("generate", "load", "import", "match_and_persist"):
            out.append(f"{key:<24} {s[key]:.2f} s")
        for key in ("prepare", "match", "persist"):  # the parts of match_and_persist
            out.append(f"  {key:<22} {s[key]:.2f} s")
        out.append(f"receipts/s (match+persist) {self.receipts / s['match_and_persist']:,.0f}")
        out.append(f"receipts/s (persist alone) {self.receipts / max(s['persist'], 1e-9):,.0f}")
        out.append(
            f"receipts/s (import+match+persist) "
            f"{self.receipts / (s['import'] + s['match_and_persist']):,.0f}"
        )
        return out + self.metrics.lines()


def run_benchmark(
    engine: Engine,
    receipts: int,
    items: int,
    customers: int = 0,
    seed: int = 1,
    log: Callable[[str], None] = print,
) -> CashappBenchResult:
    customers = customers or max(1, items // 5)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    scenario = generate(Profile(customers=customers, open_items=items, receipts=receipts), seed)
    timings["generate"] = time.perf_counter() - t0
    log(f"generated in {timings['generate']:.1f} s")

    code = f"BENCH-{uuid.uuid4().hex[:8]}"
    last_day = max(r.value_date for r in scenario.receipts)
    clock = FixedClock.on(last_day)
    create_company(
        CreateCompany(code=code, name="Cash application benchmark", admin_username="bench"),
        SqlUnitOfWork(engine, code, None, clock, creating=True),
    )

    def uow() -> SqlUnitOfWork:
        return SqlUnitOfWork(engine, code, "bench", clock)

    t0 = time.perf_counter()
    customer_ids, item_ids = _load(uow(), scenario)
    timings["load"] = time.perf_counter() - t0
    log(f"loaded in {timings['load']:.1f} s")

    t0 = time.perf_counter()
    lines = tuple(
        StatementLine(
            amount=r.amount,
            currency=r.currency,
            direction=Direction.CREDIT,
            value_date=r.value_date,
            bank_reference=f"SIM{r.id}",
            method=r.method,
            payer_name=r.payer_name,
            payer_account=r.payer_account,
            remittance_text=r.remittance_text,
            remittance=r.remittance,
            source_position=f"receipt {r.id}",
        )
        for r in scenario.receipts
    )
    parsed = ParsedFile("simulation", (Statement("BENCH-ACCOUNT", "USD", lines),))
    imported = import_bank_file(ImportBankFile(parsed, "simulated.csv", uuid.uuid4().hex), uow())
    receipt_ids = dict(zip(imported.receipt_ids, (r.id for r in scenario.receipts), strict=True))
    timings["import"] = time.perf_counter() - t0
    log(f"imported in {timings['import']:.1f} s")

    _analyze(engine)  # not timed: statistics for the loaded and imported rows
    t0 = time.perf_counter()
    result = run_cash_application(RunCashApplication(batch=1000), uow(), keep_decisions=True)
    timings["match_and_persist"] = time.perf_counter() - t0
    timings.update(result.seconds)
    back = {db: sim for sim, db in item_ids.items()}
    cust_back = {db: sim for sim, db in customer_ids.items()}
    decisions = [_translate(d, receipt_ids, back, cust_back) for d in result.decisions]
    return CashappBenchResult(receipts, items, customers, timings, evaluate(scenario, decisions))


def _translate(
    d: Decision, receipts: dict[int, int], items: dict[int, int], customers: dict[int, int]
) -> Decision:
    return dataclasses.replace(
        d,
        receipt_id=receipts[d.receipt_id],
        customer_id=customers.get(d.customer_id) if d.customer_id is not None else None,
        allocations=tuple(Allocation(items[a.item_id], a.amount) for a in d.allocations),
        adjustments=tuple(
            dataclasses.replace(a, item_id=None if a.item_id is None else items[a.item_id])
            for a in d.adjustments
        ),
    )


def _analyze(engine: Engine) -> None:
    """Refresh PostgreSQL's planner statistics after the bulk loads, as after any bulk load.

    Autovacuum would do it within a minute or so; without it the planner still
    believes the company has no documents and reads all of them for each batch's
    guarded UPDATE instead of fetching the batch's rows by primary key.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()


def _load(uow: SqlUnitOfWork, scenario: Scenario) -> tuple[dict[int, int], dict[int, int]]:
    """Bulk-load customers, invoices with opening postings, and known payer accounts."""
    with uow:
        conn, company = uow.conn, uow.company.id
        now = uow.now()
        conn.execute(
            customers_t.insert(),
            [
                {
                    "company_id": company,
                    "external_id": f"SIM{c.id}",
                    "name": c.name,
                    "currency": "USD",
                    "details": json.dumps({"aliases": list(c.aliases)}),
                    "created_at": now,
                    "updated_at": now,
                }
                for c in scenario.customers
            ],
        )
        cmap = {
            int(ext[3:]): cid
            for ext, cid in conn.execute(
                select(customers_t.c.external_id, customers_t.c.id).where(
                    customers_t.c.company_id == company
                )
            )
        }
        parents = [
            {"p": cmap[c.parent_id], "i": cmap[c.id]}
            for c in scenario.customers
            if c.parent_id is not None
        ]
        if parents:
            from sqlalchemy import bindparam, update

            conn.execute(
                update(customers_t)
                .where(customers_t.c.id == bindparam("i"))
                .values(parent_id=bindparam("p")),
                parents,
            )
        usd = Currency.of("USD")
        conn.execute(
            documents_t.insert(),
            [
                {
                    "company_id": company,
                    "customer_id": cmap[i.customer_id],
                    "kind": "invoice",
                    "number": i.number,
                    "status": "issued",
                    "issue_date": i.issue_date,
                    "due_date": i.due_date,
                    "currency": i.currency,
                    "total_minor": usd.to_minor(i.original_amount),
                    "open_minor": usd.to_minor(i.open_amount),
                    "po_number": i.po_number,
                    "rf_reference": i.rf_reference,
                    "discount_date": i.discount_date,
                    "discount_minor": usd.to_minor(i.discount_amount)
                    if i.discount_amount is not None
                    else None,
                    "source": "import",
                    "created_by": "bench",
                    "created_at": now,
                }
                for i in scenario.open_items
            ],
        )
        by_number = dict(
            conn.execute(
                select(documents_t.c.number, documents_t.c.id).where(
                    documents_t.c.company_id == company
                )
            ).all()
        )
        imap = {i.id: by_number[i.number] for i in scenario.open_items}
        ar, opening = (
            account(uow, SystemAccount.AR_CONTROL),
            account(uow, SystemAccount.OPENING_BALANCE),
        )
        items = list(scenario.open_items)
        entries = []
        for start in range(0, len(items), 1000):
            chunk = items[start : start + 1000]
            total = sum((i.open_amount for i in chunk), Decimal(0))
            lines = [
                JournalLine(
                    ar,
                    Money(i.open_amount, usd),
                    customer_id=cmap[i.customer_id],
                    document_type="document",
                    document_id=imap[i.id],
                )
                for i in chunk
            ]
            lines.append(JournalLine(opening, -Money(total, usd)))
            entries.append(
                JournalEntry(
                    min(i.issue_date for i in chunk),
                    "Opening balances (benchmark)",
                    tuple(lines),
                    "import",
                )
            )
        post_entries(uow, entries)
        known = [
            {
                "company_id": company,
                "kind": "payer_account",
                "key": key,
                "customer_id": cmap[cid],
                "detail": "{}",
                "learned_by": "bench",
                "learned_at": now,
            }
            for key, cid in scenario.knowledge.accounts.items()
        ]
        if known:
            conn.execute(match_knowledge.insert(), known)
        uow.commit()
    return cmap, imap
