"""The take-home's result files: applications and exceptions CSV, GL entries, follow-up plan.

``exceptions.csv`` has one row per ``Finding``; ``gl_entries.csv`` one row per
line of each posted, then proposed, entry, and ``gl_entries.md`` the same
entries as tables; ``follow_up_plan.md`` is the plan with one e-mail text per
account in ``emails/``.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from owed.entrypoints.demo.takehome_findings import Finding, GlEntry
from owed.entrypoints.demo.takehome_plan import FollowUpPlan, render_plan


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)
    return path


EXCEPTION_COLUMNS = (
    "payment_reference",
    "value_date",
    "amount",
    "unapplied",
    "payer",
    "customer_id",
    "status",
    "root_cause",
    "duplicate_of",
    "suggestion",
)


def write_exceptions(path: Path, findings: list[Finding]) -> Path:
    rows = [
        dict(
            zip(
                EXCEPTION_COLUMNS,
                (
                    f.reference,
                    f.value_date.isoformat(),
                    str(f.amount),
                    str(f.unapplied),
                    f.payer,
                    f.customer,
                    f.status,
                    f.cause,
                    f.duplicate_of,
                    f.suggestion,
                ),
                strict=True,
            )
        )
        for f in findings
    ]
    return write_csv(path, EXCEPTION_COLUMNS, rows)


GL_COLUMNS = (
    "kind",
    "entry",
    "date",
    "description",
    "account",
    "account_name",
    "debit",
    "credit",
    "currency",
    "memo",
)


def write_gl(folder: Path, posted: list[GlEntry], proposed: list[GlEntry]) -> tuple[Path, Path]:
    entries = [*posted, *proposed]
    rows = [
        dict(
            zip(
                GL_COLUMNS,
                (
                    e.kind,
                    e.ref,
                    e.on.isoformat(),
                    e.description,
                    ln.account,
                    ln.name,
                    str(ln.debit) if ln.debit else "",
                    str(ln.credit) if ln.credit else "",
                    e.currency,
                    ln.memo,
                ),
                strict=True,
            )
        )
        for e in entries
        for ln in e.lines
    ]
    csv_path = write_csv(folder / "gl_entries.csv", GL_COLUMNS, rows)
    md = ["# GL entries for the day's adjustments", ""]
    for title, group in (("Posted by Owed", posted), ("Proposed: a person decides", proposed)):
        md += [f"## {title}", ""]
        for e in group:
            md += [
                f"**{e.ref}** {e.on.isoformat()}: {e.description}  ",
                f"_{e.why}_",
                "",
                "| account | name | debit | credit | memo |",
                "|---|---|--:|--:|---|",
            ]
            md += [
                f"| {ln.account} | {ln.name} | {ln.debit or ''} | {ln.credit or ''} | {ln.memo} |"
                for ln in e.lines
            ]
            md.append("")
    md_path = folder / "gl_entries.md"
    md_path.write_text("\n".join(md), encoding="utf-8")
    return csv_path, md_path


def write_plan(folder: Path, plan: FollowUpPlan) -> Path:
    emails = folder / "emails"
    emails.mkdir(exist_ok=True)
    for a in plan.accounts:
        (emails / f"{a.customer}.txt").write_text(
            f"Subject: {a.subject}\n\n{a.email_text}", encoding="utf-8"
        )
    path = folder / "follow_up_plan.md"
    path.write_text(render_plan(plan), encoding="utf-8")
    return path
