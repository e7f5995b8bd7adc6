"""Start-up order: work that can follow the sign-in window's first paint runs after it."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog

from teller_app.ui.start_warmup import AfterFirstPaint


def test_after_first_paint_runs_once_after_the_paint(qtbot) -> None:  # type: ignore[no-untyped-def]
    painted: list[bool] = []
    calls: list[bool] = []

    class Dialog(QDialog):
        def paintEvent(self, event) -> None:  # type: ignore[no-untyped-def]
            super().paintEvent(event)
            painted.append(True)

    dialog = Dialog()
    qtbot.addWidget(dialog)
    AfterFirstPaint(dialog, lambda: calls.append(bool(painted)))
    assert not calls
    dialog.show()
    qtbot.waitUntil(lambda: bool(calls), timeout=5000)
    assert calls == [True]  # after the paint, not before
    dialog.repaint()  # a later paint does not run it again (a zero timer would be due now)
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()
    assert calls == [True]


def _args(**kw):  # type: ignore[no-untyped-def]
    import argparse

    base = dict(lang="en", profile=None, data_dir=None, smoke_test=False, qt_args=[],
                smoke_timeout=60)
    base.update(kw)
    return argparse.Namespace(**base)


def _save(*profiles, last=None):  # type: ignore[no-untyped-def]
    from teller_app.secrets import ProfileStore

    store = ProfileStore()
    for profile in profiles:
        store.save(profile)
    store.set_last_profile(last)
    return store


def _profile(name, email=""):  # type: ignore[no-untyped-def]
    from teller_app.secrets import Profile

    return Profile(name=name, base_url="http://127.0.0.1:9", email=email,
                   counterparty_guid="00000000-0000-4000-8000-000000000000")


def test_saved_profiles_sign_in_is_shown_first_and_filled_after_its_paint(  # type: ignore[no-untyped-def]
        qtbot, qloop) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    from teller_app.ui.startup import AppController

    _save(_profile("prod", "a@bank.ua"), _profile("test", "b@bank.ua"), last="test")
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    assert controller.begin()  # shown synchronously, before any loop callback
    dialog = controller.dialog
    assert dialog is not None and dialog.isVisible() and dialog.targets == []
    combo = dialog.profile_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["test", "prod"]
    assert dialog.email.text() == "b@bank.ua"
    assert dialog.focusWidget() is dialog.secret
    qtbot.keyClicks(dialog.secret, "pw")  # typed before the fill: kept
    dialog.submit()  # Sign in before the fill: waits for it
    assert dialog.error.isHidden()
    qtbot.waitUntil(lambda: bool(dialog.targets), timeout=10000)
    assert [t.profile.name for t in dialog.targets] == ["test", "prod"]
    assert [combo.itemText(i) for i in range(combo.count())] == ["test", "prod"]
    assert dialog.email.text() == "b@bank.ua" and dialog.secret.text() == "pw"
    assert dialog.focusWidget() is dialog.secret
    # The queued Sign in ran (against a closed port: it fails and says so).
    qtbot.waitUntil(lambda: dialog.error_text() != "", timeout=20000)
    controller.ops.cancel_all()
    controller.cleanup()


def test_named_profile_missing_is_not_shown_early(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    import time

    from PySide6.QtWidgets import QApplication

    from teller_app.ui.startup import AppController

    _save(_profile("prod"), last="prod")
    controller = AppController(QApplication.instance(), _args(profile="other"),  # type: ignore[arg-type]
                               time.time())
    assert not controller.begin()  # the full read says what is wrong
    assert controller.dialog is None
    controller.cleanup()


def test_profiles_that_do_not_validate_replace_the_early_window(qtbot, qloop) -> None:  # type: ignore[no-untyped-def]
    import json
    import time

    from PySide6.QtWidgets import QApplication

    from teller_app.secrets import ProfileStore
    from teller_app.ui.startup import AppController

    store = ProfileStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"profiles": [{"name": "prod", "base_url": 5}]}),
                          encoding="utf-8")
    controller = AppController(QApplication.instance(), _args(), time.time())  # type: ignore[arg-type]
    assert controller.begin()
    dialog = controller.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: getattr(controller, "recovery_box", None) is not None, timeout=10000)
    from shiboken6 import isValid

    assert controller.dialog is None and (not isValid(dialog) or not dialog.isVisible())
    assert controller.sandbox is None  # never a fallback to the sandbox
    controller.recovery_box.close()
    controller.ops.cancel_all()
    controller.cleanup()


def test_smoke_ready_line_is_printed_once(qtbot, qloop, capsys) -> None:  # type: ignore[no-untyped-def]
    """Results can be shown twice (cache, then server) before the smoke test's close lands:
    the "ready in N ms" line is still printed once (a fresh-clone start printed it twice)."""
    import time
    from types import SimpleNamespace

    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QApplication, QTableView

    from teller_app.ui.startup import AppController

    controller = AppController(QApplication.instance(), _args(smoke_test=True), time.time())  # type: ignore[arg-type]
    model = QStandardItemModel(3, 2)
    table = QTableView()
    table.setModel(model)
    qtbot.addWidget(table)
    window = SimpleNamespace(search_panel=SimpleNamespace(model=model, table=table),
                             close=lambda: None)
    controller.smoke_ready(window)  # type: ignore[arg-type]
    controller.smoke_ready(window)  # type: ignore[arg-type]
    controller.cleanup()
    assert capsys.readouterr().out.count("ready in") == 1
