"""Alembic environment: one history for SQLite and PostgreSQL, bound to SQLModel.metadata."""

from __future__ import annotations

from logging.config import fileConfig

from sqlmodel import SQLModel

import bbbms_app.models  # noqa: F401  (registers every table)
from alembic import context
from bbbms_app import db, settings
from bbbms_app.models import comparison

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def _url() -> str:
    return config.attributes.get("url") or settings.get().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with db.engine(_url()).connect() as conn:
        if conn.dialect.name != "sqlite":
            _run(conn)
            conn.commit()
            return
        # SQLite: a table rebuild (batch mode: copy, DROP the old table, rename the copy) must run
        # with foreign keys off, or dropping a referenced table fails or acts on the rows that
        # point at it. The pragma only works outside a transaction (on SQLite Alembic commits each
        # migration on its own); a rebuilding migration runs `PRAGMA foreign_key_check` before its
        # commit (0008_house), and the connection gets its foreign keys back whatever happens.
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            _run(conn)
            conn.commit()
        finally:
            conn.rollback()
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table.
        render_as_batch=connection.dialect.name == "sqlite",
        # Types and server defaults, FTS5 tables left out (models/comparison.py).
        **comparison.options(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
