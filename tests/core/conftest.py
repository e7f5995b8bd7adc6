"""Core fixtures: a real OS keyring (a private D-Bus session with gnome-keyring's Secret
Service, unlocked, in a throw-away HOME) for the code that keeps secrets there."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """keyring's Secret Service backend on a private bus, chosen as the process's keyring
    (``keyring.get_keyring()``) for the module; the previous choice is restored after."""
    if not (shutil.which("dbus-daemon") and shutil.which("gnome-keyring-daemon")):
        pytest.skip("no dbus-daemon / gnome-keyring-daemon (packaging/bootstrap.sh installs "
                    "them)")
    import keyring
    from keyring.backends import SecretService

    root = tmp_path_factory.mktemp("keyring")
    home, run = root / "home", root / "run"
    home.mkdir(mode=0o700)
    run.mkdir(mode=0o700)
    bus = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1",
         f"--address=unix:path={root / 'bus'}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    daemon_pid: int | None = None
    try:
        assert bus.stdout is not None
        address = bus.stdout.readline().strip()  # printed once it listens
        assert address.startswith("unix:"), "dbus-daemon did not start"
        env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(run),
               "XDG_DATA_HOME": str(home / ".local" / "share"),
               "DBUS_SESSION_BUS_ADDRESS": address}
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DBUS_SESSION_BUS_ADDRESS", address)
            daemon_pid = _start_keyring_daemon(env)
            backend = SecretService.Keyring()
            backend.set_password("Teller/__probe__", "probe", "x")  # it answers, unlocked
            backend.delete_password("Teller/__probe__", "probe")
            previous = keyring.get_keyring()
            keyring.set_keyring(backend)
            try:
                yield backend
            finally:
                keyring.set_keyring(previous)
    finally:
        if daemon_pid is not None:  # the keyring daemon we started (it left our process tree)
            with contextlib.suppress(ProcessLookupError):
                os.kill(daemon_pid, 15)
        bus.terminate()
        bus.wait(10)


def _start_keyring_daemon(env: dict[str, str]) -> int:
    """gnome-keyring-daemon (the password unlocks a new login keyring); returns its pid once
    it owns the Secret Service's bus name (``--daemonize`` returns before it claims it)."""
    from jeepney import MatchRule
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import open_dbus_connection

    name = "org.freedesktop.secrets"
    with open_dbus_connection("SESSION") as conn:
        rule = MatchRule(type="signal", sender="org.freedesktop.DBus",
                         interface="org.freedesktop.DBus", member="NameOwnerChanged")
        rule.add_arg_condition(0, name)
        conn.send_and_get_reply(message_bus.AddMatch(rule))
        with conn.filter(rule) as claimed:
            subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets",
                            "--daemonize"], input=b"test", env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
            if not conn.send_and_get_reply(message_bus.NameHasOwner(name)).body[0]:
                conn.recv_until_filtered(claimed, timeout=60)
        reply = conn.send_and_get_reply(message_bus.GetConnectionUnixProcessID(name))
    return int(reply.body[0])
