"""``teller-hub audit export-head --out FILE [--date D] [--previous FILE]`` (IT archives the
daily head; with the previous day's file it refuses a chain that no longer reaches that head,
unless the chain records that the database was restored from before it), ``teller-hub audit
verify [--head FILE]`` (walk the chain, against an archived head) and ``teller-hub audit
mark-restored --last-head FILE`` (after a restore from a backup: say so in the chain,
``audit_restore.py``)."""

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

from . import audit, audit_restore, migrate
from .code_level import refuse_too_old
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
    res = act.add_parser("mark-restored", parents=[common],
                         help="after restoring the database from a backup: record in the chain "
                         "that it was restored and which archived head was lost, so that "
                         "export-head --previous with that head accepts the chain again")
    res.add_argument("--last-head", required=True,
                     help="the newest head archived before the restore (export-head's file)")


async def _with_engine(settings: HubSettings, fn: Any, *, writes: bool = False) -> Any:
    """``writes``: refused (``HubTooOld``, exit 2) below the database's control level."""
    engine = make_engine(settings)
    try:
        revision = await migrate.current_revision(engine)
        if migrate.schema_of(revision) in ("none", "behind"):
            raise ValueError("the database is not migrated: run `teller-hub migrate` first")
        if writes:
            await refuse_too_old(engine)
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
    seq, digest, _ = _head_file(path)
    return seq, digest


def _head_file(path: str) -> tuple[int, str, str | None]:
    """(seq, hash, date) of an exported head file."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        day = data.get("date")
        return int(data["seq"]), str(data["hash"]), str(day) if day else None
    except (KeyError, TypeError, AttributeError, json.JSONDecodeError):
        raise ValueError(f"{path} is not an exported audit head (seq, hash)") from None


async def _head_after(engine: AsyncEngine, day: date | None,
                      previous: tuple[int, str] | None) -> tuple[dict[str, Any], str]:
    """(the head, "" or why it is refused): with ``previous``, the whole chain is walked
    against it first, so a cut tail or a rewrite is refused, not archived as a new head."""
    restored_at = None
    if previous is not None:
        verdict = await audit.verify(engine, previous)
        if not verdict.ok:
            restored_at = await _restore_marked(engine, previous)
            if restored_at is None:
                return {}, (f"the chain no longer reaches the previous head (seq "
                            f"{previous[0]}): {verdict.problem}")
    head = await audit.head(engine, day)
    if restored_at is not None:
        if head["seq"] < restored_at:
            return {}, (f"the head asked for (seq {head['seq']}) is older than the restore "
                        f"marked at seq {restored_at}")
        head["restore_marked_seq"] = restored_at
    elif previous is not None and head["seq"] < previous[0]:
        return {}, (f"the head asked for (seq {head['seq']}) is older than the previous "
                    f"head (seq {previous[0]})")
    return head, ""


async def _restore_marked(engine: AsyncEngine, previous: tuple[int, str]) -> int | None:
    """The seq of the entry saying the database was restored from before ``previous``, when
    the chain itself is intact (its own hash walk, as without a previous head)."""
    marked = await audit_restore.marker_for(engine, previous)
    if marked is None:
        return None
    return marked if (await audit.verify(engine)).ok else None


def _mark_restored(args: argparse.Namespace, settings: HubSettings) -> int:
    from .employees import cli_actor

    seq, digest, day = _head_file(args.last_head)
    marker, refused = asyncio.run(_with_engine(settings, lambda e: audit_restore.mark(
        e, (seq, digest), actor=cli_actor(), last_head_date=day), writes=True))
    if refused:
        print(f"refused: {refused}; nothing written", file=sys.stderr)
        return 1
    print(json.dumps(marker))
    return 0


def run(args: argparse.Namespace, settings: HubSettings) -> int:
    if args.action == "mark-restored":
        return _mark_restored(args, settings)
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
