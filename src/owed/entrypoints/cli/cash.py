"""CLI: bank file import, the matching run, the exception queue, applications export."""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from owed.domain.errors import InvalidInput, NotPermitted
from owed.entrypoints.cli.common import console, table
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.services import cash_corrections as corrections

cashapp_app = typer.Typer(
    help="Cash application: match receipts to invoices.", no_args_is_help=True
)


def import_bank(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[
        str | None,
        typer.Option(
            help="bai2, camt, mt940, x12-820, nacha, lockbox, csv, xlsx (default: detect)"
        ),
    ] = None,
    lenient: Annotated[
        bool,
        typer.Option(help="Report wrong control totals as warnings instead of refusing the file"),
    ] = False,
    account: Annotated[str | None, typer.Option(help="Bank account the file is for")] = None,
    layout: Annotated[
        Path | None, typer.Option(help="Lockbox layout or CSV column mapping (TOML/JSON)")
    ] = None,
) -> None:
    """Import a bank statement or remittance file as receipts (format detected from content)."""
    from owed.adapters.bankfiles import file_digest, parse_bytes
    from owed.domain.payments.statement import ParseOptions
    from owed.services.payments import ImportBankFile, import_bank_file

    data = file.read_bytes()
    options = ParseOptions(strict=not lenient, default_currency=runtime().settings.base_currency)
    if layout is not None:
        options.layout = _load_layout(layout)
    parsed = parse_bytes(data, str(file), format, options)
    result = import_bank_file(
        ImportBankFile(parsed, file.name, file_digest(data), account), runtime().uow()
    )
    if result.already_imported:
        console.print(f"{file.name} was already imported: nothing created")
        return
    totals = ", ".join(str(m) for m in result.total.values()) or "nothing"
    console.print(
        f"{file.name} ({result.format}): {result.receipts_created} receipts ({totals}), "
        f"{result.returns_created} returns, {result.duplicates} already known, "
        f"{result.skipped_debits} debits skipped"
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}", markup=True, highlight=False)
    if result.returns_created:
        try:
            _pair_returns(None)
        except NotPermitted:
            console.print("returns not paired: `owed cashapp run` by someone who applies cash")


def _pair_returns(ids: tuple[int, ...] | None) -> None:
    """Pair returned payments with their originals and say what happened."""
    from owed.services import cash_returns as returns

    found = returns.pair_returns(returns.PairReturns(ids), runtime().uow())
    for ret, receipt in found.paired:
        console.print(f"return {ret} pairs with receipt {receipt}: receipt unapplied and closed")
    for ret, reason in found.exceptions:
        console.print(f"return {ret} stays in the queue: {reason}", highlight=False)


