"""The open items and customers, indexed once for a matching run.

``MatchContext.build(items, customers)`` makes every lookup a rule needs a
hash-map probe, so matching 100,000 receipts against 500,000 open items costs
a few probes per receipt rather than a scan:

* by number core (``INV-012345`` → ``12345``; the prefix is compared after),
* by customer (oldest first) and by (customer, open amount),
* by PO number and by RF creditor reference,
* one-character typos are found by generating the quoted number's variants
  (one digit dropped, inserted, replaced, or two neighbours swapped) and
  probing the core map: no typo index is built.

Balances change during a run: ``consume`` lowers an item's balance once a
decision is posted, so an item fully used by one receipt is not offered to the
next, and the (customer, amount) map follows. Closed items stay findable by
number so a second payment quoting them is recognised as a possible duplicate.
The context also remembers every receipt matched (``duplicates``) so a
payment received twice is recognised. The context is the only mutable object
in matching; it does no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from owed.domain.batching import collector_paused
from owed.domain.cash_application.duplicates import DuplicateGuard
from owed.domain.cash_application.model import CustomerInfo, OpenItem, Receipt
from owed.domain.cash_application.names import NameIndex
from owed.domain.cash_application.references import normalize_key, number_parts
from owed.domain.errors import InvalidInput, OverApplication

Ticker = Callable[[], float]  # seconds from a monotonic clock, injected by the caller


_DIGITS = "0123456789"


def one_edit_variants(core: str) -> set[str]:
    """Every digit string one deletion, insertion, substitution or adjacent swap from ``core``."""
    found: set[str] = set()
    for i in range(len(core) + 1):
        head, tail = core[:i], core[i:]
        if tail:
            found.add(head + tail[1:])
            found.update(head + d + tail[1:] for d in _DIGITS)
            if len(tail) > 1:
                found.add(head + tail[1] + tail[0] + tail[2:])
        found.update(head + d + tail for d in _DIGITS)
    found.discard(core)
    return found


class OpenItemIndex:
    """Open items by every key matching uses, with their running balances."""

    def __init__(self, items: Iterable[OpenItem]) -> None:
        self.items: dict[int, OpenItem] = {}
        self.remaining: dict[int, Decimal] = {}
        self.prefix: dict[int, str] = {}
        self.core: dict[int, str] = {}
        self._by_core: defaultdict[object, list[int]] = defaultdict(list)
        self._by_customer: defaultdict[int, list[int]] = defaultdict(list)
        self._by_amount: defaultdict[object, list[int]] = defaultdict(list)
        self._by_po: defaultdict[object, list[int]] = defaultdict(list)
        self._by_rf: defaultdict[object, list[int]] = defaultdict(list)
        # a customer's open items, oldest first: sorted on first use (most customers never pay)
        self._open_by_customer: dict[int, list[int]] = {}
        with collector_paused():
            for item in items:
                self._insert(item)

    def _insert(self, item: OpenItem) -> None:
        item_id, amount = item.id, item.open_amount
        if item_id in self.items:
            raise InvalidInput(f"open item {item_id} given twice", item_id=item_id)
        if amount < 0:
            raise InvalidInput(
                f"open item {item_id} ({item.number}) has a negative balance {amount}",
                item_id=item_id,
            )
        self.items[item_id] = item
        self.remaining[item_id] = amount
        prefix, core = number_parts(item.number)
        self.prefix[item_id] = prefix
        self.core[item_id] = core
        self._by_core[core].append(item_id)
        self._by_customer[item.customer_id].append(item_id)
        if amount:
            self._by_amount[(item.customer_id, amount)].append(item_id)
        if item.po_number:
            self._by_po[normalize_key(item.po_number)].append(item_id)
        if item.rf_reference:
            self._by_rf[normalize_key(item.rf_reference)].append(item_id)

    # -- lookups ----------------------------------------------------------
    def by_core(self, core: str) -> list[int]:
        return self._by_core.get(core, [])

    def by_po(self, po_number: str) -> list[int]:
        return self._by_po.get(normalize_key(po_number), [])

    def by_rf(self, rf_reference: str) -> list[int]:
        return self._by_rf.get(normalize_key(rf_reference), [])

    def open_of(self, customer_id: int) -> list[int]:
        """The customer's items with a balance left, oldest first."""
        return list(self._open_list(customer_id))

    def open_view(self, customer_id: int) -> Sequence[int]:
        """``open_of`` without the copy, for reading only (``consume`` keeps it current)."""
        return self._open_list(customer_id)

    def _open_list(self, customer_id: int) -> list[int]:
        found = self._open_by_customer.get(customer_id)
        if found is None:
            items, remaining = self.items, self.remaining
            found = [i for i in self._by_customer.get(customer_id, ()) if remaining[i] > 0]
            found.sort(key=lambda i: (items[i].due_date, items[i].issue_date, i))
            self._open_by_customer[customer_id] = found
        return found

    def with_amount(self, customer_id: int, amount: Decimal) -> list[int]:
        """The customer's items whose current balance equals ``amount``."""
        return [
            i for i in self._by_amount.get((customer_id, amount), []) if self.remaining[i] == amount
        ]

    def typo_neighbours(self, core: str) -> list[int]:
        """Items whose core is one edit (or one adjacent swap) away from ``core``.

        The quoted number's variants are generated and probed (about 21 per
        digit), so no index of all items' variants is ever built.
        """
        found: set[int] = set()
        for variant in one_edit_variants(core):
            found.update(self._by_core.get(variant, ()))
        return sorted(found)

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
            self._by_amount[(customer_id, after)].append(item_id)
        elif before > 0 and customer_id in self._open_by_customer:  # closed: no longer open
            self._open_by_customer[customer_id].remove(item_id)


