"""The audit trail's Action column holds its longest name on one line in either language
("Desk's record: request approved", "Відмовлено в ухваленні рішення"…): at its default
width the new names wrapped and were cut."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent

from teller_app.ui.audit_entry import widest_action_text
from teller_app.ui.audit_view import AuditView


@pytest.mark.parametrize("language", ["english", "ukrainian"])
def test_the_longest_action_name_fits_its_column(qtbot: Any, ops: Any, language: str,
                                                 request: Any) -> None:
    request.getfixturevalue(language)
    view = AuditView(lambda: None, ops)  # no hub: nothing read
    qtbot.addWidget(view)
    QCoreApplication.sendEvent(view, QEvent(QEvent.Type.LanguageChange))
    metrics = view.table.fontMetrics()
    widest = widest_action_text(metrics)
    assert len(widest) > 25  # a desk's record or a refused decision, not a short one
    assert view.table.columnWidth(2) >= metrics.horizontalAdvance(widest)
