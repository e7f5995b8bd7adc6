"""Settings: this desk's language (switched live, no restart: every widget of the main
window re-texts itself on LanguageChange, keeping what was typed; plug-ins through
``language_watch``; other open windows when opened again), theme, idle lock, sync interval,
sounds and notifications; the bank's settings (cash approval threshold, changes that need a
second person) shown read-only, from the Teller Hub's ``GET /api/v1/policy``
when it answers, else from the profile.

Saved to ``desk-settings.json`` (0600) off the UI thread; applied at once."""

from __future__ import annotations

import asyncio
import logging
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QTranslator, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLayout,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui import theme
from teller_app.ui.a11y_form import add_row
from teller_app.ui.async_op import OpRunner
from teller_app.ui.money import format_money
from teller_app.ui.settings_store import (
    LANGUAGES,
    THEMES,
    DeskSettings,
    idle_lock_cap,
    load_settings,
    save_settings,
)
from teller_app.ui.wrapped_text import WrappedTextArea, grow_to_fit

log = logging.getLogger(__name__)


if TYPE_CHECKING:
    from teller_app.core.session import Session
    from teller_app.platform.hub_models import Policy
    from teller_app.ui.main_window import MainWindow


def switch_language(lang: str) -> None:
    """Replace the installed translators; Qt then sends LanguageChange to every widget,
    which re-translates itself (changeEvent / the desk hooks)."""
    from teller_app.ui.i18n import install_translators

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    for old in app.findChildren(QTranslator):
        app.removeTranslator(old)
        old.deleteLater()
    install_translators(app, lang)
    if lang == "en":  # nothing installed: still tell every widget the language changed
        for widget in app.allWidgets():
            QCoreApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))


def current_language() -> str:
    from PySide6.QtCore import QLocale

    return "uk" if QLocale().language() == QLocale.Language.Ukrainian else "en"


async def fetch_policy(session: Session | None) -> Policy | None:
    """The bank's policy from the hub (its session, so the profile's proxy, CA and pins
    apply), or None when there is no hub or it does not answer."""
    from teller_app.platform import PlatformError

    link = session.hub if session is not None else None
    if link is None or not link.hub.base_url:
        return None
    try:
        return (await link.call(lambda hub: hub.policy())).policy
    except PlatformError as exc:
        log.info("no policy from the hub: %s", type(exc).__name__)
        return None


