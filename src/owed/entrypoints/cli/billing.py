"""CLI: `owed invoice ...`, `owed memo ...`, `owed billing ...`."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from owed.domain.errors import InvalidInput
from owed.entrypoints.cli.common import console, money_cell, parse_date, table
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.domain.billing.documents import DocumentKind
    from owed.services.billing_model import Document, LineInput

invoice_app = typer.Typer(help="Invoices: create, issue, void, show, send.", no_args_is_help=True)
memo_app = typer.Typer(help="Credit and debit memos.", no_args_is_help=True)
billing_app = typer.Typer(
    help="Billing settings, tax codes, subscriptions and runs.", no_args_is_help=True
)
Opt = typer.Option

LINE_FIELDS = ("description", "quantity", "unit_price", "tax_code", "discount_percent", "account")


def parse_line(spec: str) -> LineInput:
    """``DESCRIPTION;QTY;UNIT_PRICE[;TAX_CODE[;DISCOUNT_%[;ACCOUNT]]]``."""
    parts = spec.split(";")
    if not 3 <= len(parts) <= 6:
        raise InvalidInput(
            f"--line {spec!r}: expected DESCRIPTION;QTY;UNIT_PRICE"
            "[;TAX_CODE[;DISCOUNT_%[;ACCOUNT]]]"
        )
    return _line(dict(zip(LINE_FIELDS, parts, strict=False)), f"--line {spec!r}")


def _line(values: dict[str, Any], where: str) -> LineInput:
    from owed.services.billing_model import LineInput

    for key in ("description", "quantity", "unit_price"):
        if not str(values.get(key) or "").strip():
            raise InvalidInput(f"{where}: {key} is missing")
        if isinstance(values[key], float):
            raise InvalidInput(
                f'{where}: {key} must be a string or integer, not a JSON float (write "12.50")'
            )
    return LineInput(
        str(values["description"]),
        str(values["quantity"]).strip(),
        str(values["unit_price"]).strip(),
        str(values.get("discount_percent") or "0").strip(),
        str(values.get("tax_code") or "").strip() or None,
        str(values.get("account") or "").strip() or None,
    )


def read_lines_file(path: Path) -> list[LineInput]:
    """A JSON list of line objects, or a CSV with the LINE_FIELDS as headers."""
    if not path.is_file():
        raise InvalidInput(f"{path}: no such file")
    if path.suffix.lower() == ".json":
        data = json.loads(path.read_text(encoding="utf-8"), parse_float=str)
        if not isinstance(data, list):
            raise InvalidInput(f"{path}: expected a JSON list of lines")
        return [_line(item, f"{path} line {i}") for i, item in enumerate(data, start=1)]
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    return [
        _line({k.strip().lower(): v for k, v in row.items() if k}, f"{path} row {i}")
        for i, row in enumerate(rows, start=2)
    ]


def required_date(text: str, what: str) -> date:
    day = parse_date(text, what)
    assert day is not None
    return day


def show_document(doc: Document) -> None:
    t = table(f"{doc.label} ({doc.status.value})", "field", "value")
    for label, value in [
        ("customer", doc.customer_external_id),
        ("issue date", doc.issue_date),
        ("due date", doc.due_date),
        ("terms", doc.terms),
        ("PO", doc.po_number),
        ("net", doc.net),
        ("tax", doc.tax),
        ("total", doc.total),
        ("open", doc.open),
        ("discount", f"{doc.discount} until {doc.discount_date}" if doc.discount else ""),
        ("RF reference", doc.rf_reference),
    ]:
        t.add_row(label, "" if value is None else str(value))
    console.print(t)
    lines = table(
        "Lines",
        "#",
        "description",
        "qty",
        "unit price",
        "tax",
        "net",
        "tax amt",
        numeric=("qty", "unit price", "net", "tax amt"),
    )
    for ln in doc.lines:
        lines.add_row(
            str(ln.line_no),
            ln.draft.description,
            str(ln.draft.quantity),
            str(ln.draft.unit_price.amount),
            ln.draft.tax_code or "",
            ln.net.format(),
            ln.tax.format(),
        )
    console.print(lines)


# -- invoices --------------------------------------------------------------------------


def _create(
    kind: DocumentKind,
    customer: str,
    line: list[str],
    lines_file: Path | None,
    po: str | None,
    terms: str | None,
    date_: str | None,
    related: str | None,
    notes: str,
    issue: bool,
) -> Document:
    from owed.services import billing as svc

    items = [parse_line(s) for s in line]
    if lines_file is not None:
        items += read_lines_file(lines_file)
    cmd = svc.CreateDraft(
        customer, items, kind, parse_date(date_, "--date"), po, terms, related, notes
    )
    return svc.create_draft(cmd, runtime().uow(), issue=issue)


@invoice_app.command("create")
def invoice_create(
    customer: Annotated[str, Opt(help="Customer external id")],
    line: Annotated[list[str], Opt(help="DESC;QTY;PRICE[;TAX[;DISC%[;ACCOUNT]]]")] = [],  # noqa: B006
    lines_file: Annotated[Path | None, Opt("--lines", help="JSON or CSV lines file")] = None,
    po: Annotated[str | None, Opt("--po")] = None,
    terms: Annotated[str | None, Opt(help="Override the customer's terms")] = None,
    date_: Annotated[str | None, Opt("--date", help="Issue date YYYY-MM-DD")] = None,
    notes: Annotated[str, Opt()] = "",
    issue: Annotated[bool, Opt("--issue", help="Issue it at once")] = False,
) -> None:
    """Create a draft invoice (and issue it with --issue)."""
    from owed.domain.billing.documents import DocumentKind

    doc = _create(
        DocumentKind.INVOICE, customer, line, lines_file, po, terms, date_, None, notes, issue
    )
    console.print(
        f"{doc.label} {doc.status.value}: total {doc.total}"
        if issue
        else f"draft {doc.number} created; issue it with `owed invoice issue {doc.number}`"
    )


@invoice_app.command("issue")
def invoice_issue(number: str) -> None:
    """Issue a draft: number, due date, posting."""
    from owed.services import billing as svc

    doc = svc.issue_document(svc.IssueDocument(number), runtime().uow())
    console.print(f"issued {doc.label}: total {doc.total}, due {doc.due_date}")


@invoice_app.command("void")
def invoice_void(
    number: str,
    reason: Annotated[str, Opt()],
    on: Annotated[str | None, Opt(help="YYYY-MM-DD, default today")] = None,
) -> None:
    """Void a document with nothing applied (its posting is reversed)."""
    from owed.services import billing as svc

    doc = svc.void_document(
        svc.VoidDocument(number, reason, parse_date(on, "--on")), runtime().uow()
    )
    console.print(f"{doc.label} voided")


@invoice_app.command("show")
def invoice_show(number: str) -> None:
    """One document with its lines."""
    from owed.services import billing as svc

    show_document(svc.get_document(runtime().uow(), number))


@invoice_app.command("list")
def invoice_list(
    customer: Annotated[str | None, Opt()] = None,
    status: Annotated[str | None, Opt()] = None,
    kind: Annotated[str | None, Opt(help="invoice, credit_memo, debit_memo")] = None,
    limit: Annotated[int, Opt()] = 200,
) -> None:
    """Documents, oldest first."""
    from owed.services import billing as svc

    t = table(
        "Documents",
        "number",
        "kind",
        "status",
        "customer",
        "issued",
        "due",
        "total",
        "open",
        numeric=("total", "open"),
    )
    for d in svc.list_documents(runtime().uow(), customer, status, kind, limit):
        t.add_row(
            d.number,
            d.kind.value,
            d.status.value,
            d.customer_external_id,
            str(d.issue_date),
            str(d.due_date),
            d.total.format(),
            money_cell(d.open),
        )
    console.print(t)


@invoice_app.command("pdf")
def invoice_pdf(number: str, output: Annotated[Path | None, Opt("-o", "--output")] = None) -> None:
    """Render the document's PDF."""
    from owed.adapters.delivery import render_pdf
    from owed.services import delivery

    printable = delivery.get_printable(runtime().uow(), number)
    target = output or Path(f"{printable.document.number}.pdf")
    target.write_bytes(render_pdf(printable))
    console.print(f"wrote {target}")


