"""The demo world: created once per data dir (its customers: ``generator.py``)."""

from __future__ import annotations

import json
import os
import random
import secrets
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from . import emission, ledger
from .db import Store, new_guid
from .generator import ASSET_CODE, ASSET_ISSUER, generate_customers
from .passwords import hash_password

WORLD_VERSION = "1"
STELLAR_CODE = "eUAH"
# A second asset customers may hold (an additional account, §3.4), never issued in the demo.
SECOND_ASSET = {"code": "EUR", "issuer": "GCT443CRT464B5C43R7RERBTBE6TCBQ7C7B5FF2C52F76TF3A6A4FFB2",
                "stellar_code": "eEUR", "minor_unit": 2, "name": "Euro"}
DEFAULT_TELLER_CONFIRM_LIMIT = 10_000_00  # 10 000.00 UAH in kopiykas
PRIVATE_KEY_FILE = "bank_jwt_private.pem"

CATEGORIES = [
    ("01", "Cash withdrawal at an ATM"),
    ("02", "Cash withdrawal at the bank's cash desk"),
    ("03", "Cash withdrawal from POS"),
    ("04", "Cash replenishment through the bank's cash desk"),
    ("10", "Payment by requisites"),
    ("11", "Payment for eCOM services (within the bank)"),
    ("12", "Payment for eCOM services (third-party resources)"),
    ("13", "Payment by POS"),
    ("14", 'Payment via QR ("DirectPay")'),
    ("20", "Transfer to account (within the bank)"),
    ("21", "Transfer to an account (to another bank)"),
    ("30", "Transfer from another account (within the bank)"),
    ("31", "Top up from another account (third-party bank/resource)"),
    ("32", "Card top-up"),
    ("40", "Deduction of bank commission"),
    ("50", "Technical payments (chargebacks, etc.)"),
    ("51", "Full refund"),
    ("52", "Refund of part of the amount"),
]

SCOPES = (
    "accounts", "customers", "payments", "employees", "branches", "limits", "emission",
    "roles", "recons", "segments", "categories", "jwk",
)
VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_GROUPS = {
    "accounts": "Account Access", "employees": "Employees Access",
    "branches": "Branches Access", "customers": "Customers Access",
}
TELLER = [
    ("customers", "GET"), ("customers", "POST"), ("customers", "PUT"),
    ("accounts", "GET"), ("accounts", "POST"), ("payments", "GET"), ("payments", "POST"),
    ("employees", "GET"), ("branches", "GET"), ("segments", "GET"), ("categories", "GET"),
    ("limits", "GET"),
]
# Permissions are HTTP verb x first path segment (PLATFORM_API §3.3), nothing else: which
# changes need a second person is the bank's policy on the Teller Hub, not a DCM permission.
SUPERVISOR = [*TELLER, ("limits", "POST"), ("emission", "GET")]


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _perm_guid(kind: str, verb: str, scope: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"dcm-sandbox:{kind}:{verb}:{scope}"))


def _seed_permissions(store: Store) -> None:
    rows = []
    for gi, scope in enumerate(SCOPES):
        for si, verb in enumerate(VERBS):
            rows.append((_perm_guid("endpoint", verb, scope), "endpoint", verb, scope,
                         f"{verb} {scope}", _GROUPS.get(scope, scope.title() + " Access"), gi, si))
    for si, (scope, verb) in enumerate(
        [(s, v) for s in ("customers", "employees") for v in ("GET", "POST", "PUT")]
    ):
        rows.append((_perm_guid("branch", verb, scope), "branch", verb, scope,
                     f"{verb} {scope}", _GROUPS[scope], 0, si))
    store.conn.executemany(
        "INSERT OR IGNORE INTO permissions (guid, keto_kind, keto_permission, scope, name, "
        "group_name, group_sort_number, sort_number) VALUES (?,?,?,?,?,?,?,?)",
        rows,
    )


def seed_roles(store: Store, cp: str) -> None:
    now = store.now()
    all_endpoint = [r[0] for r in store.all(
        "SELECT guid FROM permissions WHERE keto_kind = 'endpoint'")]
    roles = {
        "Administrator": all_endpoint,
        "Supervisor": [_perm_guid("endpoint", v, s) for s, v in SUPERVISOR],
        "Teller": [_perm_guid("endpoint", v, s) for s, v in TELLER],
        "Auditor": [_perm_guid("endpoint", "GET", s) for s in SCOPES],
    }
    for role, perms in roles.items():
        store.conn.execute(
            "INSERT OR IGNORE INTO roles (counterparty_guid, name, created_at) VALUES (?,?,?)",
            (cp, role, now),
        )
        store.conn.executemany(
            "INSERT OR IGNORE INTO role_permissions VALUES (?,?,?)",
            [(cp, role, p) for p in perms],
        )


