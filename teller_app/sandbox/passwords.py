"""Employee password hashes: argon2id at OWASP's minimum cost (19 MiB, t=2, p=1; ~30-50 ms),
with the sandbox's older PBKDF2 ``salt$hex`` hashes still accepted (and upgraded on login)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Verified for unknown e-mails and unusable hashes, so a missing user costs the same time as
# a wrong password (no user enumeration by timing). A constant of a random, unrecorded
# password at _HASHER's cost: hashing one at import cost every sandbox start ~50-150 ms.
_DUMMY = ("$argon2id$v=19$m=19456,t=2,p=1$jIMhdJmR1rI3ICotjKs00A"
          "$wYVQJlAioUdsEoLB3qUmrSh9O5JcNdyHZRr2DsDysGE")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def _legacy(password: str, stored: str) -> bool:
    salt, _, digest = stored.partition("$")
    mine = hashlib.pbkdf2_hmac("sha256", password.encode(), salt.encode(), 5000).hex()
    return secrets.compare_digest(mine, digest)


def check_password(password: str, stored: str | None) -> bool:
    """Constant work whatever ``stored`` is (None = no such employee)."""
    if stored and stored.startswith("$argon2"):
        try:
            return _HASHER.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    with contextlib.suppress(VerifyMismatchError):
        _HASHER.verify(_DUMMY, password + "\x00never")
    return bool(stored) and "$" in str(stored) and _legacy(password, str(stored))


def needs_upgrade(stored: str) -> bool:
    return not stored.startswith("$argon2") or _HASHER.check_needs_rehash(stored)
