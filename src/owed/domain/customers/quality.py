"""Customer master data quality: likely duplicates and missing or invalid data.

``quality_report(records)`` reads plain ``CustomerRecord`` values (the
services layer builds them from the database) and returns every finding, so
one run shows the whole clean-up list. The rules:

* ``LIKELY_DUPLICATE_NAME``: two customers whose normalized names score at
  least ``name_threshold`` (default 90) with rapidfuzz ``token_sort_ratio``.
  Normalizing folds accents and case, reads ``&`` as "and", drops "the" and
  "and", and strips legal-form suffixes from the end (Inc, LLC, Ltd, GmbH,
  & Co KG, S.A., B.V., ...; see ``LEGAL_SUFFIXES``).
* ``SAME_TAX_ID`` / ``SAME_EXTERNAL_ID``: two or more customers sharing the
  normalized tax id (see ``model.parse_tax_id``) or the external (ERP) id.
* ``MISSING_AP_CONTACT``, ``MISSING_EMAIL``, ``INVALID_EMAIL``,
  ``INVALID_TAX_ID`` (with stdnum's reason), ``UNVERIFIED_TAX_ID`` (a
  country stdnum has no rule for, or no country).

Speed: names are blocked, not compared all pairs with all pairs (see
``owed.domain.customers.duplicates``), and each tax id is parsed once.
``benchmarks/bench_customer_quality.py`` measures 50,000 customers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from owed.domain.customers.duplicates import LEGAL_SUFFIXES, normalize_name, similar_name_pairs
from owed.domain.customers.model import TaxId, parse_tax_id, validate_email
from owed.domain.errors import InvalidInput

__all__ = [
    "LEGAL_SUFFIXES",
    "CustomerRecord",
    "Finding",
    "IssueKind",
    "QualityReport",
    "normalize_name",
    "quality_report",
]


class IssueKind(StrEnum):
    LIKELY_DUPLICATE_NAME = "likely_duplicate_name"
    SAME_TAX_ID = "same_tax_id"
    SAME_EXTERNAL_ID = "same_external_id"
    MISSING_AP_CONTACT = "missing_ap_contact"
    MISSING_EMAIL = "missing_email"
    INVALID_EMAIL = "invalid_email"
    INVALID_TAX_ID = "invalid_tax_id"
    UNVERIFIED_TAX_ID = "unverified_tax_id"


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    id: str
    external_id: str | None
    name: str
    country: str | None = None
    tax_id: str | None = None
    emails: tuple[str, ...] = ()
    has_ap_contact: bool = False


@dataclass(frozen=True, slots=True)
class Finding:
    kind: IssueKind
    customer_ids: tuple[str, ...]
    detail: str
    similarity_score: float | None = None  # 0–100, name duplicates only


@dataclass(frozen=True, slots=True)
class QualityReport:
    findings: tuple[Finding, ...]

    def count_by_kind(self) -> dict[IssueKind, int]:
        counts: dict[IssueKind, int] = defaultdict(int)
        for finding in self.findings:
            counts[finding.kind] += 1
        return dict(counts)

    def of_kind(self, kind: IssueKind) -> list[Finding]:
        return [finding for finding in self.findings if finding.kind is kind]

    def for_customer(self, customer_id: str) -> list[Finding]:
        return [f for f in self.findings if customer_id in f.customer_ids]


def quality_report(
    records: Sequence[CustomerRecord],
    *,
    name_threshold: float = 90,
    prefix_length: int = 3,
    max_block: int = 500,
) -> QualityReport:
    """Every data-quality finding over ``records``; see the module docstring."""
    tax_ids = [_parse_tax_id(record) for record in records]
    findings = [
        *_name_duplicates(records, name_threshold, prefix_length, max_block),
        *_shared(
            records,
            [_tax_key(r, t) for r, t in zip(records, tax_ids, strict=True)],
            IssueKind.SAME_TAX_ID,
            "tax id",
        ),
        *_shared(
            records, [r.external_id for r in records], IssueKind.SAME_EXTERNAL_ID, "external id"
        ),
    ]
    for record, tax_id in zip(records, tax_ids, strict=True):
        findings.extend(_record_findings(record, tax_id))
    order = {kind: rank for rank, kind in enumerate(IssueKind)}
    findings.sort(key=lambda f: (order[f.kind], f.customer_ids))
    return QualityReport(tuple(findings))


def _parse_tax_id(record: CustomerRecord) -> TaxId | InvalidInput | None:
    if not record.tax_id or not record.tax_id.strip():
        return None
    try:
        return parse_tax_id(record.country, record.tax_id)
    except InvalidInput as error:
        return error


def _tax_key(record: CustomerRecord, parsed: TaxId | InvalidInput | None) -> str | None:
    if isinstance(parsed, TaxId):
        return parsed.value
    if parsed is None or record.tax_id is None:
        return None
    return "".join(c for c in record.tax_id.upper() if c.isalnum()) or None


def _record_findings(
    record: CustomerRecord, tax_id: TaxId | InvalidInput | None
) -> Iterable[Finding]:
    ids = (record.id,)
    if not record.has_ap_contact:
        yield Finding(IssueKind.MISSING_AP_CONTACT, ids, "no accounts payable contact")
    if not record.emails:
        yield Finding(IssueKind.MISSING_EMAIL, ids, "no email address")
    for email in record.emails:
        try:
            validate_email(email)
        except InvalidInput as error:
            yield Finding(IssueKind.INVALID_EMAIL, ids, error.message)
    if isinstance(tax_id, InvalidInput):
        yield Finding(IssueKind.INVALID_TAX_ID, ids, tax_id.message)
    elif tax_id is not None and not tax_id.verified:
        where = f"country {record.country}" if record.country else "no country"
        yield Finding(
            IssueKind.UNVERIFIED_TAX_ID,
            ids,
            f"tax id {record.tax_id!r} not checked: no rule for {where}",
        )


def _shared(
    records: Sequence[CustomerRecord], keys: list[str | None], kind: IssueKind, what: str
) -> list[Finding]:
    groups: dict[str, list[str]] = defaultdict(list)
    for record, key in zip(records, keys, strict=True):
        if key:
            groups[key].append(record.id)
    return [
        Finding(kind, tuple(sorted(ids)), f"{len(ids)} customers share {what} {key!r}")
        for key, ids in groups.items()
        if len(ids) > 1
    ]


def _name_duplicates(
    records: Sequence[CustomerRecord], threshold: float, prefix_length: int, max_block: int
) -> list[Finding]:
    pairs = similar_name_pairs(
        [record.name for record in records],
        threshold=threshold,
        prefix_length=prefix_length,
        max_block=max_block,
    )
    return [
        Finding(
            IssueKind.LIKELY_DUPLICATE_NAME,
            tuple(sorted((records[i].id, records[j].id))),
            f"names {records[i].name!r} and {records[j].name!r} are {score:.0f} % alike",
            score,
        )
        for (i, j), score in pairs.items()
    ]
