"""Create-customer and edit-customer form (one widget, two modes).

Every field of the platform's create call has its own widget and an inline error under it.
Nothing typed is ever cleared by a failure: a refusal about a field is shown under it, others
in the form's banner (``customer_form_refusals``), a lost connection says so, and the teller
presses Save again.
Edit mode sends only the fields that changed; login, asset and IBAN are read-only there.
Saving goes through the one command pipeline (``CustomerService.update`` → the hub's
policy): when the change needs a second person nothing is written, the form says so and
emits ``approval_requested(change)`` — the main window opens the change request (reason,
remote or in-place approval) for exactly that change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.customers import CreateAttempts, CustomerService
from teller_app.core.views import CustomerView
from teller_app.platform import CustomerUpdate
from teller_app.ui.a11y_form import plain, tab_chain
from teller_app.ui.async_op import OpRunner
from teller_app.ui.banner import Banner
from teller_app.ui.customer_form_checks import SUPERVISED_STATUSES
from teller_app.ui.customer_form_choices import AssetChoice, FormChoices
from teller_app.ui.customer_form_refusals import CustomerFormRefusals
from teller_app.ui.discard_prompt import confirm_discard
from teller_app.ui.money import format_number
from teller_app.ui.untrusted import plain_label
from teller_app.ui.validators import one_line

LOGIN_CHECK_DEBOUNCE_MS = 400


def short_name(customer: CustomerView) -> str:
    """A customer's name as a tab title shows it (on one line, at most 28 characters; an "&"
    doubled, or the tab would underline the next letter and take it as its shortcut)."""
    name = one_line(customer.display_name)
    return (name if len(name) <= 28 else name[:27] + "…").replace("&", "&&")


class CustomerForm(CustomerFormRefusals):
    saved = Signal(object)  # create: CustomerSnapshot; edit: the updated CustomerView
    cancelled = Signal()
    login_checked = Signal(str, bool)  # (login, taken) — tests wait on it
    phone_checked = Signal(str, int)  # (number, holders found) — tests wait on it
    approval_requested = Signal(dict)  # the sensitive change, as a change-request preset

    def __init__(
        self,
        service: CustomerService,
        ops: OpRunner,
        choices: FormChoices,
        customer: CustomerView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerForm")
        self.service = service
        self.ops = ops
        self.choices = choices
        self.customer = customer
        self.editing = customer is not None
        self.sent_update: dict[str, Any] | None = None  # last update body (tests, audit)
        self.errors: dict[str, QLabel] = {}
        self._error_makers: dict[str, Callable[[], str]] = {}
        self._status_shown: dict[str, str] = {}
        self._login_taken: str | None = None
        self._changed_keys: set[str] = set()
        self.attempts = CreateAttempts()  # a create whose answer was lost is settled first

        self.banner = Banner(self)
        self._banner_say: tuple[Callable[[], str], str, str] | None = None  # (make, level, shown)
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        # Every text is set by retranslate(), here and again on a live language switch.
        self.asset = QComboBox(self)
        self.login = QLineEdit(self)
        self.surname = QLineEdit(self)
        self.name = QLineEdit(self)
        self.paternal_name = QLineEdit(self)
        self.phone = QLineEdit(self)
        self.iban = QLineEdit(self)
        self.branch = QComboBox(self)
        self.segment = QComboBox(self)
        self.kyc_level = QSpinBox(self)
        self.kyc_level.setRange(0, 10)
        self.balance_allowed = QLineEdit(self)
        self.balance_allowed.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.balance_asset = QComboBox(self)
        self.status = QComboBox(self)
        self.status.setEditable(True)
        self.is_disabled = QCheckBox(self)

        self._fill_choices()
        self.captions: dict[str, QLabel] = {}
        for key, widget in (
            ("asset", self.asset), ("login", self.login), ("surname", self.surname),
            ("name", self.name), ("paternal_name", self.paternal_name),
            ("phone_number", self.phone), ("iban", self.iban), ("branch", self.branch),
            ("segment", self.segment), ("kyc_level", self.kyc_level),
            ("balance_allowed", self.balance_allowed), ("balance_asset", self.balance_asset),
            ("status", self.status), ("is_disabled", self.is_disabled),
        ):
            widget.setObjectName(f"field_{key}")
            error = plain_label(QLabel(self))  # may quote a name from the platform
            error.setObjectName(f"error_{key}")
            error.setStyleSheet("color: #b3261e;")
            error.hide()
            self.errors[key] = error
            cell = QVBoxLayout()
            cell.setSpacing(1)
            cell.addWidget(widget)
            cell.addWidget(error)
            caption = QLabel(self)
            if widget is not self.is_disabled:  # the check box underlines its own letter
                caption.setBuddy(widget)  # Alt+its letter focuses the field
            self.captions[key] = caption
            self.form.addRow(caption, cell)

        self.submit_button = QPushButton(self)
        self.submit_button.setObjectName("submitCustomer")
        # Not drawn as the default button: the form is no dialog, so Enter never pressed it
        # (the look promised what the keys did not). In a long form a stray Enter in a field
        # must not save half an edit: Ctrl+Enter submits, as the button says.
        self.submit_button.setDefault(False)
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton(self)
        self.cancel_button.clicked.connect(self.request_cancel)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.submit_button)
        # Tab follows the screen: the last field, then Cancel, then Create/Save to its right
        # (made first, so Tab reached it before Cancel).
        tab_chain(self.is_disabled, self.cancel_button, self.submit_button)

        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.title)
        body_layout.addLayout(self.form)
        body_layout.addStretch(1)
        body.setMaximumWidth(720)
        scroll = self.scroll_area = QScrollArea(self)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        # a field focused by its caption's Alt+letter (or Tab, a click) is scrolled to
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._show_focused)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, self.submit,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.request_cancel,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.login_timer = QTimer(self)
        self.login_timer.setSingleShot(True)
        self.login_timer.setInterval(LOGIN_CHECK_DEBOUNCE_MS)
        self.login_timer.timeout.connect(self._check_login_now)
        self.phone.editingFinished.connect(self._phone_left)
        self.iban.editingFinished.connect(self._validate_iban)
        self.balance_allowed.editingFinished.connect(self._validate_balance)
        self.asset.currentIndexChanged.connect(lambda _i: self._validate_balance())

        self.retranslate()
        if customer is not None:
            self._fill_from(customer)
        else:
            self.login.textEdited.connect(self._login_edited)
            self.balance_allowed.setText(format_number(0, self._minor_unit()))
        self._pristine = self._state()
        self._discard_box: QMessageBox | None = None

    # -- language ---------------------------------------------------------------------------
    def retranslate(self) -> None:
        """Every text of the form in the current language. Only texts change: what was typed
        or picked, the errors shown (re-made from their checks) and the focus all stay."""
        self.login.setPlaceholderText(self.tr("phone, e-mail or another unique name"))
        self.phone.setPlaceholderText(self.tr("+380 67 123 45 67"))
        self.iban.setPlaceholderText(
            self.tr("see the accounts on the card") if self.editing
            else self.tr("optional, e.g. UA21 3223 1300 0002 6007 2335 6600 1"))
        # the platform takes any status (free text): the empty box says so, as Segment's "(none)"
        status_edit = self.status.lineEdit()
        if status_edit is not None:  # always: the box is editable
            status_edit.setPlaceholderText(self.tr("(none) — pick or type any status"))
        self.balance_allowed.setToolTip(self.tr(
            "The most the customer's account may hold; 0 means no limit."))
        # Alt+letter: each caption's letter focuses its field (its buddy), unique in the main
        # window around the form with its menus (&Customer, &Tools, T&ill, &Help). In English
        # the captions and Cancel leave Create no free letter (twelve of them hold just twelve
        # between them): Create and Save have none, Ctrl+Enter as they say (the test:
        # tests/ui/test_accelerators_unique).
        self.is_disabled.setText(self.tr("&Disabled") if self.editing
                                 else self.tr("Create the customer &disabled"))
        for key, caption in (
            ("asset", self.tr("&Asset")), ("login", self.tr("&Login")),
            ("surname", self.tr("&Surname")), ("name", self.tr("Na&me")),
            ("paternal_name", self.tr("&Paternal name")), ("phone_number", self.tr("Ph&one")),
            ("iban", self.tr("IBA&N")), ("branch", self.tr("B&ranch")),
            ("segment", self.tr("Se&gment")), ("kyc_level", self.tr("&KYC level")),
            ("balance_allowed", self.tr("Balance allo&wed")),
            ("balance_asset", self.tr("&Balance asset")), ("status", self.tr("Stat&us")),
            ("is_disabled", ""),
        ):
            label = self.captions[key]
            field = self.findChild(QWidget, f"field_{key}")
            if field is not None and field.accessibleName() == plain(label.text()) != "":
                field.setAccessibleName(plain(caption))  # the name ui/a11y gave it
            label.setText(caption)
        self.submit_button.setText(self.tr("Save changes (Ctrl+Enter)") if self.editing
                                   else self.tr("Create customer (Ctrl+Enter)"))
        self.cancel_button.setText(self.tr("Canc&el"))
        self.title.setText(self.tr("Edit customer") if self.editing else self.tr("New customer"))
        self._retranslate_choices()
        self._retranslate_errors()
        said = self._banner_say
        if said is not None and self.banner.text() == said[2]:
            self._say(said[0], said[1])  # the form's own message, in the new language

    def tab_title(self) -> str:
        """The form's tab title ("MainWindow" context: the main window sets it first)."""
        if self.customer is None:
            return QCoreApplication.translate("MainWindow", "New customer")
        return QCoreApplication.translate("MainWindow", "Edit: {name}").format(
            name=short_name(self.customer))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
            tabs = self.parentWidget()
            while tabs is not None and not isinstance(tabs, QTabWidget):
                tabs = tabs.parentWidget()
            if tabs is not None and tabs.indexOf(self) >= 0:
                tabs.setTabText(tabs.indexOf(self), self.tab_title())
        super().changeEvent(event)

    def _say(self, make: Callable[[], str], level: str) -> None:
        """A banner message of the form's own, re-made on a language switch."""
        text = make()
        self._banner_say = (make, level, text)
        self.banner.show_message(text, level)

    # -- public ---------------------------------------------------------------------------
    def is_dirty(self) -> bool:
        """Something typed that closing would lose (edit: any field changed; new: anything
        entered into the blank form)."""
        return self._state() != self._pristine

    def request_cancel(self) -> None:
        """Cancel / Esc: close at once when nothing was typed, else ask first."""
        if not self.is_dirty():
            self.cancelled.emit()
            return
        if self._discard_box is not None and self._discard_box.isVisible():
            return
        self._discard_box = confirm_discard(self, 1, self.cancelled.emit)

    def _show_focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        """The whole focused field and its error under it, not only its text cursor (what
        ``ensureWidgetVisible`` keeps in view): a half-shown field reads as another one."""
        body = self.scroll_area.widget()
        if new is None or body is None or not body.isAncestorOf(new):
            return
        field = new
        while not field.objectName().startswith("field_") and field.parentWidget() is not body:
            parent = field.parentWidget()
            if parent is None:
                return
            field = parent
        area = QRect(field.mapTo(body, QPoint(0, 0)), field.size())
        error = self.errors.get(field.objectName().removeprefix("field_"))
        if error is not None and not error.isHidden():
            area = area.united(QRect(error.mapTo(body, QPoint(0, 0)), error.size()))
        centre = area.center()
        self.scroll_area.ensureVisible(centre.x(), centre.y(), area.width() // 2 + 4,
                                       area.height() // 2 + 8)

    def first_field(self) -> QWidget:
        return self.surname if self.editing else self.login

    def _focus_first_error(self) -> None:
        """The teller lands on the first field to fix, scrolled into view."""
        for key, label in self.errors.items():
            field = self.findChild(QWidget, f"field_{key}")
            if not label.isHidden() and field is not None and field.isEnabled():
                self.scroll_area.ensureWidgetVisible(field)
                field.setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def submit(self) -> None:
        if self.ops.is_busy(self._submit_key()):
            return
        self.banner.clear()
        self._clear_changed_marks()
        if not self._validate_all():
            self._say(lambda: self.tr("Check the highlighted fields."), "warning")
            self._focus_first_error()
            return
        if self.customer is not None:  # editing
            body = self._changed_fields(self.customer)
            if not body:
                self._say(lambda: self.tr("Nothing has changed."), "info")
                return
            update = CustomerUpdate(**body)
            self.sent_update = update.wire()
            current = self.customer
            self.ops.run(lambda: self.service.update(current.guid, update, current),
                         on_success=self._saved, on_error=self._refused, parent=self,
                         label=self.tr("Saving customer…"), key=self._submit_key(),
                         disable=[self.submit_button], write=True)
            return
        new, attempts = self._new_customer(), self.attempts
        self.ops.run(lambda: self.service.create(new, attempts), on_success=self._saved,
                     on_error=self._refused, parent=self, label=self.tr("Creating customer…"),
                     key=self._submit_key(), disable=[self.submit_button], write=True)

    # -- form state ---------------------------------------------------------------------------
    def _state(self) -> tuple[Any, ...]:
        """What the teller can change, raw (as typed: no normalisation that could differ)."""
        texts = tuple(w.text() for w in (
            self.login, self.surname, self.name, self.paternal_name, self.phone, self.iban,
            self.balance_allowed))
        combos = tuple(w.currentIndex() for w in (
            self.asset, self.branch, self.segment, self.balance_asset))
        return (texts, combos, self._status_value(), self.kyc_level.value(),
                self.is_disabled.isChecked())

    def _submit_key(self) -> str:
        return f"customer-form:{id(self)}"

    # -- results ----------------------------------------------------------------------------
    def _saved(self, result: object) -> None:
        self.saved.emit(result)


# importers of these from here (main window, tests) keep working
__all__ = ["SUPERVISED_STATUSES", "AssetChoice", "CustomerForm", "FormChoices", "confirm_discard"]
