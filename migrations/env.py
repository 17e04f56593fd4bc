"""Alembic environment: the URL comes from Civic's settings (or the caller), every model is imported."""

from alembic import context
from sqlmodel import SQLModel

from civic.db import import_all_models, make_engine
from civic.settings import load_settings

import_all_models()
target_metadata = SQLModel.metadata
config = context.config


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or load_settings().database_url
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
