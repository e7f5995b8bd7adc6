"""Alembic migration scripts of the hub (run through ``teller_app.hub.migrate``)."""
