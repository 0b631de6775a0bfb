"""Statement of account PDFs: open items, or account activity over a period.

An open-item statement lists what is still open, each with its date, due
date and running balance; an activity statement starts from the opening
balance and lists every invoice, credit and receipt of the period. Both end
with the closing balance, the aging row (current, 1-30, ... as the caller's
aging policy labels them) and the remittance box. The closing balance is
repeated in a banner at the top: it is the number the customer looks for.
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
from owed.adapters.documents.model import CompanyHeader, StatementView
from owed.domain.money import Money


def render_statement(view: StatementView, company: CompanyHeader, paper: Paper = "A4") -> bytes:
    """Render a statement of account to PDF bytes."""
    labels = Labels(view.language)
    styles = make_styles(title_size=18)
    width = content_width(paper)
    story: list[Flowable] = [
        _header(view, company, labels, styles, width),
        Spacer(1, 5 * mm),
        _customer_and_balance(view, labels, styles, width),
        Spacer(1, 5 * mm),
        _lines_table(view, labels, styles, width),
    ]
    if view.aging:
        story += [Spacer(1, 5 * mm), KeepTogether([_aging_table(view, labels, styles, width)])]
    remittance = view.remittance or company.bank_details
    if remittance:
        content: list[Flowable] = [
            Paragraph(text(labels["how_to_pay"]), styles.heading),
            Paragraph("<br/>".join(text(x) for x in remittance), styles.small),
        ]
        if view.customer.account:
            content.append(
                Paragraph(
                    f"{text(labels['please_quote'])}: {text(labels['customer_no'])} "
                    f"<b>{text(view.customer.account)}</b>",
                    styles.body,
                )
            )
        story += [Spacer(1, 5 * mm), KeepTogether([boxed(content, width, ACCENT, colors.white)])]
    title = f"{labels['statement']} {view.customer.name} {format_date(view.as_of, 'en')}"
    info = DocumentInfo(
        title=title,
        author=company.name,
        subject=f"{labels['statement']} – {view.customer.name}",
        language=labels.language,
        footer=" · ".join(
            x
            for x in (company.name, labels["statement"], format_date(view.as_of, view.language))
            if x
        ),
        page_label=labels["page_of"],
        paper=paper,
    )
    return build_pdf(story, info)


def _header(
    view: StatementView, company: CompanyHeader, labels: Labels, styles: Styles, width: float
) -> Table:
    lang = view.language
    facts = [(labels["as_of"], format_date(view.as_of, lang))]
    if view.period_start is not None and view.period_end is not None:
        period = f"{format_date(view.period_start, lang)} – {format_date(view.period_end, lang)}"
        facts.append((labels["period"], period))
    if view.customer.account:
        facts.append((labels["customer_no"], view.customer.account))
    right_width = width * 0.5
    right = [
        Paragraph(text(labels["statement"]).upper(), styles.title),
        Paragraph(text(labels[f"statement_{view.kind}"]), styles.cell_right),
        Spacer(1, 3 * mm),
        key_values(facts, styles, right_width),
    ]
    table = Table(
        [[company_block(company, styles), right]], colWidths=[width - right_width, right_width]
    )
    table.setStyle(plain_style())
    return table


def _customer_and_balance(
    view: StatementView, labels: Labels, styles: Styles, width: float
) -> Table:
    customer = party_block(labels["customer"], view.customer, styles, labels["tax_id"])
    closing = text(format_money(view.closing_balance, view.language))
    balance = [
        Paragraph(text(labels["closing_balance"]).upper(), styles.label),
        Paragraph(f'<font size="15"><b>{closing}</b></font>', styles.body),
    ]
    box_width = width * 0.42
    box = Table([[balance]], colWidths=[box_width])
    box.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), HIGHLIGHT),
                ("LINEABOVE", (0, 0), (-1, 0), 2, ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 9),
            ]
        )
    )
    table = Table([[customer, box]], colWidths=[width - box_width, box_width])
    table.setStyle(plain_style())
    return table


def _lines_table(view: StatementView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    code = view.currency.code
    open_item = view.kind == "open_item"
    heads = [labels["date"], labels["document"], labels["description"]]
    widths = [22 * mm, 28 * mm, 0.0]
    if open_item:
        heads.append(labels["due_date"])
        widths.append(22 * mm)
    heads += [f"{labels[k]} ({code})" for k in ("debit", "credit", "balance")]
    widths += [25 * mm, 25 * mm, 27 * mm]
    widths[2] = width - sum(widths)
    money_from = len(heads) - 3
    rows: list[list[Flowable]] = [
        [
            Paragraph(text(h), styles.cell_head_right if i >= money_from else styles.cell_head)
            for i, h in enumerate(heads)
        ]
    ]

    def amount(value: Money | None) -> Paragraph:
        return Paragraph(format_money(value, lang, code=False) if value else "", styles.cell_right)

    def summary_row(label: str, balance: Money) -> list[Flowable]:
        spanned: list[Flowable] = [Paragraph("", styles.cell) for _ in range(len(heads) - 2)]
        return [
            Paragraph(f"<b>{text(label)}</b>", styles.cell_right),
            *spanned,
            Paragraph(f"<b>{format_money(balance, lang, code=False)}</b>", styles.cell_right),
        ]

    if not open_item:
        rows.append(summary_row(labels["opening_balance"], view.opening_balance))
    for line in view.lines:
        row = [
            Paragraph(format_date(line.date, lang), styles.cell),
            Paragraph(text(line.document), styles.cell),
            Paragraph(text(line.description), styles.cell),
        ]
        if open_item:
            due = format_date(line.due_date, lang) if line.due_date else ""
            row.append(Paragraph(due, styles.cell))
        row += [amount(line.debit), amount(line.credit), amount(line.balance)]
        rows.append(row)
    rows.append(summary_row(labels["closing_balance"], view.closing_balance))
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = grid_style()
    style += [
        ("SPAN", (0, -1), (-2, -1)),
        ("LINEABOVE", (0, -1), (-1, -1), 1, ACCENT),
        ("BACKGROUND", (0, -1), (-1, -1), HIGHLIGHT),
    ]
    if not open_item:
        style += [("SPAN", (0, 1), (-2, 1)), ("LINEBELOW", (0, 1), (-1, 1), 0.6, RULE)]
    table.setStyle(TableStyle(style))
    return table


def _aging_table(view: StatementView, labels: Labels, styles: Styles, width: float) -> Table:
    lang = view.language
    total = sum((bucket.amount for bucket in view.aging), Money.zero(view.currency))
    heads = [*(bucket.label for bucket in view.aging), labels["total"]]
    column = width / len(heads)
    rows = [
        [Paragraph(text(h), styles.cell_head_right) for h in heads],
        [
            Paragraph(format_money(v, lang), styles.cell_right)
            for v in (b.amount for b in view.aging)
        ]
        + [Paragraph(f"<b>{format_money(total, lang)}</b>", styles.cell_right)],
    ]
    table = Table(rows, colWidths=[column] * len(heads))
    style = grid_style(colors.HexColor("#5F6B7A"))
    table.setStyle(TableStyle(style))
    title = Paragraph(text(labels["aging"]), styles.heading)
    wrapper = Table([[title], [table]], colWidths=[width])
    wrapper.setStyle(plain_style())
    return wrapper