@invoice_app.command("send")
def invoice_send(
    number: str,
    resend: Annotated[bool, Opt("--resend", help="Send again although already sent")] = False,
    to: Annotated[str | None, Opt(help="Override the billing contact")] = None,
) -> None:
    """Email the PDF to the customer's billing contact (or the outbox without SMTP)."""
    from owed.adapters.delivery import FileBlobStore, mailer_for, render_pdf
    from owed.services import delivery

    rt = runtime()
    result = delivery.send_document(
        delivery.SendDocument(number, resend, to),
        rt.uow(),
        render_pdf,
        mailer_for(rt.settings, rt.clock),
        FileBlobStore(rt.settings.data_dir / "attachments"),
    )
    if result.status != "sent":
        console.print(f"[red]sending {number} to {result.recipient} failed[/]: {result.reason}")
        raise typer.Exit(6)
    if result.channel == "outbox":
        console.print(
            f"no SMTP host configured: {number} written to the outbox "
            f"({result.location}) for {result.recipient}"
        )
    else:
        console.print(f"{number} sent to {result.recipient}")


@invoice_app.command("attach")
def invoice_attach(
    number: str, file: Path, content_type: Annotated[str | None, Opt()] = None
) -> None:
    """Attach a file (proof of delivery, time sheet...) to a document."""
    from owed.adapters.delivery import FileBlobStore
    from owed.services import delivery

    if not file.is_file():
        raise InvalidInput(f"{file}: no such file")
    rt = runtime()
    info = delivery.attach_file(
        delivery.AttachFile(number, file.name, file.read_bytes(), content_type),
        rt.uow(),
        FileBlobStore(rt.settings.data_dir / "attachments"),
    )
    console.print(f"attached {info.filename} ({info.size_bytes} bytes, sha256 {info.sha256})")


