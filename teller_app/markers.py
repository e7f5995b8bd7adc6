"""Tiny shared constants with no imports, usable from every layer (platform, cache, core, ui).

Approval marker customers (``core/approvals.py``) are platform customers whose ``login``
starts with ``APPROVAL_LOCK_LOGIN_PREFIX``: they carry a decision, not a person, and no
search, count, list or card ever shows them.
"""

from __future__ import annotations

APPROVAL_LOCK_LOGIN_PREFIX = "approval-lock:"
HIDDEN_LOGIN_PREFIXES: tuple[str, ...] = (APPROVAL_LOCK_LOGIN_PREFIX,)


def is_hidden_login(login: str | None) -> bool:
    """True for a login that belongs to a bookkeeping customer, not a person."""
    return bool(login) and str(login).startswith(HIDDEN_LOGIN_PREFIXES)
