"""Till tables (issue 15): till sessions with their lease, cash operations, vault transfers,
the branch vaults and their counts, cash authorizations (the cumulative limits), voids and the
limits row. Revision 0003 creates them (0005 adds ``confirm_asked_at``; 0008 the close's
co-sign and order, and ``vault_counts``; 0009 one pending vault count per branch; 0014 the
indexes a branch's cash position reads by; 0015 those of what a till owes and the day's cash
totals; 0016 a close's set-aside payments). Money is
integer kopiyky (``*_minor``): exact on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from .db import metadata

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

tills = sa.Table(  # one row per till session (open → closed)
    "tills", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("till_code", sa.String(32), nullable=False),
    sa.Column("branch_guid", sa.String(64), nullable=True, index=True),
    sa.Column("teller", sa.String(254), nullable=False, index=True),
    # cosign (the opening count waits) | open | close_cosign (the close waits) | closed
    sa.Column("state", sa.String(16), nullable=False),
    # Set while not closed, NULL after: one live session per till and per teller.
    sa.Column("active_key", sa.String(100), nullable=True, unique=True),
    sa.Column("active_teller", sa.String(254), nullable=True, unique=True),
    sa.Column("opened_at", sa.BigInteger, nullable=False),
    sa.Column("open_counts", sa.Text, nullable=False),
    sa.Column("open_minor", sa.BigInteger, nullable=False),
    sa.Column("prev_close_minor", sa.BigInteger, nullable=True),
    sa.Column("cosigned_by", sa.String(254), nullable=True),
    sa.Column("cosigned_at", sa.BigInteger, nullable=True),
    sa.Column("desk_id", sa.String(64), nullable=False),
    sa.Column("lease_until", sa.BigInteger, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("closed_at", sa.BigInteger, nullable=True),
    sa.Column("close_counts", sa.Text, nullable=True),
    sa.Column("close_minor", sa.BigInteger, nullable=True),
    sa.Column("expected_minor", sa.BigInteger, nullable=True),
    sa.Column("over_short_minor", sa.BigInteger, nullable=True),
    sa.Column("close_reason", sa.String(300), nullable=True),
    # Revision 0008: who co-signed an over/short past the tolerance, and the close's place
    # among the till code's closes (1, 2, ...): "previous close" never hangs on a clock tie.
    sa.Column("close_cosigned_by", sa.String(254), nullable=True),
    sa.Column("close_cosigned_at", sa.BigInteger, nullable=True),
    sa.Column("close_seq", sa.BigInteger, nullable=True),
    # Revision 0016: the payments a close waiting for its co-sign sets aside, as the close
    # read them on DCM (JSON, ``till_authorized.Mismatch.out``): the branch position says
    # them without reading DCM at each poll, from the hub's own record, never a desk's.
    sa.Column("close_set_aside", sa.Text, nullable=True),
    # Revision 0014: a branch's live tills, its closed ones by each code's highest number, one
    # code's closes (the position, a close's number, an opening's previous close).
    sa.Index("ix_tills_branch_guid_state_till_code_close_seq", "branch_guid", "state",
             "till_code", "close_seq"),
)

till_ops = sa.Table(  # what moved the expected cash position
    "till_ops", metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("till_id", sa.String(36), nullable=False, index=True),
    sa.Column("payment_guid", sa.String(64), nullable=True, unique=True),  # counted once
    sa.Column("transfer_id", sa.String(36), nullable=True, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),  # deposit|withdrawal|to_till|to_vault
    sa.Column("category", sa.String(8), nullable=False, server_default=""),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("delta_minor", sa.BigInteger, nullable=False),
    sa.Column("customer_guid", sa.String(64), nullable=False, server_default=""),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

till_transfers = sa.Table(
    "till_transfers", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("till_id", sa.String(36), nullable=False, index=True),
    sa.Column("branch_guid", sa.String(64), nullable=True),
    sa.Column("direction", sa.String(16), nullable=False),  # to_till | to_vault
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("requested_by", sa.String(254), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | approved | rejected
    sa.Column("decided_by", sa.String(254), nullable=True),
    sa.Column("decided_at", sa.BigInteger, nullable=True),
    sa.Column("comment", sa.String(300), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # Revision 0014: the transfers waiting for a supervisor in a branch (its position)
    sa.Index("ix_till_transfers_state_branch_guid", "state", "branch_guid"),
)

vaults = sa.Table(
    "vaults", metadata,
    sa.Column("branch_key", sa.String(64), primary_key=True),  # branch guid, "" = head office
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(254), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

vault_counts = sa.Table(  # a supervisor's count; one differing from the book waits for another
    "vault_counts", metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("branch_key", sa.String(64), nullable=False, index=True),
    sa.Column("counts", sa.Text, nullable=False),
    sa.Column("counted_minor", sa.BigInteger, nullable=False),
    sa.Column("book_minor", sa.BigInteger, nullable=False),  # the vault's balance then
    sa.Column("difference_minor", sa.BigInteger, nullable=False),  # counted - book
    sa.Column("reason", sa.String(300), nullable=True),
    sa.Column("counted_by", sa.String(254), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),  # pending | applied | superseded
    sa.Column("decided_by", sa.String(254), nullable=True),
    sa.Column("decided_at", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)
# Revision 0009: at most one count of a branch's vault waits for its co-sign.
sa.Index("uq_vault_counts_pending", vault_counts.c.branch_key, unique=True,
         sqlite_where=vault_counts.c.state == "pending",
         postgresql_where=vault_counts.c.state == "pending")

cash_authorizations = sa.Table(
    "cash_authorizations", metadata,
    sa.Column("payment_guid", sa.String(64), primary_key=True),
    sa.Column("teller", sa.String(254), nullable=False, index=True),
    sa.Column("till_id", sa.String(36), nullable=True),
    sa.Column("branch_guid", sa.String(64), nullable=True),  # the customer's branch
    sa.Column("customer_guid", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),  # allow | needs_approval
    sa.Column("reasons", sa.String(300), nullable=False, server_default=""),
    sa.Column("day", sa.String(10), nullable=False, index=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # When the desk last asked before a confirm (revision 0005): a void waits out the grace.
    sa.Column("confirm_asked_at", sa.BigInteger, nullable=True),
    # Revision 0015: a till's drafts (what it owes and holds back: GET /tills/current, a
    # close, a withdrawal's decision), a teller's and a customer's day (the cash limits)
    sa.Index("ix_cash_authorizations_till_id", "till_id"),
    sa.Index("ix_cash_authorizations_teller_day", "teller", "day"),
    sa.Index("ix_cash_authorizations_customer_guid_day", "customer_guid", "day"),
)

cash_voids = sa.Table(
    "cash_voids", metadata,
    sa.Column("payment_guid", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),  # void (teller) | reject (supervisor)
    sa.Column("actor", sa.String(254), nullable=False),
    sa.Column("owner", sa.String(254), nullable=False),  # the teller whose draft it was
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("branch_guid", sa.String(64), nullable=True, index=True),
    sa.Column("customer_guid", sa.String(64), nullable=False, server_default=""),
    sa.Column("amount_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

cash_limits = sa.Table(
    "cash_limits", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("updated_by", sa.String(254), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)