@invoice_app.command("attachments")
def invoice_attachments(number: str) -> None:
    """Files attached to a document."""
    from owed.services import delivery

    printable = delivery.get_printable(runtime().uow(), number)
    t = table(f"Attachments of {number}", "file", "type", "bytes", "sha256")
    for a in printable.attachments:
        t.add_row(a.filename, a.content_type, str(a.size_bytes), a.sha256)
    console.print(t)


# -- memos --------------------------------------------------------------------------------


@memo_app.command("credit")
def memo_credit(
    invoice: str,
    reason: Annotated[str, Opt()],
    amount: Annotated[
        str | None, Opt(help="Amount of the lines to credit (net of tax when prices exclude tax)")
    ] = None,
    fraction: Annotated[str | None, Opt(help="Fraction of every line, 0 < f <= 1")] = None,
    date_: Annotated[str | None, Opt("--date")] = None,
) -> None:
    """Credit an invoice in full (default) or in part; above the threshold it waits for approval."""
    from owed.services import billing_memos as memos

    result = memos.request_credit_memo(
        memos.RequestCreditMemo(invoice, reason, fraction, amount, parse_date(date_, "--date")),
        runtime().uow(),
    )
    memo = result.memo
    if result.needs_approval:
        console.print(
            f"credit memo {memo.number} awaits approval by a lead "
            f"(`owed memo approve {memo.number}`)"
        )
    else:
        console.print(f"issued {memo.label} for {memo.total} against {invoice}")


@memo_app.command("approve")
def memo_approve(number: str) -> None:
    """Approve (and issue) a credit memo someone else requested."""
    from owed.services import billing_memos as memos

    memo = memos.approve_credit_memo(memos.ApproveCreditMemo(number), runtime().uow())
    console.print(f"approved and issued {memo.label} for {memo.total}")


@memo_app.command("debit")
def memo_debit(
    customer: Annotated[str, Opt()],
    line: Annotated[list[str], Opt(help="DESC;QTY;PRICE[;TAX[;DISC%[;ACCOUNT]]]")] = [],  # noqa: B006
    lines_file: Annotated[Path | None, Opt("--lines")] = None,
    invoice: Annotated[str | None, Opt(help="The invoice it corrects")] = None,
    po: Annotated[str | None, Opt("--po")] = None,
    date_: Annotated[str | None, Opt("--date")] = None,
) -> None:
    """Issue a debit memo (an additional charge)."""
    from owed.domain.billing.documents import DocumentKind

    doc = _create(
        DocumentKind.DEBIT_MEMO, customer, line, lines_file, po, None, date_, invoice, "", True
    )
    console.print(f"issued {doc.label}: total {doc.total}, due {doc.due_date}")