class SettingsDialog(QDialog):
    applied = Signal(object)  # DeskSettings

    def __init__(self, ops: OpRunner, session: Session | None = None,
                 window: MainWindow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.ops = ops
        self.session = session
        self.window_ref = window
        self.settings = DeskSettings()

        self.language = QComboBox(self)
        self.language.setObjectName("settingsLanguage")
        self.theme = QComboBox(self)
        self.theme.setObjectName("settingsTheme")
        self.idle = QSpinBox(self)
        self.idle.setObjectName("settingsIdle")
        self.idle.setRange(1, 240)
        self.sync = QSpinBox(self)
        self.sync.setObjectName("settingsSync")
        self.sync.setRange(1, 120)
        self.sounds = QCheckBox(self)
        self.sounds.setObjectName("settingsSounds")
        self.notifications = QCheckBox(self)
        self.notifications.setObjectName("settingsNotifications")
        self.desk_box = QGroupBox(self)
        form = QFormLayout(self.desk_box)
        self.labels = [
            add_row(form, "", self.language), add_row(form, "", self.theme),
            add_row(form, "", self.idle), add_row(form, "", self.sync),
        ]
        # Windows other than the main one (and Settings) keep their texts until reopened.
        # Said under the form, wrapped: a wrapped label inside a form row is cut off, and a
        # line broken in the text overlaps the rows in a longer language.
        self.language_note = QLabel(self)
        self.language_note.setObjectName("settingsLanguageNote")
        self.language_note.setWordWrap(True)
        form.addRow("", self.sounds)
        form.addRow("", self.notifications)
        # IT's cap on the idle lock (machine policy idle_lock_minutes_max), when there is one
        self.idle_cap: int | None = None
        self.idle_cap_note = QLabel(self)
        self.idle_cap_note.setObjectName("settingsIdleCap")
        self.idle_cap_note.setWordWrap(True)
        self.idle_cap_note.hide()
        form.addRow("", self.idle_cap_note)

        self.bank_box = QGroupBox(self)
        bank = QFormLayout(self.bank_box)
        self.threshold_value = QLabel(self)
        self.threshold_value.setObjectName("bankThreshold")
        self.sensitive_value = QLabel(self)
        self.sensitive_value.setObjectName("bankSensitive")
        self.sensitive_value.setWordWrap(True)
        self.sensitive_area = WrappedTextArea(self.sensitive_value, self)
        self.policy_source = QLabel(self)
        self.policy_source.setObjectName("bankPolicySource")
        self.policy_source.setWordWrap(True)
        self.bank_labels = [add_row(bank, "", self.threshold_value),
                            add_row(bank, "", self.sensitive_area, self.sensitive_value)]
        bank.addRow(self.policy_source)
        self.policy: Policy | None = None

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.Apply, self)
        self.buttons.accepted.connect(lambda: self.apply(close=True))
        self.buttons.rejected.connect(self.reject)
        apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        apply_button.setObjectName("settingsApply")
        apply_button.clicked.connect(lambda: self.apply(close=False))
        layout = QVBoxLayout(self)
        # never below its texts (Ukrainian is longer); grow_to_fit: to their wrapped height
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
        layout.addWidget(self.desk_box)
        layout.addWidget(self.language_note)
        layout.addWidget(self.bank_box)
        layout.addWidget(self.buttons)
        self.retranslate()
        # until the file is read the fields show defaults: OK then would save those
        self.desk_box.setEnabled(False)
        for button in (QDialogButtonBox.StandardButton.Ok, QDialogButtonBox.StandardButton.Apply):
            self.buttons.button(button).setEnabled(False)
        # Meanwhile no button takes Enter (the focused Cancel would, discarding); then OK.
        for pushed in self.buttons.findChildren(QPushButton):
            pushed.setAutoDefault(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.ops.run(lambda: asyncio.to_thread(load_settings), on_success=self._loaded,
                     parent=self, network=False, key="settings-read")
        self.ops.run(lambda: asyncio.to_thread(idle_lock_cap), on_success=self._idle_capped,
                     parent=self, network=False, key="settings-idle-cap")
        self.ops.run(lambda: fetch_policy(self.session), on_success=self._policy,
                     on_error=lambda _e: self._policy(None), parent=self, network=False)

    # -- texts ----------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Teller — settings"))
        self.desk_box.setTitle(self.tr("This desk"))
        self.bank_box.setTitle(self.tr("The bank's settings (read-only)"))
        texts = [self.tr("&Language:"), self.tr("&Theme:"),
                 self.tr("Lock after &idle (minutes):"), self.tr("S&ync every (minutes):")]
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
            if label.buddy() is not None:
                label.buddy().setAccessibleName(text.replace("&", "").rstrip(":"))
        for label, text in zip(self.bank_labels, [self.tr("Cash needing a supervisor above:"),
                                                  self.tr("Changes needing a second person:")],
                               strict=True):
            label.setText(text)
            if label.buddy() is not None:
                label.buddy().setAccessibleName(text.rstrip(":"))
        self.language_note.setText(self.tr(
            "The main window, its tabs and panels switch at once; other open windows "
            "(profiles, account history, reports) when they are opened again."))
        self.sounds.setText(self.tr("&Sounds"))
        self.notifications.setText(self.tr("&Notifications"))
        self._fill_combo(self.language, LANGUAGES, [
            self.tr("The profile's language"), "Українська", "English"])
        self._fill_combo(self.theme, THEMES, [
            self.tr("Follow the system"), self.tr("Light"), self.tr("Dark")])
        self._show_policy()
        self._show_idle_cap()

    @staticmethod
    def _fill_combo(combo: QComboBox, values: tuple[str, ...], texts: list[str]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for value, text in zip(values, texts, strict=True):
            combo.addItem(text, value)
        if current is not None:
            combo.setCurrentIndex(max(0, values.index(current)))
        combo.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        grow_to_fit(self)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.LayoutRequest:  # a text changed (the policy came)
            grow_to_fit(self)
        return handled

    def _idle_capped(self, cap: int | None) -> None:
        self.idle_cap = cap
        if cap is not None:
            self.idle.setMaximum(cap)  # a value above it is clamped by the box too
        self._show_idle_cap()

    def _show_idle_cap(self) -> None:
        cap = self.idle_cap
        self.idle_cap_note.setVisible(cap is not None)
        if cap is not None:
            self.idle_cap_note.setText(self.tr(
                "This computer's policy locks the desk after at most {minutes} minutes idle."
            ).format(minutes=cap))

    # -- values ---------------------------------------------------------------------------
    def _loaded(self, settings: DeskSettings) -> None:
        self.settings = settings
        self.language.setCurrentIndex(LANGUAGES.index(settings.language))
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.idle.setValue(settings.idle_lock_minutes)
        self.sync.setValue(settings.sync_interval_minutes)
        self.sounds.setChecked(settings.sounds)
        self.notifications.setChecked(settings.notifications)
        self.desk_box.setEnabled(True)
        for pushed in self.buttons.findChildren(QPushButton):
            pushed.setAutoDefault(True)  # a button Tabbed to takes Enter, as usual
            pushed.setEnabled(True)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        self.language.setFocus()  # the first field, OK the default: Enter saves

    def values(self) -> DeskSettings:
        s = self.settings
        return DeskSettings(
            language=str(self.language.currentData() or ""),
            theme=str(self.theme.currentData() or "system"),
            idle_lock_minutes=self.idle.value(), sync_interval_minutes=self.sync.value(),
            sounds=self.sounds.isChecked(), notifications=self.notifications.isChecked(),
            window=dict(s.window)).clean(self.idle_cap)

    def apply(self, *, close: bool) -> DeskSettings:
        new = self.values()
        old = self.settings
        self.settings = new
        self.ops.run(lambda: asyncio.to_thread(save_settings, new), network=False,
                     key="settings-write")
        apply_settings(new, self.window_ref, self.session, language_changed=(
            new.language != old.language))
        self.applied.emit(new)
        if close:
            self.accept()
        return new

    # -- the bank's settings --------------------------------------------------------------
    def _policy(self, policy: Policy | None) -> None:
        self.policy = policy
        self._show_policy()

    def _show_policy(self) -> None:
        profile = self.session.profile if self.session is not None else None
        policy = self.policy
        if policy is not None:
            threshold = _amount(policy.cash_threshold, policy.cash_currency)
            sensitive = hub_sensitive_texts(policy)
            self.policy_source.setText(self.tr("From the bank's Teller Hub."))
        else:
            threshold = _amount(profile.cash_confirm_threshold if profile is not None else None)
            sensitive = [sensitive_text(s) for s in
                         (profile.sensitive_changes if profile is not None else [])]
            self.policy_source.setText(self.tr(
                "From this desk's profile: the Teller Hub did not give a policy."))
        self.threshold_value.setText(threshold)
        self.sensitive_area.set_text(", ".join(sensitive) or "—")


def _amount(value: object, currency: str = "UAH") -> str:
    """The threshold as money ("10 000,00 ₴"); a profile's threshold is in hryvnia."""
    if value is None:
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return format_money(number, 2, currency or "UAH") if number.is_finite() else str(value)


def hub_sensitive_texts(policy: Policy) -> list[str]:
    """What the hub's policy sends to a second person, in the teller's words."""
    from teller_app.ui.data_text import status_text

    translate = QCoreApplication.translate
    if policy.all_customer_updates:
        return [translate("SettingsDialog", "every change to a customer")]
    texts = [sensitive_text("is_disabled")] if policy.is_disabled else []
    if policy.sensitive_statuses:
        texts.append(translate("SettingsDialog", "setting or leaving the status %1").replace(
            "%1", " / ".join(status_text(s) for s in policy.sensitive_statuses)))
    if policy.kyc_down:
        texts.append(sensitive_text("kyc_down"))
    if policy.kyc_up:
        texts.append(translate("SettingsDialog", "raising the KYC level"))
    if policy.balance_allowed_up:
        texts.append(translate("SettingsDialog", "raising the balance cap"))
    if policy.phone_number:
        texts.append(translate("SettingsDialog", "a new phone number"))
    if policy.branch_move:
        texts.append(translate("SettingsDialog", "moving a customer to another branch"))
    if policy.segment:
        texts.append(translate("SettingsDialog", "changing the segment"))
    return texts


def sensitive_text(key: str) -> str:
    return {
        "is_disabled": QCoreApplication.translate("SettingsDialog", "disabling a customer"),
        "status_blocked": QCoreApplication.translate("SettingsDialog", "blocking or closing"),
        "kyc_down": QCoreApplication.translate("SettingsDialog", "lowering the KYC level"),
    }.get(key, key)


def apply_settings(settings: DeskSettings, window: MainWindow | None,
                   session: Session | None = None, *,
                   language_changed: bool = True) -> None:
    """Apply to the running app: theme, language, idle lock, background sync interval."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        theme.apply_theme(app, settings.theme)
    if language_changed:
        profile = session.profile if session is not None else None
        lang = settings.language or (profile.language if profile else "") or current_language()
        switch_language(lang)
    if window is None:
        return
    timer = window.background_sync_timer
    if timer is not None:
        timer.setInterval(settings.sync_interval_minutes * 60_000)
    supervision = window.supervision
    locker = supervision.locker if supervision is not None else None
    if locker is not None:
        locker.tracker.idle_seconds = settings.idle_lock_minutes * 60.0
