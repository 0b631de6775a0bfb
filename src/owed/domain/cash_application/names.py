"""Recognising a customer from the payer name the bank passes on.

Bank payer names are upper-cased, abbreviated (``ACME CORP INTL``) and cut to
the 16–35 characters the format allows (``ACME CORPORATION INTERNA``). Names
are compared in three forms:

* ``flat``: upper-case words, punctuation dropped (truncation is a prefix of it);
* ``canonical``: standard business abbreviations applied (CORPORATION → CORP,
  INTERNATIONAL → INTL) and legal forms and ``THE`` dropped, so
  ``ACME CORP INTL`` and ``Acme Corporation International Ltd`` are equal;
* tokens of the canonical form, whose first four letters index the customers.

A lookup takes the customers sharing the payer's two rarest tokens and scores
each with ``similarity``: 1.0 for equal canonical forms, 0.97 for a truncated
flat name, 0.96 when the payer's words abbreviate the customer's word for word
(``COPPER CONS PHARMA`` for Copper Consolidated Pharmaceuticals, see
``abbreviates``), otherwise rapidfuzz's ratio on the canonical forms or 0.98 × the
ratio on the flat forms (also against the customer's canonical name cut to
the payer's length, for truncations with a typo).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final, NamedTuple

from rapidfuzz import fuzz

from owed.domain.cash_application.model import CustomerInfo

ABBREVIATIONS: Final[dict[str, str]] = {
    "CORPORATION": "CORP", "INCORPORATED": "INC", "LIMITED": "LTD", "COMPANY": "CO",
    "INTERNATIONAL": "INTL", "INTERNATL": "INTL", "INT": "INTL", "MANUFACTURING": "MFG",
    "INDUSTRIES": "IND", "INDUSTRIAL": "IND", "SERVICES": "SVCS", "SERVICE": "SVCS",
    "SVC": "SVCS", "BROTHERS": "BROS", "ASSOCIATES": "ASSOC", "TECHNOLOGIES": "TECH",
    "TECHNOLOGY": "TECH", "SYSTEMS": "SYS", "ENTERPRISES": "ENT", "HOLDINGS": "HLDGS",
    "GROUP": "GRP", "DISTRIBUTION": "DIST", "DISTRIBUTORS": "DIST", "MANAGEMENT": "MGMT",
    "DEPARTMENT": "DEPT", "LABORATORIES": "LABS", "PRODUCTS": "PRODS", "SOLUTIONS": "SOLNS",
    "NATIONAL": "NATL", "AMERICA": "AMER", "AMERICAN": "AMER", "NORTH": "N", "SOUTH": "S",
    "EAST": "E", "WEST": "W", "AND": "&", "MOUNT": "MT", "SAINT": "ST", "LOGISTICS": "LOG",
    "ENGINEERING": "ENGR", "CONSTRUCTION": "CONSTR", "EQUIPMENT": "EQUIP",
}  # fmt: skip
LEGAL_FORMS: Final[frozenset[str]] = frozenset({
    "INC", "LTD", "LLC", "CORP", "CO", "PLC", "GMBH", "AG", "SA", "SAS", "SARL", "BV", "NV",
    "LP", "LLP", "PTY", "SRL", "SPA", "AB", "AS", "OY", "KG", "KGAA", "OHG", "UG", "SE", "THE",
})  # fmt: skip
_NON_WORD = re.compile(r"[^A-Z0-9&]+")
_KEY_LEN: Final = 4
_MAX_POSTING: Final = 400  # a token shared by more customers does not narrow the search
ABBREVIATED: Final = 0.96  # word for word, some words abbreviated


def flat_name(name: str) -> str:
    """Upper-case words only: ``"Acme Corp., Intl."`` → ``"ACME CORP INTL"``."""
    return " ".join(_NON_WORD.sub(" ", name.upper()).split())


def canonical_tokens(name: str) -> tuple[str, ...]:
    """Words with standard abbreviations applied and legal forms dropped."""
    return _tokens_of_flat(flat_name(name))


def _tokens_of_flat(flat: str) -> tuple[str, ...]:
    words = [ABBREVIATIONS.get(w, w) for w in flat.split()]
    core = [w for w in words if w not in LEGAL_FORMS]
    return tuple(core or words)


def canonical_name(name: str) -> str:
    """The form two spellings of one company name share."""
    return " ".join(canonical_tokens(name))


class _Form(NamedTuple):
    flat: str
    canonical: str
    words: tuple[str, ...]  # the canonical form's words


class NameMatch(NamedTuple):  # a tuple: made for every candidate, so made cheaply
    customer_id: int
    score: float  # similarity 0–1, not money


def similarity(payer: str, customer_name: str) -> float:
    """How well a bank payer name fits a customer name, 0–1."""
    return _score(_form(payer), _form(customer_name))


def _form(name: str) -> _Form:
    flat = flat_name(name)
    words = _tokens_of_flat(flat)
    return _Form(flat, " ".join(words), words)


def _score(payer: _Form, customer: _Form) -> float:
    if not payer.canonical:
        return 0.0
    if payer.canonical == customer.canonical:
        return 1.0
    if len(payer.flat) >= 8 and customer.flat.startswith(payer.flat):
        return 0.97
    if len(payer.canonical) >= 8 and customer.canonical.startswith(payer.canonical):
        return 0.96
    if _abbreviated(payer.words, customer.words):
        return ABBREVIATED
    ratio_score = max(
        fuzz.ratio(payer.canonical, customer.canonical) / 100,
        0.98 * fuzz.ratio(payer.flat, customer.flat) / 100,
    )
    cut = customer.canonical[: len(payer.canonical)]
    if len(payer.canonical) >= 10 and len(cut) < len(customer.canonical):
        ratio_score = max(ratio_score, 0.95 * fuzz.ratio(payer.canonical, cut) / 100)
    return ratio_score


def abbreviates(short: str, word: str) -> bool:
    """True when ``short`` can be an abbreviation of ``word``: shorter, at least three
    characters, the same first letter, and its letters in the word's order
    (``MATLS`` of ``MATERIALS``, ``WHSL`` of ``WHOLESALE``, ``PHARMA`` of
    ``PHARMACEUTICALS``)."""
    if len(short) < 3 or len(short) >= len(word) or short[0] != word[0]:
        return False
    position = 0
    for char in short:
        position = word.find(char, position) + 1
        if position == 0:
            return False
    return True


def _abbreviated(payer: Sequence[str], customer: Sequence[str]) -> bool:
    """Word for word the customer's name, some words abbreviated (not in ``ABBREVIATIONS``)."""
    if len(payer) != len(customer) or len(payer) < 2:
        return False
    shortened = False
    for short, word in zip(payer, customer, strict=True):
        if short == word:
            continue
        if not abbreviates(short, word):
            return False
        shortened = True
    return shortened


