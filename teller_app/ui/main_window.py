"""The main window: search on top, cards and forms in tabs, a banner, a status bar.

Stable public surface (used by ui/supervision.py):
``session``, ``cache_worker``, ``ops``, ``tabs`` (tab 0 = search; cards and forms after it),
``menu_customer``, ``menu_tools``, ``status_bar``, ``banner``, ``central_stack``, signals
``customer_card_opened(card)``, ``signed_out`` and ``session_switched(session)``,
``switch_session(session)`` (parks the leaving employee's tabs) and ``audit(action, ...)``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from teller_app.core.approvals import approval_gate
from teller_app.core.audit import AuditAction
from teller_app.core.branch_cache import BranchCacheBundle
from teller_app.core.customers import CustomerService, CustomerSnapshot
from teller_app.core.roles import Capability
from teller_app.core.session import Session
from teller_app.core.views import CustomerLike, CustomerView, customer_view
from teller_app.platform import Branch, Segment
from teller_app.ui.async_op import OpRunner
from teller_app.ui.banner import Banner
from teller_app.ui.customer_card import CustomerCard
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.customer_form_choices import (
    AssetChoice,
    FormChoices,
    form_choices,
    manifest_assets,
)
from teller_app.ui.customer_table_model import SearchSource
from teller_app.ui.error_text import cache_notice
from teller_app.ui.lock_privacy import LockPrivacy
from teller_app.ui.main_window_chrome import MainWindowChrome
from teller_app.ui.main_window_leaving import MainWindowLeaving
from teller_app.ui.main_window_reauth import MainWindowReauth
from teller_app.ui.search_panel import SearchPanel
from teller_app.ui.search_sources import CacheSearchSource, PlatformSearchSource, platform_only
from teller_app.ui.session_info import describe_employee, session_branch, session_client

if TYPE_CHECKING:
    from teller_app.ui.desk import DeskHooks
    from teller_app.ui.reauth_dialog import ReauthDialog
    from teller_app.ui.supervision import Supervision
    from teller_app.ui.till_desk import TillDesk

log = logging.getLogger(__name__)


def _employee_key(session: Session) -> str:
    guid = session.employee.guid
    return str(guid) if guid else describe_employee(session)


class MainWindow(MainWindowChrome, MainWindowLeaving, MainWindowReauth):
    customer_card_opened = Signal(object)  # CustomerCard
    signed_out = Signal()
    closed = Signal()  # the window was closed (not a sign-out): the app ends
    session_switched = Signal(object)
    desk: DeskHooks  # set by desk.install (profiles, settings, help, title, window state)
    till_desk: TillDesk  # set by till_desk.install (the till menu, the hub's cash controls)

    def __init__(
        self,
        session: Session,
        ops: OpRunner,
        *,
        profile_name: str = "",
        sandbox_asset: dict[str, Any] | None = None,  # the sandbox manifest's JSON asset
        branch_cache: BranchCacheBundle | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``branch_cache``: the opened cache (core/branch_cache.py) or None."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.session = session
        self.ops = ops
        self.profile_name = profile_name
        self.sandbox_asset = sandbox_asset
        self.branch_cache = branch_cache
        self.cache_worker = branch_cache.worker if branch_cache else None
        self.sync_engine = branch_cache.sync if branch_cache else None
        self.connectivity = branch_cache.connectivity if branch_cache else None
        self._cache_warm = False
        self._offline = False
        self.supervision: Supervision | None = None  # set by supervision.install
        self.background_sync_timer: QTimer | None = None  # set by cache_wiring.wire_cache
        self.cache_unsubscribe: Callable[[], None] | None = None  # and its listener's undo
        self.service = CustomerService(session_client(session), self.cache_worker,
                                       hub=session.hub, gate=approval_gate(session))
        self.choices = FormChoices(assets=self._manifest_assets())
        self._closing_for_sign_out = False
        self._discard_confirmed = False  # the teller agreed to lose unsaved forms
        self._discard_box: QMessageBox | None = None
        self._signed_in_recorded = False
        # employee (describe_employee) -> [(tab widget, title)] kept while another works
        self._parked_tabs: dict[str, list[tuple[QWidget, str]]] = {}
        self.setWindowTitle(self.tr("Teller"))
        self.resize(1200, 760)

        self.banner = Banner(self)
        self.search_panel = SearchPanel(ops, self._source_for, self)
        self.search_panel.open_requested.connect(self.open_customer)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("workTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self._close_tab)
        self.tabs.addTab(self.search_panel, self.tr("Search"))
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)

        # The working UI lives in page 0; a lock screen can be stacked over it. The banner is
        # in that page: its notices name customers, so the lock covers it with the work.
        self.central_stack = QStackedWidget(self)
        work = QWidget(self)
        work_layout = QVBoxLayout(work)
        work_layout.setContentsMargins(0, 0, 0, 0)
        work_layout.setSpacing(2)
        work_layout.addWidget(self.banner)
        work_layout.addWidget(self.tabs, 1)
        self.central_stack.addWidget(work)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.central_stack, 1)
        self.setCentralWidget(central)

        self._build_status_bar()
        self._build_menus(new_customer=self.new_customer, find=self.focus_search,
                          close_tab=self._close_current_tab, sync_now=self.sync_now,
                          sign_out=self.sign_out)
        from teller_app.ui import desk  # profiles, settings, help, title, window state

        desk.install(self)
        self.ops.default_error_handler = self._show_error
        self.ops.reauthenticate = self._reauthenticate
        self._reauth_dialog: ReauthDialog | None = None
        self._reauth_waiting: list[tuple[Callable[[], None], Callable[[], None]]] = []
        self.ops.activity_changed.connect(self._activity_changed)
        # Bound methods, never a lambda on ``self``: the runner is the app's (it outlives
        # every main window, one per sign-in), so a lambda stayed connected after sign-out
        # and kept the signed-out window alive.
        self.ops.connectivity_error.connect(self._connectivity_lost)
        self.ops.platform_reached.connect(self._platform_reached)
        self._apply_session()
        self._load_choices()
        self._wire_cache()

        from teller_app.ui import supervision  # supervisor features (issue 6)

        hooks = supervision.install(self)
        # Unhook app-level hooks even when the window is deleted without being closed.
        self.destroyed.connect(lambda *_: hooks.shutdown())
        if hooks.locker is not None:  # the status bar's notices stay off the lock screen
            self.lock_privacy = LockPrivacy(self.status_bar, hooks.locker)
        from teller_app.ui import till_desk  # the till and the hub's cash controls (issue 15)

        till_desk.install(self)

    # -- public ---------------------------------------------------------------------------
    def start(self) -> None:
        """First paint after a sign-in: focus the search box and show the first results.
        The one place the sign-in is written to the audit trail."""
        if not self._signed_in_recorded:
            self._signed_in_recorded = True
            self.audit(AuditAction.SIGN_IN)
        self.search_panel.focus_search()
        self.search_panel.run_search()

    def audit(self, action: str, **details: Any) -> None:
        """Append to the audit trail as the signed-in employee (no personal values)."""
        if self.supervision is not None:
            self.supervision.record(action, **details)

    def focus_search(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.search_panel.focus_search()

    def open_customer(self, found: CustomerLike) -> CustomerCard:
        customer = customer_view(found)
        guid = customer.guid
        for i in range(1, self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, CustomerCard) and widget.guid == guid:
                self.tabs.setCurrentIndex(i)
                widget.setFocus()
                return widget
        card = CustomerCard(customer, self.service, self.ops, self.tabs,
                            can_edit=self._can(Capability.EDIT_CUSTOMER),
                            can_open_account=self._can(Capability.OPEN_ACCOUNT))
        card.back_requested.connect(self.focus_search)
        card.edit_requested.connect(self.edit_customer)
        card.customer_changed.connect(self._customer_changed)
        card.account_opened.connect(
            lambda g: self.audit(AuditAction.OPEN_ACCOUNT, customer_guid=g))
        index = self.tabs.addTab(card, self._tab_title(card.customer))
        self.tabs.setCurrentIndex(index)
        card.setFocus()
        self.customer_card_opened.emit(card)
        return card

    def new_customer(self) -> CustomerForm | None:
        if not self._can(Capability.CREATE_CUSTOMER):
            self.banner.show_message(self.tr("You may not create customers."), "warning")
            return None
        form = CustomerForm(self.service, self.ops, self.choices, parent=self.tabs)
        form.saved.connect(lambda result: self._created(form, result))
        form.cancelled.connect(lambda: self._close_widget(form))
        index = self.tabs.addTab(form, self.tr("New customer"))
        self.tabs.setCurrentIndex(index)
        form.first_field().setFocus()
        return form

    def edit_customer(self, found: CustomerLike) -> CustomerForm:
        customer = customer_view(found)
        guid = customer.guid
        for i in range(1, self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, CustomerForm) and widget.customer is not None and \
                    widget.customer.guid == guid:
                self.tabs.setCurrentIndex(i)
                return widget
        form = CustomerForm(self.service, self.ops, self.choices, customer=customer,
                            parent=self.tabs)
        form.saved.connect(lambda updated: self._edited(form, updated))
        form.approval_requested.connect(lambda preset: self._request_approval(form, preset))
        form.cancelled.connect(lambda: self._close_widget(form))
        index = self.tabs.addTab(form, self.tr("Edit: {name}").format(
            name=self._tab_title(customer)))
        self.tabs.setCurrentIndex(index)
        form.first_field().setFocus()
        return form

    def sync_now(self) -> None:
        if self.sync_engine is None:
            self.search_panel.run_search()  # no cache: "sync" = re-ask the platform
            return
        self._show_sync("syncing")
        self.ops.run(
            self.sync_engine.sync_now,
            on_success=lambda _r: self._synced(),
            on_error=self._sync_failed,
            label=self.tr("Syncing customers…"),
            key="sync",
        )

    def switch_session(self, session: Session) -> None:
        """Another employee (or the same one, re-authenticated) takes over this window.
        A different employee never sees the previous one's open cards and forms: they are
        parked (unsaved input included) and come back when that employee signs in again."""
        leaving, arriving = _employee_key(self.session), _employee_key(session)
        left, self.session = self.session, session
        self.service.client = session_client(session)
        self.service.hub = session.hub
        self.service.gate = approval_gate(session)
        if leaving != arriving:
            from teller_app.ui.cache_wiring import unwire_cache
            self.banner.clear()  # the leaving employee's notice (it may name a customer)
            # the leaving employee's cache (their key, scope and client) closes; a sign-out
            # later signs them out too (ui/switched_away)
            unwire_cache(self, left)
            self.search_panel.forget()  # their query and results, before Y's first search
            self._park_tabs(leaving)
            self._unpark_tabs(arriving)
        self._apply_session()
        self._load_choices()
        self.search_panel.run_search()
        self.session_switched.emit(session)

    def sign_out(self) -> None:
        """Sign out: every open and parked form (other employees' too) goes, so unsaved
        input is confirmed first; saves already sent finish first (main_window_leaving)."""
        if not self._ready_to_leave(self.sign_out, signing_out=True):
            return
        self._closing_for_sign_out = True
        self.ops.cancel_all()
        self._shutdown_plugins()
        self.signed_out.emit()
        self.close()

    # -- session, choices -------------------------------------------------------------------
    def _can(self, capability: Capability) -> bool:
        return self.session.can(capability)

    def _apply_session(self) -> None:
        self.employee_label.setText(describe_employee(self.session))
        branch = session_branch(self.session)
        self.search_panel.set_branches(None if branch else [])

    def _manifest_assets(self) -> tuple[AssetChoice, ...]:
        return manifest_assets(self.sandbox_asset)

    def _load_choices(self) -> None:
        client = session_client(self.session)

        async def load() -> tuple[list[Segment], list[Branch]]:
            segments = await client.list_segments()
            branches = [] if session_branch(self.session) else await client.list_branches()
            return segments, branches

        self.ops.run(load, on_success=self._choices_loaded,
                     on_error=lambda exc: log.info("choices not loaded: %s", exc),
                     label=self.tr("Loading segments…"))

    def _choices_loaded(self, result: tuple[list[Segment], list[Branch]]) -> None:
        segments, branches = result
        branch = session_branch(self.session)
        self.choices = form_choices(self._manifest_assets(), segments, branches, branch)
        if not branch:
            self.search_panel.set_branches(list(self.choices.branches))

    # -- search source ----------------------------------------------------------------------
    def _source_for(self, branch_guid: str | None) -> SearchSource:
        # The cache holds this employee's scope (head office: every branch), and filters by
        # branch itself; the platform answers only until the first sync is done.
        exact = not self._offline and platform_only(self.search_panel.search_box.text())
        if self.cache_worker is not None and self._cache_ready() and not exact:
            return CacheSearchSource(self.cache_worker, branch_guid)
        return PlatformSearchSource(session_client(self.session), branch_guid)

    def _cache_ready(self) -> bool:
        return self._cache_warm

    # -- cache / sync / connectivity (filled in by ui/cache_wiring.py) -----------------------
    def _wire_cache(self) -> None:
        from teller_app.ui.cache_wiring import wire_cache

        wire_cache(self)

    def _synced(self) -> None:
        was_warm, self._cache_warm = self._cache_warm, True
        self._show_sync("synced", time.time())
        if not was_warm and (rebuilding := cache_notice(self.branch_cache)):
            self.banner.drop_line(rebuilding)  # rebuilt now
        if not was_warm or not self.search_panel.search_box.text():
            self.search_panel.run_search()  # from now on the cache answers

    def _request_approval(self, form: CustomerForm, preset: dict[str, object]) -> None:
        supervision = self.supervision
        if supervision is None or form.customer is None:
            form.banner.show_message(self.tr("This change needs a supervisor's approval."),
                                     "warning")
            return
        card = self.open_customer(form.customer)
        supervision.open_change_request(card, preset)

    def _created(self, form: CustomerForm, snapshot: CustomerSnapshot) -> None:
        self.audit(AuditAction.CUSTOMER_CREATE, customer_guid=snapshot.customer.guid)
        self._close_widget(form)
        self.banner.show_message(self.tr("Customer {name} created.").format(
            name=snapshot.customer.full_name or snapshot.customer.login),
            "success")
        self.search_panel.run_search()
        self.open_customer(snapshot.customer)

    def _edited(self, form: CustomerForm, customer: CustomerView) -> None:
        # Field names only: the values may be personal data.
        self.audit(AuditAction.CUSTOMER_EDIT, customer_guid=customer.guid,
                   fields=sorted(form.sent_update or {}))
        self._close_widget(form)
        self.banner.show_message(self.tr("Changes saved."), "success")
        self._customer_changed(customer)
        card = self.open_customer(customer)
        card.set_customer(customer)

    def _customer_changed(self, customer: CustomerView) -> None:
        self.search_panel.model.replace_row(customer)
        guid = customer.guid
        for i in range(1, self.tabs.count()):
            widget = self.tabs.widget(i)
            if isinstance(widget, CustomerCard) and widget.guid == guid:
                self.tabs.setTabText(i, self._tab_title(customer))

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closing_for_sign_out and not self._ready_to_leave(self.close,
                                                                       signing_out=False):
            event.ignore()  # closes once saves are in and the teller agreed to lose the rest
            return
        for key in ("search", "search-page"):
            if self.ops.is_busy(key):
                self.ops._by_key[key].cancel()
        super().closeEvent(event)
        self._shutdown_plugins()
        if not self._closing_for_sign_out:
            self.closed.emit()
