"""The page furniture shared by every document: styles, header, footer, build.

Each renderer (invoice, statement, letter) builds a list of reportlab
platypus flowables and hands it to ``build_pdf``, which owns what is common:

* the page size and margins, and the PDF metadata (title, author, subject,
  language) that mail clients and document stores show;
* the footer on every page, and "Page x of y" when there is more than one
  page. The total is only known after layout, so the canvas keeps each page's
  state and draws the footers when the document is saved;
* deterministic output (``invariant``): the same view renders to the same
  bytes, which keeps tests and archives honest.

Fonts are the PDF standard Helvetica family: text outside Windows-1252
(Polish, Czech, Greek...) shows as boxes until a Unicode TrueType font is
registered (not done yet; see docs/documents-and-mail.md).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from owed.adapters.documents.model import CompanyHeader, Party
from owed.domain.errors import ConfigurationError

Paper = Literal["A4", "letter"]

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5F6B7A")
ACCENT = colors.HexColor("#17456B")
CREDIT = colors.HexColor("#1E6B52")
WARNING = colors.HexColor("#9B2C2C")
RULE = colors.HexColor("#C9D1DB")
SHADE = colors.HexColor("#F1F4F8")
HIGHLIGHT = colors.HexColor("#E3EDF7")

MARGIN: float = 18 * mm
FRAME_PADDING = 6  # points; platypus frames pad their content by this much
FONT = "Helvetica"
BOLD = "Helvetica-Bold"


def page_size(paper: Paper) -> tuple[float, float]:
    width_points, height_points = LETTER if paper == "letter" else A4
    return (float(width_points), float(height_points))


def content_width(paper: Paper) -> float:
    return page_size(paper)[0] - 2 * MARGIN


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    label: ParagraphStyle
    company: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle


def make_styles(title_color: colors.Color = ACCENT, title_size: float = 22) -> Styles:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, textColor=INK)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("cell_head", parent=cell, fontName=BOLD, textColor=colors.white)
    return Styles(
        body=body,
        small=small,
        muted=ParagraphStyle("muted", parent=small, textColor=MUTED),
        label=ParagraphStyle(
            "label", parent=small, fontName=BOLD, fontSize=7.5, leading=10, textColor=MUTED
        ),
        company=ParagraphStyle(
            "company", parent=body, fontName=BOLD, fontSize=15, leading=19, textColor=INK
        ),
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=BOLD,
            fontSize=title_size,
            leading=title_size * 1.2,
            textColor=title_color,
            alignment=TA_RIGHT,
        ),
        heading=ParagraphStyle(
            "heading", parent=body, fontName=BOLD, fontSize=10.5, leading=14, spaceAfter=3
        ),
        cell=cell,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_head=head,
        cell_head_right=ParagraphStyle("cell_head_right", parent=head, alignment=TA_RIGHT),
    )


def text(value: str) -> str:
    """Escape plain text for a Paragraph (which reads a small XML markup)."""
    return escape(value)


def lines_markup(lines: Sequence[str]) -> str:
    return "<br/>".join(text(line) for line in lines if line)


def logo(path: Path, max_width: float, max_height: float) -> Image:
    """The company logo, scaled to fit the box and keep its proportions."""
    if not path.is_file():
        raise ConfigurationError(f"company logo not found at {path}", path=str(path))
    width, height = ImageReader(str(path)).getSize()
    scale = min(max_width / width, max_height / height)
    return Image(str(path), width=width * scale, height=height * scale)


def company_block(company: CompanyHeader, styles: Styles) -> list[Flowable]:
    """Logo, name, address and contact lines of the issuing company."""
    parts: list[Flowable] = []
    if company.logo_path is not None:
        image = logo(company.logo_path, 60 * mm, 18 * mm)
        image.hAlign = "LEFT"
        parts.append(image)
    parts.append(Paragraph(text(company.name), styles.company))
    contact = list(company.address_lines)
    if company.phone:
        contact.append(company.phone)
    if company.email:
        contact.append(company.email)
    if company.tax_id:
        contact.append(company.tax_id)
    parts.append(Paragraph(lines_markup(contact), styles.muted))
    return parts


def party_block(heading: str, party: Party, styles: Styles, tax_label: str) -> list[Flowable]:
    """A labelled address block (bill-to, ship-to, statement recipient).

    The customer account number is not repeated here: documents show it among
    their facts (number, dates, customer no.).
    """
    lines = [f"<b>{text(party.name)}</b>", *(text(x) for x in party.address_lines if x)]
    if party.tax_id:
        lines.append(f"{text(tax_label)}: {text(party.tax_id)}")
    return [
        Paragraph(text(heading).upper(), styles.label),
        Paragraph("<br/>".join(lines), styles.body),
    ]


def key_values(rows: Sequence[tuple[str, str]], styles: Styles, width: float) -> Table:
    """A right-aligned two-column block of document facts (number, dates, PO)."""
    data = [
        [Paragraph(text(k), styles.muted), Paragraph(f"<b>{text(v)}</b>", styles.cell_right)]
        for k, v in rows
    ]
    table = Table(data, colWidths=[width * 0.48, width * 0.52], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, RULE),
            ]
        )
    )
    return table


def boxed(content: list[Flowable], width: float, border: colors.Color, fill: colors.Color) -> Table:
    """Content inside a shaded, bordered box (remittance instructions, notices)."""
    table = Table([[content]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 0.8, border),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def plain_style() -> TableStyle:
    """A table used only for layout: no borders, no padding, top-aligned."""
    return TableStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]
    )


def grid_style(header_color: colors.Color = ACCENT) -> list[tuple[Any, ...]]:
    """Shared style of data tables: dark header row, zebra rows, thin rules."""
    return [
        ("BACKGROUND", (0, 0), (-1, 0), header_color),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, SHADE]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, -1), (-1, -1), 0.6, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]


def _footer_canvas(footer: str, page_label: str) -> type[Canvas]:
    """A canvas class that defers footers until the page count is known."""

    class FooterCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._saved_pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._saved_pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            pages = len(self._saved_pages)
            for number, state in enumerate(self._saved_pages, start=1):
                self.__dict__.update(state)
                self._draw_footer(number, pages)
                super().showPage()
            super().save()

        def _draw_footer(self, number: int, pages: int) -> None:
            width, _ = self._pagesize
            y = MARGIN * 0.55
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            self.line(MARGIN, y + 10, width - MARGIN, y + 10)
            self.setFont(FONT, 7.5)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, y, footer)
            if pages > 1:
                label = page_label.format(page=number, pages=pages)
                self.drawRightString(width - MARGIN, y, label)
            self.restoreState()

    return FooterCanvas


@dataclass(frozen=True)
class DocumentInfo:
    """Metadata and footer of one rendered document."""

    title: str
    author: str
    subject: str
    language: str
    footer: str
    page_label: str  # "Page {page} of {pages}"
    paper: Paper = "A4"


def build_pdf(story: list[Flowable], info: DocumentInfo) -> bytes:
    """Lay out the story on pages and return the PDF bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page_size(info.paper),
        leftMargin=MARGIN - FRAME_PADDING,
        rightMargin=MARGIN - FRAME_PADDING,
        topMargin=MARGIN,
        bottomMargin=MARGIN + 6 * mm,
        title=info.title,
        author=info.author,
        subject=info.subject,
        creator="Owed",
        lang=info.language,
        invariant=1,
    )
    doc.build(story, canvasmaker=_footer_canvas(info.footer, info.page_label))
    return buffer.getvalue()
