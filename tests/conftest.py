"""Shared test configuration.

The sample bank and invoice files live in ``../shared/samples`` beside the
repository (never copied into it). Tests that need them use ``samples_dir``,
which fails, not skips, when they are missing: CI must run them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

pytest_plugins = ["tests.fixtures.smtp"]


def _samples_path() -> Path:
    configured = os.environ.get("OWED_SAMPLES_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    path = _samples_path()
    if not (path / "PROVENANCE.tsv").is_file():
        pytest.fail(
            f"sample files not found at {path}: clone the repository with ../shared beside it "
            "or set OWED_SAMPLES_DIR"
        )
    return path


# -- databases ---------------------------------------------------------------
# Integration and end-to-end tests run on SQLite by default and on PostgreSQL
# when OWED_TEST_DATABASE_URL points at a server (CI runs both). Each test
# session gets its own fresh database (PostgreSQL) or file (SQLite), migrated
# once; each test gets its own company in it, so tests never see each other's
# data (the company is the tenant key of every table).

import itertools  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from datetime import date  # noqa: E402

from sqlalchemy import Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from owed.adapters.db.engine import ensure_schema, make_engine, normalize_url  # noqa: E402
from owed.adapters.db.uow import SqlUnitOfWork  # noqa: E402
from owed.domain.clock import FixedClock  # noqa: E402
from owed.services.companies import CreateCompany, create_company  # noqa: E402
from owed.services.users import AddUser, add_user  # noqa: E402


def _server_url() -> str | None:
    return os.environ.get("OWED_TEST_DATABASE_URL") or None


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = _server_url()
    if server is None:
        path = tmp_path_factory.mktemp("db") / "owed-test.db"
        yield f"sqlite:///{path}"
        return
    url = make_url(normalize_url(server))
    name = f"owed_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # the server must be there when asked for: fail, never skip
        pytest.fail(f"cannot reach PostgreSQL at {server}: {exc}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()


_company_numbers = itertools.count(1)


@dataclass
class Env:
    """A fresh company in the test database, with a clock and users."""

    engine: Engine
    code: str
    clock: FixedClock

    def uow(self, username: str | None = "admin") -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine, self.code, username, self.clock)

    def add_user(self, username: str, *roles: str) -> str:
        add_user(AddUser(username, roles), self.uow("admin"))
        return username

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


def make_env(
    engine: Engine,
    *,
    allow_combined_duties: bool = True,
    today: date = date(2026, 3, 15),
    currency: str = "USD",
) -> Env:
    code = f"T{next(_company_numbers)}-{uuid.uuid4().hex[:6]}"
    clock = FixedClock.on(today)
    create_company(
        CreateCompany(
            code=code,
            name=f"Test company {code}",
            base_currency=currency,
            admin_username="admin",
            allow_combined_duties=allow_combined_duties,
        ),
        SqlUnitOfWork(engine, code, None, clock, creating=True),
    )
    return Env(engine, code, clock)


@pytest.fixture
def env(engine: Engine) -> Env:
    return make_env(engine)
