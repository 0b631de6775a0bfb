"""End to end through the `owed` CLI: disputes, write-offs with approval, agency placement."""

from __future__ import annotations

import csv
import re
from pathlib import Path


def test_dispute_writeoff_and_agency_through_the_cli(owed, tmp_path: Path):
    assert owed("customer", "add", "C1", "--name", "Acme", "--email", "ap@acme.example")[0] == 0
    assert owed("user", "add", "sam", "--role", "specialist")[0] == 0
    assert owed("user", "add", "lee", "--role", "lead")[0] == 0
    assert owed("user", "add", "bill", "--role", "clerk")[0] == 0
    for _ in range(2):
        code, out = owed(
            "invoice",
            "create",
            "--customer",
            "C1",
            "--line",
            "Widgets;1;400.00",
            "--issue",
            user="bill",
        )
        assert code == 0, out
    code, out = owed(
        "dispute",
        "open",
        "INV-000001",
        "--amount",
        "150.00",
        "--reason",
        "pricing",
        "--note",
        "quoted 250",
        user="sam",
    )
    found = re.search(r"dispute (\d+) opened", out)
    assert code == 0 and found, out
    did = found.group(1)  # ids are shared by every company in the database
    code, out = owed("dispute", "open", "INV-000001", "--reason", "bogus", user="sam")
    assert code == 3 and "unknown reason" in out
    assert owed("dispute", "note", did, "customer", "called", user="sam")[0] == 0
    code, out = owed("dispute", "show", did)
    assert "150.00" in out and "quoted 250" in out and "customer called" in out
    code, out = owed("dispute", "list", "--status", "open")
    assert code == 0 and "INV-000001" in out and "pricing" in out
    code, out = owed("dispute", "resolve", did, "--by", "credit_memo", user="sam")
    assert code == 0 and "resolved" in out and "CM-000001" in out
    code, out = owed("report", "disputes")
    flat = " ".join(out.split())
    assert code == 0 and "0.0 days" in out and "closed within SLA: 100.0 % (1 / 1)" in flat

    code, out = owed(
        "writeoff",
        "request",
        "INV-000002",
        "--amount",
        "400.00",
        "--reason",
        "insolvent",
        user="sam",
    )
    found = re.search(r"write-off (\d+) of 400\.00\S*: requested", out)
    assert code == 0 and found, out
    wid = found.group(1)
    code, out = owed("writeoff", "approve", wid, user="sam")
    assert code == 7  # a specialist may not approve
    code, out = owed("writeoff", "approve", wid, user="lee")
    assert code == 0 and "approved" in out, out
    code, out = owed("writeoff", "list")
    assert "approved" in out and "lee" in out
    code, out = owed("status")
    assert "AR subledger 250.00 USD = GL control 250.00 USD" in " ".join(out.split())

    code, out = owed("agency", "place", "C1", "--agency", "Recover & Co", user="lee")
    assert code == 0 and "250.00" in out, out
    (export,) = (tmp_path / "data" / "agency").glob("*.csv")
    rows = list(csv.DictReader(export.open(encoding="utf-8")))
    assert [(r["document"], r["placed_amount"]) for r in rows] == [("INV-000001", "250.00")]
    code, out = owed("agency", "place", "C1", "--agency", "Other", user="lee")
    assert code == 5 and "already placed" in out
    code, out = owed("agency", "list")
    assert "Recover & Co" in out and "placed" in out
