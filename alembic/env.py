"""Alembic environment: migrates the connection govwatch hands it, or the configured URL."""

from __future__ import annotations

from sqlalchemy import create_engine

import storage.service_models  # noqa: F401  (registers the service's tables on Base)
from alembic import context
from storage import web_models  # noqa: F401  (registers the dashboard sessions table)
from storage.models import Base

target_metadata = Base.metadata


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    from settings import get_settings

    engine = create_engine(get_settings().database_url)
    with engine.begin() as own_connection:
        context.configure(
            connection=own_connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
