"""A throw-away database for benchmarks: a temporary SQLite file or a scratch PostgreSQL DB."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from owed.adapters.db.engine import ensure_schema, make_engine, normalize_url


@contextmanager
def scratch_engine(server_url: str | None) -> Iterator[Engine]:
    if not server_url:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
            ensure_schema(engine)
            try:
                yield engine
            finally:
                engine.dispose()
        return
    url = make_url(normalize_url(server_url))
    name = f"owed_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(url.set(database=name).render_as_string(hide_password=False))
    try:
        ensure_schema(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
