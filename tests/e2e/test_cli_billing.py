"""End to end through the `owed` CLI: customers, invoices, memos, imports, sending."""

from __future__ import annotations

import csv
from pathlib import Path

from owed.entrypoints.cli import main


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as stream:
        csv.writer(stream).writerows(rows)
    return path


def test_invoice_lifecycle_and_send_twice_refused(owed, tmp_path: Path):
    assert (
        owed(
            "customer",
            "add",
            "C1",
            "--name",
            "Acme",
            "--terms",
            "2/10 NET 30",
            "--email",
            "ap@acme.example",
        )[0]
        == 0
    )
    assert owed("billing", "tax-code", "S19", "--rate", "19")[0] == 0
    lines = tmp_path / "lines.json"
    lines.write_text(
        '[{"description": "Widgets", "quantity": "3", "unit_price": "10.00", "tax_code": "S19"}]'
    )
    code, out = owed(
        "invoice",
        "create",
        "--customer",
        "C1",
        "--lines",
        str(lines),
        "--line",
        "Setup;1;5.00",
        "--issue",
    )
    assert code == 0 and "INV-000001" in out and "40.70 USD" in out
    code, out = owed("invoice", "pdf", "INV-000001", "-o", str(tmp_path / "i.pdf"))
    assert code == 0 and (tmp_path / "i.pdf").read_bytes().startswith(b"%PDF")
    code, out = owed("invoice", "send", "INV-000001")
    assert code == 0 and "outbox" in out
    assert len(list((tmp_path / "data" / "outbox").glob("*.eml"))) == 1
    code, out = owed("invoice", "send", "INV-000001")
    assert code == 6 and "already sent" in out
    code, out = owed("memo", "credit", "INV-000001", "--reason", "damaged", "--amount", "5.00")
    assert code == 0 and "CM-000001" in out
    code, out = owed("status")
    # 5.00 of lines spread 30:5 over the taxed and untaxed line: 4.29 + 19 % and 0.71
    assert "AR subledger 34.88 USD = GL control 34.88 USD" in " ".join(out.split())


def test_json_numbers_are_read_from_their_text_never_through_float(owed, tmp_path: Path):
    owed("customer", "add", "C1", "--name", "Acme")
    lines = tmp_path / "lines.json"
    lines.write_text(
        '[{"description": "W", "quantity": 3, "unit_price": 0.10}, '
        '{"description": "V", "quantity": 1, "unit_price": 0.20}]'
    )
    code, out = owed("invoice", "create", "--customer", "C1", "--lines", str(lines), "--issue")
    assert code == 0 and "0.50 USD" in out


def test_import_bad_row_then_skip_invalid_writes_rejects(owed, tmp_path: Path):
    customers = write_csv(
        tmp_path / "customers.csv",
        [["customer_id", "name", "currency"], ["K1", "Kappa", "EUR"], ["K2", "Kilo", "EUR"]],
    )
    assert owed("import", "customers", str(customers))[0] == 0
    invoices = write_csv(
        tmp_path / "open.csv",
        [
            ["Number", "customer_id", "issue_date", "due_date", "currency", "amount"],
            ["I-1", "K1", "2026-01-01", "2026-01-31", "EUR", "100.00"],
            ["I-2", "K9", "2026-01-01", "2026-01-31", "EUR", "50.00"],
            ["I-3", "K2", "2026-01-01", "2026-01-31", "EUR", "20.00"],
        ],
    )
    code, out = owed("import", "invoices", str(invoices), "--map", "number=invoice_number")
    assert code == 3 and "row 3" in out and "nothing imported" in out
    assert "I-1" not in owed("invoice", "list")[1]
    code, out = owed(
        "import", "invoices", str(invoices), "--map", "number=invoice_number", "--skip-invalid"
    )
    assert code == 0 and "2 invoices imported" in out
    with (tmp_path / "open.rejects.csv").open(newline="") as stream:
        rejects = list(csv.reader(stream))
    assert rejects[0][-1] == "error" and rejects[1][0] == "I-2"
    assert "not a known customer" in rejects[1][-1]
    code, out = owed(
        "import",
        "invoices",
        str(invoices),
        "--map",
        "number=invoice_number",
        "--skip-invalid",
        "--rejects",
        str(tmp_path / "r.csv"),
    )
    assert code == 0 and "0 invoices imported, 2 unchanged" in " ".join(out.split())
    assert "AR subledger 120.00 EUR = GL control 120.00 EUR" in " ".join(owed("status")[1].split())


def test_not_permitted_exit_code(owed):
    owed("user", "add", "ann", "--role", "analyst")
    owed("customer", "add", "C1", "--name", "Acme")
    from owed.entrypoints.cli.runtime import runtime

    runtime().user_override = "ann"
    code = main(["invoice", "create", "--customer", "C1", "--line", "A;1;1"])
    assert code == 7
