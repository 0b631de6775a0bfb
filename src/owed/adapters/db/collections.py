"""Persistence for collections (``uow.collections``), composed from one mixin per concern.

Aging queries, dunning state, promises, plans, holds, timeline.

The aging is computed where the data is: the bucket edges from the domain
(``bucket_edges``) become one ``CASE`` on the basis date, and the database
groups by (group key, currency, bucket). Two sources of the open amount:

* **now** (``as_of`` today or later): ``documents.open_minor`` of items in
  status issued / partially paid (by customer, read from the covering index
  ``ix_documents_customer`` in customer order);
* **a past date** ``D``: documents issued on or before ``D`` (drafts never
  count), open = ``total - Σ settlements with on_date <= D``. Payments,
  credit memos, discounts, write-offs and voids all leave a dated settlement,
  so the result is what the aging said on ``D``.

Open credit memos and on-account credits are not aged: they are returned
beside the aging with the unapplied cash, per group and currency.

Every query filters on ``company_id``; lists of ids go in chunks (SQLite's
variable limit); nothing here loops a query over customers or items.

The mixins, beside this module:

* ``collections_aging``: the aging and what is returned beside it;
* ``collections_dunning``: open items with their dunning state, runs,
  messages and levels;
* ``collections_promises``: promises, payment plans and the payments since a date;
* ``collections_worklist``: activities, contact summary, credit holds, exposure;
* ``collections_common``: ``OPEN_STATUSES`` and ``_chunks``, used by several.
"""

from __future__ import annotations

from sqlalchemy import Connection

from owed.adapters.db.collections_aging import NONE, UNIDENTIFIED, AgingQueries
from owed.adapters.db.collections_common import OPEN_STATUSES
from owed.adapters.db.collections_dunning import OPEN_DISPUTE_STATUSES, DunningState, OpenItemRow
from owed.adapters.db.collections_promises import PromisesAndPlans
from owed.adapters.db.collections_worklist import ActivitiesAndHolds

__all__ = [
    "NONE",
    "OPEN_DISPUTE_STATUSES",
    "OPEN_STATUSES",
    "UNIDENTIFIED",
    "CollectionsRepository",
    "OpenItemRow",
]


class CollectionsRepository(AgingQueries, DunningState, PromisesAndPlans, ActivitiesAndHolds):
    def __init__(self, conn: Connection, company_id: int) -> None:
        self.conn = conn
        self.company_id = company_id
