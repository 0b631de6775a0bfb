"""One place that maps Owed's errors to messages and exit codes.

| exit | meaning |
|---|---|
| 0 | success |
| 1 | unexpected failure (a bug: the traceback is printed) |
| 2 | usage error (Typer) |
| 3 | invalid input or file |
| 4 | not found |
| 5 | conflict (duplicate, concurrent change) |
| 6 | a business rule refused the change |
| 7 | not permitted (role, segregation of duties) |
| 8 | integrity failure (e.g. the audit chain is broken) |
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from owed.domain import errors as e

EXIT_CODES: list[tuple[type[e.OwedError], int]] = [
    (e.InvalidInput, 3),
    (e.NotFound, 4),
    (e.Conflict, 5),
    (e.RuleViolation, 6),
    (e.NotPermitted, 7),
    (e.IntegrityFailure, 8),
]

err_console = Console(stderr=True)


def exit_code_for(error: e.OwedError) -> int:
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1


def report(error: e.OwedError) -> int:
    # soft_wrap: one error is one line, whatever the terminal width (rich wraps at 80
    # columns when stderr is not a terminal)
    err_console.print(
        Text("error: ", style="bold red") + Text(error.message), highlight=False, soft_wrap=True
    )
    if isinstance(error, e.InvalidFile) and len(error.problems) > 5:
        for problem in error.problems[5:50]:
            err_console.print(f"  {problem}", highlight=False, markup=False, soft_wrap=True)
        if len(error.problems) > 50:
            err_console.print(f"  ... {len(error.problems) - 50} more", markup=False)
    return exit_code_for(error)
