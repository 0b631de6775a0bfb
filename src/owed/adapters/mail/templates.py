"""Email wording: dunning reminders, invoice and statement emails, per language.

Templates are Jinja2 files shipped in ``templates/`` (package data)::

    layouts/subject.j2  layouts/text.j2  layouts/html.j2   how an email is laid out
    <lang>/_base.j2                                       greeting, labels, sign-off
    <lang>/dunning_<level>.j2                             one per dunning level (1-5)
    <lang>/invoice.j2  <lang>/statement.j2

A content template (``en/dunning_2.j2``) fills blocks (``subject``, ``body``,
``after_items``...) and extends ``<lang>/_base.j2``, which extends the layout
named by the ``layout`` variable. The same content is rendered three times,
with the subject, text and HTML layouts, so a translator writes each message
once. Text is rendered with autoescape off, HTML with autoescape on (a
customer called ``Smith & <Sons>`` stays harmless in HTML and readable in
text).

A missing language, or a level missing from a language, falls back to the
English template of the same name. ``EmailTemplates(directories)`` searches
the given directories before the shipped templates, so a company can
reword a message, or add a language, without touching the package.

Values reach templates already formatted (money, dates) for the language
actually used, so the wording and the numbers agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
)

from owed.adapters.documents.formatting import format_date, format_money, format_reference
from owed.domain.errors import InvalidInput, NotFound
from owed.domain.money import Money

FALLBACK_LANGUAGE = "en"
DUNNING_LEVELS = (1, 2, 3, 4, 5)


class RenderedEmail(NamedTuple):
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class DunningItem:
    number: str
    due_date: date
    days_overdue: int  # zero or negative: not yet overdue (level 1 may remind before due)
    open_amount: Money


@dataclass(frozen=True)
class DunningContext:
    customer_name: str
    company_name: str
    items: Sequence[DunningItem]
    total: Money
    payment_instructions: Sequence[str] = ()
    pay_by: date | None = None  # deadline the letter names; "within 7 days" when absent
    contact: str | None = None  # who to call or write to about the account


@dataclass(frozen=True)
class InvoiceEmailContext:
    customer_name: str
    company_name: str
    number: str
    total: Money
    due_date: date | None = None
    kind: str = "invoice"  # "invoice" | "credit_memo" | "debit_memo"
    rf_reference: str | None = None
    payment_instructions: Sequence[str] = ()
    contact: str | None = None


@dataclass(frozen=True)
class StatementEmailContext:
    customer_name: str
    company_name: str
    as_of: date
    balance: Money
    payment_instructions: Sequence[str] = ()
    contact: str | None = None


def render_dunning(
    language: str, level: int, context: DunningContext, templates: EmailTemplates | None = None
) -> RenderedEmail:
    """Subject, text and HTML of a dunning message (level 1 friendly ... 5 agency)."""
    if not context.items:
        raise InvalidInput("a dunning email needs at least one item", field="items")
    computed = sum((item.open_amount for item in context.items), Money.zero(context.total.currency))
    if computed != context.total:
        raise InvalidInput(
            f"dunning total {context.total} differs from the sum of its items {computed}",
            field="total",
        )
    chosen = templates or default_templates()
    name, lang = chosen.resolve(language, f"dunning_{level}")

    values = {
        **_common(context.customer_name, context.company_name, context, lang),
        "level": level,
        "items": [
            {
                "number": item.number,
                "due_date": format_date(item.due_date, lang),
                "days_overdue": item.days_overdue,
                "open_amount": format_money(item.open_amount, lang),
            }
            for item in context.items
        ],
        "count": len(context.items),
        "total": format_money(context.total, lang),
        "pay_by": format_date(context.pay_by, lang) if context.pay_by else None,
    }
    return chosen.render(name, values)


def render_invoice_email(
    language: str, context: InvoiceEmailContext, templates: EmailTemplates | None = None
) -> RenderedEmail:
    """The covering email for an invoice, credit memo or debit memo PDF."""
    chosen = templates or default_templates()
    name, lang = chosen.resolve(language, "invoice")
    values = {
        **_common(context.customer_name, context.company_name, context, lang),
        "kind": context.kind,
        "number": context.number,
        "total": format_money(context.total, lang),
        "due_date": format_date(context.due_date, lang) if context.due_date else None,
        "rf_reference": format_reference(context.rf_reference) if context.rf_reference else None,
        "items": [],
    }
    return chosen.render(name, values)


def render_statement_email(
    language: str, context: StatementEmailContext, templates: EmailTemplates | None = None
) -> RenderedEmail:
    """The covering email for a statement of account PDF."""
    chosen = templates or default_templates()
    name, lang = chosen.resolve(language, "statement")
    values = {
        **_common(context.customer_name, context.company_name, context, lang),
        "as_of": format_date(context.as_of, lang),
        "balance": format_money(context.balance, lang),
        "items": [],
    }
    return chosen.render(name, values)


def available_languages(templates: EmailTemplates | None = None) -> list[str]:
    """Languages with a ``_base.j2``, i.e. at least partly translated."""
    return (templates or default_templates()).languages()


def _common(customer: str, company: str, context: Any, language: str) -> dict[str, Any]:
    return {
        "language": language,
        "customer_name": customer,
        "company_name": company,
        "payment_instructions": list(context.payment_instructions),
        "contact": context.contact,
    }


class EmailTemplates:
    """The template set: optional override directories, then the shipped templates."""

    def __init__(self, directories: Sequence[Path] = ()) -> None:
        loaders: list[BaseLoader] = [FileSystemLoader([str(d) for d in directories])]
        loaders.append(PackageLoader("owed.adapters.mail", "templates"))
        loader = ChoiceLoader(loaders)
        self._text = _environment(loader, html=False)
        self._html = _environment(loader, html=True)

    def languages(self) -> list[str]:
        names = self._text.list_templates(filter_func=lambda n: n.endswith("/_base.j2"))
        return sorted({n.split("/")[0] for n in names})

    def resolve(self, language: str, name: str) -> tuple[str, str]:
        """The template to use and its language: the requested one, else English."""
        lang = language.split("-")[0].split("_")[0].lower()
        for candidate in (lang, FALLBACK_LANGUAGE):
            try:
                self._text.get_template(f"{candidate}/{name}.j2")
            except TemplateNotFound:
                continue
            return f"{candidate}/{name}.j2", candidate
        raise NotFound("email template", name)

    def render(self, name: str, values: Mapping[str, Any]) -> RenderedEmail:
        subject = self._text.get_template(name).render(values, layout="layouts/subject.j2")
        text = self._text.get_template(name).render(values, layout="layouts/text.j2")
        html = self._html.get_template(name).render(values, layout="layouts/html.j2")
        one_line = re.sub(r"[ \t\r\n]+", " ", subject).strip()  # keeps no-break spaces
        return RenderedEmail(one_line, _tidy(text), html.strip() + "\n")


_DEFAULT: list[EmailTemplates] = []


def default_templates() -> EmailTemplates:
    """The shipped templates (built once)."""
    if not _DEFAULT:
        _DEFAULT.append(EmailTemplates())
    return _DEFAULT[0]


def _tidy(text: str) -> str:
    """Strip trailing spaces and collapse runs of blank lines left by optional blocks."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def _paragraphs(value: str) -> list[str]:
    """Split a block into paragraphs at blank lines, keeping Markup safe."""
    normal = type(value)("\n").join(line.strip() for line in value.splitlines())
    return [part.strip() for part in normal.split("\n\n") if part.strip()]


def _environment(loader: BaseLoader, html: bool) -> Environment:
    env = Environment(
        loader=loader,
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["paragraphs"] = _paragraphs
    return env
