"""The outbox keeps who recorded each entry, and stays readable both ways: a file written
before owners were kept (lines without one, a ``.sent`` holding only a count) opens, its
entries go with whoever is signed in; one employee's entries sent past another's that still
wait are not sent twice, and the file empties once every entry is on the hub."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from teller_app.core.audit import AuditOutbox, AuditTrail

KEY = secrets.token_bytes(32)


def _old_line(n: int) -> bytes:
    """A line exactly as the outbox wrote it before owners were kept."""
    plain = json.dumps({"client_id": f"d-old-{n}", "action": "edit", "entity": "",
                        "detail": {"n": n}, "desk_ts": ""}, sort_keys=True).encode()
    nonce = secrets.token_bytes(12)
    return base64.b64encode(nonce + AESGCM(KEY).encrypt(nonce, plain, b"teller-audit"))


def test_old_files_open_and_owners_send_only_their_own(tmp_path: Path) -> None:
    path = tmp_path / "audit" / "p.outbox"
    path.parent.mkdir(mode=0o700)
    path.write_bytes(b"\n".join(_old_line(n) for n in range(3)) + b"\n")
    path.with_suffix(".sent").write_text("1")  # the old mark: d-old-0 is on the hub
    sent: list[list[str]] = []

    async def send(batch: list[dict[str, Any]]) -> None:
        assert all("owner" not in e for e in batch)  # never on the wire
        sent.append([e["client_id"] for e in batch])

    box = AuditOutbox(path, KEY)
    ann = AuditTrail(box, send, owner="ann@bank.ua")
    first = ann.record("lock")
    bob = AuditTrail(box, send, owner="bob@bank.ua")
    second = bob.record("unlock")
    assert [e.owner for e in box.unsent()] == ["", "", "ann@bank.ua", "bob@bank.ua"]

    # Bob sends the old entries (no owner: as before) and his own, never Ann's
    assert asyncio.run(bob.flush()) == 3
    assert sent == [["d-old-1", "d-old-2", second.client_id]]
    assert [e.client_id for e in box.unsent()] == [first.client_id]
    assert AuditOutbox(path, KEY).unsent("bob@bank.ua") == []  # reopened: nothing twice
    assert asyncio.run(bob.flush()) == 0

    assert asyncio.run(ann.flush()) == 1 and sent[-1] == [first.client_id]
    assert path.read_bytes() == b"" and box.unsent() == []
    assert path.with_suffix(".sent").read_text() == "0"
