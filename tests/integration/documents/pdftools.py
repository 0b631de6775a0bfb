"""Reading PDFs back in tests with poppler-utils (pdftotext, pdfinfo).

Missing tools fail the test with the command that installs them, rather
than skipping: a PDF test that silently does not run proves nothing.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} not found: install poppler-utils (apt-get install -y poppler-utils) "
            "to check the PDF content"
        )
    return path


def pdf_text(data: bytes) -> str:
    """The text of every page, pages separated by form feeds."""
    result = subprocess.run(
        [_tool("pdftotext"), "-layout", "-enc", "UTF-8", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8").replace("\u00a0", " ")


def pdf_pages(data: bytes) -> list[str]:
    return pdf_text(data).split("\f")[:-1]


def pdf_info(data: bytes) -> dict[str, str]:
    result = subprocess.run(
        [_tool("pdfinfo"), "-enc", "UTF-8", "-"], input=data, capture_output=True, check=True
    )
    info: dict[str, str] = {}
    for line in result.stdout.decode("utf-8").splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info
