"""``FlowLayout`` reports the height its wrapped lines take (``heightForWidth``, more lines
and so more height when narrower; its minimum is one line, the least it ever takes), gives
an item whose height follows its width (a flow inside a flow: a date range whose "to" goes
under its "from") the height it needs on its line, and given less height than its lines
need it cuts them at its bottom instead of drawing them over what lies below it (squeezed
in a short window, the filter bar drew "Created from … to …" over the KYC and Disabled
filters)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton, QWidget

from teller_app.ui.flow_layout import FlowLayout


def _flow(qtbot: Any, texts: list[str]) -> tuple[QWidget, FlowLayout, list[QPushButton]]:
    host = QWidget()
    qtbot.addWidget(host)
    flow = FlowLayout(host, h_spacing=6, v_spacing=2)
    buttons = [QPushButton(text, host) for text in texts]
    for button in buttons:
        flow.addWidget(button)
    return host, flow, buttons


def test_the_wrapped_height_grows_as_the_width_narrows_and_lines_stay_inside(
        qtbot: Any) -> None:
    host, flow, buttons = _flow(qtbot, [f"Filter number {n}" for n in range(6)])
    one_line = flow.sizeHint().width()
    widest = max(b.minimumSizeHint().width() for b in buttons)
    line = max(b.sizeHint().height() for b in buttons)
    heights = [flow.heightForWidth(w) for w in (one_line, one_line // 2, one_line // 3, widest)]
    assert heights[0] == line  # all on one line
    assert heights == sorted(heights) and heights[-1] > heights[1] > heights[0], heights
    assert heights[-1] == 6 * line + 5 * flow.v_spacing  # one a line at the narrowest
    assert flow.minimumHeightForWidth(widest) == heights[-1]
    # the minimum: as wide as the widest item, one line high (the least at any width)
    minimum = flow.minimumSize()
    assert minimum.width() == widest and minimum.height() == heights[0]
    assert all(minimum.height() <= flow.heightForWidth(w) for w in range(widest, one_line, 25))

    # given one line's height at a width that needs three lines: nothing below its rect
    area = QRect(0, 0, one_line // 3, line)
    host.resize(area.size())
    flow.setGeometry(area)
    for button in buttons:
        placed = button.geometry()
        assert placed.isEmpty() or area.contains(placed), (button.text(), placed)
    shown = [b.geometry() for b in buttons if not b.geometry().isEmpty()]
    assert shown and all(not a.intersects(b) for i, a in enumerate(shown) for b in shown[i + 1:])


def test_a_flow_inside_a_flow_gets_its_wrapped_height(qtbot: Any) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    outer = FlowLayout(host, h_spacing=12)
    first = QPushButton("Created from: any", host)
    outer.addWidget(first)
    date_range = QWidget(host)  # "from" and "to", "to" under "from" when narrow
    inner = FlowLayout(date_range, h_spacing=6)
    halves = [QPushButton("Updated from: any", date_range), QPushButton("to: any", date_range)]
    for half in halves:
        inner.addWidget(half)
    outer.addWidget(date_range)
    narrow = max(h.sizeHint().width() for h in halves) + 4  # the halves on two lines
    assert date_range.heightForWidth(narrow) > max(h.sizeHint().height() for h in halves)
    host.resize(narrow, outer.heightForWidth(narrow))
    host.show()
    qtbot.waitExposed(host)
    assert date_range.width() <= narrow
    assert date_range.height() >= date_range.heightForWidth(date_range.width())
    assert not first.geometry().intersects(date_range.geometry())
    top, bottom = (h.geometry() for h in halves)
    assert bottom.top() > top.bottom() and host.rect().contains(date_range.geometry())
