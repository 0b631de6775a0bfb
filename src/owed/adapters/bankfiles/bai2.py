"""BAI2 cash management balance reporting files.

A BAI2 file is a sequence of comma-delimited records, each ending in ``/``::

    01 file header
      02 group header (one per bank / as-of date)
        03 account identifier and summary amounts
          16 transaction detail  (88 continues it)
        49 account trailer: control total and record count
      98 group trailer
    99 file trailer

Reading it well takes four rules the naive "split on commas" misses:

1. **Logical records.** A physical line that does not start with a record
   code continues the previous record; several records may share one line
   (``.../   02,...``). An ``88`` continues the previous record and *starts a
   new field*: ``03,...,190/`` + ``88,500000,...`` is type ``190`` then amount
   ``500000``, never ``190500000``.
2. **Variable positions.** The funds type of a 16 record (and of each 03
   summary) decides how many fields follow: ``S`` adds three amounts, ``V`` a
   value date and time, ``D`` a count and that many (days, amount) pairs.
3. **Free text.** The 16 record's last field is free text that may contain
   commas and slashes; it runs to the end of the record and its 88s.
4. **Signs.** Detail amounts are unsigned integers in minor units; the type
   code gives the direction (100-399 credit, 400-699 debit).

Control totals (49 account, 98 group, 99 file) are recomputed from the
records and stated as ``ControlCheck`` items; see ``_common.Report.finish``
for strict versus lenient handling. A blank trailer amount is "not stated".

This module is the format's entry point (``FORMAT``, ``sniff``, ``parse``).
The records are read in ``bai2_records`` (rules 1 and 3), their fields in
``bai2_fields`` (rules 2 and 4), assembled into statements in ``bai2_reader``,
and control totals checked in ``bai2_controls``.
"""

from __future__ import annotations

from owed.adapters.bankfiles._common import Report, decode
from owed.adapters.bankfiles.bai2_reader import Reader
from owed.adapters.bankfiles.bai2_records import logical_records
from owed.domain.payments.statement import ParsedFile, ParseOptions

FORMAT = "bai2"


def sniff(data: bytes) -> bool:
    """A BAI2 file starts with a ``01,`` record that ends in ``/``."""
    head = data[:400].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"01,") and b"/" in head


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    report = Report(name, options.strict)
    reader = Reader(report, options.default_currency)
    for record in logical_records(decode(data), report):
        reader.feed(record)
    reader.end()
    return report.finish(FORMAT, reader.statements, file_id=reader.file_id)
