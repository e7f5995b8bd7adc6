"""A dialog's fields that scroll when the screen is too small for them, its buttons staying
in view under them (``DialogLayout``): a large font on a small screen put the till's count
dialogs' buttons below the screen (``ui/screen_fit.py``)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from teller_app.ui import screen_fit


class _Page(QWidget):
    """The scrolled fields. QScrollArea keeps a page whose lines wrap at least as tall as
    its height for the width: for a box layout that is every table at its preferred height
    (the branch cash position scrolled at any font, its tables never shrinking). The least
    that width needs, instead."""

    def heightForWidth(self, width: int) -> int:
        layout = self.layout()
        least = layout.minimumHeightForWidth(width) if layout is not None else -1
        return least if least >= 0 else super().heightForWidth(width)

    def preferred_height(self, width: int) -> int:
        return super().heightForWidth(width)


class _PageLayout(QVBoxLayout):
    """The fields' layout: a change to it reaches the dialog's layout at once, as it did
    when they were one (``window.layout().activate()`` lays the fields out now too)."""

    def __init__(self, area: ScrollBody) -> None:
        super().__init__()
        self.area = area

    def invalidate(self) -> None:
        super().invalidate()
        if not self.area.laying_out:  # (activating it invalidates it too)
            self.area.updateGeometry()


class ScrollBody(QScrollArea):
    """A dialog's fields (add them to ``fields``), scrolled when the window is smaller than
    they need. As large as they want otherwise (Qt's own hint stops at 36x24 lines and
    keeps the first it saw), framed as nothing (it reads as the dialog it was), never a Tab
    stop of its own, and the field that takes the focus (Tab, an Alt+letter, a click, the
    code) scrolled into view whole, not only its cursor. Fields made in the dialog keep
    their Tab order: they stay in its window."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("scrollBody")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWidgetResizable(True)
        # not "expanding": Qt opened the window at 2/3 of the screen at most, scrolling
        # (and wider by a scroll bar) where its hint would have fitted
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.laying_out = False
        page = _Page(self)
        self.fields = _PageLayout(self)
        self.fields.setContentsMargins(0, 0, 0, 0)  # the dialog's own margins are around it
        page.setLayout(self.fields)
        self.setWidget(page)
        # scrolling, it wants the bar's width too: the count beside it kept its columns
        # (a dialog capped to the screen's height stacked its coins for want of 15 px)
        self.with_bar = False
        self.verticalScrollBar().rangeChanged.connect(self._bar_changed)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._show_focused)

    def lay_out_now(self) -> None:
        self.laying_out = True
        try:
            self.fields.activate()
        finally:
            self.laying_out = False

    def _bar_changed(self, _least: int, most: int) -> None:
        if (most > 0) != self.with_bar:
            self.with_bar = most > 0
            self.updateGeometry()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # its fields' needs changed: the dialog asks again
        return super().eventFilter(watched, event)

    def sizeHint(self) -> QSize:
        body, frame = self.widget(), 2 * self.frameWidth()
        if body is None:
            return super().sizeHint()
        hint = body.sizeHint()
        if isinstance(body, _Page) and body.hasHeightForWidth():  # lines wrapped at its width
            hint.setHeight(max(hint.height(), body.preferred_height(hint.width())))
        bar = self.verticalScrollBar().sizeHint().width() if self.with_bar else 0
        return hint + QSize(frame + bar, frame)

    def minimumSizeHint(self) -> QSize:
        """As wide as the fields' minimum with a scroll bar beside it (a narrower window
        would scroll sideways too), never wider than most of the screen; a few lines high."""
        body, frame = self.widget(), 2 * self.frameWidth()
        if body is None:
            return super().minimumSizeHint()
        least = body.minimumSizeHint()
        bar = self.verticalScrollBar().sizeHint().width()
        room = screen_fit.available_room(self).width() * 9 // 10
        lines = 4 * self.fontMetrics().lineSpacing()
        return QSize(min(least.width() + bar + frame, room), min(least.height(), lines) + frame)

    def _show_focused(self, _old: QWidget | None, new: QWidget | None) -> None:
        body = self.widget()
        if new is None or body is None or not body.isAncestorOf(new):
            return
        area = QRect(new.mapTo(body, QPoint(0, 0)), new.size())
        centre, margin = area.center(), new.fontMetrics().height() // 2
        self.ensureVisible(centre.x(), centre.y(), area.width() // 2 + margin,
                           area.height() // 2 + margin)


class DialogLayout(QVBoxLayout):
    """A dialog's own layout: its ``ScrollBody`` taking the spare height, then what stays in
    view under it (add its status lines and buttons). Laid out, it lays the fields out at
    once too: a window's ``layout().activate()`` meant every field, and still does."""

    def __init__(self, window: QWidget, body: ScrollBody) -> None:
        super().__init__(window)
        self.body = body
        self.addWidget(body, 1)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self.body.lay_out_now()
