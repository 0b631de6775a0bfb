"""The README's first command: `owed demo` builds a company, runs the day, ends on the dashboard.

A smaller company (60 customers) keeps the test quick; the default size is what
the README runs. Afterwards the same database must verify its audit chain and
reconcile the AR subledger to the GL to the cent in a close dry run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def owed(
    cwd: Path, url: str, company: str, *args: str, user: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OWED_")}
    env.update(
        {
            "OWED_DATABASE_URL": url,
            "OWED_COMPANY": company,
            "COLUMNS": "140",
            "OWED_CLOCK": "2026-03-16",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")])),
        }
    )
    if user:
        env["OWED_USER"] = user
    return subprocess.run(
        [sys.executable, "-m", "owed", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_runs_the_day_and_ends_on_the_dashboard(tmp_path: Path, database_url: str) -> None:
    url = database_url  # SQLite file or scratch PostgreSQL database of this test session
    company = f"DEMO{uuid.uuid4().hex[:6]}"
    done = owed(
        tmp_path,
        url,
        company,
        "demo",
        "--company",
        company,
        "--customers",
        "60",
        "--today",
        "2026-03-16",
    )
    assert done.returncode == 0, done.stderr + done.stdout
    out = done.stdout
    for section in (
        "Today",
        "Aging",
        "KPIs",
        "Exceptions",
        "Worklist",
        "expected cash in the next 14 days",
    ):
        assert section in out, section
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "owed-data" / "outbox").glob("*.eml")), "reminders were written"

    again = owed(tmp_path, url, company, "demo", "--company", company)
    assert again.returncode == 0, again.stderr
    assert "nothing is created twice" in again.stdout
    assert "already_run_today" in again.stdout or "0 reminders sent" in again.stdout

    verified = owed(tmp_path, url, company, "audit", "verify", user="victor")
    assert verified.returncode == 0, verified.stderr
    closed = owed(tmp_path, url, company, "close", "2026-02", "--dry-run", user="lena")
    assert closed.returncode == 0, closed.stderr + closed.stdout
    assert "difference 0.00 [ok]" in closed.stdout
    assert "[MISMATCH]" not in closed.stdout

    # The real close: the allowance proposal waits for another approver, then the period locks
    # and refuses any posting dated inside it.
    first = owed(tmp_path, url, company, "close", "2026-02", user="lena")
    assert first.returncode == 0, first.stderr + first.stdout
    proposals = re.findall(r"owed allowance approve ([\d, ]+)", first.stdout.replace("\n", " "))
    for pid in (p.strip() for group in proposals for p in group.split(",") if p.strip()):
        approved = owed(tmp_path, url, company, "allowance", "approve", pid, user="victor")
        assert approved.returncode == 0, approved.stderr + approved.stdout
    second = owed(tmp_path, url, company, "close", "2026-02", user="lena")
    assert second.returncode == 0, second.stderr + second.stdout
    assert "difference 0.00 [ok]" in second.stdout
    refused = owed(
        tmp_path,
        url,
        company,
        "ledger",
        "post",
        "--date",
        "2026-02-10",
        "-m",
        "late",
        "--debit",
        "1000:10",
        "--credit",
        "4000:10",
        user="victor",
    )
    assert refused.returncode == 6, refused.stdout + refused.stderr
    assert "closed" in refused.stderr
