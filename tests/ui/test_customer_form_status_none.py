"""The Status box's blank first entry is labelled "(none)" as Segment's is; picking it empties
the box (its hint shows) and sends no status; the text "(none)" typed or stored is a status.
A customer's status shows as stored: an empty one as the empty box, one outside the
suggestions as it is, and neither is sent back."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from teller_app.platform import CustomerUpdate
from teller_app.ui.customer_form import CustomerForm

from .conftest import new_customer, unique


def _pick(qtbot, combo, row: int) -> None:  # type: ignore[no-untyped-def]
    """Pick an entry as the mouse does: in the open list (so ``activated`` is emitted)."""
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible)
    rect = view.visualRect(combo.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible())


def test_the_blank_status_entry_says_none_and_sends_nothing(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    assert isinstance(form, CustomerForm)
    status = form.status
    assert status.itemText(0) == QCoreApplication.translate("CustomerForm", "(none)") == "(none)"
    assert status.itemData(0) == ""
    assert status.currentText() == "" and form._values()["status"] == ""
    _pick(qtbot, status, status.findData("pending"))
    assert form._values()["status"] == "pending"
    _pick(qtbot, status, 0)
    assert status.currentText() == "" and form._values()["status"] == ""
    assert form._new_customer().status in ("", None)
    # only the entry picked means no status: the same text typed or stored (DCM's status is
    # free text) stays that status, never emptied on an unrelated save
    status.setEditText("(none)")
    assert form._values()["status"] == "(none)"


def test_a_customer_status_shows_as_stored_and_is_not_sent_back(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                                arun) -> None:
    session = main_window.session
    for stored in ("", "under review"):
        created = arun(session.client.create_customer(new_customer(
            sandbox, session, login=unique("st."), status=stored or None)))
        if not stored:  # the platform makes a new customer "active"; DCM's data may hold ""
            arun(session.client.update_customer(created.customer_guid,
                                                CustomerUpdate(status="")))
        customer = arun(session.client.get_customer(created.customer_guid))
        assert (customer.status or "") == stored
        form = main_window.edit_customer(customer)
        assert form.status.currentText() == stored and form._values()["status"] == stored
        form.name.setText("Олександр" if stored else "Олена")
        with qtbot.waitSignal(form.saved, timeout=10000):
            form.submit()
        assert form.sent_update is not None and set(form.sent_update) == {"name"}
        after = arun(session.client.get_customer(created.customer_guid))
        assert (after.status or "") == stored