# -- billing settings, tax codes, subscriptions, runs -----------------------------------


@billing_app.command("configure")
def billing_configure(
    tax_rounding: Annotated[str | None, Opt(help="per_line or per_document")] = None,
    prices_include_tax: Annotated[
        bool | None, Opt("--prices-include-tax/--prices-exclude-tax")
    ] = None,
    credit_approval_threshold: Annotated[str | None, Opt(help='"" = never')] = None,
) -> None:
    """Company billing switches."""
    from owed.services import billing as svc

    s = svc.configure_billing(
        svc.ConfigureBilling(tax_rounding, prices_include_tax, credit_approval_threshold),
        runtime().uow(),
    )
    console.print(f"billing settings: {s.as_json()}")


@billing_app.command("tax-code")
def billing_tax_code(
    code: str,
    rate: Annotated[str, Opt(help="Percent, e.g. 19 or 7.5")],
    name: Annotated[str, Opt()] = "",
    account: Annotated[str | None, Opt()] = None,
) -> None:
    """Add a tax code."""
    from owed.services import billing as svc

    tax = svc.add_tax_code(svc.AddTaxCode(code, name or code, rate, account), runtime().uow())
    console.print(f"tax code {tax.code} at {tax.rate} % added")


@billing_app.command("subscribe")
def billing_subscribe(
    customer: Annotated[str, Opt()],
    description: Annotated[str, Opt()],
    start: Annotated[str, Opt(help="YYYY-MM-DD")],
    quantity: Annotated[str, Opt()],
    unit_price: Annotated[str, Opt()],
    frequency: Annotated[str, Opt()] = "monthly",
    anchor_day: Annotated[int | None, Opt()] = None,
    tax_code: Annotated[str | None, Opt()] = None,
) -> None:
    """Start a subscription."""
    from owed.services import recurring

    sub_id = recurring.create_subscription(
        recurring.CreateSubscription(
            customer,
            description,
            required_date(start, "--start"),
            quantity,
            unit_price,
            frequency,
            anchor_day,
            tax_code,
        ),
        runtime().uow(),
    )
    console.print(f"subscription {sub_id} created")


@billing_app.command("change")
def billing_change(
    subscription: int,
    effective: Annotated[str, Opt()],
    quantity: Annotated[str, Opt()],
    unit_price: Annotated[str | None, Opt()] = None,
) -> None:
    """Change a subscription's quantity (0 cancels) or price from a date."""
    from owed.services import recurring

    recurring.change_subscription(
        recurring.ChangeSubscription(
            subscription, required_date(effective, "--effective"), quantity, unit_price
        ),
        runtime().uow(),
    )
    console.print(f"subscription {subscription} changed from {effective}")


@billing_app.command("usage")
def billing_usage(
    subscription: int,
    on: Annotated[str, Opt()],
    quantity: Annotated[str, Opt()],
    unit_price: Annotated[str, Opt()],
    description: Annotated[str, Opt()] = "Usage",
) -> None:
    """Record usage, billed in arrears by the next run."""
    from owed.services import recurring

    recurring.record_usage(
        recurring.RecordUsage(
            subscription, required_date(on, "--on"), quantity, unit_price, description
        ),
        runtime().uow(),
    )
    console.print(f"usage recorded on subscription {subscription}")


@billing_app.command("run")
def billing_run(period: Annotated[str, Opt(help="YYYY-MM")]) -> None:
    """Bill every subscription period starting in the month (idempotent)."""
    from owed.services import recurring

    result = recurring.run_billing(recurring.RunBilling(period), runtime().uow())
    console.print(
        f"billing run {period}: {len(result.invoices)} invoice(s) "
        f"{', '.join(result.invoices)}; already billed {result.already_billed}; "
        f"nothing to bill {result.nothing_to_bill}"
    )
