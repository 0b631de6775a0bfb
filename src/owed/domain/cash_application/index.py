"""The open items and customers, indexed once for a matching run.

``MatchContext.build(items, customers)`` makes every lookup a rule needs a
hash-map probe, so matching 100,000 receipts against 500,000 open items costs
a few probes per receipt rather than a scan:

* by number core (``INV-012345`` → ``12345``; the prefix is compared after),
* by customer (oldest first) and by (customer, open amount),
* by PO number and by RF creditor reference,
* a deletion-neighbourhood index of number cores for one-character typos
  (every core and each of its one-digit deletions; built on first use).

Balances change during a run: ``consume`` lowers an item's balance once a
decision is posted, so an item fully used by one receipt is not offered to the
next, and the (customer, amount) map follows. Closed items stay findable by
number so a second payment quoting them is recognised as a possible duplicate.
The context is the only mutable object in matching; it does no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from rapidfuzz.distance import OSA

from owed.domain.cash_application.model import CustomerInfo, OpenItem
from owed.domain.cash_application.names import NameIndex
from owed.domain.cash_application.references import normalize_key, number_parts
from owed.domain.errors import InvalidInput, OverApplication

Ticker = Callable[[], float]  # seconds from a monotonic clock, injected by the caller


def _add(index: dict[object, list[int]], key: object, item_id: int) -> None:
    bucket = index.get(key)
    if bucket is None:
        index[key] = [item_id]
    else:
        bucket.append(item_id)


def _deletions(core: str) -> set[str]:
    return {core[:i] + core[i + 1 :] for i in range(len(core))}


class OpenItemIndex:
    """Open items by every key matching uses, with their running balances."""

    def __init__(self, items: Iterable[OpenItem]) -> None:
        self.items: dict[int, OpenItem] = {}
        self.remaining: dict[int, Decimal] = {}
        self.prefix: dict[int, str] = {}
        self.core: dict[int, str] = {}
        self._by_core: dict[object, list[int]] = {}
        self._by_customer: dict[object, list[int]] = {}
        self._by_amount: dict[object, list[int]] = {}
        self._by_po: dict[object, list[int]] = {}
        self._by_rf: dict[object, list[int]] = {}
        self._typos: dict[object, list[int]] | None = None
        for item in items:
            self._insert(item)
        for bucket in self._by_customer.values():
            bucket.sort(key=lambda i: (self.items[i].due_date, self.items[i].issue_date, i))

    def _insert(self, item: OpenItem) -> None:
        if item.id in self.items:
            raise InvalidInput(f"open item {item.id} given twice", item_id=item.id)
        if item.open_amount < 0:
            raise InvalidInput(
                f"open item {item.id} ({item.number}) has a negative balance {item.open_amount}",
                item_id=item.id,
            )
        self.items[item.id] = item
        self.remaining[item.id] = item.open_amount
        prefix, core = number_parts(item.number)
        self.prefix[item.id], self.core[item.id] = prefix, core
        _add(self._by_core, core, item.id)
        _add(self._by_customer, item.customer_id, item.id)
        if item.open_amount > 0:
            _add(self._by_amount, (item.customer_id, item.open_amount), item.id)
        if item.po_number:
            _add(self._by_po, normalize_key(item.po_number), item.id)
        if item.rf_reference:
            _add(self._by_rf, normalize_key(item.rf_reference), item.id)

    # -- lookups ----------------------------------------------------------
    def by_core(self, core: str) -> list[int]:
        return self._by_core.get(core, [])

    def by_po(self, po_number: str) -> list[int]:
        return self._by_po.get(normalize_key(po_number), [])

    def by_rf(self, rf_reference: str) -> list[int]:
        return self._by_rf.get(normalize_key(rf_reference), [])

    def open_of(self, customer_id: int) -> list[int]:
        """The customer's items with a balance left, oldest first."""
        return [i for i in self._by_customer.get(customer_id, []) if self.remaining[i] > 0]

    def with_amount(self, customer_id: int, amount: Decimal) -> list[int]:
        """The customer's items whose current balance equals ``amount``."""
        return [
            i for i in self._by_amount.get((customer_id, amount), []) if self.remaining[i] == amount
        ]

    def typo_neighbours(self, core: str) -> list[int]:
        """Items whose core is one edit (or one adjacent swap) away from ``core``."""
        if self._typos is None:
            self._typos = self._build_typos()
        found: set[int] = set()
        for key in (core, *_deletions(core)):
            found.update(self._typos.get(key, ()))
        return sorted(i for i in found if OSA.distance(core, self.core[i], score_cutoff=1) == 1)

    def _build_typos(self) -> dict[object, list[int]]:
        typos: dict[object, list[int]] = {}
        for item_id, core in self.core.items():
            for key in (core, *_deletions(core)):
                _add(typos, key, item_id)
        return typos

    # -- balances ---------------------------------------------------------
    def consume(self, item_id: int, amount: Decimal) -> None:
        """Lower an item's balance by ``amount`` (cash and non-cash closed by a decision)."""
        before = self.remaining[item_id]
        if amount > before:
            raise OverApplication(self.items[item_id].number, before, amount)
        after = before - amount
        self.remaining[item_id] = after
        customer_id = self.items[item_id].customer_id
        bucket = self._by_amount.get((customer_id, before))
        if bucket is not None and item_id in bucket:
            bucket.remove(item_id)
        if after > 0:
            _add(self._by_amount, (customer_id, after), item_id)


class MatchContext:
    """Everything one matching run consults: items, customers, their groups and names."""

    def __init__(
        self,
        index: OpenItemIndex,
        customers: dict[int, CustomerInfo],
        names: NameIndex,
        ticker: Ticker | None = None,
    ) -> None:
        self.index = index
        self.customers = customers
        self.names = names
        self.ticker = ticker
        self._children: dict[int, list[int]] = {}
        for customer in customers.values():
            if customer.parent_id is not None:
                self._children.setdefault(customer.parent_id, []).append(customer.id)

    @classmethod
    def build(
        cls,
        items: Iterable[OpenItem],
        customers: Iterable[CustomerInfo],
        ticker: Ticker | None = None,
    ) -> MatchContext:
        """Index all open items and customers; ``ticker`` enables the time budget."""
        by_id = {c.id: c for c in customers}
        return cls(OpenItemIndex(items), by_id, NameIndex(by_id.values()), ticker)

    def root(self, customer_id: int) -> int:
        """The top of the customer's corporate group (itself when it has no parent)."""
        seen = {customer_id}
        current = self.customers.get(customer_id)
        while current is not None and current.parent_id is not None:
            if current.parent_id in seen:
                break
            seen.add(current.parent_id)
            parent = self.customers.get(current.parent_id)
            if parent is None:
                return current.parent_id
            current = parent
        return current.id if current is not None else customer_id

    def family(self, customer_id: int) -> list[int]:
        """The customer and every customer below it (a parent pays for its children)."""
        result, queue = [customer_id], [customer_id]
        while queue:
            for child in self._children.get(queue.pop(), ()):
                if child not in result:
                    result.append(child)
                    queue.append(child)
        return result

    def customer_name(self, customer_id: int | None) -> str:
        if customer_id is None:
            return "no customer"
        customer = self.customers.get(customer_id)
        return customer.name if customer is not None else f"customer {customer_id}"
