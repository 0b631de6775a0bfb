"""CLI: `owed import customers FILE` and `owed import invoices FILE`.

Registered on the shared `owed import` group in ``owed.entrypoints.cli``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from owed.domain.errors import InvalidInput
from owed.entrypoints.cli.common import console, parse_date
from owed.entrypoints.cli.runtime import runtime

if TYPE_CHECKING:
    from owed.services.imports_common import ImportResult

Opt = typer.Option
BIG_FILE_BYTES = 2_000_000  # show a progress bar above this size


def parse_mapping(specs: list[str]) -> dict[str, str]:
    mapping = {}
    for spec in specs:
        their, eq, ours = spec.partition("=")
        if not eq or not their.strip() or not ours.strip():
            raise InvalidInput(f"--map {spec!r}: expected THEIR_HEADER=OUR_COLUMN")
        mapping[their.strip()] = ours.strip()
    return mapping


def _run(
    path: Path,
    what: str,
    call: Callable[[Callable[[int], None] | None], ImportResult],
    skip_invalid: bool,
    rejects: Path | None,
) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from owed.adapters.tables import rejects_path, write_rejects

    if path.stat().st_size > BIG_FILE_BYTES:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(pulse_style="cyan"),
            TextColumn("{task.completed:,} rows"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(f"validating {path.name}", total=None)
            result = call(lambda n: bar.update(task, completed=n))
    else:
        result = call(None)
    for problem in result.changed:
        console.print(f"[yellow]changed, not applied[/] {problem}", highlight=False)
    console.print(
        f"{path.name}: {result.read:,} rows, {result.imported:,} {what} imported, "
        f"{result.unchanged:,} unchanged, {len(result.changed):,} changed (not "
        f"applied), {len(result.rejects):,} rejected"
    )
    if result.rejects and skip_invalid:
        target = rejects or rejects_path(path)
        write_rejects(target, result.header, result.rejects)
        console.print(f"rejected rows written to {target}")


def import_customers_cmd(
    file: Path,
    map_: Annotated[list[str], Opt("--map", help="THEIR_HEADER=OUR_COLUMN")] = [],  # noqa: B006
    skip_invalid: Annotated[bool, Opt("--skip-invalid")] = False,
    rejects: Annotated[Path | None, Opt(help="Rejects file (default beside FILE)")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Validate only")] = False,
) -> None:
    """Import customers; any bad row imports nothing unless --skip-invalid."""
    from owed.adapters.tables import read_table
    from owed.services.customer_imports import ImportCustomers, import_customers

    rt = runtime()
    mapping = parse_mapping(map_)
    _run(
        file,
        "customers",
        lambda progress: import_customers(
            ImportCustomers(read_table(file), mapping, skip_invalid, dry_run), rt.uow(), progress
        ),
        skip_invalid,
        rejects,
    )


def import_invoices_cmd(
    file: Path,
    map_: Annotated[list[str], Opt("--map", help="THEIR_HEADER=OUR_COLUMN")] = [],  # noqa: B006
    skip_invalid: Annotated[bool, Opt("--skip-invalid")] = False,
    rejects: Annotated[Path | None, Opt(help="Rejects file (default beside FILE)")] = None,
    as_of: Annotated[str | None, Opt("--as-of", help="Opening entry date (default today)")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Validate only")] = False,
) -> None:
    """Import open invoices with their opening-balance posting."""
    from owed.adapters.tables import read_table
    from owed.services.billing_imports import ImportInvoices, import_invoices

    rt = runtime()
    mapping = parse_mapping(map_)
    on = parse_date(as_of, "--as-of")
    _run(
        file,
        "invoices",
        lambda progress: import_invoices(
            ImportInvoices(read_table(file), mapping, skip_invalid, on, dry_run), rt.uow(), progress
        ),
        skip_invalid,
        rejects,
    )
