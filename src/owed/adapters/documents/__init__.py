"""Printed documents: invoices, credit/debit memos, statements, dunning letters.

The renderers take view models (``model``) holding what the page shows and
return PDF bytes; storing or mailing the bytes is the caller's business.
"""

from owed.adapters.documents.invoice import render_invoice
from owed.adapters.documents.letter import render_letter
from owed.adapters.documents.model import (
    AgingBucketView,
    CompanyHeader,
    InvoiceLineView,
    InvoiceView,
    LetterItemView,
    LetterView,
    Party,
    StatementLineView,
    StatementView,
    TaxSummaryView,
)
from owed.adapters.documents.statement import render_statement

__all__ = [
    "AgingBucketView",
    "CompanyHeader",
    "InvoiceLineView",
    "InvoiceView",
    "LetterItemView",
    "LetterView",
    "Party",
    "StatementLineView",
    "StatementView",
    "TaxSummaryView",
    "render_invoice",
    "render_letter",
    "render_statement",
]
