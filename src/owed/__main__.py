"""``python -m owed``: the same command line as the ``owed`` script."""

from owed.entrypoints.cli import run

if __name__ == "__main__":
    run()
