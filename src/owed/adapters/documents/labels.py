"""The fixed wording printed on documents, per language.

A document's ``language`` picks the table; a missing language falls back to
English, and a label missing from a translation falls back to its English
wording, so a partial translation never breaks a page. To add a language,
add a dictionary with the same keys to ``LABELS`` (and its separators and
month names in ``formatting``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

_EN: dict[str, str] = {
    "invoice": "Invoice",
    "credit_memo": "Credit memo",
    "debit_memo": "Debit memo",
    "invoice_no": "Invoice no.",
    "credit_memo_no": "Credit memo no.",
    "debit_memo_no": "Debit memo no.",
    "issue_date": "Issue date",
    "due_date": "Due date",
    "po_number": "PO number",
    "customer_no": "Customer no.",
    "corrects": "Corrects invoice",
    "bill_to": "Bill to",
    "customer": "Customer",
    "ship_to": "Ship to",
    "tax_id": "Tax ID",
    "phone": "Phone",
    "email": "Email",
    "terms": "Payment terms",
    "pos": "#",
    "description": "Description",
    "quantity": "Qty",
    "unit_price": "Unit price",
    "discount": "Disc.",
    "tax_code": "Tax",
    "net": "Net",
    "tax_summary": "Tax summary",
    "tax_rate": "Rate",
    "tax_base": "Base",
    "tax_amount": "Tax",
    "net_total": "Net total",
    "tax_total": "Tax",
    "total": "Total",
    "amount_paid": "Amount paid",
    "balance_due": "Balance due",
    "credit_total": "Total credit",
    "amount_due": "Amount due",
    "how_to_pay": "How to pay",
    "please_quote": "Please quote with your payment",
    "reference": "Payment reference",
    "credit_note_text": (
        "This is a credit memo, not a bill. It reduces the amount you owe us; no payment is due."
    ),
    "credit_applied": "The credit will be applied to your open invoices or refunded on request.",
    "notes": "Notes",
    "page_of": "Page {page} of {pages}",
    "statement": "Statement of account",
    "statement_open_item": "Open items",
    "statement_activity": "Account activity",
    "as_of": "As of",
    "period": "Period",
    "date": "Date",
    "document": "Document",
    "debit": "Debit",
    "credit": "Credit",
    "balance": "Balance",
    "opening_balance": "Opening balance",
    "closing_balance": "Closing balance",
    "aging": "Aging",
    "total_due": "Total due",
    "days_overdue": "Days overdue",
    "open_amount": "Open amount",
    "our_reference": "Our reference",
}

_DE: dict[str, str] = {
    "invoice": "Rechnung",
    "credit_memo": "Gutschrift",
    "debit_memo": "Belastungsanzeige",
    "invoice_no": "Rechnungsnr.",
    "credit_memo_no": "Gutschriftsnr.",
    "debit_memo_no": "Belastungsnr.",
    "issue_date": "Datum",
    "due_date": "Fällig am",
    "po_number": "Bestellnr.",
    "customer_no": "Kundennr.",
    "corrects": "Korrektur zu Rechnung",
    "bill_to": "Rechnungsempfänger",
    "customer": "Kunde",
    "ship_to": "Lieferanschrift",
    "tax_id": "USt-IdNr.",
    "phone": "Telefon",
    "email": "E-Mail",
    "terms": "Zahlungsbedingungen",
    "description": "Beschreibung",
    "quantity": "Menge",
    "unit_price": "Einzelpreis",
    "discount": "Rabatt",
    "tax_code": "USt",
    "net": "Netto",
    "tax_summary": "Steuerübersicht",
    "tax_rate": "Satz",
    "tax_base": "Netto",
    "tax_amount": "Steuer",
    "net_total": "Summe netto",
    "tax_total": "Umsatzsteuer",
    "total": "Gesamtbetrag",
    "amount_paid": "Bereits bezahlt",
    "balance_due": "Offener Betrag",
    "credit_total": "Gutschriftsbetrag",
    "amount_due": "Zu zahlen",
    "how_to_pay": "Zahlungsinformationen",
    "please_quote": "Bitte bei Zahlung angeben",
    "reference": "Zahlungsreferenz",
    "credit_note_text": (
        "Dies ist eine Gutschrift, keine Rechnung. Sie mindert Ihre offenen Beträge; "
        "es ist keine Zahlung fällig."
    ),
    "credit_applied": (
        "Die Gutschrift wird mit offenen Rechnungen verrechnet oder auf Wunsch erstattet."
    ),
    "notes": "Hinweise",
    "page_of": "Seite {page} von {pages}",
    "statement": "Kontoauszug",
    "statement_open_item": "Offene Posten",
    "statement_activity": "Kontobewegungen",
    "as_of": "Stand",
    "period": "Zeitraum",
    "date": "Datum",
    "document": "Beleg",
    "debit": "Soll",
    "credit": "Haben",
    "balance": "Saldo",
    "opening_balance": "Anfangssaldo",
    "closing_balance": "Endsaldo",
    "aging": "Fälligkeitsstruktur",
    "total_due": "Gesamt fällig",
    "days_overdue": "Tage überfällig",
    "open_amount": "Offener Betrag",
    "our_reference": "Unser Zeichen",
}

_FR: dict[str, str] = {
    "invoice": "Facture",
    "credit_memo": "Avoir",
    "debit_memo": "Note de débit",
    "invoice_no": "Facture n°",
    "credit_memo_no": "Avoir n°",
    "debit_memo_no": "Note de débit n°",
    "issue_date": "Date d'émission",
    "due_date": "Échéance",
    "po_number": "Bon de commande",
    "customer_no": "Client n°",
    "corrects": "Rectifie la facture",
    "bill_to": "Facturer à",
    "customer": "Client",
    "ship_to": "Livrer à",
    "tax_id": "N° TVA",
    "phone": "Téléphone",
    "email": "E-mail",
    "terms": "Conditions de paiement",
    "description": "Désignation",
    "quantity": "Qté",
    "unit_price": "Prix unitaire",
    "discount": "Remise",
    "tax_code": "TVA",
    "net": "Montant HT",
    "tax_summary": "Récapitulatif TVA",
    "tax_rate": "Taux",
    "tax_base": "Base HT",
    "tax_amount": "TVA",
    "net_total": "Total HT",
    "tax_total": "TVA",
    "total": "Total TTC",
    "amount_paid": "Déjà réglé",
    "balance_due": "Reste à payer",
    "credit_total": "Montant de l'avoir",
    "amount_due": "Montant dû",
    "how_to_pay": "Modalités de règlement",
    "please_quote": "À rappeler lors du paiement",
    "reference": "Référence de paiement",
    "credit_note_text": (
        "Ceci est un avoir, pas une facture. Il réduit le montant que vous nous devez ; "
        "aucun paiement n'est dû."
    ),
    "credit_applied": "L'avoir sera imputé sur vos factures ouvertes ou remboursé sur demande.",
    "notes": "Remarques",
    "page_of": "Page {page} sur {pages}",
    "statement": "Relevé de compte",
    "statement_open_item": "Postes ouverts",
    "statement_activity": "Mouvements du compte",
    "as_of": "Au",
    "period": "Période",
    "date": "Date",
    "document": "Pièce",
    "debit": "Débit",
    "credit": "Crédit",
    "balance": "Solde",
    "opening_balance": "Solde d'ouverture",
    "closing_balance": "Solde de clôture",
    "aging": "Balance âgée",
    "total_due": "Total dû",
    "days_overdue": "Jours de retard",
    "open_amount": "Montant ouvert",
    "our_reference": "Notre référence",
}

LABELS: dict[str, dict[str, str]] = {"en": _EN, "de": _DE, "fr": _FR}


class Labels(Mapping[str, str]):
    """Labels for one language, falling back to English key by key."""

    def __init__(self, language: str) -> None:
        key = language.split("-")[0].split("_")[0].lower()
        self.language = key if key in LABELS else "en"
        self._table = LABELS[self.language]

    def __getitem__(self, key: str) -> str:
        found = self._table.get(key)
        return found if found is not None else _EN[key]

    def __iter__(self) -> Iterator[str]:
        return iter(_EN)

    def __len__(self) -> int:
        return len(_EN)
