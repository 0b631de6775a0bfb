"""End to end through the `owed` CLI: reading and changing the cash application policy."""

from __future__ import annotations

import re


def _row(out: str, name: str) -> list[str]:
    """The cells of the policy table's row for setting ``name``."""
    for line in out.splitlines():
        cells = [c for c in re.split(r"\s{2,}|│", line) if c.strip()]
        if cells and cells[0].strip() == name:
            return [c.strip() for c in cells]
    raise AssertionError(f"{name} not in:\n{out}")


def test_the_policy_is_shown_changed_reset_and_checked(owed):
    code, out = owed("cashapp", "configure")
    assert code == 0
    assert _row(out, "oldest_first") == ["oldest_first", "true", "default"]
    assert _row(out, "auto_apply_threshold") == ["auto_apply_threshold", "0.9", "default"]

    code, out = owed(
        "cashapp", "configure", "oldest_first=no", "auto_apply_threshold=0.95", "write_off_max=2.50"
    )
    assert code == 0, out
    assert _row(out, "oldest_first") == ["oldest_first", "false", "company"]
    assert _row(out, "auto_apply_threshold") == ["auto_apply_threshold", "0.95", "company"]
    assert _row(out, "write_off_max") == ["write_off_max", "2.50", "company"]

    code, out = owed("cashapp", "configure", "--reset", "oldest_first")
    assert code == 0
    assert _row(out, "oldest_first") == ["oldest_first", "true", "default"]
    assert _row(out, "write_off_max") == ["write_off_max", "2.50", "company"]


def test_a_wrong_setting_is_refused_with_its_name_and_changes_nothing(owed):
    code, out = owed("cashapp", "configure", "oldest_frist=no")
    assert code != 0 and "unknown cash application setting 'oldest_frist'" in out
    assert "Traceback" not in out
    code, out = owed("cashapp", "configure", "write_off_max=2.50", "combination_max_items=five")
    assert (
        code != 0 and "'combination_max_items' must be a whole number, 0 or more, not 'five'" in out
    )
    code, out = owed("cashapp", "configure", "write_off_max=-5")
    assert code != 0 and "'write_off_max' must be an amount, 0 or more, not '-5'" in out
    code, out = owed("cashapp", "configure", "bank_fee_max=NaN")
    assert code != 0 and "'bank_fee_max' must be an amount" in out
    code, out = owed("cashapp", "configure", "auto_apply_threshold=1.5")
    assert code != 0 and "lie in 0–1" in " ".join(out.split())
    code, out = owed("cashapp", "configure", "oldest_first")
    assert code != 0 and "write NAME=VALUE" in out
    _, out = owed("cashapp", "configure")
    assert _row(out, "write_off_max") == ["write_off_max", "5.00", "default"]


def test_only_who_may_configure_the_company_changes_the_policy(owed):
    assert owed("user", "add", "ann", "--role", "analyst")[0] == 0
    code, out = owed("cashapp", "configure", "oldest_first=no", user="ann")
    assert code == 7 and "Traceback" not in out
    code, out = owed("cashapp", "configure", user="ann")  # reading is allowed
    assert code == 0 and _row(out, "oldest_first")[1] == "true"
