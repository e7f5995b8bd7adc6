"""Four-eyes (issue 10): commands, events, append-only audit chain, policy, alerts, watcher.

The audit table refuses UPDATE/DELETE (and TRUNCATE on PostgreSQL) with triggers. On
PostgreSQL, set ``TELLER_HUB_DB_APP_ROLE`` when migrating to also REVOKE UPDATE, DELETE,
TRUNCATE on it from the hub's runtime role (the migrating role should be a different owner).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import os
import re

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "commands",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("customer_guid", sa.String(64), nullable=False),
        sa.Column("branch_guid", sa.String(64), nullable=True),
        sa.Column("change_json", sa.Text, nullable=False),
        sa.Column("change_sha256", sa.String(64), nullable=False),
        sa.Column("before_json", sa.Text, nullable=False, server_default="{}"),
        sa.Column("maker", sa.String(254), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False, server_default=""),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("checker", sa.String(254), nullable=True),
        sa.Column("checker_source", sa.String(8), nullable=True),
        sa.Column("decided_at", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.String(300), nullable=True),
        sa.Column("execution_started_at", sa.BigInteger, nullable=True),
        sa.Column("finished_at", sa.BigInteger, nullable=True),
        sa.Column("result", sa.String(1000), nullable=True),
        sa.Column("interrupted_reported_at", sa.BigInteger, nullable=True),
    )
    for col in ("customer_guid", "branch_guid", "maker", "state"):
        op.create_index(f"ix_commands_{col}", "commands", [col])
    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(48), nullable=False),
        sa.Column("branch_guid", sa.String(64), nullable=True),
        sa.Column("to_supervisors", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("to_email", sa.String(254), nullable=True),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("ts_ms", sa.BigInteger, nullable=False),
        sa.Column("actor", sa.String(254), nullable=False),
        sa.Column("desk_id", sa.String(64), nullable=False, server_default=""),
        sa.Column("branch_guid", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("entity", sa.String(200), nullable=False, server_default=""),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("client_id", sa.String(64), nullable=True, unique=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_log_branch_guid", "audit_log", ["branch_guid"])
    op.create_table(
        "audit_lock",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
    )
    op.execute("INSERT INTO audit_lock (id, n) VALUES (1, 0)")
    op.create_table(
        "policy",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
        sa.Column("updated_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("customer_guid", sa.String(64), nullable=False),
        sa.Column("branch_guid", sa.String(64), nullable=True),
        sa.Column("detected_at", sa.BigInteger, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("acknowledged_by", sa.String(254), nullable=True),
        sa.Column("acknowledged_at", sa.BigInteger, nullable=True),
        sa.Column("comment", sa.String(300), nullable=True),
    )
    op.create_index("ix_alerts_customer_guid", "alerts", ["customer_guid"])
    op.create_table(
        "customer_snapshots",
        sa.Column("customer_guid", sa.String(64), primary_key=True),
        sa.Column("fields", sa.Text, nullable=False),
        sa.Column("seen_at", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "leases",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("cursor", sa.String(64), nullable=True),
    )
    _append_only()


def _append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_log_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
            END $$""")
        op.execute("CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION audit_log_refuse()")
        op.execute("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse()")
        role = os.environ.get("TELLER_HUB_DB_APP_ROLE", "")
        if role:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", role):
                raise ValueError("TELLER_HUB_DB_APP_ROLE must be a plain role name")
            op.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM "{role}"')
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                       f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_refuse()")
    for name in ("leases", "customer_snapshots", "alerts", "policy", "audit_lock", "audit_log",
                 "events", "commands"):
        op.drop_table(name)
