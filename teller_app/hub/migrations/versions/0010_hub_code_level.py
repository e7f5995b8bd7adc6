"""The database's control level (``hub_code_level``, one row): the lowest hub code level
(``hub/api_version.HUB_CODE_LEVEL``) whose processes may still write (``hub/code_level.py``).

Additive: a new table, its one row at 0 (nothing refused). ``teller-hub migrate`` then raises
it to its code's level; processes of releases before this one never read it.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "hub_code_level",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("min_hub_code", sa.Integer, nullable=False),
        sa.Column("raised_at", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "min_hub_code": 0, "raised_at": int(time.time())}])


def downgrade() -> None:
    op.drop_table("hub_code_level")
