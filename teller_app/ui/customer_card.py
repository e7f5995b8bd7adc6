"""The customer card: personal data, flags, one panel per account, and actions.

Cached values are painted at once (marked with their age) and then refreshed from the
platform in the background, so the card never waits for the network to show something.
Public for the supervision module: ``customer``, ``actions_layout`` (the buttons, wrapping
onto more lines when narrow), ``notes_layout`` (lines under them: a note there never widens
the window), ``refresh()``.
A live language switch re-texts the card from its state (``retranslate``); nothing is rebuilt.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.customers import CustomerService, CustomerSnapshot, OpenAccountAttempts
from teller_app.core.views import AccountView, CustomerView
from teller_app.ui import theme
from teller_app.ui.account_panel import AccountPanel, _selectable, caption_row, set_caption
from teller_app.ui.async_op import OpRunner
from teller_app.ui.banner import Banner
from teller_app.ui.columns_or_stacked import ColumnsOrStacked
from teller_app.ui.customer_card_text import DETAIL_KEYS, detail_captions, detail_texts, flags_html
from teller_app.ui.enter_key import press_on_enter
from teller_app.ui.error_text import friendly_message, is_connectivity_error
from teller_app.ui.flow_layout import FlowLayout
from teller_app.ui.untrusted import plain_label, shown_lines
from teller_app.ui.validators import check_iban, isolate


def describe_age(seconds: float) -> str:
    if seconds < 60:
        return QCoreApplication.translate("CustomerCard", "just now")
    if seconds < 3600:
        return CustomerCard.tr("%n min ago", "", int(seconds // 60))  # type: ignore[arg-type]  # ui/plural.py
    if seconds < 86400:
        return CustomerCard.tr("%n h ago", "", int(seconds // 3600))  # type: ignore[arg-type]  # ui/plural.py
    return CustomerCard.tr("%n day(s) ago", "", int(seconds // 86400))  # type: ignore[arg-type]  # ui/plural.py


class CustomerCard(QWidget):
    back_requested = Signal()
    edit_requested = Signal(object)  # the customer
    customer_changed = Signal(object)  # after a refresh or a write
    refreshed = Signal()  # platform data painted (tests, supervision)
    account_opened = Signal(str)  # customer guid (audit)

    def __init__(
        self,
        customer: CustomerView,
        service: CustomerService,
        ops: OpRunner,
        parent: QWidget | None = None,
        *,
        can_edit: bool = True,
        can_open_account: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customerCard")
        self.customer = customer
        self.guid = customer.guid
        self.service = service
        self.ops = ops
        self.accounts: list[AccountView] = []
        self.account_panels: list[AccountPanel] = []
        self.fetched_at: float | None = None
        # what the freshness line says: loading | refreshing | fresh | offline | saved
        self._freshness = "loading"
        self._keep_banner = False  # the read under way was caused by another desk
        self._open_account_error: Callable[[], str] | None = None  # remade on a switch
        self._open_account_attempts = OpenAccountAttempts()  # a lost answer, settled by reading

        self.banner = Banner(self)
        self.title = QLabel(self)
        self.title.setObjectName("cardTitle")
        self.title.setStyleSheet("font-size: 17pt; font-weight: 600;")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title.setTextFormat(Qt.TextFormat.PlainText)  # a name is never read as markup
        self.flags = QLabel(self)
        self.flags.setObjectName("cardFlags")
        self.flags.setTextFormat(Qt.TextFormat.RichText)  # built escaped (``html.escape``)
        self.freshness = QLabel(self)
        self.freshness.setObjectName("freshness")
        self.freshness.setStyleSheet(theme.muted_style())

        # Actions: other modules add buttons here (supervision.install). They wrap onto a
        # second line when the window is narrow: eight Ukrainian buttons in one row (~1150 px)
        # beside the supervisor's inbox made the window wider than a 1280 px screen.
        self.actions_layout = FlowLayout()
        self.back_button = QPushButton(self)
        self.back_button.clicked.connect(self.back_requested.emit)
        self.refresh_button = QPushButton(self)
        self.refresh_button.clicked.connect(self.refresh)
        self.edit_button = QPushButton(self)
        self.edit_button.setObjectName("editCustomer")
        self.edit_button.clicked.connect(lambda: self.edit_requested.emit(self.customer))
        self.edit_button.setVisible(can_edit)
        self.open_account_button = QPushButton(self)
        self.open_account_button.setObjectName("openAccount")
        self.open_account_button.clicked.connect(self.show_open_account)
        self.open_account_button.setVisible(can_open_account)
        for button in (self.back_button, self.refresh_button, self.edit_button,
                       self.open_account_button):
            self.actions_layout.addWidget(button)
            press_on_enter(button)
        self.notes_layout = QVBoxLayout()  # empty: takes no room

        self.details = QFormLayout()
        self.details.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.detail_labels: dict[str, QLabel] = {}
        self.detail_captions: dict[str, QLabel] = {}
        for key in DETAIL_KEYS:
            label = _selectable("", self, f"detail_{key}")
            self.detail_labels[key] = label
            self.detail_captions[key] = caption_row(self.details, label, self)

        self.open_account_frame = self._build_open_account_frame()
        self.accounts_box = QVBoxLayout()
        self.accounts_box.setSpacing(8)
        self.accounts_title = QLabel(self)
        self.accounts_title.setStyleSheet("font-size: 13pt; font-weight: 600;")

        left = QVBoxLayout()
        left.addLayout(self.details)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(self.accounts_title)
        right.addWidget(self.open_account_frame)
        right.addLayout(self.accounts_box)
        right.addStretch(1)
        self.columns = columns = ColumnsOrStacked(left, right)  # stacked when narrow

        body = QWidget(self)
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.title)
        body_layout.addWidget(self.flags)
        body_layout.addWidget(self.freshness)
        body_layout.addLayout(columns)
        scroll = QScrollArea(self)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not a Tab stop of its own
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addLayout(self.actions_layout)
        layout.addLayout(self.notes_layout)
        layout.addWidget(scroll, 1)

        QShortcut(QKeySequence("Ctrl+R"), self, self.refresh,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence("Ctrl+E"), self, self._edit_shortcut,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.back_requested.emit,
                  context=Qt.ShortcutContext.WidgetWithChildrenShortcut)

        self.retranslate()
        self._load()

    def retranslate(self) -> None:
        """Every text from the card's state, in the current language (a live switch)."""
        self.back_button.setText(self.tr("← Search (Esc)"))
        self.refresh_button.setText(self.tr("Refresh (Ctrl+R)"))
        self.edit_button.setText(self.tr("Edit (Ctrl+E)"))
        self.open_account_button.setText(self.tr("&Open additional account…"))
        for key, caption in detail_captions().items():
            set_caption(self.detail_captions[key], caption)
        self.accounts_title.setText(self.tr("Accounts"))
        iban = self.open_account_iban
        iban.setPlaceholderText(self.tr("IBAN (optional)"))
        if iban.accessibleName():  # named from its placeholder (a11y.tie_labels)
            iban.setAccessibleName(iban.placeholderText())
        self.open_account_submit.setText(self.tr("Open account"))
        self.open_account_cancel.setText(self.tr("Cancel"))
        self.open_account_heading.setText(self.tr("Open an additional account"))
        self._show_open_account_error(self._open_account_error)
        self._show_freshness(self._freshness)
        self._paint_customer()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()  # the account panels re-text themselves
        super().changeEvent(event)

    def _edit_shortcut(self) -> None:
        if self.edit_button.isVisible():
            self.edit_requested.emit(self.customer)

    # -- public -------------------------------------------------------------------------
    def refresh(self, *, keep_banner: bool = False) -> None:
        """Re-read customer and accounts from the platform (the cached view stays). The
        banner's message goes with the read, unless ``keep_banner`` (a read another desk's
        request caused: what this card said is still to be read)."""
        self._show_freshness("refreshing")
        self._keep_banner = keep_banner
        self.ops.run(
            lambda: self.service.refresh(self.guid),
            on_success=self._apply_platform,
            on_error=self._refresh_failed,
            parent=self,
            label=self.tr("Refreshing customer…"),
            # this card's: another card of the customer (one parked for an employee who
            # switched away) is read on its own
            key=f"card-refresh:{self.guid}:{id(self)}",
            disable=[self.refresh_button],
        )

    def set_customer(self, customer: CustomerView) -> None:
        self.customer = customer
        self._paint_customer()
        self.customer_changed.emit(customer)

    def show_open_account(self) -> None:
        self.open_account_frame.setVisible(True)
        self.open_account_iban.setFocus()

    def balance_texts(self) -> list[str]:
        return [t for panel in self.account_panels for t in panel.balance_texts()]

    # -- loading ------------------------------------------------------------------------
    def _load(self) -> None:
        self._show_freshness("loading")
        self.ops.run(
            lambda: self.service.cached(self.guid),
            on_success=self._apply_cached,
            on_error=lambda _exc: self.refresh(),
            parent=self,
            label=self.tr("Opening customer…"),
            network=False,
        )

    def _apply_cached(self, snapshot: CustomerSnapshot | None) -> None:
        if snapshot is not None:
            self.customer = snapshot.customer
            self.fetched_at = snapshot.fetched_at
            self._paint_customer()
            if snapshot.accounts:
                self._paint_accounts(snapshot.accounts)
        self.refresh()

    def _apply_platform(self, snapshot: CustomerSnapshot) -> None:
        if not self._keep_banner or self.banner.level == "error":  # a failed read's goes
            self.banner.clear()
        self.fetched_at = snapshot.fetched_at or time.time()
        self.set_customer(snapshot.customer)
        self._paint_accounts(snapshot.accounts)
        self._show_freshness("fresh")
        self.refreshed.emit()

    def _refresh_failed(self, exc: BaseException) -> None:
        offline = is_connectivity_error(exc) and self.fetched_at
        self._show_freshness("offline" if offline else "saved")
        self.banner.show_message(friendly_message(exc), "error")

    def _show_freshness(self, state: str) -> None:
        self._freshness = state
        if state == "loading":
            text = self.tr("Loading…")
        elif state == "refreshing":
            text = self.tr("{saved} · refreshing…").format(saved=self._age_text())
        elif state == "fresh":
            text = self.tr("Up to date")
        elif state == "offline" and not self.accounts:  # the sync keeps no accounts
            text = self.tr("Offline — showing saved data from {age}; accounts and balances "
                           "show once the platform is reachable").format(
                age=self._age_text(bare=True))
        elif state == "offline":
            text = self.tr("Offline — showing saved data from {age}").format(
                age=self._age_text(bare=True))
        else:
            text = self._age_text()
        self.freshness.setText(text)

    def _age_text(self, bare: bool = False) -> str:
        if not self.fetched_at:
            return "" if bare else self.tr("Not yet loaded")
        age = describe_age(max(0.0, time.time() - self.fetched_at))
        return age if bare else self.tr("Saved {age}").format(age=age)

    # -- painting -----------------------------------------------------------------------
    def _paint_customer(self) -> None:
        c = self.customer
        self.title.setText(isolate(c.full_name or c.login or self.guid))
        texts = detail_texts(c)
        for key, label in self.detail_labels.items():
            label.setText(texts[key])
        self.flags.setText(flags_html(c))

    def _paint_accounts(self, accounts: list[AccountView]) -> None:
        self.accounts = list(accounts)
        # a refresh in the background (another desk's decision) keeps the keyboard where it
        # was: on the same account's same control (its Copy) in the panel made anew
        focused = QApplication.focusWidget()
        kept = next(((p.account.guid, focused.objectName()) for p in self.account_panels
                     if focused is not None and p.isAncestorOf(focused)), None)
        for panel in self.account_panels:
            panel.setParent(None)
            panel.deleteLater()
        self.account_panels = []
        for number, account in enumerate(self.accounts):
            panel = AccountPanel(account, self, copy_letter=number == 0)
            self.accounts_box.addWidget(panel)
            self.account_panels.append(panel)
            if kept is not None and kept[0] == account.guid and kept[1]:
                again = panel.findChild(QWidget, kept[1])
                if again is not None:
                    again.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- open additional account --------------------------------------------------------
    def _build_open_account_frame(self) -> QFrame:
        frame = QFrame(self)
        frame.setObjectName("openAccountFrame")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        self.open_account_iban = QLineEdit(frame)
        self.open_account_iban.setObjectName("newAccountIban")
        self.open_account_error = plain_label(QLabel(frame))
        self.open_account_error.setObjectName("newAccountError")
        self.open_account_error.setStyleSheet(theme.error_style())
        self.open_account_error.setWordWrap(True)
        self.open_account_submit = QPushButton(frame)
        self.open_account_submit.setObjectName("submitOpenAccount")
        self.open_account_submit.clicked.connect(self._submit_open_account)
        self.open_account_iban.returnPressed.connect(self._submit_open_account)
        self.open_account_cancel = QPushButton(frame)
        self.open_account_cancel.clicked.connect(self._close_open_account)
        press_on_enter(self.open_account_submit, self.open_account_cancel)
        row = QHBoxLayout()
        row.addWidget(self.open_account_iban, 1)
        row.addWidget(self.open_account_submit)
        row.addWidget(self.open_account_cancel)
        layout = QVBoxLayout(frame)
        self.open_account_heading = QLabel(frame)
        layout.addWidget(self.open_account_heading)
        layout.addLayout(row)
        layout.addWidget(self.open_account_error)
        frame.setVisible(False)
        return frame

    def _show_open_account_error(self, make: Callable[[], str] | None) -> None:
        """The frame's error, kept as how to make it (so a language switch re-makes it)."""
        self._open_account_error = make
        self.open_account_error.setText(shown_lines(make()) if make is not None else "")

    def _submit_open_account(self) -> None:
        text = self.open_account_iban.text()
        iban, error = check_iban(text)
        self._show_open_account_error((lambda: check_iban(text)[1]) if error else None)
        if error:
            return
        key = f"open-account:{self.guid}"
        if self.ops.is_busy(key):  # Enter pressed again while it is being opened: once only
            return
        # the last opening's success is not this one's: a refusal beside it would contradict it
        self.banner.drop_line(self.tr("The account is open."))
        self.ops.run(
            lambda: self.service.open_account(self.guid, iban or None,
                                              self._open_account_attempts),
            on_success=self._account_opened,
            on_error=lambda exc: self._show_open_account_error(lambda: friendly_message(exc)),
            parent=self,
            label=self.tr("Opening account…"),
            key=key,
            disable=[self.open_account_submit, self.open_account_iban],
            write=True,
        )

    def _close_open_account(self) -> None:
        """Hide the frame; the focus it held goes back to the button that opened it (else
        Qt hands it to whatever follows in the Tab chain)."""
        self.open_account_frame.setVisible(False)
        self.open_account_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _account_opened(self, snapshot: CustomerSnapshot) -> None:
        self.open_account_iban.clear()
        self._show_open_account_error(None)
        self._close_open_account()
        self._apply_platform(snapshot)
        self.banner.show_message(self.tr("The account is open."), "success")
        self.account_opened.emit(self.guid)
