"""Engines for SQLite (default) and PostgreSQL, and the schema upgrade.

SQLite: WAL journal, foreign keys on, a busy timeout, and ``BEGIN IMMEDIATE``
for every transaction so two writers queue instead of failing on a lock
upgrade. PostgreSQL: psycopg 3. The schema is created and upgraded only by
Alembic migrations (``upgrade``), run implicitly on first use.

Every command checks the schema, so the check does without Alembic: the stored
revision is one query, and the newest one is read from the migration scripts'
``revision`` / ``down_revision`` lines. Alembic (a third of a second to import)
is imported only when a migration runs, or when the scripts are not one plain
chain and Alembic has to judge.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"  # Alembic's default, which env.py keeps
_REVISION_LINE = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$", re.MULTILINE)


def normalize_url(url: str) -> str:
    """Accept ``postgresql://`` and ``postgres://`` and route them to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # A COMMIT that SQLite refuses (a deferred foreign key) leaves the
        # transaction open while SQLAlchemy believes it ended and skips its
        # reset: roll back here, or the pooled connection keeps the write lock.
        if dbapi_conn.in_transaction:
            dbapi_conn.rollback()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


@cache
def _head_revision() -> str | None:
    return _scripts_head() or _alembic_head()


def _scripts_head() -> str | None:
    """The one revision no script names as its ``down_revision``; None when unsure."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = {m[1]: m[2] for m in _REVISION_LINE.finditer(path.read_text("utf-8"))}
        try:
            revision = ast.literal_eval(found["revision"])
            down = ast.literal_eval(found.get("down_revision", "None"))
        except (KeyError, SyntaxError, ValueError):
            return None  # a script written some other way: ask Alembic
        if not isinstance(revision, str):
            return None
        revisions.add(revision)
        for parent in down if isinstance(down, tuple | list) else (down,):
            if parent is not None:
                parents.add(str(parent))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and parents <= revisions else None


def _alembic_head() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_plain_config()).get_current_head()


def _plain_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database; None before the first migration."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        stamped = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    if len(stamped) <= 1:
        return stamped[0] if stamped else None
    from alembic.runtime.migration import MigrationContext  # branches: Alembic explains

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def ensure_schema(engine: Engine) -> bool:
    """Upgrade to the newest schema if needed; True when something was applied."""
    if current_revision(engine) == _head_revision():
        return False
    upgrade(engine)
    return True
