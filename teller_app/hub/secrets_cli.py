"""``teller-hub secrets``: issue secrets for existing customers (onboarding), and move every
sealed secret onto the current master key after a rotation (``rewrap``, see ``rewrap.py``)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Awaitable, Callable
from typing import Any

from .settings import HubSettings

WithEngine = Callable[[HubSettings, Callable[[Any], Awaitable[Any]]], Any]


class SecretsFileError(ValueError):
    """A line of the import file is not a secret to issue."""


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    sec = sub.add_parser("secrets", help="customer and key-keeper secrets")
    sec_sub = sec.add_subparsers(dest="action", required=True)
    imp = sec_sub.add_parser("import", parents=[common],
                             help="issue secrets for existing customers (onboarding)")
    imp.add_argument("--file", required=True, help="JSON lines: {external_id, branch_guid, ...}")
    rewrap = sec_sub.add_parser(
        "rewrap", parents=[common],
        help="after a master-key rotation: re-wrap every secret under the current key "
             "(master_key), opening older ones with master_key_previous; exit 0 once none is "
             "left on another key")
    rewrap.add_argument("--check", action="store_true",
                        help="only count the secrets per key id; change nothing")


def run(args: argparse.Namespace, settings: HubSettings, with_engine: WithEngine) -> int:
    if args.action == "import":
        return _import(args, settings, with_engine)
    return _rewrap(args, settings, with_engine)


def _import(args: argparse.Namespace, settings: HubSettings, with_engine: WithEngine) -> int:
    """Issues the file's secrets in one transaction with a ``secrets_imported`` audit entry
    (counts only), as ``POST /api/v1/admin/secrets/import`` does."""
    from pydantic import ValidationError

    from . import vault
    from .crypto import load_master_key
    from .employees import cli_actor
    from .models import SecretIn

    items: list[SecretIn] = []
    with open(args.file, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append(SecretIn.model_validate_json(line))
            except ValidationError as exc:
                raise SecretsFileError(
                    f"{args.file}:{n}: {exc.error_count()} problems "
                    f"({exc.errors()[0]['loc']}: {exc.errors()[0]['msg']})") from None
    master = load_master_key(settings)
    actor = cli_actor()  # who ran it on this host: in the audit, as the admin API's "admin"

    async def issue(engine: Any) -> int:  # CaseClash (a ValueError): exit 2, nothing issued
        return await vault.import_audited(engine, master, items, actor=actor,
                                          counterparty_guid=settings.dcm_counterparty)

    created = with_engine(settings, issue)
    print(json.dumps({"created": created, "existing": len(items) - created}))
    return 0


def _rewrap(args: argparse.Namespace, settings: HubSettings, with_engine: WithEngine) -> int:
    """Prints key ids and counts only (never a key). Exit 1 while any secret is on a key
    other than the current one (``--check``), or on one this run could not open."""
    from .crypto import load_master_key
    from .rewrap import rewrap_all, rows_by_key

    master = load_master_key(settings, create=False)
    if args.check:
        by_key = with_engine(settings, rows_by_key)
        print(json.dumps({"key_id": master.key_id, "by_key": by_key}))
        return 0 if set(by_key) <= {master.key_id} else 1
    report = with_engine(settings, lambda engine: rewrap_all(engine, master))
    print(json.dumps({"key_id": master.key_id, **report.as_dict()}))
    # a process not restarted yet may have sealed one on the old key behind this run
    return 0 if set(report.by_key) <= {master.key_id} and not report.unopened else 1
