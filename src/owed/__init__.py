"""Owed: open-source accounts receivable automation.

The package is layered (see docs/architecture.md)::

    owed.entrypoints  (cli)            parse input, call a use case, render
    owed.adapters     (db, files, mail, pdf)
    owed.services     (use cases: the only code that commits)
    owed.domain       (pure values and rules; standard library only)
"""

__version__ = "0.1.0"