class MatchContext:
    """Everything one matching run consults: items, customers, their groups and names."""

    def __init__(
        self,
        index: OpenItemIndex,
        customers: dict[int, CustomerInfo],
        names: NameIndex,
        ticker: Ticker | None = None,
        duplicates: DuplicateGuard | None = None,
    ) -> None:
        self.index = index
        self.customers = customers
        self.names = names
        self.ticker = ticker
        self.duplicates = duplicates if duplicates is not None else DuplicateGuard()
        # customer -> the receipts of theirs matched so far that await a person
        self.awaiting: dict[int, list[int]] = {}
        self._children: dict[int, list[int]] = {}
        # corporate groups are fixed for the run: each root and family is found once
        self._roots: dict[int, int] = {}
        self._families: dict[int, tuple[int, ...]] = {}
        for customer in customers.values():
            if customer.parent_id is not None:
                self._children.setdefault(customer.parent_id, []).append(customer.id)

    @classmethod
    def build(
        cls,
        items: Iterable[OpenItem],
        customers: Iterable[CustomerInfo],
        ticker: Ticker | None = None,
        earlier_receipts: Iterable[Receipt] = (),
    ) -> MatchContext:
        """Index all open items and customers; ``ticker`` enables the time budget.

        ``earlier_receipts`` (already applied before this run) are remembered so
        a copy of one of them is recognised as a likely duplicate.
        """
        with collector_paused():
            by_id = {c.id: c for c in customers}
            names = NameIndex(by_id.values())
            guard = DuplicateGuard(earlier_receipts)
        return cls(OpenItemIndex(items), by_id, names, ticker, guard)

    def root(self, customer_id: int) -> int:
        """The top of the customer's corporate group (itself when it has no parent)."""
        found = self._roots.get(customer_id)
        if found is None:
            found = self._roots[customer_id] = self._find_root(customer_id)
        return found

    def _find_root(self, customer_id: int) -> int:
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
        found = self._families.get(customer_id)
        if found is None:
            found = self._families[customer_id] = tuple(self._find_family(customer_id))
        return list(found)

    def _find_family(self, customer_id: int) -> list[int]:
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
