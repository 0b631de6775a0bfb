"""The ``owed`` command line.

Each capability registers its commands from its own module; this module
assembles them and maps errors to exit codes in one place (``errors.py``).
"""

from __future__ import annotations

import sys

import typer

from owed.domain.errors import OwedError
from owed.entrypoints.cli import cash, foundation
from owed.entrypoints.cli.errors import report

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

import_app = typer.Typer(help="Import files: bank statements and remittances, customers, invoices.",
                         no_args_is_help=True)
import_app.command("bank")(cash.import_bank)
app.add_typer(import_app, name="import")

export_app = typer.Typer(help="Export files.", no_args_is_help=True)
export_app.command("applications")(cash.export_applications)
app.add_typer(export_app, name="export")


def main(argv: list[str] | None = None) -> int:
    try:
        app(args=argv, standalone_mode=False)
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
    return 0


def run() -> None:
    sys.exit(main())
