"""Phone number checks per employee in the current minute (``phone_lookups``, one row per
employee): the hub's limit on asking whether a number is held (``hub/phone_probe_limit``),
shared by every hub process.

Additive: processes of earlier releases never notice it (they do not limit the checks).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_lookups",
        sa.Column("actor", sa.String(254), primary_key=True),
        sa.Column("window_start", sa.BigInteger, nullable=False),
        sa.Column("lookups", sa.Integer, nullable=False),
        sa.Column("noted", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("phone_lookups")
