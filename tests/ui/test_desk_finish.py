"""Desk finish: title and sandbox strip, remembered window state, About, diagnostics zip
without secrets, icons built from the SVG, Kyiv local time, the F1 sheet."""

from __future__ import annotations

import importlib.util
import os
import struct
import zipfile
from pathlib import Path

from PySide6.QtCore import QLocale

from teller_app.core import app_paths
from teller_app.ui import theme
from teller_app.ui.local_time import local_text
from teller_app.ui.settings_store import load_settings

from .conftest import TELLER, make_window, password_of

ROOT = Path(__file__).resolve().parents[2]


def test_title_names_profile_and_environment_and_sandbox_strip(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    assert window.desk.strip.isVisible()
    assert "SANDBOX" in window.desk.strip.text()
    assert "SANDBOX" in window.windowTitle() and window.windowTitle().startswith("Teller")
    window.profile_name = "sandbox"  # the embedded default's profile
    window.desk.apply_title()
    assert window.windowTitle() == "Teller — SANDBOX — demo data"
    real = window.session.profile.model_copy(update={"is_sandbox": False, "name": "bank-prod"})
    window.session.profile = real
    window.profile_name = "bank-prod"
    window.desk.apply_title()
    assert window.windowTitle() == "Teller — bank-prod — 127.0.0.1"


def test_window_geometry_and_columns_are_remembered(qtbot, ops, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                    teller_session):
    window = main_window
    window.resize(710, 530)
    header = window.search_panel.table.horizontalHeader()
    header.resizeSection(0, 333)
    window.desk.remember_window()
    saved = load_settings().window
    assert {"geometry", "state", "results_header"} <= set(saved)
    size = (window.width(), window.height())
    assert size != (1200, 760)  # not the default any more
    again = make_window(qtbot, ops, teller_session, sandbox)
    assert (again.width(), again.height()) == size
    assert again.search_panel.table.horizontalHeader().sectionSize(0) == 333
    again._closing_for_sign_out = True


def test_about_shows_versions_and_platform_url(qtbot, main_window):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import qVersion

    about = main_window.desk.open_about()
    text = about.text.text()
    assert main_window.session.profile.base_url in text and qVersion() in text
    assert "Python" in text and "0.1.0" in text
    about.close()


def test_diagnostics_zip_has_logs_and_settings_and_no_secret(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                              tmp_path):
    window = main_window
    password = password_of(sandbox, TELLER)
    token = window.session.client.auth.session_token
    assert token
    secrets = [password, token]
    logs = app_paths.log_dir()
    logs.mkdir(parents=True, exist_ok=True)
    (logs / "teller.log").write_text(
        f"2026-01-01 INFO sign-in with password {password}\n"
        f"2026-01-01 INFO header X-Session-Token: {token}\n"
        "2026-01-01 INFO Authorization: Bearer abc.def.ghi\n"
        "2026-01-01 INFO started fine\n", encoding="utf-8")
    window.desk.remember_window()  # a settings file to include
    out = tmp_path / "diag" / "teller-diagnostics.zip"
    window.desk.save_diagnostics(out)
    qtbot.waitUntil(out.exists, timeout=10000)
    assert oct(os.stat(out).st_mode & 0o777) == "0o600"
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert "about.json" in names and "logs/teller.log" in names
        assert "settings/desk-settings.json" in names
        blobs = {n: zf.read(n).decode("utf-8") for n in names}
    assert "started fine" in blobs["logs/teller.log"]
    assert window.session.profile.base_url in blobs["about.json"]
    for name, text in blobs.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {name}"
        assert "abc.def.ghi" not in text


def test_icons_are_built_from_the_svg(qtbot, tmp_path):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_icons",
                                                  ROOT / "packaging" / "build_icons.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(iconset=False, out=tmp_path)
    from PySide6.QtGui import QImage

    image = QImage(str(tmp_path / "teller-48.png"))
    assert (image.width(), image.height()) == (48, 48)
    assert image.pixelColor(24, 24).alpha() == 255  # drawn, not empty
    ico = (tmp_path / "teller.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    assert not theme.app_icon().isNull()


def test_local_time_is_kyiv_in_the_locale_format(qtbot):  # type: ignore[no-untyped-def]
    previous = QLocale()
    try:
        QLocale.setDefault(QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine))
        assert local_text("2026-01-15T10:00:00.000000Z") == "15.01.2026 12:00"  # UTC+2
        assert local_text("2026-07-15T10:00:00Z") == "15.07.2026 13:00"  # summer, UTC+3
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        assert local_text("2026-07-15T10:00:00Z") == "15.07.2026 13:00"  # one format
        assert local_text(None) == "" and local_text("not a date") == "not a date"
    finally:
        QLocale.setDefault(previous)


def test_f1_sheet_is_generated_from_the_actions(qtbot, main_window):  # type: ignore[no-untyped-def]
    window = main_window
    window.desk.action_shortcuts.trigger()
    from teller_app.ui.shortcuts import ShortcutsSheet

    sheet = window.findChild(ShortcutsSheet)
    assert sheet is not None and sheet.isVisible()
    assert sheet.keys_for("Sync now") == "F5"
    assert sheet.keys_for("Keyboard shortcuts") == "F1"
    assert sheet.keys_for("Cash deposit") == "Ctrl+Shift+D"
    assert sheet.keys_for("Approve the selected request") is None  # a teller cannot approve
    assert sheet.table.rowCount() == len(sheet.rows) >= 10
    sheet.close()
