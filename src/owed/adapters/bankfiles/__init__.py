"""Bank and remittance file importers, and the registry that picks one.

Every format module exposes the same three names::

    FORMAT: str
    def sniff(data: bytes) -> bool
    def parse(data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile

and turns its format into the neutral ``ParsedFile``
(``owed.domain.payments.statement``). ``FORMATS`` maps a format name to its
module, imported lazily by name so a missing module only matters when that
format is actually used. ``parse_file`` reads a file, detects its format from
the content (``detect.detect_format``) unless one is given, and parses it.

Whatever goes wrong, ``parse_file`` raises ``InvalidFile``: another
``OwedError`` from a parser is wrapped in one, and, as a last line of defence,
so is an unexpected exception (naming the parser and the exception), so a user
never sees a traceback. The parsers in this package do not rely on that net:
their own tests call them directly.
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Protocol, cast

from owed.adapters.bankfiles.detect import detect_format
from owed.domain.errors import InvalidFile, OwedError, Problem
from owed.domain.payments.statement import ParsedFile, ParseOptions

__all__ = ["FORMATS", "FormatModule", "detect_format", "file_digest", "parse_bytes", "parse_file"]


class FormatModule(Protocol):
    FORMAT: str

    def sniff(self, data: bytes) -> bool: ...

    def parse(self, data: bytes, options: ParseOptions, name: str = "<file>") -> ParsedFile: ...


# format name -> "module" or "module:attribute" inside this package
_REGISTRY: dict[str, str] = {
    "bai2": "bai2",
    "lockbox": "lockbox",
    "nacha": "nacha",
    "x12-820": "x12_820",
    "camt": "camt",
    "mt940": "mt940",
    "csv": "tabular",
    "xlsx": "tabular:XLSX",
}


class _LazyFormats(Mapping[str, FormatModule]):
    """Read-only mapping that imports a format's module on first use."""

    def __getitem__(self, name: str) -> FormatModule:
        target = _REGISTRY[name]
        module_name, _, attribute = target.partition(":")
        module = importlib.import_module(f"{__name__}.{module_name}")
        found = getattr(module, attribute) if attribute else module
        return cast(FormatModule, found)

    def __iter__(self) -> Iterator[str]:
        return iter(_REGISTRY)

    def __len__(self) -> int:
        return len(_REGISTRY)


FORMATS: Mapping[str, FormatModule] = _LazyFormats()


def file_digest(data: bytes) -> str:
    """SHA-256 of the file's bytes, hex: identifies a file already imported."""
    return hashlib.sha256(data).hexdigest()


def _refuse(name: str, reason: str) -> InvalidFile:
    return InvalidFile(name, [Problem(position="file", reason=reason)])


def parse_bytes(
    data: bytes,
    name: str = "<file>",
    format: str | None = None,
    options: ParseOptions | None = None,
) -> ParsedFile:
    """Parse ``data`` as ``format`` (detected from the content when ``None``)."""
    chosen = format or detect_format(data, name)
    if chosen not in _REGISTRY:
        known = ", ".join(_REGISTRY)
        raise _refuse(name, f"unknown format {chosen!r} (known: {known})")
    try:
        module = FORMATS[chosen]
    except ImportError as exc:
        raise _refuse(
            name, f"format {chosen} is recognised but its parser is not available ({exc})"
        ) from None
    try:
        return module.parse(data, options or ParseOptions(), name)
    except InvalidFile:
        raise
    except OwedError as exc:
        raise _refuse(name, f"{chosen}: {exc.message}") from exc
    except Exception as exc:  # the safety net described in the module docstring
        raise _refuse(
            name, f"the {chosen} parser failed unexpectedly ({type(exc).__name__}: {exc})"
        ) from exc


def parse_file(
    path: Path, format: str | None = None, options: ParseOptions | None = None
) -> ParsedFile:
    """Read ``path`` and parse it; see ``parse_bytes``."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _refuse(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    return parse_bytes(data, str(path), format, options)
