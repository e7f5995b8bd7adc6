"""Nothing over the lock screen names a customer: the window's banner ("Customer … created.")
and the status bar's notice (a supervisor's alert naming a login) go with the lock; notices
that arrive while locked wait, and come back for the employee who unlocks, never for another
employee who signs in on the lock screen."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit

from .conftest import TELLER, password_of, unique

SUPERVISOR = "supervisor.kyiv@demo.bank"


def _shown_texts(window) -> str:  # type: ignore[no-untyped-def]
    """Every text painted in the window now (labels, buttons, fields, tabs, status bar)."""
    texts = [w.text() for kind in (QLabel, QAbstractButton, QLineEdit)
             for w in window.findChildren(kind) if w.isVisible()]
    if window.tabs.isVisible():
        texts += [window.tabs.tabText(i) for i in range(window.tabs.count())]
    texts.append(window.status_bar.currentMessage())
    return "\n".join(texts)


def _created(qtbot, window) -> str:  # type: ignore[no-untyped-def]
    form = window.new_customer()
    login = unique("privacy.")
    form.login.setText(login)
    form.surname.setText("Приватенко")
    form.name.setText("Олена")
    form.phone.setText("067 765 43 21")
    with qtbot.waitSignal(window.customer_card_opened, timeout=15000):
        form.submit()
    assert window.banner.isVisible() and "Приватенко" in window.banner.text()
    return login


def test_the_lock_hides_notices_and_unlock_brings_them_back(qtbot, main_window, sandbox):  # type: ignore[no-untyped-def]
    window = main_window
    login = _created(qtbot, window)
    alert = f"Changed without approval: {login}"
    window.supervision._announce(alert, "warning")  # a supervisor's alert, as it arrives
    assert window.status_bar.currentMessage() == alert and window.banner.text() == alert

    window.supervision.lock_now()
    locker = window.supervision.locker
    assert locker.is_locked
    assert not window.banner.isVisible() and window.status_bar.currentMessage() == ""
    later = f"Changed without approval: {login}-2"
    window.supervision._announce(later, "warning")  # arrives while locked: kept back
    assert not window.banner.isVisible() and window.status_bar.currentMessage() == ""
    shown = _shown_texts(window)
    assert login not in shown and "Приватенко" not in shown

    locker.screen.password.setText(password_of(sandbox, TELLER))
    with qtbot.waitSignal(locker.unlocked, timeout=10000):
        locker.screen.unlock_button.click()
    assert window.banner.isVisible() and window.banner.text() == later
    assert window.status_bar.currentMessage() == later


def test_another_employee_does_not_get_the_notices(qtbot, main_window, sandbox):  # type: ignore[no-untyped-def]
    window = main_window
    login = _created(qtbot, window)
    window.supervision._announce(f"Changed without approval: {login}", "warning")
    window.supervision.lock_now()
    locker = window.supervision.locker
    locker.screen.other_email.setText(SUPERVISOR)
    locker.screen.other_password.setText(password_of(sandbox, SUPERVISOR))
    with qtbot.waitSignal(locker.unlocked, timeout=15000):
        locker.screen.switch_button.click()
    assert window.session.employee.email == SUPERVISOR
    shown = _shown_texts(window)
    assert login not in shown and "Приватенко" not in shown