class NameIndex:
    """Customers by canonical name (and aliases) and by token prefix."""

    def __init__(self, customers: Iterable[CustomerInfo]) -> None:
        self._exact: dict[str, list[int]] = {}
        self._by_token: dict[str, list[int]] = {}
        self._forms: dict[int, list[_Form]] = {}
        # filled on use: token postings as sets, and the answer for each payer name seen
        self._posting_sets: dict[str, frozenset[int]] = {}
        self._searched: dict[tuple[str, int], tuple[NameMatch, ...]] = {}
        for customer in customers:
            for name in (customer.name, *customer.aliases):
                self._add(customer.id, name)

    def _add(self, customer_id: int, name: str) -> None:
        form = _form(name)
        if not form.canonical:
            return
        self._forms.setdefault(customer_id, []).append(form)
        exact = self._exact.setdefault(form.canonical, [])
        if customer_id not in exact:
            exact.append(customer_id)
        for token in set(form.words):
            if len(token) >= 3:
                posting = self._by_token.setdefault(token[:_KEY_LEN], [])
                if not posting or posting[-1] != customer_id:
                    posting.append(customer_id)

    def exact(self, name: str) -> list[int]:
        """Customers whose canonical name or alias equals this name's."""
        return list(self._exact.get(canonical_name(name), ()))

    def _posting(self, key: str) -> frozenset[int]:
        """The customers with a token starting with ``key``, as a set (made on first use)."""
        found = self._posting_sets.get(key)
        if found is None:
            found = self._posting_sets[key] = frozenset(self._by_token.get(key, ()))
        return found

    def _candidates(self, payer: _Form) -> frozenset[int]:
        postings = sorted(
            (self._posting(t[:_KEY_LEN]) for t in set(payer.words) if len(t) >= 3),
            key=len,
        )
        postings = [p for p in postings if p]
        if not postings:
            return frozenset()
        rarest = postings[0]
        if len(postings) > 1 and len(rarest) > 20:
            narrowed = rarest & postings[1]
            if narrowed:
                return narrowed
        return rarest if len(rarest) <= _MAX_POSTING else frozenset()

    def search(self, payer_name: str, limit: int = 5) -> list[NameMatch]:
        """The customers this payer name most resembles, best first."""
        key = (payer_name, limit)
        found = self._searched.get(key)
        if found is None:
            found = self._searched[key] = self._search(payer_name, limit)
        return list(found)

    def _search(self, payer_name: str, limit: int) -> tuple[NameMatch, ...]:
        payer = _form(payer_name)
        scores: dict[int, float] = {cid: 1.0 for cid in self._exact.get(payer.canonical, ())}
        for customer_id in self._candidates(payer):
            if customer_id in scores:
                continue
            forms = self._forms[customer_id]
            best = (
                _score(payer, forms[0])
                if len(forms) == 1
                else max(_score(payer, form) for form in forms)
            )
            if best > 0.5:
                scores[customer_id] = best
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        return tuple(NameMatch(cid, score) for cid, score in ranked[:limit])
