"""Month-end close: reconcile, list what is open, propose the allowance, lock the period.

``close_month`` runs the checks as of the period's last day and returns a
``CloseReport``:

1. **AR subledger = GL.** The subledger is the sum of open items as of the
   period end (documents − dated settlements, credit memos negative); the GL
   side is the AR control account's balance as of the same day. Both are
   also taken per document (journal lines carry customer and document), so
   any difference is itemised per customer and document, to the cent.
2. **Unapplied cash** (receipts not fully applied as of the period end) and
   **open disputes** (opened by then, not closed by then) are listed.
3. **Allowance for doubtful accounts** (``services.allowance``): the aging
   (computed in SQL with the domain's bucket edges; the collections aging
   query, setting ``"aging_buckets"``) times the company's percentages per
   bucket gives a target per currency. When the allowance account differs
   from it, a proposal is stored; a *different* person with the approve
   permission posts it (``decide_allowance``), dated the period end.
4. **FX revaluation** is reported, not posted: the ledger keeps AR in each
   document's own currency and balances per currency, so there is no
   base-currency carrying amount to revalue; the report shows each foreign
   currency's open AR at the period-end rate (settings ``"fx_rates"``).
5. **Lock** (``services.ledger.lock_period``) unless this is a dry run, an
   allowance proposal of the period awaits approval, or the subledger differs
   from the GL; the last can be overridden with a reason (``force_reason``),
   which is audited.

A dry run writes nothing to the database. Every other run is recorded in
``close_runs`` with the report as JSON; the caller's ``write_report`` port
(Markdown/JSON files under ``data_dir/close/<period>/``) is called with it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from owed.domain.auth import Permission
from owed.domain.collections.aging import AgingBasis, Buckets, bucket_edges
from owed.domain.errors import InvalidInput, RuleViolation
from owed.domain.ledger import SystemAccount
from owed.domain.ledger.periods import parse_period
from owed.domain.money import Currency, Money
from owed.services.aging import buckets_from_settings
from owed.services.allowance import AllowanceProposal, propose_allowance, store_proposals
from owed.services.fx_rates import rates_as_of
from owed.services.ledger import account, lock_period
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Difference:
    customer: str | None  # external id
    document: str | None  # number
    currency: str
    subledger: Decimal
    gl: Decimal

    @property
    def difference(self) -> Decimal:
        return self.subledger - self.gl


@dataclass(frozen=True)
class Reconciliation:
    currency: str
    subledger: Decimal
    gl: Decimal

    @property
    def difference(self) -> Decimal:
        return self.subledger - self.gl


@dataclass(frozen=True)
class FxLine:
    currency: str
    open_amount: Decimal
    rate: Decimal | None
    base_amount: Decimal | None


@dataclass
class CloseReport:
    period: str
    as_of: date
    dry_run: bool
    base_currency: str
    reconciliation: list[Reconciliation]
    differences: list[Difference]
    unapplied: list[dict[str, Any]]
    disputes: list[dict[str, Any]]
    aging: dict[str, dict[str, Decimal]]  # currency → bucket → amount
    allowance: list[AllowanceProposal]
    fx: list[FxLine]
    outcome: str = "checked"  # checked | locked | refused | awaiting_approval
    forced_reason: str | None = None
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None
    location: str | None = None

    @property
    def reconciled(self) -> bool:
        return not self.differences and all(r.difference == 0 for r in self.reconciliation)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["reconciled"] = self.reconciled
        for rec, row in zip(self.reconciliation, data["reconciliation"], strict=True):
            row["difference"] = rec.difference
        for diff, row in zip(self.differences, data["differences"], strict=True):
            row["difference"] = diff.difference
        for prop, row in zip(self.allowance, data["allowance"], strict=True):
            row["adjustment"] = prop.adjustment
        return data

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), default=str, indent=2, sort_keys=True)


@dataclass(frozen=True)
class CloseMonth:
    period: str
    dry_run: bool = False
    force_reason: str | None = None  # lock even though the subledger differs from the GL
    write_report: Callable[[CloseReport], str] | None = None  # returns where it was written


def close_month(cmd: CloseMonth, uow: UnitOfWork) -> CloseReport:
    _, end = parse_period(cmd.period)
    if cmd.force_reason is not None and not cmd.force_reason.strip():
        raise InvalidInput("--force needs a reason")
    with uow:
        uow.require(Permission.CLOSE_PERIOD)
        if uow.ledger.period_status(cmd.period) == "closed":
            raise RuleViolation(f"period {cmd.period} is already closed (reopen it first)")
        report = _build_report(uow, cmd.period, end, cmd.dry_run)
        if cmd.dry_run:
            _finish_outcome(report, cmd)
            if cmd.write_report is not None:
                report.location = cmd.write_report(report)
            return report
        report.allowance = store_proposals(uow, report.period, report.as_of, report.allowance)
        _finish_outcome(report, cmd)
        if report.outcome == "locked":
            if not report.reconciled:
                uow.audit(
                    "close.force",
                    "period",
                    cmd.period,
                    before={"reconciled": False},
                    after={"reason": cmd.force_reason, "differences": len(report.differences)},
                )
            lock_period(uow, cmd.period)
        if cmd.write_report is not None:
            report.location = cmd.write_report(report)
        report.run_id = uow.reporting.add_close_run(
            {
                "period": cmd.period,
                "dry_run": False,
                "outcome": report.outcome,
                "reconciled": report.reconciled,
                "forced_reason": cmd.force_reason,
                "report": report.to_json(),
                "report_dir": report.location,
                "run_by": uow.actor.username,
                "run_at": uow.now(),
            }
        )
        uow.audit(
            "close.run",
            "period",
            cmd.period,
            after={"outcome": report.outcome, "reconciled": report.reconciled},
        )
        uow.commit()
        return report


def _finish_outcome(report: CloseReport, cmd: CloseMonth) -> None:
    pending = [p for p in report.allowance if p.adjustment != 0]
    if not report.reconciled and cmd.force_reason is None:
        report.outcome = "refused"
        report.notes.append(
            "not locked: the AR subledger differs from the GL (see differences); "
            "fix them, or close with --force and a reason"
        )
    elif pending:
        report.outcome = "awaiting_approval"
        ids = ", ".join(str(p.proposal_id) for p in pending if p.proposal_id is not None)
        report.notes.append(
            "not locked: the allowance adjustment must be approved by another person first"
            + (f" (owed allowance approve {ids})" if ids else "")
            + ", then run the close again"
        )
    else:
        report.outcome = "locked"
        if not report.reconciled:
            report.forced_reason = cmd.force_reason
            report.notes.append(f"locked with differences, forced: {cmd.force_reason}")
    if cmd.dry_run:
        report.notes.append(f"dry run: nothing recorded or locked (would be: {report.outcome})")
        report.outcome = "checked"


# -- building the report ---------------------------------------------------------
def _build_report(uow: UnitOfWork, period: str, end: date, dry_run: bool) -> CloseReport:
    repo = uow.reporting
    ar_code = account(uow, SystemAccount.AR_CONTROL)
    items = repo.open_items(end)
    gl_rows = repo.gl_by_document(ar_code, end)
    customer_ids = {int(i.customer_id) for i in items} | {
        int(g.customer_id) for g in gl_rows if g.customer_id is not None
    }
    customers = repo.customers(sorted(customer_ids))
    reconciliation, differences = _reconcile(repo, items, gl_rows, customers, ar_code, end)
    buckets = buckets_from_settings(uow.company.settings, AgingBasis.DUE_DATE)
    # the collections aging query, as of the period end (rebuilt from settlements)
    totals = uow.collections.aging_totals(
        end, bucket_edges(end, buckets), "due_date", "currency", False
    )
    aging = _aging(totals, buckets)
    allowance = propose_allowance(uow, aging, buckets, end)
    unapplied = [
        {
            "receipt": int(r.id),
            "value_date": r.value_date,
            "payer": r.payer_name or "",
            "customer": _external(customers, r.customer_id),
            "currency": r.currency,
            "unapplied": Currency.of(r.currency).from_minor(int(r.unapplied_minor)),
            "days": (end - r.value_date).days,
        }
        for r in repo.unapplied_as_of(end)
    ]
    return CloseReport(
        period=period,
        as_of=end,
        dry_run=dry_run,
        base_currency=uow.company.base_currency,
        reconciliation=reconciliation,
        differences=differences,
        unapplied=unapplied,
        disputes=_open_disputes(repo, end),
        aging={cur: dict(cells) for cur, cells in aging.items()},
        allowance=allowance,
        fx=_fx(uow, items, end),
    )


def _external(customers: dict[int, Any], customer_id: int | None) -> str | None:
    if customer_id is None:
        return None
    row = customers.get(int(customer_id))
    return str(row.external_id) if row is not None else str(customer_id)


def _reconcile(
    repo: Any,
    items: list[Any],
    gl_rows: list[Any],
    customers: dict[int, Any],
    ar_code: str,
    end: date,
) -> tuple[list[Reconciliation], list[Difference]]:
    Key = tuple[int | None, int | None, str]
    sub: dict[Key, int] = defaultdict(int)
    gl: dict[Key, int] = defaultdict(int)
    for i in items:
        sub[(int(i.customer_id), int(i.document_id), i.currency)] += int(i.open_minor)
    for g in gl_rows:
        cid = int(g.customer_id) if g.customer_id is not None else None
        did = int(g.document_id) if g.document_id is not None else None
        gl[(cid, did, g.currency)] += int(g.amount_minor)
    bad = sorted(
        (key for key in set(sub) | set(gl) if sub.get(key, 0) != gl.get(key, 0)),
        key=lambda k: (k[2], k[0] or 0, k[1] or 0),
    )
    numbers = repo.document_numbers([k[1] for k in bad if k[1] is not None])
    differences = [
        Difference(
            _external(customers, cid),
            numbers.get(did) if did is not None else None,
            cur,
            Currency.of(cur).from_minor(sub.get((cid, did, cur), 0)),
            Currency.of(cur).from_minor(gl.get((cid, did, cur), 0)),
        )
        for cid, did, cur in bad
    ]
    control = repo.account_balances(ar_code, end)
    sub_totals: dict[str, int] = defaultdict(int)
    for (_, _, cur), minor in sub.items():
        sub_totals[cur] += minor
    reconciliation = [
        Reconciliation(
            cur,
            Currency.of(cur).from_minor(sub_totals.get(cur, 0)),
            Currency.of(cur).from_minor(control.get(cur, 0)),
        )
        for cur in sorted(set(sub_totals) | set(control))
    ]
    return reconciliation, differences


def _open_disputes(repo: Any, end: date) -> list[dict[str, Any]]:
    out = []
    for d in repo.disputes():
        opened = d.opened_on or d.opened_at.date()
        if opened <= end and (d.closed_on is None or d.closed_on > end):
            out.append(
                {
                    "dispute": int(d.id),
                    "document_id": int(d.document_id),
                    "currency": d.currency,
                    "amount": Currency.of(d.currency).from_minor(int(d.amount_minor)),
                    "reason": d.reason,
                    "status": d.status,
                    "source": d.source,
                    "opened_on": opened,
                    "days_open": (end - opened).days,
                }
            )
    numbers = repo.document_numbers([d["document_id"] for d in out])
    for d in out:
        d["document"] = numbers.get(d.pop("document_id"))
    return sorted(out, key=lambda d: (d["opened_on"], d["dispute"]))


def _aging(rows: list[Any], buckets: Buckets) -> dict[str, dict[str, Decimal]]:
    out: dict[str, dict[str, Decimal]] = {}
    for cell in rows:  # BucketTotal: group, currency, label, amount, count
        cells = out.setdefault(cell.currency, {label: Decimal(0) for label in buckets.labels})
        cells[cell.label] += cell.amount
    return out


def _fx(uow: UnitOfWork, items: list[Any], end: date) -> list[FxLine]:
    base = uow.company.base_currency
    rates = rates_as_of(uow, end)
    totals: dict[str, int] = defaultdict(int)
    for i in items:
        if i.currency != base:
            totals[i.currency] += int(i.open_minor)
    out = []
    for cur, minor in sorted(totals.items()):
        amount = Currency.of(cur).from_minor(minor)
        rate = rates.get(cur)
        based = Money(amount * rate, base).round().amount if rate is not None else None
        out.append(FxLine(cur, amount, rate, based))
    return out
