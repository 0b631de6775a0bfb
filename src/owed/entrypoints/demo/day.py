"""The AR team's day in the demo: bank files in, cash applied, reminders out, worklist ready."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from owed.adapters.bankfiles import file_digest, parse_bytes
from owed.adapters.db.uow import SqlUnitOfWork
from owed.adapters.dunning_delivery import dunning_sender_for
from owed.config import Settings
from owed.domain.clock import Clock
from owed.domain.payments.statement import ParseOptions
from owed.services.cash_application import RunCashApplication, RunResult, run_cash_application
from owed.services.dunning import DunningResult, RunDunning, run_dunning
from owed.services.payments import BankImportResult, ImportBankFile, import_bank_file
from owed.simulation.demo_model import DemoCompany
from owed.simulation.files import write_bank_files


@dataclass
class DayResult:
    files: list[BankImportResult] = field(default_factory=list)
    cash: RunResult | None = None
    dunning: DunningResult | None = None
    outbox: Path | None = None


def run_day(
    company: DemoCompany,
    folder: Path,
    settings: Settings,
    clock: Clock,
    uow: Callable[[str], SqlUnitOfWork],
    step: Callable[[str], None],
) -> DayResult:
    result = DayResult()
    for path in write_bank_files(company, folder / "bank"):
        data = path.read_bytes()
        parsed = parse_bytes(data, str(path), None, ParseOptions(strict=True))
        result.files.append(
            import_bank_file(ImportBankFile(parsed, path.name, file_digest(data)), uow("carol"))
        )
        step(f"imported {path.name}")
    result.cash = run_cash_application(RunCashApplication(), uow("carol"))
    step("cash applied")
    sender = dunning_sender_for(settings, clock)
    collector = company.collectors[0]
    result.dunning = run_dunning(RunDunning(), uow(collector), sender)
    result.outbox = None if settings.smtp_host else settings.data_dir / "outbox"
    step("reminders sent")
    return result
