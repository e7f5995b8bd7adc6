"""Spent DCM X-Session-ID token ids (``dcm_token_jtis``): the Auth Service takes each
``jti`` once, across every hub process (``hub/token_replay.py``).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dcm_token_jtis",
        sa.Column("jti_hash", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_dcm_token_jtis_expires_at", "dcm_token_jtis", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_dcm_token_jtis_expires_at", table_name="dcm_token_jtis")
    op.drop_table("dcm_token_jtis")
