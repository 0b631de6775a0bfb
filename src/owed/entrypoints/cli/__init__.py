"""The ``owed`` command line.

Each capability registers its commands from its own module; this module
assembles them and maps errors to exit codes in one place (``errors.py``).
Every run builds the whole tree, so the command modules import their use cases
and adapters inside the commands, not at the top (tests/e2e/test_cli_startup.py).
"""

from __future__ import annotations

import sys

import typer

from owed.domain.errors import OwedError
from owed.entrypoints.cli import (
    billing,
    cash,
    collections,
    customers,
    disputes,
    foundation,
    imports,
    reporting,
)
from owed.entrypoints.cli.errors import report
from owed.entrypoints.demo import command as demo_command

app = typer.Typer(
    name="owed",
    help="Owed: accounts receivable automation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(foundation.db_app, name="db")
app.add_typer(foundation.user_app, name="user")
app.add_typer(foundation.ledger_app, name="ledger")
app.add_typer(foundation.period_app, name="period")
app.add_typer(foundation.audit_app, name="audit")
app.command("status")(foundation.status)
app.add_typer(cash.cashapp_app, name="cashapp")
app.add_typer(cash.bench_app, name="bench")

import_app = typer.Typer(
    help="Import files: bank statements and remittances, customers, invoices.", no_args_is_help=True
)
import_app.command("bank")(cash.import_bank)
import_app.command("customers")(imports.import_customers_cmd)
import_app.command("invoices")(imports.import_invoices_cmd)
app.add_typer(import_app, name="import")
app.add_typer(customers.customer_app, name="customer")
app.add_typer(billing.invoice_app, name="invoice")
app.add_typer(billing.memo_app, name="memo")
app.add_typer(billing.billing_app, name="billing")

export_app = typer.Typer(help="Export files.", no_args_is_help=True)
export_app.command("applications")(cash.export_applications)
app.add_typer(export_app, name="export")
app.add_typer(disputes.dispute_app, name="dispute")
app.add_typer(disputes.writeoff_app, name="writeoff")
app.add_typer(disputes.agency_app, name="agency")
report_app = typer.Typer(help="Reports.", no_args_is_help=True)  # shared: others add commands
report_app.command("disputes")(disputes.report_disputes)
report_app.command("kpis")(reporting.report_kpis_cmd)
export_app.command("journal")(reporting.export_journal_cmd)
export_app.command("exceptions")(reporting.export_exceptions_cmd)
app.command("statement")(reporting.statement_cmd)
app.command("close")(reporting.close_cmd)
app.add_typer(reporting.allowance_app, name="allowance")
app.add_typer(reporting.forecast_app, name="forecast")
report_app.command("aging")(collections.aging)
app.add_typer(collections.activity_app, name="activity")
app.command("worklist")(collections.worklist)
app.add_typer(collections.dunning_app, name="dunning")
app.add_typer(collections.promise_app, name="promise")
app.add_typer(collections.plan_app, name="plan")
app.add_typer(collections.credit_app, name="credit")
app.add_typer(report_app, name="report")
app.command("demo")(demo_command.demo)


def main(argv: list[str] | None = None) -> int:
    try:
        # without standalone mode click returns a ``typer.Exit``'s code instead of raising it
        code = app(args=argv, standalone_mode=False)
    except OwedError as error:
        return report(error)
    except typer.Exit as done:
        return done.exit_code
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 1
    except Exception as click_error:  # click's usage errors
        import click

        if isinstance(click_error, click.ClickException):
            click_error.show()
            return click_error.exit_code
        raise
    return code if isinstance(code, int) else 0


def run() -> None:
    sys.exit(main())
