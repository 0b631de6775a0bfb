"""Receipts: importing bank and remittance files.

The entrypoint parses the file (``owed.adapters.bankfiles``) into the neutral
``ParsedFile`` and hands it here with the file's digest. Import rules:

* The same file (by SHA-256) is imported once; a second import creates nothing.
* The same bank transaction arriving again in another file (intraday, then
  end of day; a .052 then a .053) is recognised by its dedupe key and skipped.
* Credit lines become receipts: Dr bank / Cr unapplied cash, one entry each.
* A reversal (returned payment) becomes a ``return`` receipt: Dr unapplied cash
  / Cr bank, listed in the exception queue so a person unapplies the original.
* Other debits (fees, transfers out) are not receivables business: skipped and
  counted.
* Receipts post on their value date, or today when that date lies in a closed
  period (the bank reports late; the books stay closed).
* The whole file is one transaction: any error leaves the database unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.errors import InvalidFile, Problem
from owed.domain.ledger import JournalEntry, JournalLine, SystemAccount
from owed.domain.money import Currency, Money
from owed.domain.payments.statement import Direction, ParsedFile, RemittanceLine, StatementLine
from owed.services.ledger import account, post_entries, posting_dates
from owed.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class ImportBankFile:
    parsed: ParsedFile
    filename: str
    sha256: str
    bank_account: str | None = None  # overrides the account named in the file


@dataclass
class BankImportResult:
    filename: str
    format: str
    already_imported: bool = False
    lines: int = 0
    receipts_created: int = 0
    returns_created: int = 0
    duplicates: int = 0
    skipped_debits: int = 0
    total: dict[str, Money] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    receipt_ids: list[int] = field(default_factory=list)


_REMITTANCE_FIELDS = tuple(f.name for f in fields(RemittanceLine))
_remittance_values = attrgetter(*_REMITTANCE_FIELDS)


def _remittance_json(line: StatementLine) -> str:
    """The structured remittance as stored: one object per line, fields in declaration order,
    every value as text (``asdict`` without its deep copy: the values are plain)."""
    if not line.remittance:
        return "[]"
    return json.dumps(
        [
            {
                k: (None if v is None else str(v))
                for k, v in zip(_REMITTANCE_FIELDS, _remittance_values(r), strict=True)
            }
            for r in line.remittance
        ]
    )


def import_bank_file(cmd: ImportBankFile, uow: UnitOfWork) -> BankImportResult:
    parsed = cmd.parsed
    result = BankImportResult(
        cmd.filename,
        parsed.format,
        warnings=list(parsed.warnings)
        + [
            f"{c.position}: {c.what} stated {c.stated}, lines sum to {c.computed}"
            for c in parsed.failed_controls
        ],
    )
    with uow, collector_paused():  # 10^5 rows, entries and lines, none of them garbage
        uow.require(Permission.POST_CASH)
        if uow.cash.bank_file_by_digest(cmd.sha256) is not None:
            result.already_imported = True
            return result
        problems = []
        rows: list[dict[str, Any]] = []
        lines: list[tuple[str, StatementLine]] = []
        for st in parsed.statements:
            acct = cmd.bank_account or st.account or "default"
            for line in st.lines:
                result.lines += 1
                if line.direction is Direction.DEBIT and not line.is_reversal:
                    result.skipped_debits += 1
                    continue
                when = line.value_date or line.booking_date
                if when is None:
                    problems.append(
                        Problem(
                            line.source_position or "line",
                            "transaction has no value or booking date",
                        )
                    )
                    continue
                lines.append((acct, line))
        if problems:
            raise InvalidFile(cmd.filename, problems, "bank file")
        keys = [ln.dedupe_key(acct) for acct, ln in lines]
        seen = uow.cash.existing_dedupe_keys(keys)
        now, user = uow.now(), uow.actor.username
        for (acct, line), key in zip(lines, keys, strict=True):
            if key in seen:
                result.duplicates += 1
                continue
            seen.add(key)  # the same transaction twice in one file counts once
            cur = Currency.of(line.currency)
            minor = cur.to_minor(line.amount)
            is_return = line.direction is Direction.DEBIT
            rows.append(
                {
                    "kind": "return" if is_return else "receipt",
                    "bank_account": acct[:60],
                    "method": line.method.value,
                    "currency": cur.code,
                    "amount_minor": minor,
                    "unapplied_minor": 0 if is_return else minor,
                    "value_date": line.value_date or line.booking_date,
                    "booking_date": line.booking_date,
                    "payer_name": (line.payer_name or None) and line.payer_name[:200],
                    "payer_account": (line.payer_account or None) and line.payer_account[:60],
                    "bank_reference": line.bank_reference and line.bank_reference[:100],
                    "customer_reference": line.customer_reference and line.customer_reference[:100],
                    "type_code": line.type_code and line.type_code[:20],
                    "remittance_text": line.remittance_text,
                    "remittance": _remittance_json(line),
                    "dedupe_key": key[:500],
                    "status": "unapplied",
                    "match_status": "exception" if is_return else "new",
                    "source_position": line.source_position[:80],
                    "created_by": user,
                    "created_at": now,
                }
            )
            if is_return:
                result.returns_created += 1
            else:
                result.receipts_created += 1
                result.total[cur.code] = result.total.get(cur.code, Money.zero(cur)) + Money(
                    line.amount, cur
                )
        file_id = uow.cash.add_bank_file(
            sha256=cmd.sha256,
            filename=cmd.filename[:300],
            format=parsed.format,
            lines=result.lines,
            receipts_created=result.receipts_created + result.returns_created,
            duplicates=result.duplicates,
            skipped=result.skipped_debits,
            warnings=json.dumps(result.warnings),
            imported_by=user,
            imported_at=now,
        )
        # Postings first, so each receipt row is written once, with its entry id.
        bank, unapplied = (
            account(uow, SystemAccount.BANK),
            account(uow, SystemAccount.UNAPPLIED_CASH),
        )
        dates = posting_dates(uow, list({row["value_date"] for row in rows}))
        money: dict[tuple[int, str], Money] = {}  # amounts repeat: each Money built once
        entries = []
        for row in rows:
            minor, code = row["amount_minor"], row["currency"]
            is_return = row["kind"] == "return"
            signed = -minor if is_return else minor
            debit = money.get((signed, code))
            if debit is None:
                debit = money[signed, code] = Money.from_minor(signed, code)
            credit = money.get((-signed, code))
            if credit is None:
                credit = money[-signed, code] = Money.from_minor(-signed, code)
            reference = row["bank_reference"]
            entries.append(
                JournalEntry(
                    dates[row["value_date"]],
                    f"{'Returned payment' if is_return else 'Receipt'} "
                    f"{reference or ''} {row['payer_name'] or ''}".strip(),
                    (
                        JournalLine(bank, debit, memo=reference or ""),
                        JournalLine(unapplied, credit),
                    ),
                    source_type="receipt",
                )
            )
        entry_ids = post_entries(uow, entries)
        for row, entry_id in zip(rows, entry_ids, strict=True):
            row["entry_id"] = entry_id
        ids = uow.cash.add_receipts(rows, file_id)
        result.receipt_ids = ids
        uow.audit(
            "bank_file.import",
            "bank_file",
            file_id,
            after={
                "filename": cmd.filename,
                "format": parsed.format,
                "sha256": cmd.sha256,
                "receipts": result.receipts_created,
                "returns": result.returns_created,
                "duplicates": result.duplicates,
                "receipt_ids": [ids[0], ids[-1]] if ids else [],
            },
        )
        uow.commit()
        return result
