"""Word lists for synthetic company and person names (invented, not real companies)."""

from __future__ import annotations

from typing import Final

FIRST: Final[tuple[str, ...]] = (
    "Acme", "Apex", "Atlas", "Aurora", "Beacon", "Birch", "Blue", "Boulder", "Bright", "Cascade",
    "Cedar", "Century", "Cobalt", "Comet", "Copper", "Coral", "Crescent", "Crown", "Delta",
    "Eagle", "Echo", "Elm", "Emerald", "Evergreen", "Falcon", "Fir", "Frontier", "Galaxy",
    "Garnet", "Golden", "Granite", "Green", "Harbor", "Hawk", "Highland", "Horizon", "Hudson",
    "Indigo", "Iron", "Ivy", "Jade", "Juniper", "Keystone", "Lake", "Laurel", "Liberty", "Lincoln",
    "Lotus", "Maple", "Marble", "Meadow", "Mercury", "Meridian", "Mesa", "Metro", "Midland",
    "Monarch", "Mountain", "Nexus", "Noble", "North", "Northwind", "Oak", "Ocean", "Olympic",
    "Omega", "Onyx", "Orchid", "Pacific", "Palm", "Pearl", "Peak", "Pine", "Pinnacle", "Pioneer",
    "Polar", "Prairie", "Prime", "Quantum", "Quartz", "Radiant", "Rapid", "Raven", "Redwood",
    "Ridge", "River", "Rock", "Royal", "Ruby", "Sage", "Sapphire", "Sentinel", "Sierra", "Silver",
    "Sky", "Solar", "Spring", "Spruce", "Star", "Sterling", "Stone", "Summit", "Sun", "Superior",
    "Swift", "Terra", "Thunder", "Timber", "Titan", "Trident", "Trinity", "Union", "United",
    "Valley", "Vanguard", "Vector", "Venture", "Vertex", "Victory", "Vista", "Walnut", "Western",
    "Willow", "Zenith",
)  # fmt: skip

SECOND: Final[tuple[str, ...]] = (
    "Allied", "Applied", "Advanced", "Bay", "Brothers", "Capital", "Central", "City", "Coastal",
    "Consolidated", "Continental", "County", "Creative", "Digital", "Dynamic", "Eastern", "Elite",
    "Empire", "Federal", "First", "Global", "Grand", "Heritage", "Home", "Imperial", "Integrated",
    "Interstate", "Keystone", "Legacy", "Majestic", "Modern", "National", "Northern", "Pacific",
    "Paramount", "Patriot", "Precision", "Premier", "Quality", "Regional", "Reliable", "Republic",
    "Southern", "Standard", "State", "Strategic", "Supreme", "Tri-County", "Universal", "Urban",
    "Valley", "Western",
)  # fmt: skip

INDUSTRY: Final[tuple[str, ...]] = (
    "Logistics", "Manufacturing", "Industries", "Services", "Technologies", "Distribution",
    "Supply", "Foods", "Engineering", "Construction", "Equipment", "Laboratories", "Solutions",
    "Systems", "Products", "Trading", "Materials", "Plastics", "Metals", "Chemicals", "Electric",
    "Motors", "Textiles", "Furniture", "Packaging", "Pharmaceuticals", "Medical Supply",
    "Office Supply", "Hardware", "Paper", "Freight", "Marine", "Energy", "Farms", "Builders",
    "Tools", "Instruments", "Imports", "Wholesale", "Retail Group",
)  # fmt: skip

LEGAL: Final[tuple[str, ...]] = (
    "Inc", "Inc.", "LLC", "Ltd", "Corporation", "Corp.", "Company", "Co.", "GmbH", "PLC",
    "International Ltd", "Holdings Inc", "Group LLC", "& Sons Inc",
)  # fmt: skip
REGIONS: Final[tuple[str, ...]] = (
    "West", "East", "Canada", "Europe", "Texas", "Midwest", "Pacific", "Atlantic", "Florida",
)  # fmt: skip

PEOPLE: Final[tuple[str, ...]] = (
    "J SMITH", "MARIA GARCIA", "R JOHNSON", "CHEN WEI", "A MUELLER", "P DUBOIS", "K NAKAMURA",
    "S PATEL", "L ROSSI", "T OBRIEN", "M KOWALSKI", "D NGUYEN", "E JANSEN", "F SILVA",
    "H ANDERSSON", "O PETROV",
)  # fmt: skip

STRANGERS: Final[tuple[str, ...]] = (
    "IRS TREAS 310", "STATE OF CA REFUND", "PAYPAL TRANSFER", "STRIPE PAYOUT",
    "INTERNAL TRANSFER", "ZELLE FROM", "AMEX SETTLEMENT", "HARTLEY INSURANCE CLAIMS",
    "CITY UTILITIES REBATE", "VENDOR REFUND",
)  # fmt: skip
# How the generator abbreviates names (deliberately not identical to the engine's table).
ABBREVIATE: Final[dict[str, str]] = {
    "CORPORATION": "CORP", "INTERNATIONAL": "INTL", "COMPANY": "CO", "MANUFACTURING": "MFG",
    "INDUSTRIES": "INDS", "SERVICES": "SVCS", "TECHNOLOGIES": "TECH", "DISTRIBUTION": "DISTR",
    "LABORATORIES": "LABS", "ENGINEERING": "ENG", "SOLUTIONS": "SOLNS", "EQUIPMENT": "EQUIP",
    "PHARMACEUTICALS": "PHARMA", "CONSTRUCTION": "CONSTR", "PRODUCTS": "PRODS",
    "BROTHERS": "BROS", "NATIONAL": "NATL", "INTEGRATED": "INTEG", "CONSOLIDATED": "CONS",
    "HOLDINGS": "HLDGS", "MATERIALS": "MATLS", "WHOLESALE": "WHSL",
}  # fmt: skip
SHORT_REASONS: Final[tuple[tuple[str, str], ...]] = (
    ("DAMAGED", "damaged goods"), ("PRICING", "pricing difference"),
    ("SHORTAGE", "short shipped"), ("PROMOTION", "promo allowance"), ("FREIGHT", "freight"),
)  # fmt: skip
