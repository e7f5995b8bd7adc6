"""The create form with Ukrainian data against the real sandbox (as DCM) and Teller Hub (the
bank's Auth Service and its one-customer-per-phone rule), offscreen (audit findings: the same
person created twice with one phone number; logins that differ only in case; names stored
exactly as typed). The desk names a phone number's holder as the field is left; the hub's
refusal lands next to the field, never as raw text, and the form keeps everything typed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from teller_app.core.customers import CustomerService
from teller_app.platform import NewCustomer
from teller_app.ui.sign_in import sandbox_target, sign_in
from tests.phones import unused_phone

from .conftest import TELLER, make_window, password_of, unique
from .test_hub_create import stack  # noqa: F401 (this module's sandbox + hub)

pytestmark = pytest.mark.slow
TAKEN = "A customer with this phone number already exists"


@pytest.fixture()
def window(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]  # noqa: F811
    target = sandbox_target(stack.sandbox.manifest, stack.hub_url)
    session = arun(sign_in(target, TELLER, password_of(stack.sandbox, TELLER), remember=False,
                           store=None))
    assert session.hub_available
    win = make_window(qtbot, ops, session, stack.sandbox)
    yield win
    win._closing_for_sign_out = True
    ops.cancel_all()
    arun(session.close())


def _phone() -> str:
    return unused_phone()


def _existing(arun, window, stack, **fields):  # type: ignore[no-untyped-def]  # noqa: F811
    """A customer made elsewhere (through the hub, as any desk would)."""
    asset = stack.sandbox.manifest["asset"]
    service = CustomerService(window.session.client, hub=window.session.hub)
    body = {"asset_code": asset["code"], "asset_issuer": asset["issuer"],
            "login": unique("held."), "branch_guid": window.session.branch_guid, **fields}
    return arun(service.create(NewCustomer(**body))).customer


def _fill(form, login: str, phone: str, surname: str = "Бондар",  # type: ignore[no-untyped-def]
          name: str = "Іван") -> None:
    form.login.setText(login)
    form.surname.setText(surname)
    form.name.setText(name)
    form.phone.setText(phone)


def test_a_phone_number_already_held_is_named_and_refused_with_nothing_lost(
        qtbot, window, arun, stack) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    number = _phone()
    holder = _existing(arun, window, stack, phone_number=number, surname="Бондар",
                       name="Іван")
    form = window.new_customer()
    login = unique("p2.")
    _fill(form, login, "")
    national = "0" + number[4:]  # "050..." as the teller types it
    with qtbot.waitSignal(form.phone_checked, timeout=15000) as checked:
        qtbot.keyClicks(form.phone, national)
        qtbot.keyClick(form.phone, Qt.Key.Key_Return)  # the field is left: the look-up runs
    assert checked.args == [number, 1]
    note = form.error_text("phone_number")
    assert note.startswith(TAKEN) and "Бондар Іван" in note
    # Save anyway: the hub refuses; the same words next to the field, nothing lost
    form.submit()
    qtbot.waitUntil(lambda: not form.ops.is_busy(form._submit_key()), timeout=20000)
    assert form.error_text("phone_number").startswith(TAKEN)
    assert "Бондар Іван" in form.error_text("phone_number")
    assert form.banner.text() == "Check the highlighted fields."
    assert (form.login.text(), form.surname.text(), form.phone.text()) == (
        login, "Бондар", number)
    assert arun(window.session.client.find_customer_by_login(login)) is None
    page = arun(window.session.client.list_customers(phone_numbers=[number]))
    assert [c.wallet_user_guid for c in page.customers] == [holder.guid]
    # another number: created
    form.phone.setText(_phone())
    with qtbot.waitSignal(window.customer_card_opened, timeout=20000):
        form.submit()


def test_a_login_differing_only_in_case_is_taken_and_told_in_the_teller_words(
        qtbot, window, arun, stack) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    base = unique("Olena")  # not an e-mail: kept as typed, so only a folded look-up finds it
    _existing(arun, window, stack, login=base.lower(), phone_number=_phone())
    form = window.new_customer()
    _fill(form, "", _phone())
    with qtbot.waitSignal(form.login_checked, timeout=15000) as checked:
        qtbot.keyClicks(form.login, base)
    assert checked.args == [base, True]
    assert form.error_text("login") == "A customer with this login already exists."
    # the platform's own refusal, when the look-up did not know yet: no raw text anywhere
    form._login_taken = None
    form.set_error("login", "")
    form.submit()
    qtbot.waitUntil(lambda: bool(form.error_text("login")), timeout=20000)
    assert form.error_text("login") == "A customer with this login already exists."
    assert form.banner.text() == "Check the highlighted fields."
    assert form.login.text() == base


def test_an_e_mail_login_typed_in_capitals_is_the_same_login(
        qtbot, window, arun, stack) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    held = unique("olena.koval.") + "@ukr.net"
    _existing(arun, window, stack, login=held, phone_number=_phone())
    form = window.new_customer()
    _fill(form, "", _phone())
    with qtbot.waitSignal(form.login_checked, timeout=15000) as checked:
        qtbot.keyClicks(form.login, "O" + held[1:].replace("@ukr.net", "@UKR.net"))
    assert checked.args == [held, True]  # looked up as it would be stored
    assert form.error_text("login") == "A customer with this login already exists."


def test_an_e_mail_login_is_stored_in_lower_case_and_names_as_one_form(
        qtbot, window, arun) -> None:  # type: ignore[no-untyped-def]
    typed = unique("Olena.Koval.") + "@UKR.net"
    form = window.new_customer()
    # an ASCII apostrophe, a doubled space; a decomposed Ї (as pasted from a PDF), a ’
    _fill(form, typed, _phone(), surname="Мар'янчук  ", name=" І\u0308жа  Мар’яна ")
    with qtbot.waitSignal(window.customer_card_opened, timeout=20000):
        form.submit()
    stored = arun(window.session.client.find_customer_by_login(typed.lower()))
    assert stored is not None
    assert (stored.surname, stored.name) == ("Марʼянчук", "Їжа Марʼяна")


def test_a_word_mixing_cyrillic_and_latin_letters_is_refused_naming_the_letter(
        qtbot, window) -> None:  # type: ignore[no-untyped-def]
    form = window.new_customer()
    _fill(form, unique("mix."), _phone(), surname="Шевчeнко")  # a Latin "e"
    form.submit()
    assert form.error_text("surname") == \
        "Latin letter \u201ce\u201d in a Cyrillic word: type it in Cyrillic."
    assert form.surname.text() == "Шевчeнко" and not form.ops.is_busy(form._submit_key())
    form.surname.setText("Shevchenko")  # a fully Latin name is fine
    form.submit()
    assert form.error_text("surname") == ""
