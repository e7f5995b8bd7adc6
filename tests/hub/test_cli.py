"""``teller-hub`` administration commands against the module's hub database."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from hub_proc import DcmSigner, HubProc, branches, unique_email

from teller_app.core.embedded_sandbox import SandboxProcess


def test_employees_add_list_reset(hub: HubProc, http: httpx.Client,
                                  sandbox: SandboxProcess) -> None:
    email = unique_email("cli")
    r = hub.cli("employees", "add", "--email", email, "--name", "Марія Левченко",
                "--role", "Teller", "--role", "Supervisor", "--branch", branches(sandbox)[1],
                "--password-stdin", stdin="first password\n")
    assert r.returncode == 0 and json.loads(r.stdout)["created"] is True, r.stderr
    again = hub.cli("employees", "add", "--email", email, "--role", "Teller", "--head-office",
                    "--password-stdin", stdin="first password\n")
    assert again.returncode == 1 and json.loads(again.stdout)["created"] is False
    listed = [json.loads(ln) for ln in hub.cli("employees", "list").stdout.splitlines()]
    mine = next(e for e in listed if e["email"] == email)
    assert mine == {"email": email, "name": "Марія Левченко", "roles": ["Teller", "Supervisor"],
                    "branch_guid": branches(sandbox)[1], "head_office": False,
                    "disabled": False}
    assert all("password" not in json.dumps(e) for e in listed)
    ok = http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                             "password": "first password"})
    assert ok.status_code == 200
    old = {"Authorization": f"Bearer {ok.json()['token']}"}
    r = hub.cli("employees", "reset", "--email", email, "--password-stdin",
                stdin="second password\n")
    assert r.returncode == 0, r.stderr
    assert http.get("/api/v1/me", headers=old).status_code == 401  # reset ends sessions
    for pw, status in (("first password", 401), ("second password", 200)):
        r = http.post("/api/v1/sessions", json={"mode": "password", "email": email,
                                                "password": pw})
        assert r.status_code == status


def test_employee_cli_refuses_bad_input(hub: HubProc) -> None:
    short = hub.cli("employees", "add", "--email", unique_email(), "--role", "Teller",
                    "--head-office", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "12..1024" in short.stderr
    bad_email = hub.cli("employees", "add", "--email", "nope", "--role", "Teller",
                        "--head-office", "--password-stdin", stdin="long enough pw\n")
    assert bad_email.returncode == 2 and "email" in bad_email.stderr
    missing = hub.cli("employees", "disable", "--email", unique_email())
    assert missing.returncode == 2 and "no employee" in missing.stderr
    no_tty = hub.cli("employees", "reset", "--email", unique_email())
    assert no_tty.returncode == 2 and "--password-stdin" in no_tty.stderr


def test_secrets_import(hub: HubProc, http: httpx.Client, sandbox: SandboxProcess,
                        dcm: DcmSigner, tmp_path: Path) -> None:
    ext = unique_email("imported")
    f = tmp_path / "secrets.jsonl"
    f.write_text(json.dumps({"external_id": ext, "branch_guid": branches(sandbox)[0]}) + "\n\n"
                 + json.dumps({"external_id": f"keykeeper:{branches(sandbox)[1]}"}) + "\n")
    r = hub.cli("secrets", "import", "--file", str(f))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["created"] + json.loads(r.stdout)["existing"] == 2
    assert http.get("/key", headers={"X-Session-ID": dcm.token("teller.kyiv@demo.bank", ext)}
                    ).status_code == 200
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"external_id": "' + "x" * 600 + '"}\n')
    r = hub.cli("secrets", "import", "--file", str(bad))
    assert r.returncode == 2 and "bad.jsonl:1" in r.stderr
