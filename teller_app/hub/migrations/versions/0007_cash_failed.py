"""Cash drafts the hub read ``FAILED`` on DCM (``cash_failed``): final, so no till holds
them back or keeps open for them (``hub/cash_failed.py``).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cash_failed",
        sa.Column("payment_guid", sa.String(64), primary_key=True),
        sa.Column("read_at", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cash_failed")
