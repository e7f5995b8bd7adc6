"""One Teller per profile per OS user: a second process is refused with a clear error, and a
killed holder never leaves a stale lock."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from teller_app.core import instance_lock
from teller_app.core.instance_lock import AnotherInstanceRunning

HOLDER = textwrap.dedent("""
    import sys, threading
    from pathlib import Path
    from teller_app.core import instance_lock
    instance_lock.acquire(sys.argv[1], Path(sys.argv[2]))
    print("held", flush=True)
    threading.Event().wait()
""")


def hold(profile: str, base: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, profile, str(base)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_instance_is_refused_until_the_first_dies(tmp_path: Path) -> None:
    holder = hold("bank", tmp_path)
    try:
        with pytest.raises(AnotherInstanceRunning) as info:
            instance_lock.acquire("bank", tmp_path)
        assert info.value.pid == str(holder.pid) and "bank" in str(info.value)
        instance_lock.acquire("other-profile", tmp_path)  # other profiles are free
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    instance_lock.acquire("bank", tmp_path)  # the OS released the dead holder's lock
    instance_lock.acquire("bank", tmp_path)  # re-entrant in the same process
    assert (tmp_path / "locks" / "bank.lock").read_text() == str(os.getpid())
    instance_lock.release("bank", tmp_path)
    instance_lock.release("other-profile", tmp_path)


def test_sign_in_refuses_a_second_instance_with_a_clear_message(
        sandbox: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: object) -> None:
    import asyncio

    from teller_app.ui.error_text import sign_in_message
    from teller_app.ui.sign_in import sandbox_target, sign_in

    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path))
    target = sandbox_target(sandbox.manifest)  # type: ignore[attr-defined]
    emp = sandbox.employee("Teller", 0)  # type: ignore[attr-defined]
    holder = hold(target.profile.name, tmp_path)
    try:
        with pytest.raises(AnotherInstanceRunning) as info:
            asyncio.run(sign_in(target, emp["email"], emp["password"], remember=False,
                                store=None))
        assert "already running" in sign_in_message(info.value)
    finally:
        holder.kill()
        holder.wait(10)
