"""Word lists for the demo company's European customers (invented names).

American and British names reuse ``_words`` (FIRST, SECOND, INDUSTRY); the
lists here give German, Austrian, French, Belgian and Dutch customers names
that sound like theirs ("Brandt Maschinenbau GmbH", "Lefèvre Logistique SAS").
"""

from __future__ import annotations

from typing import Final

SURNAMES: Final[dict[str, tuple[str, ...]]] = {
    "de": (
        "Brandt", "Krüger", "Hoffmann", "Becker", "Schröder", "Neumann", "Wagner", "Keller",
        "Vogel", "Hartmann", "Lindner", "Weber", "Fischer", "Zimmermann", "Bauer", "Richter",
    ),
    "fr": (
        "Lefèvre", "Dubois", "Moreau", "Laurent", "Girard", "Bonnet", "Mercier", "Fontaine",
        "Chevalier", "Rousseau", "Blanc", "Garnier", "Faure", "Leroy", "Perrin", "Morel",
    ),
    "nl": (
        "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer",
        "Dekker", "Vermeulen", "van Dijk", "Peeters",
    ),
}  # fmt: skip

TRADES: Final[dict[str, tuple[str, ...]]] = {
    "de": (
        "Maschinenbau", "Logistik", "Metallbau", "Elektrotechnik", "Kunststofftechnik",
        "Lebensmittel", "Verpackungen", "Antriebstechnik", "Handelsgesellschaft", "Werkzeugbau",
    ),
    "fr": (
        "Logistique", "Industries", "Distribution", "Emballages", "Mécanique", "Équipements",
        "Transports", "Matériaux", "Alimentaire", "Services",
    ),
    "nl": (
        "Logistiek", "Techniek", "Handel", "Verpakkingen", "Installaties", "Transport",
        "Groothandel", "Metaal",
    ),
}  # fmt: skip

LEGAL_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "US": ("Inc.", "Inc.", "LLC", "Corp.", "Corporation", "Company"),
    "GB": ("Ltd", "Ltd", "Limited", "PLC"),
    "DE": ("GmbH", "GmbH", "GmbH & Co. KG", "AG"),
    "AT": ("GmbH", "GmbH", "AG"),
    "FR": ("SAS", "SAS", "SARL", "SA"),
    "BE": ("SA", "SRL", "BV"),
    "NL": ("B.V.", "B.V.", "N.V."),
}  # fmt: skip

# The language a country's customers read their letters in.
LANGUAGE_OF: Final[dict[str, str]] = {
    "US": "en", "GB": "en", "DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "NL": "en",
}  # fmt: skip
# Word list used for a country's company names.
NAMES_OF: Final[dict[str, str]] = {"DE": "de", "AT": "de", "FR": "fr", "BE": "fr", "NL": "nl"}

EUR_COUNTRIES: Final[tuple[str, ...]] = ("DE", "DE", "DE", "FR", "FR", "NL", "AT", "BE")

GROUP_REGIONS: Final[tuple[str, ...]] = (
    "West", "East", "Central", "Midwest", "Southeast", "Northeast", "Pacific", "Texas",
)  # fmt: skip

COLLECTORS: Final[tuple[str, ...]] = ("acarter", "bnguyen", "kmueller", "slefevre")
