"""CLI: disputes and deductions, write-offs, agency placements, the disputes report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from owed.entrypoints.cli.common import console, parse_date, table
from owed.entrypoints.cli.runtime import runtime

dispute_app = typer.Typer(help="Disputes and deductions.", no_args_is_help=True)
writeoff_app = typer.Typer(help="Write-offs: request, approve, reject.", no_args_is_help=True)
agency_app = typer.Typer(help="Collection agency placements.", no_args_is_help=True)


def _money(minor: int, currency: str) -> str:
    from owed.domain.money import Money

    return Money.from_minor(minor, currency).format()


@dispute_app.command("open")
def open_cmd(
    invoice: str,
    reason: Annotated[str, typer.Option(help="pricing, quantity, damaged_quality, tax, ...")],
    amount: Annotated[str | None, typer.Option(help="Disputed part (default: all open)")] = None,
    note: Annotated[str, typer.Option(help="What the customer said")] = "",
    owner: Annotated[str | None, typer.Option(help="User who works the dispute")] = None,
) -> None:
    """Open a dispute on an invoice (whole or part); collections leaves that amount alone."""
    from owed.services import disputes as svc

    dispute_id = svc.open_dispute(svc.OpenDispute(invoice, reason, amount, note, owner),
                                  runtime().uow())  # fmt: skip
    console.print(f"dispute {dispute_id} opened on {invoice}")


@dispute_app.command("list")
def list_cmd(
    status: Annotated[str | None, typer.Option(help="active, open, investigating, ...")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
) -> None:
    """List disputes, oldest first."""
    from owed.services import disputes as svc

    t = table("Disputes", "id", "document", "customer", "amount", "reason", "source", "status",
              "owner", "opened", "sla due", numeric=("amount",))  # fmt: skip
    for d in svc.list_disputes(runtime().uow(), status, reason):
        t.add_row(str(d["id"]), d["document_number"], d["customer_external_id"],
                  _money(d["amount_minor"], d["currency"]), d["reason"], d["source"],
                  d["status"], d["owner"] or "", str(d["opened_on"]),
                  str(d["sla_due"]))  # fmt: skip
    console.print(t)


@dispute_app.command("show")
def show_cmd(dispute_id: int) -> None:
    """One dispute with its notes and attachments."""
    from owed.services import disputes as svc

    view = svc.get_dispute(runtime().uow(), dispute_id)
    d = view.dispute
    amount = _money(d["amount_minor"], d["currency"])
    console.print(f"dispute {d['id']}: {d['document_number']} ({d['customer_name']}) "
                  f"{amount} {d['reason']} [{d['source']}]")  # fmt: skip
    console.print(f"status {d['status']}, owner {d['owner'] or '-'}, opened {d['opened_on']} "
                  f"by {d['opened_by']}, SLA due {d['sla_due']}")  # fmt: skip
    if d["resolution"] or d["status"] == "rejected":
        console.print(f"closed {d['closed_on']} by {d['resolved_by']}: "
                      f"{d['resolution'] or 'rejected'} {d['resolution_ref'] or ''}")  # fmt: skip
    if d["details"].get("pending_write_off"):
        console.print(f"waiting for write-off {d['details']['pending_write_off']}")
    for n in view.notes:
        console.print(f"  {n['written_at']:%Y-%m-%d} {n['written_by']}: {n['body']}",
                      highlight=False, markup=False)  # fmt: skip
    for a in view.attachments:
        console.print(f"  attachment {a['filename']} {a['sha256'][:12]} {a['size_bytes']} bytes")


@dispute_app.command("note")
def note_cmd(
    dispute_id: int,
    text: Annotated[list[str], typer.Argument(help="The note")],
    attach: Annotated[Path | None, typer.Option(exists=True, dir_okay=False)] = None,
) -> None:
    """Add a note (and optionally a file) to a dispute."""
    from owed.adapters.delivery import FileBlobStore
    from owed.services import disputes as svc

    rt = runtime()
    if " ".join(text).strip():
        svc.add_dispute_note(svc.AddDisputeNote(dispute_id, " ".join(text)), rt.uow())
    if attach is not None:
        store = FileBlobStore(rt.settings.data_dir / "attachments")
        sha = svc.attach_to_dispute(
            svc.AttachToDispute(dispute_id, attach.name, attach.read_bytes()), rt.uow(), store
        )
        console.print(f"attached {attach.name} ({sha[:12]})")
    console.print(f"dispute {dispute_id} updated")


@dispute_app.command("investigate")
def investigate_cmd(
    dispute_id: int,
    owner: Annotated[str | None, typer.Option()] = None,
    note: Annotated[str, typer.Option()] = "",
) -> None:
    """Start working a dispute (open → investigating), optionally assigning an owner."""
    from owed.services import disputes as svc

    svc.investigate_dispute(svc.InvestigateDispute(dispute_id, owner, note), runtime().uow())
    console.print(f"dispute {dispute_id} is being investigated")


@dispute_app.command("resolve")
def resolve_cmd(
    dispute_id: int,
    by: Annotated[str, typer.Option(help="credit_memo, rebill, write_off or reject")],
    note: Annotated[str, typer.Option()] = "",
) -> None:
    """Resolve a dispute (or reject it back to collections)."""
    from owed.services import disputes as svc

    done = svc.resolve_dispute(svc.ResolveDispute(dispute_id, by, note), runtime().uow())
    console.print(f"dispute {done.dispute_id}: {done.status}"
                  + (f" ({done.reference})" if done.reference else ""))  # fmt: skip
    if done.pending:
        console.print(done.pending)


def report_disputes(
    as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default today)")] = None,
) -> None:
    """Disputes: open by age and reason, cycle time, share within SLA, repeat rates."""
    from owed.services import disputes as svc

    m = svc.dispute_report(runtime().uow(), parse_date(as_of, "--as-of"))
    t = table(f"Open disputes by age, as of {m.as_of}", "age (days)", "count", "amount",
              numeric=("count", "amount"))  # fmt: skip
    for a in m.open_by_age:
        t.add_row(a.label, str(a.count), ", ".join(x.format() for x in a.amounts.values()))
    console.print(t)
    r = table("Open disputes by reason", "reason", "count", numeric=("count",))
    for reason, count in sorted(m.open_by_reason.items()):
        r.add_row(reason.value, str(count))
    console.print(r)
    console.print(f"average cycle time: {m.cycle_time}")
    console.print(f"closed within SLA: {m.within_sla}")
    console.print(f"repeat disputes (same customer): {m.repeat_by_customer}")
    rr = table("Repeat rate by reason (root causes)", "reason", "repeat rate")
    for reason, ratio in sorted(m.repeat_by_reason.items()):
        rr.add_row(reason.value, str(ratio))
    console.print(rr)


# -- write-offs ------------------------------------------------------------------
@writeoff_app.command("request")
def request_cmd(
    invoice: str,
    reason: Annotated[str, typer.Option()],
    amount: Annotated[str | None, typer.Option(help="Default: all that is open")] = None,
) -> None:
    """Ask for a write-off; someone else approves it within their limit."""
    from owed.services import writeoffs as wo

    res = wo.request_write_off(wo.RequestWriteOff(invoice, amount, reason), runtime().uow())
    console.print(f"write-off {res.write_off_id} of {res.amount.format()}: {res.status}")


@writeoff_app.command("approve")
def approve_cmd(write_off_id: int, note: Annotated[str, typer.Option()] = "") -> None:
    """Approve and post a write-off (not your own; within your limit)."""
    from owed.services import writeoffs as wo

    res = wo.approve_write_off(wo.ApproveWriteOff(write_off_id, note), runtime().uow())
    console.print(f"write-off {res.write_off_id} of {res.amount.format()} approved "
                  f"(journal entry {res.entry_id})")  # fmt: skip


@writeoff_app.command("reject")
def reject_cmd(write_off_id: int, reason: Annotated[str, typer.Option()]) -> None:
    """Reject a write-off request."""
    from owed.services import writeoffs as wo

    wo.reject_write_off(wo.RejectWriteOff(write_off_id, reason), runtime().uow())
    console.print(f"write-off {write_off_id} rejected")


@writeoff_app.command("list")
def list_writeoffs_cmd(status: Annotated[str | None, typer.Option()] = None) -> None:
    """List write-off requests and decisions."""
    from owed.services import writeoffs as wo

    t = table("Write-offs", "id", "document", "customer", "amount", "status", "requested by",
              "decided by", "reason", numeric=("amount",))  # fmt: skip
    for w in wo.list_write_offs(runtime().uow(), status):
        t.add_row(str(w["id"]), w["document_number"], w["customer_external_id"],
                  _money(w["amount_minor"], w["currency"]), w["status"], w["requested_by"],
                  w["decided_by"] or "", w["reason"])  # fmt: skip
    console.print(t)


# -- agency ----------------------------------------------------------------------
@agency_app.command("place")
def place_cmd(customer: str, agency: Annotated[str | None, typer.Option()] = None) -> None:
    """Place a customer's undisputed open items with a collection agency (writes a CSV)."""
    from owed.adapters.agency import CsvAgencyFolder
    from owed.services import agency as agency_svc

    rt = runtime()
    sink = CsvAgencyFolder(rt.settings.data_dir / "agency")
    p = agency_svc.place_with_agency(agency_svc.PlaceWithAgency(customer, agency), rt.uow(), sink)
    console.print(f"placement {p.placement_id}: {p.items} item(s), {p.placed.format()} "
                  f"with {p.agency}; file {p.path}")  # fmt: skip
    for skipped in p.skipped:
        console.print(f"  not placed: {skipped}")


@agency_app.command("list")
def list_agency_cmd(status: Annotated[str | None, typer.Option()] = None) -> None:
    """Placements with what was recovered since."""
    from owed.services import agency as agency_svc

    t = table("Agency placements", "id", "customer", "agency", "status", "placed on", "placed",
              "recovered", numeric=("placed", "recovered"))  # fmt: skip
    for p in agency_svc.list_placements(runtime().uow(), status):
        t.add_row(str(p.placement_id), p.customer, p.agency, p.status, str(p.placed_on),
                  p.placed.format(), p.recovered.format())  # fmt: skip
    console.print(t)
