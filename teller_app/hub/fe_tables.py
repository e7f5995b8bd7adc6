"""Four-eyes tables (issue 10): commands, events, the audit chain, policy, alerts, the
watcher's snapshots/cursor and leases. Revision 0002 creates them (0013 and 0014 add read
indexes); times are Unix seconds (``*_ms`` columns: milliseconds) like the rest of the hub."""

from __future__ import annotations

import sqlalchemy as sa

from .db import metadata

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite: INTEGER PK = rowid

commands = sa.Table(
    "commands", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("customer_guid", sa.String(64), nullable=False, index=True),
    sa.Column("branch_guid", sa.String(64), nullable=True, index=True),
    sa.Column("change_json", sa.Text, nullable=False),  # canonical JSON, immutable
    sa.Column("change_sha256", sa.String(64), nullable=False),
    sa.Column("before_json", sa.Text, nullable=False, server_default="{}"),
    sa.Column("maker", sa.String(254), nullable=False, index=True),
    sa.Column("reason", sa.String(300), nullable=False, server_default=""),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),
    sa.Column("checker", sa.String(254), nullable=True),
    sa.Column("checker_source", sa.String(8), nullable=True),  # hub (Mode B) | dcm (Mode A)
    sa.Column("decided_at", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.String(300), nullable=True),
    sa.Column("execution_started_at", sa.BigInteger, nullable=True),
    sa.Column("finished_at", sa.BigInteger, nullable=True),
    sa.Column("result", sa.String(1000), nullable=True),
    sa.Column("interrupted_reported_at", sa.BigInteger, nullable=True),
)

events = sa.Table(
    "events", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("ts_ms", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(48), nullable=False),
    sa.Column("branch_guid", sa.String(64), nullable=True),
    sa.Column("to_supervisors", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("to_email", sa.String(254), nullable=True),
    sa.Column("data", sa.Text, nullable=False),
    # Revision 0014: the hourly prune deletes by age without reading the table
    sa.Index("ix_events_ts_ms", "ts_ms"),
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("ts_ms", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("desk_id", sa.String(64), nullable=False, server_default=""),
    sa.Column("branch_guid", sa.String(64), nullable=True, index=True),  # 0002; kept
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entity", sa.String(200), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False),  # canonical JSON
    sa.Column("client_id", sa.String(64), nullable=True, unique=True),  # desk outbox dedupe
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
    # GET /audit: a time window as a seq range; a branch's or an actor's rows in seq order
    sa.Index("ix_audit_log_ts_ms_seq", "ts_ms", "seq"),
    sa.Index("ix_audit_log_branch_guid_seq", "branch_guid", "seq"),
    sa.Index("ix_audit_log_actor_seq", "actor", "seq"),
)

audit_lock = sa.Table(  # one row; writing it first serialises appenders (SQLite)
    "audit_lock", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("n", sa.BigInteger, nullable=False, server_default="0"),
)

policy = sa.Table(
    "policy", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(254), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

alerts = sa.Table(
    "alerts", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("customer_guid", sa.String(64), nullable=False, index=True),
    sa.Column("branch_guid", sa.String(64), nullable=True),
    sa.Column("detected_at", sa.BigInteger, nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="open"),
    sa.Column("acknowledged_by", sa.String(254), nullable=True),
    sa.Column("acknowledged_at", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.String(300), nullable=True),
    # Revision 0014: GET /alerts, newest first in a state (head office) or a branch's
    sa.Index("ix_alerts_state_id", "state", "id"),
    sa.Index("ix_alerts_branch_guid_state_id", "branch_guid", "state", "id"),
)

customer_snapshots = sa.Table(
    "customer_snapshots", metadata,
    sa.Column("customer_guid", sa.String(64), primary_key=True),
    sa.Column("fields", sa.Text, nullable=False),
    sa.Column("seen_at", sa.BigInteger, nullable=False),
)

leases = sa.Table(
    "leases", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("holder", sa.String(64), nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
    sa.Column("cursor", sa.String(64), nullable=True),  # the holder's task's own cursor
)
