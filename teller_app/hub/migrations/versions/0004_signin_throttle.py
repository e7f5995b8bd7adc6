"""Sign-in throttling: failure counters shared by every hub process (``signin_failures``,
keyed by an HMAC) and the hub's own random keys sealed with the master key (``hub_keys``).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signin_failures",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_at", sa.BigInteger, nullable=False),
        sa.Column("locked_until", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_signin_failures_last_at", "signin_failures", ["last_at"])
    op.create_table(
        "hub_keys",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary, nullable=False),
        sa.Column("ciphertext", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("hub_keys")
    op.drop_index("ix_signin_failures_last_at", table_name="signin_failures")
    op.drop_table("signin_failures")
