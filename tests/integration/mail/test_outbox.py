"""OutboxSender writes parseable .eml files and reports, never raises, failures."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser
from pathlib import Path

from owed.adapters.mail import MailSender, OutboxSender, compose


def message_with_pdf():  # type: ignore[no-untyped-def]
    return compose(
        "billing@northwind.example",
        "ap@contoso.example",
        "Invoice INV-1 from Northwind – € and ü",
        "Please find attached invoice INV-1.",
        "<p>Invoice INV-1</p>",
        [("INV-1.pdf", b"%PDF-1.4 test", "application/pdf")],
    )


def test_outbox_writes_a_parseable_eml_file(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    sender: MailSender = OutboxSender(outbox)
    message = message_with_pdf()
    result = sender.send(message)
    assert result.status == "sent"
    files = list(outbox.glob("*.eml"))
    assert [str(f) for f in files] == [result.location]
    parsed = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert parsed["Message-ID"] == result.message_id == message["Message-ID"]
    assert parsed["Subject"] == "Invoice INV-1 from Northwind – € and ü"
    assert parsed["To"] == "ap@contoso.example"
    [attachment] = list(parsed.iter_attachments())
    assert attachment.get_filename() == "INV-1.pdf"
    assert attachment.get_content() == b"%PDF-1.4 test"
    assert not list(outbox.glob("*.part"))


def test_each_message_gets_its_own_file(tmp_path: Path) -> None:
    sender = OutboxSender(tmp_path)
    for _ in range(3):
        assert sender.send(message_with_pdf()).ok
    assert len(list(tmp_path.glob("*.eml"))) == 3


def test_same_message_twice_is_not_overwritten(tmp_path: Path) -> None:
    sender = OutboxSender(tmp_path)
    message = message_with_pdf()
    assert sender.send(message).ok
    again = sender.send(message)
    assert again.status == "failed"
    assert "already in outbox" in again.reason


def test_unwritable_outbox_is_a_failed_result(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the outbox should be")
    result = OutboxSender(blocker).send(message_with_pdf())
    assert result.status == "failed"
    assert f"cannot write to outbox {blocker}" in result.reason
