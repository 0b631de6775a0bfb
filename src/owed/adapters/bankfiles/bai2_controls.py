"""BAI2 control totals: a trailer's stated figure checked against the recomputed one.

The 49 account, 98 group and 99 file trailers state a control total (the sum
of the amounts below them, in minor units), and counts of records, accounts or
groups. ``bai2_reader`` recomputes each figure from the records and hands both
to ``check_trailer``, which states them as a ``ControlCheck`` on the report;
``_common.Report.finish`` decides what a mismatch does (strict: refuse the
file; lenient: import it with a warning). A blank trailer field is "not
stated": a warning, never a failed check.
"""

from __future__ import annotations

from decimal import Decimal

from owed.adapters.bankfiles._common import Report, from_minor, signed_digits
from owed.adapters.bankfiles.bai2_records import Record
from owed.domain.money import Currency


def check_control(
    report: Report,
    rec: Record,
    stated_text: str,
    computed: int,
    what: str,
    currency: Currency | None,
) -> None:
    """Record a control check; amounts shown in the currency's units, counts as is."""
    if not stated_text:
        report.warn(rec.position, f"{what} is blank (not stated); not checked")
        return
    stated = signed_digits(stated_text, rec.position, what, report)
    if stated is None:
        return
    if currency is None:
        report.control(rec.position, what, Decimal(stated), Decimal(computed))
    else:
        report.control(
            rec.position, what, from_minor(stated, currency), from_minor(computed, currency)
        )


def check_trailer(report: Report, rec: Record, *figures: tuple[int, str, Currency | None]) -> None:
    """Check a trailer's leading fields, in order, against the recomputed figures.

    Each figure is (computed, what, currency); a currency makes it an amount in
    minor units, None a count.
    """
    fields = rec.fields()
    for i, (computed, what, currency) in enumerate(figures):
        stated_text = fields[i] if i < len(fields) else ""
        check_control(report, rec, stated_text, computed, what, currency)