def _load_layout(path: Path) -> dict[str, object]:
    import json
    import tomllib

    try:
        if path.suffix.lower() == ".json":
            return dict(json.loads(path.read_text()))
        return dict(tomllib.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{path}: cannot read the layout: {exc}") from None


@cashapp_app.command("run")
def run(
    batch: Annotated[int, typer.Option(help="Receipts per transaction")] = 1000,
) -> None:
    """Match every unapplied receipt; apply the confident ones, queue the rest with reasons."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from owed.services import cash_application as cashapp

    rt = runtime()
    _pair_returns(None)  # first, so a bounced payment is not applied and its invoices re-open
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("matching", total=None)
        result = cashapp.run_cash_application(
            cashapp.RunCashApplication(batch=batch),
            rt.uow(),
            progress=lambda n: progress.advance(task, n),
        )
    if not result.receipts:
        console.print("no receipts waiting to be applied")
        return
    share = result.auto_applied / result.receipts
    console.print(
        f"{result.receipts} receipts: {result.auto_applied} applied automatically "
        f"({share:.1%} by count), {result.exceptions} to the exception queue"
    )
    for cur, total in sorted(result.total_value.items()):
        applied = result.applied_value.get(cur)
        value_share = (applied.amount / total.amount) if applied and total.amount else 0
        console.print(f"  {cur}: {applied or '0'} of {total} applied ({value_share:.1%} by value)")
    for rule, count in result.by_rule.most_common():
        console.print(f"  rule {rule}: {count}")


@cashapp_app.command("configure")
def configure(
    changes: Annotated[
        list[str] | None,
        typer.Argument(metavar="[NAME=VALUE]...", help="e.g. oldest_first=false"),
    ] = None,
    reset: Annotated[
        list[str] | None, typer.Option(help="Back to the default (repeatable)")
    ] = None,
) -> None:
    """Show the matching policy, or change it: NAME=VALUE for each setting to change."""
    from owed.services import cash_settings

    values: dict[str, str] = {}
    for change in changes or []:
        name, sep, value = change.partition("=")
        if not sep or not name.strip():
            raise InvalidInput(f"{change!r}: write NAME=VALUE, e.g. oldest_first=false")
        values[name.strip()] = value.strip()
    if values or reset:
        cash_settings.configure_cash_application(
            cash_settings.ConfigureCashApplication(values, tuple(reset or ())), runtime().uow()
        )
    policy, overridden = cash_settings.current_policy(runtime().uow())
    shown = table("Cash application policy", "setting", "value", "set by")
    for name in policy.__slots__:
        value = getattr(policy, name)
        text = str(value).lower() if isinstance(value, bool) else str(value)
        shown.add_row(name, text, "company" if name in overridden else "default")
    console.print(shown)


@cashapp_app.command("exceptions")
def exceptions(
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Also write them to CSV")] = None,
) -> None:
    """Receipts not fully applied: reason, age against the 5-business-day SLA, suggestions."""
    from owed.services import cash_reading as reading

    items = reading.list_exceptions(runtime().uow())
    t = table(
        "Unapplied cash",
        "receipt",
        "value date",
        "amount",
        "unapplied",
        "payer",
        "age (bd)",
        "reason / best suggestion",
        numeric=("amount", "unapplied", "age (bd)"),
    )
    for e in items:
        best = e.suggestions[0]["explanation"] if e.suggestions else ""
        age = f"[red]{e.business_days_open}[/]" if e.over_sla else str(e.business_days_open)
        t.add_row(
            str(e.receipt_id),
            e.value_date.isoformat(),
            e.amount.format(),
            e.unapplied.format(),
            (e.payer_name or "")[:28],
            age,
            (e.reason + (f" | {best}" if best else ""))[:90],
        )
    console.print(t)
    over = [e for e in items if e.over_sla]
    console.print(
        f"{len(items)} receipts open, {len(over)} over the "
        f"{reading.UNAPPLIED_SLA_BUSINESS_DAYS}-business-day SLA"
    )
    if csv_out:
        with csv_out.open("w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(
                [
                    "receipt_id",
                    "value_date",
                    "currency",
                    "amount",
                    "unapplied",
                    "payer_name",
                    "bank_reference",
                    "business_days_open",
                    "over_sla",
                    "reason",
                    "best_suggestion",
                ]
            )
            for e in items:
                w.writerow(
                    [
                        e.receipt_id,
                        e.value_date,
                        e.amount.currency.code,
                        e.amount.amount,
                        e.unapplied.amount,
                        e.payer_name or "",
                        e.bank_reference or "",
                        e.business_days_open,
                        e.over_sla,
                        e.reason,
                        e.suggestions[0]["explanation"] if e.suggestions else "",
                    ]
                )
        console.print(f"written to {csv_out}")


def _target(spec: str) -> corrections.Target:
    from owed.services import cash_corrections as corrections

    number, _, amount = spec.partition(":")
    try:
        return corrections.Target(number, Decimal(amount) if amount else None)
    except InvalidOperation:
        raise InvalidInput(f"{spec!r}: expected INVOICE or INVOICE:AMOUNT") from None


@cashapp_app.command("apply")
def apply(
    receipt: int,
    invoices: Annotated[list[str], typer.Argument(help="INVOICE[:AMOUNT] ...")],
    credit_remainder: Annotated[
        bool, typer.Option(help="Keep what is left as a credit on the customer's account")
    ] = False,
    note: Annotated[str, typer.Option()] = "",
) -> None:
    """Apply a receipt by hand (teaches the matcher for next time)."""
    from owed.services import cash_corrections as corrections

    entry = corrections.apply_receipt(
        corrections.ApplyReceipt(
            receipt, tuple(_target(s) for s in invoices), credit_remainder, note
        ),
        runtime().uow(),
    )
    console.print(f"receipt {receipt} applied (journal entry {entry})")


@cashapp_app.command("unapply")
def unapply(
    receipt: int,
    invoice: Annotated[str | None, typer.Option(help="Only this invoice")] = None,
    reason: Annotated[str, typer.Option()] = "",
) -> None:
    """Reverse a receipt's applications; the cash returns to unapplied."""
    from owed.services import cash_unapply as unapplying

    entry = unapplying.unapply_receipt(
        unapplying.UnapplyReceipt(receipt, invoice, reason), runtime().uow()
    )
    console.print(f"receipt {receipt} unapplied (journal entry {entry})")


@cashapp_app.command("accept")
def accept(
    receipt: int,
    rank: Annotated[int, typer.Option(help="Which suggestion (1 = the best one)")] = 1,
) -> None:
    """Apply the exception queue's ranked suggestion for a receipt, as proposed."""
    from owed.services import cash_corrections as corrections

    entry = corrections.accept_suggestion(
        corrections.AcceptSuggestion(receipt, rank), runtime().uow()
    )
    console.print(f"receipt {receipt}: suggestion {rank} applied (journal entry {entry})")


@cashapp_app.command("pair-return")
def pair_return(return_id: Annotated[int, typer.Argument(metavar="RETURN")], receipt: int) -> None:
    """Pair a returned payment with the receipt it returns: unapply and close both."""
    from owed.services import cash_returns as returns

    paired = returns.pair_return_by_hand(returns.PairReturn(return_id, receipt), runtime().uow())
    fee = f", returned-item fee {paired.fee} to bank fees" if not paired.fee.is_zero() else ""
    console.print(f"return {return_id} paired with receipt {receipt}: both closed{fee}")


def export_applications(
    file: Annotated[Path, typer.Argument(help="CSV file to write")],
) -> None:
    """One row per allocation (and per unapplied remainder); columns in docs/formats.md."""
    from owed.services import cash_reading as reading

    rows = reading.export_applications(runtime().uow())
    with file.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=reading.EXPORT_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    console.print(f"{len(rows)} rows written to {file}")


bench_app = typer.Typer(
    help="Benchmarks that run through the real use cases.", no_args_is_help=True
)


@bench_app.command("cashapp")
def bench_cashapp(
    receipts: Annotated[int, typer.Option(help="Receipts to generate")] = 2_000,
    items: Annotated[int, typer.Option(help="Open invoices to generate")] = 10_000,
    seed: Annotated[int, typer.Option()] = 1,
    url: Annotated[
        str | None,
        typer.Option(
            help="PostgreSQL server URL for a scratch database (default: a temporary SQLite file)"
        ),
    ] = None,
) -> None:
    """Generate messy bank activity with ground truth; apply it end to end; report the results."""
    from owed.entrypoints.bench.cashapp import run_benchmark
    from owed.entrypoints.bench.scratch import scratch_engine

    with scratch_engine(url) as engine:
        result = run_benchmark(
            engine,
            receipts,
            items,
            seed=seed,
            log=lambda text: console.print(text, highlight=False),
        )
    for line in result.lines():
        console.print(line, highlight=False, markup=False)
