"""A status typed in the Status box reads back as the platform's value in any case and in
either language (audit: "Заблокований" typed by a teller, whose box offers no "blocked", was
sent as free text: no supervisor was asked, the hub's cash check did not stop cash, and the
card read "Заблокований"). The Ukrainian feminine, neuter and plural forms and Latin/Cyrillic
lookalikes are the same status; any other text stays free text (DCM's ``status`` has no
enum). The desk's own fallback check (no hub) reads a status the same way."""

from __future__ import annotations

import pytest

from teller_app.core.approvals import default_sensitive
from teller_app.core.views import CustomerView

from .conftest import new_customer, unique

TYPED = {
    "заблокований": "blocked", "Заблокований": "blocked", "ЗАБЛОКОВАНИЙ": "blocked",
    " заблокована ": "blocked", "Заблоковане": "blocked", "Blocked": "blocked",
    "bl\u043ecked": "blocked",  # a Cyrillic "о"
    "bIocked": "blocked", "bl0cked": "blocked", "cIosed": "closed",  # drawn alike
    "Закритий": "closed", "ЗАКРИТА": "closed", "CLOSED": "closed",
    "Активний": "active", "НЕАКТИВНА": "inactive", "На розгляді": "pending",
    "Pending": "pending",
}
FREE = ("VIP, дзвонити після 18:00", "(none)", "frozen")


def _typed_reads_back(form) -> None:  # type: ignore[no-untyped-def]
    for typed, value in TYPED.items():
        form.status.setEditText(typed)
        assert form._values()["status"] == value, typed
    for typed in FREE:
        form.status.setEditText(typed)
        assert form._values()["status"] == typed


@pytest.mark.usefixtures("ukrainian")
def test_a_status_typed_in_ukrainian_in_any_case_is_its_value(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                              arun) -> None:
    session = main_window.session
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, login=unique("st."), status="active")))
    form = main_window.edit_customer(arun(session.client.get_customer(created.customer_guid)))
    _typed_reads_back(form)
    # typed to block: a supervisor is asked, nothing written to the platform
    form.status.setEditText("Заблокований")
    asked: list[dict[str, object]] = []
    form.approval_requested.connect(asked.append)
    with qtbot.waitSignal(form.approval_requested, timeout=10000):
        form.submit()
    assert asked == [{"status": "blocked"}]
    assert arun(session.client.get_customer(created.customer_guid)).status == "active"


def test_the_ukrainian_words_read_back_in_the_english_desk_too(main_window) -> None:  # type: ignore[no-untyped-def]
    _typed_reads_back(main_window.new_customer())


def _view(status: str) -> CustomerView:
    return CustomerView(wallet_user_guid="g", login="l", kyc_level=1, status=status)


def test_the_desks_fallback_check_reads_a_status_as_the_hub_does() -> None:
    active = _view(status="active")
    for typed in ("Заблокований", "заблокована", "Закритий", "bl\u043ecked"):
        assert default_sensitive(active, {"status": typed}), typed
    assert not default_sensitive(active, {"status": "VIP"})
    blocked = _view(status="Заблокована")  # stored as typed before this fix
    assert default_sensitive(blocked, {"status": "active"})


@pytest.mark.usefixtures("ukrainian")
def test_a_status_stored_as_a_word_is_not_rewritten_by_an_edit_of_another_field(  # type: ignore[no-untyped-def]
        qtbot, main_window, sandbox, arun) -> None:
    """A colleague stored "Заблокована" (or "Активна"); an edit of the KYC level alone sends
    the KYC level alone: the status read back as "blocked" is the same status, so it is not
    rewritten on the platform nor a status change a supervisor is asked about."""
    session = main_window.session
    for stored in ("Заблокована", "Активна", "Blocked"):
        created = arun(session.client.create_customer(new_customer(
            sandbox, session, login=unique("sw."), status=stored)))
        customer = arun(session.client.get_customer(created.customer_guid))
        assert customer.status == stored
        form = main_window.edit_customer(customer)
        form.kyc_level.setValue(customer.kyc_level + 1)
        assert form._changed_fields(form.customer) == {"kyc_level": customer.kyc_level + 1}
