"""Invoice, credit memo and debit memo PDFs.

Reading order, top to bottom, is what an accounts payable clerk needs in the
order they need it: who it is from, what it is (title and number), the dates
and PO they match against, who is billed, then a banner with the amount due,
the due date and the terms. Then the lines (header row repeated on every
page, zebra rows, numbers right-aligned, currency named once in the column
heading), the tax summary beside the totals box, and the remittance box that
says where to pay and what to quote (the invoice number and the RF creditor
reference).

A credit memo is unmistakable: its own title and colour, a notice that no
payment is due in place of the banner, and no remittance box.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from owed.adapters.documents.formatting import (
    format_date,
    format_money,
    format_percent,
    format_quantity,
    format_reference,
)
from owed.adapters.documents.labels import Labels
from owed.adapters.documents.layout import (
    ACCENT,
    CREDIT,
    HIGHLIGHT,
    RULE,
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
    party_block,
    plain_style,
    text,
)
from owed.adapters.documents.model import CompanyHeader, InvoiceView


def render_invoice(view: InvoiceView, company: CompanyHeader, paper: Paper = "A4") -> bytes:
    """Render an invoice, credit memo or debit memo to PDF bytes."""
    labels = Labels(view.language)
    styles = make_styles(CREDIT if view.kind == "credit_memo" else ACCENT)
    width = content_width(paper)
    story: list[Flowable] = [
        _header(view, company, labels, styles, width),
        Spacer(1, 5 * mm),
        _parties(view, labels, styles, width),
        Spacer(1, 5 * mm),
        _banner(view, labels, styles, width),
        Spacer(1, 5 * mm),
        _lines_table(view, labels, styles, width),
        Spacer(1, 4 * mm),
        KeepTogether([_summary(view, labels, styles, width)]),
    ]
    if view.kind != "credit_memo":
        story += [
            Spacer(1, 5 * mm),
            KeepTogether([_remittance(view, company, labels, styles, width)]),
        ]
    title = f"{labels[view.kind]} {view.number}"
    footer = " · ".join(x for x in (company.name, company.tax_id, title) if x)
    info = DocumentInfo(
        title=title,
        author=company.name,
        subject=f"{title} – {view.bill_to.name}",
        language=labels.language,
        footer=footer,
        page_label=labels["page_of"],
        paper=paper,
    )
    return build_pdf(story, info)


def _header(
    view: InvoiceView, company: CompanyHeader, labels: Labels, styles: Styles, width: float
) -> Table:
    lang = view.language
    facts = [
        (labels[f"{view.kind}_no"], view.number),
        (labels["issue_date"], format_date(view.issue_date, lang)),
    ]
    if view.due_date is not None and view.kind != "credit_memo":
        facts.append((labels["due_date"], format_date(view.due_date, lang)))
    if view.po_number:
        facts.append((labels["po_number"], view.po_number))
    if view.bill_to.account:
        facts.append((labels["customer_no"], view.bill_to.account))
    if view.original_invoice:
        facts.append((labels["corrects"], view.original_invoice))
    right_width = width * 0.42
    right = [
        Paragraph(text(labels[view.kind]).upper(), styles.title),
        Spacer(1, 3 * mm),
        key_values(facts, styles, right_width),
    ]
    table = Table(
        [[company_block(company, styles), right]], colWidths=[width - right_width, right_width]
    )
    table.setStyle(plain_style())
    return table


def _parties(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    blocks = [party_block(labels["bill_to"], view.bill_to, styles, labels["tax_id"])]
    if view.ship_to is not None:
        blocks.append(party_block(labels["ship_to"], view.ship_to, styles, labels["tax_id"]))
    else:
        blocks.append([])
    table = Table([blocks], colWidths=[width / 2, width / 2])
    table.setStyle(plain_style())
    return table


def _banner(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    """The prominent strip: amount due, due date, terms (or the credit notice)."""
    lang = view.language
    if view.kind == "credit_memo":
        notice = [
            Paragraph(f"<b>{text(labels['credit_note_text'])}</b>", styles.body),
            Paragraph(text(labels["credit_applied"]), styles.small),
        ]
        return boxed(notice, width, CREDIT, colors.HexColor("#E6F2EC"))
    cells = [
        _banner_cell(labels["amount_due"], format_money(view.amount_due, lang), styles),
        _banner_cell(
            labels["due_date"],
            format_date(view.due_date, lang) if view.due_date else "–",
            styles,
        ),
        _banner_cell(labels["terms"], view.terms or "–", styles, size=10),
    ]
    table = Table([cells], colWidths=[width * 0.36, width * 0.28, width * 0.36])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), HIGHLIGHT),
                ("LINEABOVE", (0, 0), (-1, 0), 2, ACCENT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    return table


def _banner_cell(label: str, value: str, styles: Styles, size: float = 14) -> list[Flowable]:
    return [
        Paragraph(text(label).upper(), styles.label),
        Paragraph(f'<font size="{size}"><b>{text(value)}</b></font>', styles.body),
    ]


def _lines_table(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    code = view.currency.code
    with_discount = any(line.discount_percent for line in view.lines)
    heads = [
        labels["pos"],
        labels["description"],
        labels["quantity"],
        f"{labels['unit_price']} ({code})",
    ]
    widths = [8 * mm, 0.0, 15 * mm, 27 * mm]
    if with_discount:
        heads.append(labels["discount"])
        widths.append(15 * mm)
    heads += [labels["tax_code"], f"{labels['net']} ({code})"]
    widths += [13 * mm, 28 * mm]
    widths[1] = width - sum(widths)
    header = [
        Paragraph(text(h), styles.cell_head if i == 1 else styles.cell_head_right)
        for i, h in enumerate(heads)
    ]
    rows: list[list[Flowable]] = [header]
    for pos, line in enumerate(view.lines, start=1):
        row = [
            Paragraph(str(pos), styles.cell_right),
            Paragraph(text(line.description), styles.cell),
            Paragraph(format_quantity(line.quantity, lang), styles.cell_right),
            Paragraph(format_money(line.unit_price, lang, code=False), styles.cell_right),
        ]
        if with_discount:
            discount = line.discount_percent
            row.append(
                Paragraph(format_percent(discount, lang) if discount else "", styles.cell_right)
            )
        row += [
            Paragraph(text(line.tax_code), styles.cell_right),
            Paragraph(format_money(line.net, lang, code=False), styles.cell_right),
        ]
        rows.append(row)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle(grid_style(CREDIT if view.kind == "credit_memo" else ACCENT)))
    return table


def _summary(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    """Tax summary on the left, totals box on the right."""
    totals_width = 78 * mm
    gap = 8 * mm
    left: list[Flowable] = []
    if view.tax_summary:
        left += [_tax_table(view, labels, styles, width - totals_width - gap), Spacer(1, 4 * mm)]
    if view.notes:
        left.append(Paragraph(text(labels["notes"]), styles.label))
        left += [Paragraph(text(note), styles.small) for note in view.notes]
    table = Table(
        [[left, "", _totals(view, labels, styles, totals_width)]],
        colWidths=[width - totals_width - gap, gap, totals_width],
    )
    table.setStyle(plain_style())
    return table


def _tax_table(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    rows: list[list[Flowable]] = [
        [
            Paragraph(text(labels["tax_code"]), styles.cell_head),
            Paragraph(text(labels["tax_rate"]), styles.cell_head_right),
            Paragraph(text(labels["tax_base"]), styles.cell_head_right),
            Paragraph(text(labels["tax_amount"]), styles.cell_head_right),
        ]
    ]
    for row in view.tax_summary:
        rows.append(
            [
                Paragraph(text(row.code), styles.cell),
                Paragraph(format_percent(row.rate_percent, lang), styles.cell_right),
                Paragraph(format_money(row.base, lang), styles.cell_right),
                Paragraph(format_money(row.tax, lang), styles.cell_right),
            ]
        )
    table = Table(rows, colWidths=[width * 0.18, width * 0.18, width * 0.34, width * 0.30])
    table.setStyle(TableStyle(grid_style(colors.HexColor("#5F6B7A"))))
    return table


def _totals(view: InvoiceView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    credit = view.kind == "credit_memo"
    rows = [
        (labels["net_total"], format_money(view.net, lang)),
        (labels["tax_total"], format_money(view.tax, lang)),
        (labels["credit_total"] if credit else labels["total"], format_money(view.total, lang)),
    ]
    if view.amount_paid is not None and not credit:
        rows.append((labels["amount_paid"], format_money(view.amount_paid, lang)))
    if view.balance_due is not None and not credit:
        rows.append((labels["balance_due"], format_money(view.balance_due, lang)))
    emphasised = len(rows) - 1
    data = [
        [
            Paragraph(f"<b>{text(k)}</b>" if i in (2, emphasised) else text(k), styles.cell),
            Paragraph(f"<b>{text(v)}</b>" if i in (2, emphasised) else text(v), styles.cell_right),
        ]
        for i, (k, v) in enumerate(rows)
    ]
    color = CREDIT if credit else ACCENT
    table = Table(data, colWidths=[width * 0.45, width * 0.55])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, color),
                ("LINEABOVE", (0, 2), (-1, 2), 0.6, RULE),
                ("BACKGROUND", (0, emphasised), (-1, emphasised), HIGHLIGHT),
                ("LINEABOVE", (0, emphasised), (-1, emphasised), 1.2, color),
                ("TOPPADDING", (0, 0), (-1, -1), 3.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _remittance(
    view: InvoiceView, company: CompanyHeader, labels: Labels, styles: Styles, width: float
) -> Table:
    quote = [f"{text(labels[f'{view.kind}_no'])} <b>{text(view.number)}</b>"]
    if view.rf_reference:
        rf = text(format_reference(view.rf_reference))
        quote.append(f"{text(labels['reference'])} <b>{rf}</b>")
    content: list[Flowable] = [Paragraph(text(labels["how_to_pay"]), styles.heading)]
    if company.bank_details:
        content.append(Paragraph("<br/>".join(text(x) for x in company.bank_details), styles.small))
        content.append(Spacer(1, 2 * mm))
    content.append(Paragraph(f"{text(labels['please_quote'])}:", styles.small))
    content.append(Paragraph("&nbsp;&nbsp;·&nbsp;&nbsp;".join(quote), styles.body))
    return boxed(content, width, ACCENT, colors.white)
