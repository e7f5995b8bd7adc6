"""``tills.close_set_aside``: the payments a close waiting for its supervisor's co-sign sets
aside (confirmed on DCM unlike the hub's authorization), with what the close read DCM
confirmed, as JSON. The branch position says them from this, the hub's own record, without
reading DCM at each poll and never from an audit row a desk could have written.

Additive and nullable: a process of an earlier release closes without writing it (the
position then names those payments by the hub's authorization only) and reads the same rows.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tills", sa.Column("close_set_aside", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("tills", "close_set_aside")
