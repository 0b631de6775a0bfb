"""Alembic environment: runs migrations on the engine Owed hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from owed.adapters.db import (
    schema_cash,  # noqa: F401  (registers its tables)
    schema_collections,  # noqa: F401  (registers its tables)
    schema_disputes,  # noqa: F401  (registers its tables)
    schema_reporting,  # noqa: F401  (registers its tables)
)
from owed.adapters.db.engine import normalize_url
from owed.adapters.db.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no engine or sqlalchemy.url given to the migration environment")
        engine = create_engine(normalize_url(url))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported; run `owed db upgrade`")
run_migrations_online()
