"""The aging report: open receivables by age bucket, now or as of a past date.

The bucket edges come from the company setting ``aging_buckets`` (a list of
increasing day counts, default ``[30, 60, 90, 120]``: current, 1-30, 31-60,
61-90, 91-120, over 120). The domain turns them into date edges
(``bucket_edges``) and the repository sums the open amounts per group and
currency in SQL, one column per bucket (``aging_rows``: one row per group
travels); ``assemble_report`` builds the rows.

* ``as_of`` today or later (or not given): the stored open amounts.
* ``as_of`` in the past: reconstructed from the dated settlements, so an
  aging as of March 31 run in June shows March 31.

Base-currency totals use the setting ``fx_rates`` (``{"EUR": "1.08"}``: base
units per unit); a currency without a rate is an error naming it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from owed.domain.auth import Permission
from owed.domain.batching import collector_paused
from owed.domain.collections.aging import (
    AgingBasis,
    AgingReport,
    BucketEdge,
    Buckets,
    assemble_report,
    bucket_edges,
)
from owed.domain.errors import ConfigurationError, InvalidInput
from owed.services.fx_rates import rates_as_of
from owed.services.unit_of_work import UnitOfWork

GROUPINGS = ("customer", "parent", "collector", "segment", "currency")
BASES = {"due": AgingBasis.DUE_DATE, "invoice": AgingBasis.INVOICE_DATE}


@dataclass(frozen=True)
class GetAging:
    as_of: date | None = None  # None: today
    by: str = "customer"  # customer | parent | collector | segment | currency
    basis: str = "due"  # due | invoice


@dataclass(frozen=True)
class Aging:
    report: AgingReport
    by: str
    names: dict[str, str]  # customer external id -> name (by customer or parent)
    reconstructed: bool  # True: as of a past date, from the settlements


def buckets_from_settings(settings: dict[str, object], basis: AgingBasis) -> Buckets:
    edges = settings.get("aging_buckets", [30, 60, 90, 120])
    if not isinstance(edges, list) or not all(isinstance(e, int) for e in edges):
        raise ConfigurationError(f"setting aging_buckets must be a list of day counts: {edges!r}")
    return Buckets.from_edges(edges, basis)


def get_aging(query: GetAging, uow: UnitOfWork) -> Aging:
    if query.by not in GROUPINGS:
        raise InvalidInput(f"aging --by {query.by!r}: choose one of {', '.join(GROUPINGS)}")
    if query.basis not in BASES:
        raise InvalidInput(f"aging --basis {query.basis!r}: choose due or invoice")
    with uow:
        uow.require(Permission.REPORT)
        today = uow.today()
        as_of = query.as_of or today
        current = as_of >= today
        buckets = buckets_from_settings(uow.company.settings, BASES[query.basis])
        edges = bucket_edges(as_of, buckets)
        with (
            collector_paused()
        ):  # tens of thousands of rows of long-lived values: see domain.batching
            return _build(query, uow, as_of, current, buckets, edges)


def _build(
    query: GetAging,
    uow: UnitOfWork,
    as_of: date,
    current: bool,
    buckets: Buckets,
    edges: Sequence[BucketEdge],
) -> Aging:
    repo = uow.collections
    totals = repo.aging_rows(as_of, edges, buckets.basis.value, query.by, current)
    beside = repo.aging_beside(as_of, query.by, current)
    rates = rates_as_of(uow, as_of)
    report = assemble_report(
        totals,
        as_of,
        buckets,
        unapplied=beside,
        rates=rates,
        base_currency=uow.company.base_currency,
    )
    names = repo.customer_names() if query.by in ("customer", "parent") else {}
    return Aging(report, query.by, names, not current)
