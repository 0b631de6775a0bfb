"""The demo company's customers: names, master data, groups, behaviour.

``build_accounts`` draws every customer from one ``random.Random`` in a fixed
order. Mostly US customers in USD, some in the euro area (EUR) and the UK
(GBP). About one customer in twenty-five heads a group whose parent pays
its children's invoices; a few have bad habits (chronically 60+ days late,
one that stopped paying, one that disputes everything). Each ``Account``
also carries what billing needs: a typical invoice size and how many
invoices a month the customer receives.
"""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from owed.domain.payments.statement import Method
from owed.simulation import _identifiers
from owed.simulation._demo_words import (
    COLLECTORS,
    EUR_COUNTRIES,
    GROUP_REGIONS,
    LANGUAGE_OF,
    LEGAL_FORMS,
    NAMES_OF,
    SURNAMES,
    TRADES,
)
from owed.simulation._words import FIRST, INDUSTRY, SECOND
from owed.simulation.demo_model import Behaviour, DemoCustomer

SEGMENTS = ("enterprise", "mid-market", "small")
# Typical invoice (in cents of the customer's currency) and invoices a month, by segment.
_MEDIAN_CENTS = {"enterprise": 400_000, "mid-market": 160_000, "small": 75_000}
_PER_MONTH = {"enterprise": 4, "mid-market": 2, "small": 1}
_RISK_WEIGHTS = {"enterprise": (70, 25, 5), "mid-market": (50, 35, 15), "small": (35, 40, 25)}
_TERMS = ("NET 30", "NET 45", "NET 60", "2/10 NET 30", "EOM+15")
_TERMS_WEIGHTS = (55, 12, 8, 15, 10)


@dataclass(frozen=True)
class Account:
    """A customer plus what the generator needs to bill it."""

    customer: DemoCustomer
    invoice_cents: int  # a typical invoice, in minor units
    per_month: int  # invoices a month
    run_weekday: int  # the weekday of its payment runs (0 = Monday)


def build_accounts(rng: random.Random, count: int, today: date) -> list[Account]:
    seen: set[str] = set()
    drafts = [_draft(rng, n + 1, seen) for n in range(count)]
    _make_groups(rng, drafts)
    _give_bad_habits(rng, drafts, today)
    return [_finish(rng, d) for d in drafts]


@dataclass
class _Draft:
    number: int
    currency: str
    country: str
    segment: str
    base: str  # the name without its legal form
    legal: str
    behaviour: Behaviour
    risk: str
    parent: int | None = None
    pays_for_children: bool = False


def _draft(rng: random.Random, number: int, seen: set[str]) -> _Draft:
    roll = rng.random()
    currency, country = ("USD", "US") if roll < 0.80 else ("GBP", "GB") if roll < 0.87 else ("", "")
    if not currency:
        currency, country = "EUR", rng.choice(EUR_COUNTRIES)
    segment = rng.choices(SEGMENTS, weights=(10, 35, 55))[0]
    risk = rng.choices(("low", "medium", "high"), weights=_RISK_WEIGHTS[segment])[0]
    base = _base_name(rng, country)
    while base in seen:
        base = _base_name(rng, country)
    seen.add(base)
    legal = rng.choice(LEGAL_FORMS[country])
    return _Draft(
        number, currency, country, segment, base, legal, _behaviour(rng, segment, risk), risk
    )


def _base_name(rng: random.Random, country: str) -> str:
    words = NAMES_OF.get(country)
    if words is not None:
        return f"{rng.choice(SURNAMES[words])} {rng.choice(TRADES[words])}"
    second = rng.choice(SECOND) if rng.random() < 0.5 else ""
    return " ".join(p for p in (rng.choice(FIRST), second, rng.choice(INDUSTRY)) if p)


def _behaviour(rng: random.Random, segment: str, risk: str) -> Behaviour:
    late, spread = {"low": (-2, 4), "medium": (6, 8), "high": (18, 14)}[risk]
    if segment == "enterprise":
        late += 5  # large buyers stretch, but reliably
    level = {"low": 0, "medium": 1, "high": 2}[risk]
    return Behaviour(
        days_late_mean=late + rng.randint(-2, 2),
        days_late_spread=spread,
        short_pay_share=(0.02, 0.04, 0.07)[level],
        dispute_share=(0.02, 0.035, 0.05)[level] * (1.5 if segment == "enterprise" else 1),
        bad_reference_share=rng.uniform(0.05, 0.45),
        multi_invoice_share={"enterprise": 0.85, "mid-market": 0.45, "small": 0.1}[segment],
        discount_share=rng.uniform(0.3, 0.9),
        late_discount_share=rng.uniform(0.05, 0.35),
    )


