#!/usr/bin/env python3
"""Screenshots of the desk finish (issue 11), Ukrainian and English, light and dark: the main
window with the filter bar, Settings, the profile manager with a doctor result, the F1 sheet.

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python packaging/demo/desk_screenshots.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/demo/desk_screenshots.py   # no X

-> /tmp/teller-desk-<lang>-<theme>-{main,settings,profiles,shortcuts}.png (``--out`` prefix).
A private sandbox and private config/data dirs; language and theme are switched live in one
signed-in app, as a teller would in Settings. Waits on conditions, never blind sleeps.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "packaging" / "demo"))

TELLER = "teller.kyiv@demo.bank"


async def main(out: str) -> list[Path]:
    from drive_app import settle, wait_for
    from PySide6.QtWidgets import QApplication

    from teller_app.core.embedded_sandbox import start_sandbox
    from teller_app.secrets import Profile, ProfileStore
    from teller_app.ui import theme
    from teller_app.ui.async_op import OpRunner
    from teller_app.ui.main_window import MainWindow
    from teller_app.ui.profile_manager import ProfileManagerDialog
    from teller_app.ui.settings import switch_language
    from teller_app.ui.sign_in import sandbox_target, sign_in

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    work = Path(os.environ["TELLER_DATA_DIR"]).parent
    proc = await asyncio.to_thread(start_sandbox, work / "sandbox")
    shots: list[Path] = []
    window: Any = None
    session: Any = None
    ops = OpRunner()
    try:
        password = next(e["password"] for e in proc.manifest["employees"]
                        if e["email"] == TELLER)
        session = await sign_in(sandbox_target(proc.manifest), TELLER, password,
                                remember=False, store=None)
        store = ProfileStore()
        store.save(Profile(name="bank-test", base_url=proc.manifest["base_url"],
                           counterparty_guid=proc.manifest["counterparty_guid"], email=TELLER))
        window = MainWindow(session, ops, profile_name="sandbox",
                            sandbox_asset=proc.manifest["asset"])
        window.resize(1240, 720)
        window.show()
        window.start()
        panel = window.search_panel
        await wait_for(lambda: panel.model.rowCount() > 0, "search results", 30)
        bar = window.desk.filter_bar
        bar.status.setCurrentIndex(bar.status.findData("active"))
        await wait_for(lambda: panel.model.rowCount() > 0 and not ops.is_busy("search"),
                       "filtered results", 30)

        async def grab(widget: Any, name: str) -> None:
            widget.raise_()
            widget.activateWindow()
            await settle()
            widget.repaint()
            path = Path(f"{out}-{name}.png")
            path.parent.mkdir(parents=True, exist_ok=True)
            if not widget.grab().save(str(path)):
                raise RuntimeError(f"could not save {path}")
            shots.append(path)
            print(path, flush=True)

        for lang in ("uk", "en"):
            switch_language(lang)
            for mode in ("light", "dark"):
                theme.apply_theme(app, mode)
                await settle()
                tag = f"{lang}-{mode}"
                await grab(window, f"{tag}-main")
                settings = window.desk.open_settings()
                await wait_for(lambda s=settings: s.policy_source.text()
                               and not ops.is_busy("settings-read"), "settings", 10)
                await grab(settings, f"{tag}-settings")
                settings.close()
                manager = ProfileManagerDialog(ops, store, window)
                manager.show()
                await wait_for(lambda m=manager: m.editing == "bank-test", "profiles", 10)
                manager.form.password_edit.setText(password)
                manager.test_connection()
                await wait_for(lambda m=manager: m.checks, "doctor checks", 60)
                await grab(manager, f"{tag}-profiles")
                manager.close()
                manager.deleteLater()
                sheet = window.desk.open_shortcuts()
                await grab(sheet, f"{tag}-shortcuts")
                sheet.close()
    finally:
        if window is not None:
            # The window's own close path: plug-ins unhook on close (the audit worker starts
            # its flush), then shutdown awaits that flush and closes the cache and session.
            window._closing_for_sign_out = True
            window.close()
            await window.shutdown()
        elif session is not None:
            await session.close()
        await ops.aclose()
        await asyncio.to_thread(proc.stop)
    return shots


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/teller-desk")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="teller-desk-shots-"))
    os.environ["TELLER_DATA_DIR"] = str(work / "data")
    os.environ["TELLER_CONFIG_DIR"] = str(work / "config")
    os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    import qasync
    from PySide6.QtWidgets import QApplication

    from teller_app.ui import theme

    theme.set_high_dpi_policy()
    app = QApplication([sys.argv[0]])
    app.setWindowIcon(theme.app_icon())
    app.setQuitOnLastWindowClosed(False)  # as the app: closing the window ends only main()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        shots = loop.run_until_complete(main(args.out))
    print(f"{len(shots)} screenshots", flush=True)
    return 0 if len(shots) == 16 else 1


if __name__ == "__main__":
    raise SystemExit(run())
