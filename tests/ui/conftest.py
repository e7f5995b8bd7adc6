"""UI test fixtures: private config/data dirs, a signed-in sandbox teller, the main window."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import QLocale

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import NewCustomer
from teller_app.ui.async_op import OpRunner
from teller_app.ui.sign_in import sandbox_target, sign_in

TELLER = "teller.kyiv@demo.bank"


@pytest.fixture(autouse=True)
def teller_dirs(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """Tests never touch the real home: profiles, caches and logs go to tmp_path."""
    monkeypatch.setenv("TELLER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("TELLER_DATA_DIR", str(tmp_path / "data"))
    # UI tests run with no usable keyring (session-only secrets). keyring reads the variable
    # once per process, and other tests may already have picked the real Secret Service, so
    # set the backend itself too. The process's own choice is taken before the variable is
    # set: taken after, a first choice would be "fail" and restored for every later test.
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture()
def ops(qloop) -> OpRunner:  # type: ignore[no-untyped-def]
    return OpRunner()


@pytest.fixture()
def english(qapp):  # type: ignore[no-untyped-def]
    """English number formatting (the desk's texts are English without a translator)."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


@pytest.fixture()
def ukrainian(qapp):  # type: ignore[no-untyped-def]
    """The desk in Ukrainian: the compiled translations and Ukrainian number formatting."""
    from teller_app.ui.i18n import install_translators

    before = QLocale()
    installed = install_translators(qapp, "uk")
    assert installed, "compile the translations: packaging/build_translations.py"
    yield
    for translator in installed:
        qapp.removeTranslator(translator)
    QLocale.setDefault(before)


def password_of(proc: SandboxProcess, email: str) -> str:
    return next(e["password"] for e in proc.manifest["employees"] if e["email"] == email)


def open_session(arun, proc: SandboxProcess, email: str = TELLER) -> Any:  # type: ignore[no-untyped-def]
    target = sandbox_target(proc.manifest)
    return arun(sign_in(target, email, password_of(proc, email), remember=False, store=None))


@pytest.fixture()
def teller_session(arun, sandbox):  # type: ignore[no-untyped-def]
    session = open_session(arun, sandbox)
    yield session
    arun(session.close())


def unique(prefix: str = "t") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def new_customer(proc: SandboxProcess, session: Any, **fields: Any) -> NewCustomer:
    asset = proc.manifest["asset"]
    body = {"asset_code": asset["code"], "asset_issuer": asset["issuer"],
            "login": unique("login-"), "branch_guid": session.branch_guid, **fields}
    return NewCustomer(**body)


def make_window(qtbot, ops, session, proc, **kwargs):  # type: ignore[no-untyped-def]
    from teller_app.ui.main_window import MainWindow

    window = MainWindow(session, ops, sandbox_asset=proc.manifest["asset"], **kwargs)
    qtbot.addWidget(window, before_close_func=_shutdown_supervision)
    window.show()
    window.start()
    return window


@pytest.fixture()
def main_window(qtbot, ops, teller_session, sandbox):  # type: ignore[no-untyped-def]
    window = make_window(qtbot, ops, teller_session, sandbox)
    qtbot.waitUntil(lambda: window.search_panel.model.rowCount() > 0, timeout=10000)
    yield window
    window._closing_for_sign_out = True  # no app controller listens in tests
    ops.cancel_all()


def _shutdown_supervision(window: Any) -> None:
    """Unhook supervision (idle filter on windows, lock/inbox timers) before qtbot closes the
    window (MainWindow.closeEvent does it too; this also covers windows never shown)."""
    supervision = getattr(window, "supervision", None)
    if supervision is not None:
        supervision.shutdown()
