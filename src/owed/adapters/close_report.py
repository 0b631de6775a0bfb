"""Writes a month-end close report as ``report.md`` and ``report.json`` in a folder.

The folder is ``data_dir/close/<period>/``; a dry run writes
``dry-run.md`` / ``dry-run.json`` beside, so it never overwrites the report of
the real close. Files are written aside and renamed, so each is complete or
absent. ``CloseWriter(root)`` is the ``write_report`` port of
``services.close.CloseMonth``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["(none)", ""]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def render_markdown(report: Any) -> str:
    """The close report (``services.close.CloseReport``) as Markdown."""
    out = [
        f"# Close {report.period}" + (" (dry run)" if report.dry_run else ""),
        "",
        f"As of {report.as_of}; outcome **{report.outcome}**; "
        f"AR subledger {'equals' if report.reconciled else 'DIFFERS FROM'} the GL.",
        "",
    ]
    out += [f"- {note}" for note in report.notes] + ([""] if report.notes else [])
    out += ["## AR subledger vs GL control", ""]
    out += _md_table(
        ["currency", "subledger", "GL", "difference"],
        [[r.currency, r.subledger, r.gl, r.difference] for r in report.reconciliation],
    )
    if report.differences:
        out += ["### Differences", ""]
        out += _md_table(
            ["customer", "document", "currency", "subledger", "GL", "difference"],
            [
                [d.customer, d.document, d.currency, d.subledger, d.gl, d.difference]
                for d in report.differences
            ],
        )
    out += ["## Aging at period end", ""]
    labels: dict[str, object] = next(iter(report.aging.values()), {})
    out += _md_table(
        ["currency", *labels],
        [[cur, *cells.values()] for cur, cells in sorted(report.aging.items())],
    )
    out += ["## Allowance for doubtful accounts", ""]
    out += _md_table(
        ["currency", "current", "target", "adjustment", "proposal"],
        [[p.currency, p.current, p.target, p.adjustment, p.proposal_id] for p in report.allowance],
    )
    out += ["## Unapplied cash at period end", ""]
    out += _md_table(
        ["receipt", "value date", "payer", "customer", "currency", "unapplied", "days"],
        [
            [
                u["receipt"],
                u["value_date"],
                u["payer"],
                u["customer"],
                u["currency"],
                u["unapplied"],
                u["days"],
            ]
            for u in report.unapplied
        ],
    )
    out += ["## Open disputes at period end", ""]
    out += _md_table(
        ["dispute", "document", "currency", "amount", "reason", "status", "opened", "days"],
        [
            [
                d["dispute"],
                d["document"],
                d["currency"],
                d["amount"],
                d["reason"],
                d["status"],
                d["opened_on"],
                d["days_open"],
            ]
            for d in report.disputes
        ],
    )
    out += ["## Foreign-currency open items at the period-end rate (report only)", ""]
    out += _md_table(
        ["currency", "open", "rate", f"in {report.base_currency}"],
        [[f.currency, f.open_amount, f.rate or "missing", f.base_amount] for f in report.fx],
    )
    return "\n".join(out)


def _write(path: Path, text: str) -> None:
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


@dataclass(frozen=True)
class CloseWriter:
    root: Path  # data_dir / "close"

    def __call__(self, report: Any) -> str:
        folder = self.root / report.period
        folder.mkdir(parents=True, exist_ok=True)
        stem = "dry-run" if report.dry_run else "report"
        _write(folder / f"{stem}.md", render_markdown(report))
        _write(folder / f"{stem}.json", report.to_json())
        return str(folder)