def _create_counterparty(store: Store, name: str, mfo: str) -> dict[str, str]:
    cp = new_guid()
    now = store.now()
    keeper = new_guid()
    store.conn.execute(
        "INSERT INTO counterparties (guid, name, asset_code, asset_issuer, auto_issue, auto_burn, "
        "teller_confirm_limit, key_keeper_guid, key_keeper_login, mfo, created_at, updated_at) "
        "VALUES (?,?,?,?,0,0,?,?,?,?,?,?)",
        (cp, name, ASSET_CODE, ASSET_ISSUER, DEFAULT_TELLER_CONFIRM_LIMIT, keeper,
         f"keykeeper@{name.lower().replace(' ', '')}", mfo, now, now),
    )
    for kind in ("customer", "processing", "emission"):
        store.conn.execute(
            "INSERT INTO account_types (guid, counterparty_guid, kind, asset_code, asset_issuer, "
            "segment_name) VALUES (?,?,?,?,?,?)",
            (new_guid(), cp, kind, ASSET_CODE, ASSET_ISSUER,
             "retail" if kind == "customer" else ""),
        )
    emission_acc = ledger.create_account(store, counterparty_guid=cp, owner_guid=keeper,
                                         kind="emission")
    processing_acc = ledger.create_account(store, counterparty_guid=cp, owner_guid=keeper,
                                           kind="processing")
    store.conn.execute(
        "UPDATE counterparties SET emission_account_guid = ?, processing_account_guid = ? "
        "WHERE guid = ?",
        (emission_acc, processing_acc, cp),
    )
    seed_roles(store, cp)
    return {"guid": cp, "emission": emission_acc, "processing": processing_acc, "keeper": keeper}


def _create_branch(store: Store, cp: dict[str, str], name: str) -> dict[str, str]:
    guid = new_guid()
    now = store.now()
    store.conn.execute(
        "INSERT INTO branches (guid, counterparty_guid, name, created_at, updated_at) "
        "VALUES (?,?,?,?,?)",
        (guid, cp["guid"], name, now, now),
    )
    acc = ledger.create_account(store, counterparty_guid=cp["guid"], owner_guid=cp["keeper"],
                                kind="processing", branch_guid=guid)
    return {"guid": guid, "name": name, "processing_account_guid": acc}


def create_employee(
    store: Store, cp: str, email: str, password: str, roles: list[str],
    branch_guid: str | None, name: str = "", surname: str = "", *,
    password_hash: str | None = None,
) -> str:
    """``password_hash``: already hashed (``_first_start_secrets``), else hashed here."""
    if password_hash is None:
        password_hash = hash_password(password) if password else ""
    guid = new_guid()
    now = store.now()
    store.conn.execute(
        "INSERT INTO employees (guid, counterparty_guid, email, login, name, surname, "
        "branch_guid, password_hash, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (guid, cp, email, email, name, surname, branch_guid, password_hash, now, now),
    )
    store.conn.executemany(
        "INSERT OR IGNORE INTO employee_roles VALUES (?, ?)", [(guid, r) for r in roles]
    )
    return guid


