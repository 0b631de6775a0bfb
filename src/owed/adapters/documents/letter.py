"""Dunning letter PDFs.

A business letter: sender block and letter facts (date, our reference,
customer number) at the top, the customer's address where a window envelope
shows it, the level name as the subject line, the body paragraphs the
dunning level supplies, the table of overdue items with days overdue and
the total due, then where to pay and the signature. The wording is the
caller's (see ``owed.adapters.mail.templates`` for the email equivalents);
this module only lays it out.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from owed.adapters.documents.formatting import format_date, format_money
from owed.adapters.documents.labels import Labels
from owed.adapters.documents.layout import (
    ACCENT,
    HIGHLIGHT,
    DocumentInfo,
    Paper,
    Styles,
    boxed,
    build_pdf,
    company_block,
    content_width,
    grid_style,
    key_values,
    make_styles,
    plain_style,
    text,
)
from owed.adapters.documents.model import CompanyHeader, LetterView


def render_letter(view: LetterView, company: CompanyHeader, paper: Paper = "A4") -> bytes:
    """Render a dunning letter to PDF bytes."""
    labels = Labels(view.language)
    styles = make_styles()
    width = content_width(paper)
    story: list[Flowable] = [
        _header(view, company, labels, styles, width),
        Spacer(1, 8 * mm),
        _address(view, styles),
        Spacer(1, 10 * mm),
        Paragraph(
            f'<font size="13"><b>{text(view.heading or view.level_name)}</b></font>', styles.body
        ),
        Spacer(1, 4 * mm),
    ]
    for paragraph in view.body:
        story += [Paragraph(text(paragraph), styles.body), Spacer(1, 2.5 * mm)]
    story += [Spacer(1, 2 * mm), _items_table(view, labels, styles, width)]
    if company.bank_details:
        content: list[Flowable] = [
            Paragraph(text(labels["how_to_pay"]), styles.heading),
            Paragraph("<br/>".join(text(x) for x in company.bank_details), styles.small),
        ]
        story += [Spacer(1, 6 * mm), KeepTogether([boxed(content, width, ACCENT, colors.white)])]
    if view.signature:
        story += [Spacer(1, 8 * mm)]
        story += [Paragraph(text(line), styles.body) for line in view.signature]
    title = f"{view.level_name} – {view.customer.name}"
    info = DocumentInfo(
        title=title,
        author=company.name,
        subject=title,
        language=labels.language,
        footer=" · ".join(x for x in (company.name, company.tax_id, view.level_name) if x),
        page_label=labels["page_of"],
        paper=paper,
    )
    return build_pdf(story, info)


def _header(
    view: LetterView, company: CompanyHeader, labels: Labels, styles: Styles, width: float
) -> Table:
    facts = [(labels["date"], format_date(view.letter_date, view.language))]
    if view.reference:
        facts.append((labels["our_reference"], view.reference))
    if view.customer.account:
        facts.append((labels["customer_no"], view.customer.account))
    right_width = width * 0.40
    table = Table(
        [[company_block(company, styles), key_values(facts, styles, right_width)]],
        colWidths=[width - right_width, right_width],
    )
    table.setStyle(plain_style())
    return table


def _address(view: LetterView, styles: Styles) -> Paragraph:
    lines = [f"<b>{text(view.customer.name)}</b>"]
    lines += [text(line) for line in view.customer.address_lines if line]
    return Paragraph("<br/>".join(lines), styles.body)


def _items_table(view: LetterView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    code = view.total_due.currency.code
    heads = [
        labels["invoice_no"],
        labels["due_date"],
        labels["days_overdue"],
        f"{labels['open_amount']} ({code})",
    ]
    widths = [width * 0.34, width * 0.22, width * 0.18, width * 0.26]
    rows: list[list[Flowable]] = [
        [
            Paragraph(text(h), styles.cell_head if i < 2 else styles.cell_head_right)
            for i, h in enumerate(heads)
        ]
    ]
    for item in view.items:
        rows.append(
            [
                Paragraph(text(item.number), styles.cell),
                Paragraph(format_date(item.due_date, lang), styles.cell),
                Paragraph(str(max(item.days_overdue, 0)), styles.cell_right),
                Paragraph(format_money(item.open_amount, lang, code=False), styles.cell_right),
            ]
        )
    rows.append(
        [
            Paragraph(f"<b>{text(labels['total_due'])}</b>", styles.cell),
            Paragraph("", styles.cell),
            Paragraph("", styles.cell),
            Paragraph(f"<b>{format_money(view.total_due, lang)}</b>", styles.cell_right),
        ]
    )
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = grid_style()
    style += [
        ("BACKGROUND", (0, -1), (-1, -1), HIGHLIGHT),
        ("LINEABOVE", (0, -1), (-1, -1), 1, ACCENT),
    ]
    table.setStyle(TableStyle(style))
    return table
