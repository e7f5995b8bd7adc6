"""Hub processes and CLI "of another release": this code with ``hub/api_version``'s constants
changed before anything else runs (``HUB_CODE_LEVEL``, ``MIN_DESK_API``, ``HUB_API``),
started the way ``hub_proc.start_hub`` and ``hub_cli`` start theirs. Nothing else differs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hub_proc import HubProc

LAUNCH = """
import os, runpy, sys
from teller_app.hub import api_version as v
v.HUB_CODE_LEVEL = int(os.environ.get("SKEW_HUB_CODE_LEVEL", v.HUB_CODE_LEVEL))
v.MIN_DESK_API = int(os.environ.get("SKEW_MIN_DESK_API", v.MIN_DESK_API))
v.HUB_API = int(os.environ.get("SKEW_HUB_API", v.HUB_API))
sys.argv[0] = "teller-hub"
runpy.run_module("teller_app.hub", run_name="__main__", alter_sys=True)
"""


def skew(level: int | None = None, min_desk_api: int | None = None,
         api: int | None = None) -> dict[str, str]:
    named = {"SKEW_HUB_CODE_LEVEL": level, "SKEW_MIN_DESK_API": min_desk_api,
             "SKEW_HUB_API": api}
    return {k: str(v) for k, v in named.items() if v is not None}


def skewed_cli(*args: str, env: dict[str, str], level: int | None = None,
               min_desk_api: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", LAUNCH, *args], capture_output=True,
                          text=True, timeout=120, check=False,
                          env={**os.environ, **env, **skew(level, min_desk_api)})


def start_skewed_hub(data_dir: Path, env: dict[str, str], *, level: int | None = None,
                     min_desk_api: int | None = None, api: int | None = None) -> HubProc:
    data_dir.mkdir(parents=True, exist_ok=True)
    full = {**env, **skew(level, min_desk_api, api)}
    log = open(data_dir / "hub.log", "w")  # noqa: SIM115 (the child owns it)
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--data", str(data_dir), "--port", "0"],
        stdout=subprocess.PIPE, stderr=log, text=True, env={**os.environ, **full})
    log.close()
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # the base URL, once serving
    if not line.startswith("http://"):
        proc.kill()
        proc.wait(10)
        raise RuntimeError(f"hub did not start: {line!r}\n"
                           f"{(data_dir / 'hub.log').read_text(errors='replace')[-3000:]}")
    manifest = json.loads((data_dir / "hub.json").read_text())
    return HubProc(data_dir, proc, manifest, full)
