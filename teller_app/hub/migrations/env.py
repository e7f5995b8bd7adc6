"""Alembic environment: always given a live connection by ``teller_app.hub.migrate``."""

from __future__ import annotations

from alembic import context

from teller_app.hub.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `teller-hub migrate`, not the alembic CLI")
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
