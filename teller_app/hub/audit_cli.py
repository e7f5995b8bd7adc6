"""``teller-hub audit export-head --out FILE [--date D] [--previous FILE]`` (IT archives the
daily head; with the previous day's file it refuses a chain that no longer reaches that head)
and ``teller-hub audit verify [--head FILE]`` (walk the chain, against an archived head)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

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
    exp.add_argument("--previous", help="the head archived before: refuse (exit 1, nothing "
                     "written) unless the chain still reaches it unchanged")
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


def _archived(path: str) -> tuple[int, str]:
    """(seq, hash) of an exported head file; ValueError (exit 2) when it is not one."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        return int(data["seq"]), str(data["hash"])
    except (KeyError, TypeError):
        raise ValueError(f"{path} is not an exported audit head (seq, hash)") from None


async def _head_after(engine: AsyncEngine, day: date | None,
                      previous: tuple[int, str] | None) -> tuple[dict[str, Any], str]:
    """(the head, "" or why it is refused): with ``previous``, the whole chain is walked
    against it first, so a cut tail or a rewrite is refused, not archived as a new head."""
    if previous is not None:
        verdict = await audit.verify(engine, previous)
        if not verdict.ok:
            return {}, (f"the chain no longer reaches the previous head (seq {previous[0]}): "
                        f"{verdict.problem}")
    head = await audit.head(engine, day)
    if previous is not None and head["seq"] < previous[0]:
        return {}, (f"the head asked for (seq {head['seq']}) is older than the previous "
                    f"head (seq {previous[0]})")
    return head, ""


def run(args: argparse.Namespace, settings: HubSettings) -> int:
    if args.action == "export-head":
        day = date.fromisoformat(args.date) if args.date else None
        previous = _archived(args.previous) if args.previous else None
        head, refused = asyncio.run(_with_engine(settings,
                                                 lambda e: _head_after(e, day, previous)))
        if refused:
            print(f"refused: {refused}; nothing written", file=sys.stderr)
            return 1
        _write(Path(args.out), (json.dumps(head, indent=2) + "\n").encode())
        print(json.dumps(head))
        return 0
    archived = _archived(args.head) if args.head else None
    verdict = asyncio.run(_with_engine(settings, lambda e: audit.verify(e, archived)))
    print(json.dumps(verdict.out()))
    return 0 if verdict.ok else 1
