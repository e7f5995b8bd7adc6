"""A menu whose greyed-out entries the arrow keys reach, so a keyboard or screen-reader user
can learn why one is off: Qt's menus skip disabled entries (most styles answer no to
``SH_Menu_AllowActiveAndDisabled``). Reached, an entry still does nothing on Enter; its
status tip (the reason) shows in the window's status bar and beside the entry as a tooltip
(a menu shows tooltips to the mouse only), and a frame shows it is the active one."""

from __future__ import annotations

from PySide6.QtGui import QAction, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QMenu,
    QProxyStyle,
    QStyle,
    QStyleHintReturn,
    QStyleOption,
    QToolTip,
    QWidget,
)


class _DisabledReachable(QProxyStyle):
    """The application's style (a new one of the same name: a proxy owns its base), but
    disabled menu entries can be the active one."""

    def styleHint(self, hint: QStyle.StyleHint, option: QStyleOption | None = None,
                  widget: QWidget | None = None,
                  returnData: QStyleHintReturn | None = None) -> int:
        if hint == QStyle.StyleHint.SH_Menu_AllowActiveAndDisabled:
            return 1
        return super().styleHint(hint, option, widget, returnData)

    def drawControl(self, element: QStyle.ControlElement, option: QStyleOption,
                    painter: QPainter, widget: QWidget | None = None) -> None:
        super().drawControl(element, option, painter, widget)
        state = option.state
        if (element == QStyle.ControlElement.CE_MenuItem
                and state & QStyle.StateFlag.State_Selected
                and not state & QStyle.StateFlag.State_Enabled):
            # Fusion highlights enabled entries only: a frame shows where the keys are
            painter.save()
            painter.setPen(QPen(option.palette.color(
                QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight), 2))
            painter.drawRect(option.rect.adjusted(1, 1, -1, -1))
            painter.restore()


def reach_disabled(menu: QMenu) -> None:
    """Let the arrow keys reach ``menu``'s disabled entries; an entry's status tip says why it
    is off."""
    menu.aboutToShow.connect(lambda: _restyle(menu))
    menu.hovered.connect(lambda action: _say_why(menu, action))
    _restyle(menu)


def _restyle(menu: QMenu) -> None:
    """The proxy over the application's current style (the theme sets Fusion once, maybe
    after the menu was made)."""
    app_style = QApplication.style().name()
    current = menu.style()
    if isinstance(current, _DisabledReachable) and current.baseStyle().name() == app_style:
        return
    style = _DisabledReachable(app_style)
    style.setParent(menu)  # a widget does not own its style; a deleted one falls back
    menu.setStyle(style)
    if isinstance(current, _DisabledReachable):
        current.deleteLater()


def _say_why(menu: QMenu, action: QAction) -> None:
    why = action.statusTip()
    if action.isEnabled() or not why:
        return
    place = menu.actionGeometry(action)
    QToolTip.showText(menu.mapToGlobal(place.bottomLeft()), why, menu, place)
