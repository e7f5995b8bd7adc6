"""The main window's work tabs: titles, closing (a form with unsaved input asks first), and
parking one employee's tabs while another works at the desk. A mixin of ``MainWindow``."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)
from shiboken6 import isValid

from teller_app.core.views import CustomerView
from teller_app.ui.customer_form import CustomerForm, confirm_discard, short_name
from teller_app.ui.search_panel import SearchPanel


class MainWindowTabs(QMainWindow):
    # set by MainWindow.__init__
    tabs: QTabWidget
    central_stack: QStackedWidget
    search_panel: SearchPanel
    _parked_tabs: dict[str, list[tuple[QWidget, str]]]
    _discard_confirmed: bool
    _discard_box: QMessageBox | None

    # -- tabs -------------------------------------------------------------------------------
    def _tab_title(self, customer: CustomerView) -> str:
        return short_name(customer)

    def dirty_forms(self) -> list[CustomerForm]:
        """Customer forms with unsaved input: open tabs and every employee's parked tabs."""
        widgets = [self.tabs.widget(i) for i in range(1, self.tabs.count())]
        widgets += [w for parked in self._parked_tabs.values() for w, _title in parked]
        return [w for w in widgets
                if isinstance(w, CustomerForm) and isValid(w) and w.is_dirty()]

    def _close_tab(self, index: int) -> None:
        """Ctrl+W / the tab's ×: a form with unsaved input asks first."""
        widget = self.tabs.widget(index) if index > 0 else None
        if isinstance(widget, CustomerForm) and widget.is_dirty():
            confirm_discard(self, 1, lambda: self._close_widget(widget))
            return
        self._remove_tab(index)

    def _remove_tab(self, index: int) -> None:
        if index <= 0:
            return
        widget = self.tabs.widget(index)
        focus = QApplication.focusWidget()
        # the focus was in the tabs (or in a box over the window, e.g. "Discard?"): it goes
        # to the page now showing; one in a dock or the window's own bar stays where it is
        in_tabs = focus is None or focus.window() is not self or self.tabs.isAncestorOf(focus)
        self.tabs.removeTab(index)
        if widget is not None:
            widget.deleteLater()
        if not in_tabs:
            return
        if self.tabs.currentIndex() == 0:
            self.search_panel.focus_search()
        else:
            self._focus_current_page()

    def _focus_current_page(self) -> None:
        """The page now showing gets the focus where it keeps it (a closed tab left it on
        the tab bar, or on a banner's ✕ where Enter dismissed the banner): a form's first
        field; a card's own focus widget, else the card as when it opened."""
        page = self.tabs.currentWidget()
        if page is None:
            return
        kept = page.focusWidget()  # the widget of this page that last had the focus
        if kept is not None and isValid(kept) and page.isAncestorOf(kept) and \
                kept.isVisibleTo(page) and kept.isEnabled():
            kept.setFocus(Qt.FocusReason.OtherFocusReason)
        elif isinstance(page, CustomerForm):
            page.first_field().setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            page.setFocus(Qt.FocusReason.OtherFocusReason)  # as MainWindow.open_customer

    def _close_current_tab(self) -> None:
        self._close_tab(self.tabs.currentIndex())

    def _close_widget(self, widget: QWidget) -> None:
        if isValid(widget):
            self._remove_tab(self.tabs.indexOf(widget))

    def _park_tabs(self, employee: str) -> None:
        parked = self._parked_tabs.setdefault(employee, [])
        while self.tabs.count() > 1:  # tab 0 is the search page, shared
            widget, title = self.tabs.widget(1), self.tabs.tabText(1)
            self.tabs.removeTab(1)  # removed, not deleted
            if widget is None:
                continue
            widget.hide()
            widget.setParent(self.central_stack)  # owned by the window, never shown
            widget.hide()
            parked.append((widget, title))
        self.tabs.setCurrentIndex(0)

    def _unpark_tabs(self, employee: str) -> None:
        for widget, title in self._parked_tabs.pop(employee, []):
            if isValid(widget):
                if isinstance(widget, CustomerForm):  # the language may have changed since
                    title = widget.tab_title()
                self.tabs.addTab(widget, title)
                widget.show()
