"""``teller-hub audit export-head --out FILE [--date D]`` (IT archives the daily head) and
``teller-hub audit verify [--head FILE]`` (walk the chain, against an archived head)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import date
from pathlib import Path
from typing import Any

from . import audit, migrate
from .db import make_engine
from .settings import HubSettings


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("audit", help="the append-only audit chain")
    act = p.add_subparsers(dest="action", required=True)
    exp = act.add_parser("export-head", parents=[common],
                         help="write the chain head (end of --date, UTC; default now)")
    exp.add_argument("--out", required=True)
    exp.add_argument("--date", help="YYYY-MM-DD")
    ver = act.add_parser("verify", parents=[common], help="walk the chain")
    ver.add_argument("--head", help="an exported head file to check against")


async def _with_engine(settings: HubSettings, fn: Any) -> Any:
    engine = make_engine(settings)
    try:
        if await migrate.current_revision(engine) != migrate.head_revision():
            raise ValueError("the database is not migrated: run `teller-hub migrate` first")
        return await fn(engine)
    finally:
        await engine.dispose()


def _write(path: Path, data: bytes) -> None:
    """0600, atomic; the directory is IT's and keeps its permissions."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def run(args: argparse.Namespace, settings: HubSettings) -> int:
    if args.action == "export-head":
        day = date.fromisoformat(args.date) if args.date else None
        head = asyncio.run(_with_engine(settings, lambda e: audit.head(e, day)))
        _write(Path(args.out), (json.dumps(head, indent=2) + "\n").encode())
        print(json.dumps(head))
        return 0
    archived = None
    if args.head:
        data = json.loads(Path(args.head).read_text(encoding="utf-8"))
        archived = (int(data["seq"]), str(data["hash"]))
    verdict = asyncio.run(_with_engine(settings, lambda e: audit.verify(e, archived)))
    print(json.dumps(verdict.out()))
    return 0 if verdict.ok else 1