def _first_start_secrets(
    count: int,
) -> tuple[list[tuple[str, str]], rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    """``count`` new (password, argon2 hash) pairs and two RSA keys (the bank's, DCM's),
    made on threads: ~250 ms of a first start one after the other, about half on two cores
    (argon2 and OpenSSL release the GIL)."""
    passwords = [new_password() for _ in range(count)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = [pool.submit(_rsa_key) for _ in range(2)]
        hashes = list(pool.map(hash_password, passwords))
        bank, dcm = (k.result() for k in keys)
    return list(zip(passwords, hashes, strict=True)), bank, dcm


def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwk(key: Any, kid: str) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return dict(jwk)


def _issue_and_fund(store: Store, cp: dict[str, str], branches: list[dict[str, str]],
                    total: int, per_branch: int) -> None:
    emission.create_request(store, cp["guid"], "issue", total, total, "sandbox", auto=True)
    ledger.transfer(store, cp["guid"], cp["emission"], cp["processing"], total, purpose="funding")
    for br in branches:
        ledger.transfer(store, cp["guid"], cp["processing"], br["processing_account_guid"],
                        per_branch, purpose="branch funding")


def ensure_world(store: Store, data_dir: Path) -> dict[str, Any]:
    """Create the demo world on the first start of a data dir; return the world description."""
    raw = store.meta("world")
    if raw is not None:
        ensure_second_asset(store)  # also for a data dir made before it existed
        return dict(json.loads(raw))
    rng = random.Random()
    with store.tx():
        store.set_meta("asset_code", ASSET_CODE)
        store.set_meta("asset_issuer", ASSET_ISSUER)
        store.set_meta("asset_stellar_code", STELLAR_CODE)
        _seed_permissions(store)
        now = store.now()
        store.conn.executemany(
            "INSERT INTO categories (guid, name, description, created_at, updated_at) "
            "VALUES (?,?,?,?,?)",
            [(new_guid(), code, text, now, now) for code, text in CATEGORIES],
        )
        ledger.root_account(store)
        demo = _create_counterparty(store, "Demo Bank", "300001")
        branches = [_create_branch(store, demo, "Київ, Хрещатик"),
                    _create_branch(store, demo, "Львів, Ринок")]
        staff = [
            ("teller.kyiv@demo.bank", ["Teller"], 0, "Оксана", "Мельник"),
            ("supervisor.kyiv@demo.bank", ["Supervisor"], 0, "Тарас", "Гнатюк"),
            ("teller.lviv@demo.bank", ["Teller"], 1, "Остап", "Стефаник"),
            ("supervisor.lviv@demo.bank", ["Supervisor"], 1, "Соломія", "Яворська"),
            ("admin@demo.bank", ["Administrator"], None, "Ірина", "Коваль"),
        ]
        employees = []
        hashed, bank_key, dcm_key = _first_start_secrets(len(staff) + 1)
        for (email, roles, bi, name, surname), (password, pw_hash) in zip(
                staff, hashed[:-1], strict=True):
            branch = branches[bi]["guid"] if bi is not None else None
            guid = create_employee(store, demo["guid"], email, password, roles, branch,
                                   name, surname, password_hash=pw_hash)
            employees.append({"email": email, "password": password, "roles": roles,
                              "branch_guid": branch, "guid": guid, "name": name,
                              "surname": surname})
        _issue_and_fund(store, demo, branches, 10_000_000_00, 3_000_000_00)

        other = _create_counterparty(store, "Other Bank", "300002")
        _issue_and_fund(store, other, [], 1_000_000_00, 0)
        other_admin_pw, other_hash = hashed[-1]
        other_admin = create_employee(store, other["guid"], "admin@other.bank", other_admin_pw,
                                      ["Administrator"], None, "Петро", "Франко",
                                      password_hash=other_hash)

        # Mode B: the bank's signing key (private part on disk, public part registered).
        kid = "demo-bank-" + secrets.token_hex(4)
        key_path = data_dir / PRIVATE_KEY_FILE
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_pem(bank_key))
        os.chmod(key_path, 0o600)
        store.conn.execute(
            "INSERT INTO jwks (guid, counterparty_guid, kid, data, created_at, updated_at) "
            "VALUES (?,?,?,?,?,?)",
            (new_guid(), demo["guid"], kid, json.dumps(public_jwk(bank_key, kid)), now, now),
        )
        store.set_meta("dcm_private_pem", _pem(dcm_key).decode())
        store.set_meta("dcm_kid", "dcm-" + secrets.token_hex(4))

        world = {
            "counterparty_guid": demo["guid"],
            "branches": branches,
            "employees": employees,
            "bank_jwt": {"kid": kid, "private_key_pem": str(key_path.resolve())},
            "sim_admin_token": secrets.token_urlsafe(24),
            "other_counterparty": {
                "guid": other["guid"], "name": "Other Bank",
                "processing_account_guid": other["processing"],
                "emission_account_guid": other["emission"],
                "employees": [{"email": "admin@other.bank", "password": other_admin_pw,
                               "roles": ["Administrator"], "branch_guid": None,
                               "guid": other_admin}],
            },
        }
        # A few customers for the other bank (external transfer targets), funded.
        other_customers = generate_customers(store, other["guid"], [None], 3, rng,
                                             fund_from={None: other["processing"]})
        world["other_counterparty"]["customers"] = other_customers
        store.set_meta("world", json.dumps(world))
        store.set_meta("world_version", WORLD_VERSION)
        ensure_second_asset(store)
    return world


def ensure_second_asset(store: Store) -> None:
    """The second asset and, for every counterparty, a retail customer account type in it."""
    with store.tx():
        store.set_meta("extra_assets", json.dumps([SECOND_ASSET]))
        for (cp,) in store.all("SELECT guid FROM counterparties"):
            if not store.scalar("SELECT 1 FROM account_types WHERE counterparty_guid = ? AND "
                                "kind = 'customer' AND asset_code = ?",
                                (cp, SECOND_ASSET["code"])):
                store.conn.execute(
                    "INSERT INTO account_types (guid, counterparty_guid, kind, asset_code, "
                    "asset_issuer, segment_name) VALUES (?,?,'customer',?,?,'retail')",
                    (new_guid(), cp, SECOND_ASSET["code"], SECOND_ASSET["issuer"]))