def _make_groups(rng: random.Random, drafts: list[_Draft]) -> None:
    """About a dozen groups: a parent (enterprise or mid-market) paying for 1-3 children."""
    wanted = max(1, min(12, len(drafts) // 25))
    candidates = [d for d in drafts if d.segment != "small"]
    rng.shuffle(candidates)
    taken: set[int] = set()
    for parent in candidates:
        if wanted == 0:
            break
        if parent.number in taken:
            continue
        pool = [
            d for d in drafts
            if d.currency == parent.currency and d.number not in taken and d is not parent
        ]  # fmt: skip
        if not pool:
            continue
        children = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        regions = rng.sample(GROUP_REGIONS, len(children))
        parent.pays_for_children = True
        taken.update({parent.number, *(c.number for c in children)})
        for child, region in zip(children, regions, strict=True):
            child.parent = parent.number
            child.country = parent.country
            child.base = f"{parent.base} {region}"
            child.legal = rng.choice(LEGAL_FORMS[parent.country])
        wanted -= 1


def _give_bad_habits(rng: random.Random, drafts: list[_Draft], today: date) -> None:
    plain = [d for d in drafts if d.parent is None and not d.pays_for_children]
    plain.sort(key=lambda d: (d.segment == "small", d.number))  # larger accounts first
    chosen = rng.sample(plain[: max(8, len(plain) // 2)], min(len(plain), 8))
    for n, draft in enumerate(chosen):
        b = draft.behaviour
        if n < 6:  # chronically 60+ days late; two of them beyond 90
            late = rng.randint(62, 80) if n < 4 else rng.randint(95, 120)
            draft.behaviour = replace(
                b, days_late_mean=late, days_late_spread=12, habit="chronic_late"
            )
            draft.risk = "high"
        elif n == 6:
            stopped = today - timedelta(days=rng.randint(130, 170))
            draft.behaviour = replace(b, habit="stopped_paying", stopped_on=stopped)
            draft.risk = "high"
        else:
            draft.behaviour = replace(b, dispute_share=0.6, habit="always_disputes")


def _slug(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    parts = "".join(ch if ch.isalnum() else " " for ch in flat).split()
    return "-".join(parts[:3])


def _finish(rng: random.Random, d: _Draft) -> Account:
    name = f"{d.base} {d.legal}"
    language = LANGUAGE_OF[d.country]
    box = {"de": "buchhaltung", "fr": "comptabilite"}.get(language) or rng.choice(
        ("ap", "accounts.payable", "invoices", "payables")
    )
    median = _MEDIAN_CENTS[d.segment]
    # A spread factor, not money: the amount itself is made of integer cents.
    factor_ratio = math.exp(rng.gauss(0, 0.55))
    invoice_cents = max(15_000, int(median * factor_ratio))
    per_month = _PER_MONTH[d.segment]
    monthly = Decimal(invoice_cents * per_month) / 100
    limit = (monthly * 3 / 5000).to_integral_value(rounding="ROUND_CEILING") * 5000
    if d.currency == "USD":
        method = rng.choices((Method.ACH, Method.LOCKBOX, Method.WIRE), weights=(60, 25, 15))[0]
        account = _identifiers.us_account(rng)
    else:
        method = rng.choices((Method.ACH, Method.WIRE), weights=(75, 25))[0]
        account = _identifiers.iban_for(d.country, rng)
    terms = rng.choices(_TERMS, weights=_TERMS_WEIGHTS)[0]
    if d.segment == "enterprise" and rng.random() < 0.4:
        terms = rng.choice(("NET 45", "NET 60"))
    collector = {"de": COLLECTORS[2], "fr": COLLECTORS[3]}.get(language) or rng.choice(
        COLLECTORS[:2]
    )
    customer = DemoCustomer(
        external_id=f"C{d.number:05d}",
        name=name,
        segment=d.segment,
        risk_class=d.risk,
        currency=d.currency,
        payment_terms=terms,
        credit_limit=Decimal(limit).quantize(Decimal("0.01")),
        email=f"{box}@{_slug(d.base)}.example",
        country=d.country,
        tax_id=_identifiers.tax_id(d.country, rng) if rng.random() < 0.92 else "",
        collector=collector,
        language=language,
        po_required=d.segment == "enterprise" or rng.random() < 0.2,
        parent_id=f"C{d.parent:05d}" if d.parent else None,
        pays_for_children=d.pays_for_children,
        payment_method=method,
        bank_account=account,
        behaviour=d.behaviour,
    )
    return Account(customer, invoice_cents, per_month, rng.choice((1, 3, 4)))
