"""SWIFT MT940 (and MT942 interim) importer.

The file is cut into tags and statements by ``mt940_tokens`` (with line
numbers); each tag value is read with the ``mt-940`` package's own tag
patterns (``mt940.tags``) and the ``:86:`` text by ``mt940_details``.

Per statement: ``:20:`` reference, ``:25:`` account (a trailing currency code,
``...EUR`` or ``.../HUF``, gives the currency), ``:28C:`` number, ``:60F:``/
``:60M:`` opening and ``:62F:``/``:62M:`` closing balance. Per ``:61:``: value
date, entry date (MMDD, year taken nearest the value date), mark ``C``/``D``/
``RC``/``RD`` (``RC`` reversal of a credit = debit, ``RD`` reversal of a debit
= credit, both ``is_reversal``), amount with a decimal comma, transaction type
(``NTRF`` -> ``type_code`` and method), customer reference, ``//`` bank
reference, supplementary lines. ``:86:`` after the closing balance is
statement information and is not attached to a transaction.

Checks: opening + credits - debits = closing per statement, and MT942
``:90D:``/``:90C:`` counts and sums. Failed checks are problems in strict mode
and warnings otherwise. An impossible date (30 February, a known bank bug) is
read as the month's last day with a warning.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import mt940 as mt940_package

from owed.adapters.bankfiles import mt940_tokens
from owed.adapters.bankfiles._exact import (
    SWIFT_RETURN_CODES,
    Findings,
    currency_or_none,
    exact_amount,
    swift_method,
)
from owed.adapters.bankfiles.detect import looks_like_mt940
from owed.adapters.bankfiles.mt940_details import parse_details
from owed.adapters.bankfiles.mt940_tokens import Block, Tag
from owed.domain.payments.statement import (
    ControlCheck,
    Direction,
    ParsedFile,
    ParseOptions,
    Statement,
    StatementLine,
)

__all__ = ["FORMAT", "parse", "parse_details", "sniff"]

FORMAT = "mt940"

_STATEMENT_RE = mt940_package.tags.TAG_BY_ID[61].re
_BALANCE_RE = mt940_package.tags.TAG_BY_ID["60F"].re
_SUM_RE = mt940_package.tags.TAG_BY_ID["90D"].re
_BALANCE_FALLBACK = re.compile(r"^([CD])(\d{2})(\d{2})(\d{2})([A-Z]{3})?([0-9,]{1,17})\s*$")
_ACCOUNT_CURRENCY = re.compile(r"^(.*?)[\s/]?([A-Z]{3})$")
_PLACEHOLDER_REFS = frozenset({"NONREF", "EREF", "PREF", "MARF", "NOTPROVIDED", ""})
_OPENING = ("60F", "60M", "60")
_CLOSING = ("62F", "62M", "62")


def sniff(data: bytes) -> bool:
    return looks_like_mt940(data)


def _decode(data: bytes, options: ParseOptions, findings: Findings) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        encoding = str(options.layout.get("encoding", "latin-1"))
        findings.warn("file", f"not UTF-8; read as {encoding}")
        try:
            return data.decode(encoding, errors="replace")
        except LookupError:
            findings.problem("file", f"unknown encoding {encoding!r} in options.layout")
            return data.decode("latin-1")


def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile:
    """Parse MT940/MT942 text; ``InvalidFile`` lists every problem with its line."""
    findings = Findings(name)
    text = _decode(data, options, findings)
    tags, cut_problems = mt940_tokens.tokenize(text)
    for line, reason in cut_problems:
        findings.problem(f"line {line}", reason, row=line)
    groups = mt940_tokens.blocks(tags)
    if not groups:
        findings.problem("line 1", "no MT940 tags (:20:, :25:, :60F:, :61:, :62F:) found")
    statements: list[Statement] = []
    controls: list[ControlCheck] = []
    for block in groups:
        reader = _BlockReader(block, options, findings)
        statements.append(reader.read())
        controls.extend(reader.controls)
    for check in controls:
        if not check.ok:
            reason = f"{check.what}: stated {check.stated}, computed {check.computed}"
            if options.strict:
                findings.problem(check.position, reason)
            else:
                findings.warn(check.position, reason)
    if any(t.name in ("13D", "34F", "90D", "90C") for t in tags):
        findings.warn("file", "MT942 interim report (no booked balances)")
    findings.raise_if_any("MT940 file")
    first_ref = next((t.first.strip() for t in tags if t.name == "20"), None)
    return ParsedFile(
        format=FORMAT,
        statements=tuple(statements),
        controls=tuple(controls),
        warnings=findings.final_warnings(),
        file_id=first_ref,
    )


def _date(yy: str, mm: str, dd: str, where: str, findings: Findings) -> date | None:
    year, month, day = 2000 + int(yy), int(mm), int(dd)
    if not 1 <= month <= 12 or day < 1:
        findings.problem(where, f"{yy}{mm}{dd} is not a date")
        return None
    last = calendar.monthrange(year, month)[1]
    if day > last:
        if day > 31:
            findings.problem(where, f"{yy}{mm}{dd} is not a date")
            return None
        findings.warn(where, f"date {yy}{mm}{dd} does not exist; read as {year}-{month:02}-{last}")
        day = last
    return date(year, month, day)


def _entry_date(value: date, mm: str | None, dd: str | None) -> date | None:
    """The MMDD entry date in the year that puts it nearest the value date."""
    if not mm or not dd or not mm.strip() or not dd.strip():
        return None
    best: date | None = None
    for year in (value.year - 1, value.year, value.year + 1):
        try:
            candidate = date(year, int(mm), int(dd))
        except ValueError:
            continue
        if best is None or abs((candidate - value).days) < abs((best - value).days):
            best = candidate
    return best


@dataclass
class _Balance:
    amount: Decimal
    currency: str | None
    day: date | None


@dataclass
class _BlockReader:
    block: Block
    options: ParseOptions
    findings: Findings
    controls: list[ControlCheck] = field(default_factory=list)

    def read(self) -> Statement:
        account_tag = self._tag("25")
        account, account_currency = self._account(account_tag)
        opening_tag, closing_tag = self._tag(*_OPENING), self._tag(*_CLOSING)
        opening = self._balance(opening_tag) if opening_tag else None
        closing = self._balance(closing_tag) if closing_tag else None
        currency = next(
            (
                c
                for c in (
                    opening and opening.currency,
                    closing and closing.currency,
                    account_currency,
                    self._interim_currency(),
                )
                if c
            ),
            None,
        )
        if currency is None:
            currency = self.options.default_currency
            first = self.block.tags[0]
            self.findings.warn(
                f"line {first.line}", f"no currency in the statement; using {currency}"
            )
        self._check_balance_currency(opening_tag, opening, currency)
        self._check_balance_currency(closing_tag, closing, currency)
        lines = self._lines(currency)
        net = sum(
            (ln.amount if ln.direction is Direction.CREDIT else -ln.amount for ln in lines),
            Decimal(0),
        )
        ref = self._tag("20")
        where = f"line {ref.line if ref else self.block.tags[0].line}"
        if opening is not None and closing is not None:
            self.controls.append(
                ControlCheck(
                    where,
                    "closing balance = opening + credits - debits",
                    closing.amount,
                    opening.amount + net,
                )
            )
        self._sum_checks(lines, currency)
        number = self._tag("28C", "28")
        statement_id = ref.first.strip() if ref else None
        if statement_id and number:
            statement_id = f"{statement_id}/{''.join(number.lines).strip()}"
        return Statement(
            account=account,
            currency=currency,
            lines=tuple(lines),
            statement_id=statement_id,
            opening_balance=opening.amount if opening else None,
            closing_balance=closing.amount if closing else None,
            as_of=(closing.day if closing else None) or (lines[-1].value_date if lines else None),
        )

    def _interim_currency(self) -> str | None:
        """MT942 has no balances: the floor limit (:34F:) or sums (:90D:) name the currency."""
        for tag in self.block.tags:
            if tag.name in ("34F", "90D", "90C"):
                found = re.match(r"^\d*([A-Z]{3})", tag.first.strip())
                if found and currency_or_none(found.group(1)) is not None:
                    return found.group(1)
        return None

    def _tag(self, *names: str) -> Tag | None:
        return next((t for t in self.block.tags if t.name in names), None)

    def _account(self, tag: Tag | None) -> tuple[str, str | None]:
        if tag is None:
            self.findings.warn(f"line {self.block.tags[0].line}", "no :25: account identification")
            return "", None
        value = "".join(tag.lines).strip()
        match = _ACCOUNT_CURRENCY.match(value)
        if match is None or not match.group(1) or currency_or_none(match.group(2)) is None:
            return value, None
        head = match.group(1)
        if head[-1:].isdigit() or value[len(head) :][:1] in " /":
            return head.strip(" /"), match.group(2)
        return value, None

    def _balance(self, tag: Tag) -> _Balance | None:
        where = f"line {tag.line}"
        value = "".join(tag.lines).strip()
        found = _BALANCE_RE.match(value)
        if found and found.group("currency").isalpha():
            mark, yy, mm, dd = (found.group(k) for k in ("status", "year", "month", "day"))
            currency, amount = found.group("currency").upper(), found.group("amount")
            if value[found.end() :].strip():
                found = None
        if not found or not found.group("currency").isalpha():
            fallback = _BALANCE_FALLBACK.match(value)
            if not fallback:
                self.findings.problem(where, f":{tag.name}: balance {value!r} not understood")
                return None
            mark, yy, mm, dd, currency, amount = fallback.groups()
        day = _date(yy, mm, dd, where, self.findings)
        code = currency or self.options.default_currency
        parsed = self._amount(amount, code, where)
        if parsed is None:
            return None
        return _Balance(-parsed if mark.upper() == "D" else parsed, currency, day)

    def _amount(self, text: str, currency: str, where: str) -> Decimal | None:
        if text.count(",") > 1 or not re.fullmatch(r"\d*,?\d*", text) or not text.strip(","):
            self.findings.problem(where, f"amount {text!r} is not a number with a decimal comma")
            return None
        return exact_amount(text, currency, where, self.findings, decimal_comma=True)

    def _check_balance_currency(self, tag: Tag | None, bal: _Balance | None, cur: str) -> None:
        if tag is not None and bal is not None and bal.currency and bal.currency != cur:
            self.findings.problem(
                f"line {tag.line}", f"balance in {bal.currency}, statement in {cur}"
            )

    def _lines(self, currency: str) -> list[StatementLine]:
        lines: list[StatementLine] = []
        pending: tuple[Tag, list[Tag]] | None = None
        closed = False
        for tag in self.block.tags:
            if tag.name == "61":
                if pending:
                    lines.extend(self._line(*pending, currency))
                pending = (tag, [])
            elif tag.name in ("86", "NS") and pending and not closed:
                pending[1].append(tag)
            elif tag.name in _CLOSING or tag.name in ("64", "65"):
                closed = True
            elif tag.name == "25" and pending:
                self.findings.problem(
                    f"line {tag.line}",
                    ":25: account identification after a :61: line "
                    "(a broken or truncated statement)",
                )
        if pending:
            lines.extend(self._line(*pending, currency))
        return lines

    def _line(self, tag: Tag, extra: list[Tag], currency: str) -> list[StatementLine]:
        where = f"line {tag.line}"
        found = _STATEMENT_RE.match(tag.first.strip("\n"))
        if not found:
            self.findings.problem(where, f":61: statement line {tag.first!r} not understood")
            return []
        g = found.groupdict()
        value_date = _date(g["year"], g["month"], g["day"], where, self.findings)
        mark = g["status"].upper()
        amount = self._amount(g["amount"], currency, where)
        if value_date is None or amount is None:
            return []
        customer = (g.get("customer_reference") or "").strip()
        supplementary = [g.get("extra_details") or ""]
        if (
            len(customer) == 16
            and " " not in customer
            and supplementary[0]
            and not g.get("bank_reference")
        ):
            customer, supplementary = customer + supplementary[0].strip(), []
        supplementary += [ln.strip() for ln in tag.lines[1:]]
        details_text = "\n".join(line for t in extra if t.name == "86" for line in t.lines)
        details = parse_details(details_text)
        type_code = (g.get("id") or "").strip().upper() or None
        direction = Direction.CREDIT if mark in ("C", "RD") else Direction.DEBIT
        is_return = bool(type_code and type_code[1:4] in SWIFT_RETURN_CODES) or bool(
            details.get("return_reason")
        )
        texts = [details.get("remittance_text", "")]
        if details.get("return_reason"):
            texts.append(f"return reason {details['return_reason']}")
        raw_lines = [f":61:{tag.value}", *(f":{t.name}:{t.value}" for t in extra)]
        return [
            StatementLine(
                amount=amount,
                currency=currency,
                direction=direction,
                value_date=value_date,
                booking_date=_entry_date(value_date, g.get("entry_month"), g.get("entry_day")),
                bank_reference=(g.get("bank_reference") or "").strip() or None,
                customer_reference=details.get("customer_reference")
                or (customer if customer.upper() not in _PLACEHOLDER_REFS else None),
                type_code=type_code,
                method=swift_method(type_code),
                payer_name=details.get("payer_name"),
                payer_account=details.get("payer_account"),
                remittance_text=" ".join(t for t in texts if t)
                or " ".join(s for s in supplementary if s),
                is_reversal=mark in ("RC", "RD") or (is_return and direction is Direction.DEBIT),
                source_position=where,
                raw="\n".join(raw_lines),
            )
        ]

    def _sum_checks(self, lines: list[StatementLine], currency: str) -> None:
        for name, direction in (("90D", Direction.DEBIT), ("90C", Direction.CREDIT)):
            tag = self._tag(name)
            if tag is None:
                continue
            found = _SUM_RE.match("".join(tag.lines).strip())
            if not found:
                self.findings.problem(f"line {tag.line}", f":{name}: {tag.first!r} not understood")
                continue
            mine = [ln.amount for ln in lines if ln.direction is direction]
            stated = self._amount(found.group("amount"), currency, f"line {tag.line}")
            if found.group("number"):
                self.controls.append(
                    ControlCheck(
                        f"line {tag.line}",
                        f":{name}: number of entries",
                        Decimal(found.group("number")),
                        Decimal(len(mine)),
                    )
                )
            if stated is not None:
                self.controls.append(
                    ControlCheck(
                        f"line {tag.line}",
                        f":{name}: sum of entries",
                        stated,
                        sum(mine, Decimal(0)),
                    )
                )
