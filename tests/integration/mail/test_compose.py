"""compose(): structure, identity and refusal of unsafe headers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser

import pytest

from owed.adapters.mail import Attachment, compose
from owed.domain.errors import InvalidInput


def test_text_html_and_attachments_in_one_message() -> None:
    message = compose(
        "billing@northwind.example",
        ["ap@contoso.example", "cfo@contoso.example"],
        "Statement",
        "Plain body",
        "<p>HTML body</p>",
        [Attachment("s.pdf", b"%PDF-1.4 x", "application/pdf"), ("s.csv", b"a,b\n", "text/csv")],
        {"X-Owed-Customer": "C-1007"},
        reply_to="ar@northwind.example",
        sent_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    )
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert parsed.get_content_type() == "multipart/mixed"
    assert parsed["To"] == "ap@contoso.example, cfo@contoso.example"
    assert parsed["Reply-To"] == "ar@northwind.example"
    assert parsed["X-Owed-Customer"] == "C-1007"
    assert parsed["Date"] == "Sun, 01 Mar 2026 09:30:00 +0000"
    plain = parsed.get_body(preferencelist=("plain",))
    html = parsed.get_body(preferencelist=("html",))
    assert plain is not None and plain.get_content().strip() == "Plain body"
    assert html is not None and "<p>HTML body</p>" in html.get_content()
    files = {a.get_filename(): a for a in parsed.iter_attachments()}
    assert files["s.pdf"].get_content() == b"%PDF-1.4 x"
    assert files["s.csv"].get_content_type() == "text/csv"


def test_every_message_gets_its_own_message_id_on_the_sender_domain() -> None:
    first = compose("billing@northwind.example", "a@b.example", "S", "T")
    second = compose("billing@northwind.example", "a@b.example", "S", "T")
    assert first["Message-ID"].endswith("@northwind.example>")
    assert first["Message-ID"] != second["Message-ID"]


def test_text_only_message_is_not_multipart() -> None:
    message = compose("billing@northwind.example", "a@b.example", "S", "Only text")
    assert message.get_content_type() == "text/plain"


@pytest.mark.parametrize("subject", ["Invoice\nBcc: victim@example.com", "a\rb"])
def test_line_break_in_a_header_is_refused(subject: str) -> None:
    with pytest.raises(InvalidInput, match="header Subject contains a line break"):
        compose("billing@northwind.example", "a@b.example", subject, "T")


def test_structural_header_cannot_be_overridden() -> None:
    with pytest.raises(InvalidInput, match="'Content-Type' cannot be set"):
        compose("b@n.example", "a@b.example", "S", "T", headers={"Content-Type": "text/html"})


def test_bad_attachment_type_and_name_are_refused_with_their_position() -> None:
    with pytest.raises(InvalidInput, match=r"attachment 2 .*'pdf' is not of the form"):
        compose(
            "b@n.example",
            "a@b.example",
            "S",
            "T",
            attachments=[("a.pdf", b"x", "application/pdf"), ("b.pdf", b"x", "pdf")],
        )
    with pytest.raises(InvalidInput, match=re.escape("attachment 1: file name '../x.pdf'")):
        compose(
            "b@n.example",
            "a@b.example",
            "S",
            "T",
            attachments=[("../x.pdf", b"x", "application/pdf")],
        )


def test_addresses_are_checked() -> None:
    with pytest.raises(InvalidInput, match="no recipient"):
        compose("b@n.example", [], "S", "T")
    with pytest.raises(InvalidInput, match="to: 'not an address'"):
        compose("b@n.example", "not an address", "S", "T")
    with pytest.raises(InvalidInput, match="sent_at must be timezone-aware"):
        compose("b@n.example", "a@b.example", "S", "T", sent_at=datetime(2026, 1, 1))
