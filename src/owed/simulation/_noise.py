"""How payers and banks garble names and references (used by the generator).

Each function takes the generator's ``random.Random`` so a seed fixes the output.
"""

from __future__ import annotations

import random

from owed.simulation._words import ABBREVIATE

_LEGAL_TAIL = {"INC", "LLC", "LTD", "CORP", "CO", "GMBH", "PLC"}


def upper_words(name: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() or ch in "&-" else " " for ch in name.upper())
    return cleaned.split()


def abbreviate(name: str, rng: random.Random) -> str:
    """``Acme Corporation International Ltd`` → ``ACME CORP INTL`` (legal form often dropped)."""
    words = [ABBREVIATE.get(w, w) for w in upper_words(name)]
    if len(words) > 2 and words[-1] in _LEGAL_TAIL and rng.random() < 0.7:
        words = words[:-1]
    return " ".join(words)


def truncate(name: str, rng: random.Random) -> str:
    """The name cut to a bank's field width (16, 22 or 35 characters)."""
    flat = " ".join(upper_words(name))
    width = rng.choice((16, 22, 22, 35))
    return flat[:width].rstrip()


def payer_name(name: str, variant: str, rng: random.Random) -> str | None:
    if variant == "abbreviated":
        return abbreviate(name, rng)
    if variant == "truncated":
        return truncate(name, rng)
    if variant == "missing":
        return None
    return name.upper() if rng.random() < 0.5 else name


def typo(digits: str, rng: random.Random) -> str:
    """One character wrong: replaced, dropped, doubled or two neighbours swapped."""
    if len(digits) < 2:
        return digits + "1"
    i = rng.randrange(len(digits) - 1)
    kind = rng.choice(("replace", "replace", "swap", "drop", "double"))
    if kind == "replace":
        other = rng.choice([d for d in "0123456789" if d != digits[i]])
        return digits[:i] + other + digits[i + 1 :]
    if kind == "swap" and digits[i] != digits[i + 1]:
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
    if kind == "drop":
        return digits[:i] + digits[i + 1 :]
    return digits[:i] + digits[i] + digits[i:]


def quote_number(number: str, rng: random.Random) -> str:
    """One of the ways payers write ``INV-012345``."""
    prefix, _, digits = number.partition("-")
    style = rng.random()
    if style < 0.35:
        return number
    if style < 0.50:
        return prefix + digits
    if style < 0.65:
        return f"{prefix} {digits.lstrip('0')}"
    if style < 0.85:
        return digits
    if style < 0.95:
        return digits.lstrip("0")
    return prefix + "-" + digits.replace("0", "O", 1)  # OCR-style letter O


def reference_text(quoted: list[str], rng: random.Random) -> str:
    """A free-text remittance line quoting the given references."""
    if len(quoted) == 1:
        template = rng.choice(
            (
                "{0}",
                "Invoice #{0}",
                "INV {0} THANK YOU",
                "PMT FOR {0}",
                "Rechnung Nr. {0}",
                "RE {0}",
                "/INV/{0}/",
                "PAYMENT {0} ACCT 7781",
            )
        )
        return template.format(quoted[0])
    style = rng.random()
    if style < 0.4:
        return "INV " + "/".join(quoted)
    if style < 0.7:
        return "Invoices " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return "PAYMENT " + " ".join(quoted)
