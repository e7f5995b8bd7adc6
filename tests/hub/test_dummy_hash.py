"""The constant dummy hashes (verified for unknown e-mails, so timing reveals nobody) must
cost what a real hash costs: same argon2 parameters as the hasher that makes real ones."""

from teller_app.hub import employees
from teller_app.sandbox import passwords


def test_hub_dummy_hash_has_the_hashers_cost() -> None:
    assert not employees._HASHER.check_needs_rehash(employees._DUMMY_HASH)


def test_sandbox_dummy_hash_has_the_hashers_cost() -> None:
    assert not passwords._HASHER.check_needs_rehash(passwords._DUMMY)
    assert passwords.check_password("anything", None) is False
