"""A customer's phone number stored in another written form ("+380 67 111 22 33") is not
sent back by an edit of another field (audit: a name typo fixed re-sent it as E.164, judged a
phone change, so a supervisor was asked and the stored form rewritten). The same number
retyped in another form is still the stored one; another number is sent, in E.164. The
desk's fallback check (no hub) does not count the same number as a new one."""

from __future__ import annotations

from teller_app.core.approvals import default_sensitive
from teller_app.core.views import CustomerView
from tests.phones import unused_phone

from .conftest import new_customer, unique


def _written(number: str) -> str:
    """"+380XXYYYZZWW" as "+380 XX YYY ZZ WW"."""
    return f"{number[:4]} {number[4:6]} {number[6:9]} {number[9:11]} {number[11:]}"


def test_an_untouched_phone_in_another_form_is_not_sent(qtbot, main_window, sandbox,  # type: ignore[no-untyped-def]
                                                        arun) -> None:
    session = main_window.session
    number = unused_phone()
    stored = _written(number)
    created = arun(session.client.create_customer(new_customer(
        sandbox, session, login=unique("ph."), surname="Бондар", name="Олег",
        phone_number=stored, status="active")))
    customer = arun(session.client.get_customer(created.customer_guid))
    assert customer.phone_number == stored
    form = main_window.edit_customer(customer)
    asked: list[dict[str, object]] = []
    form.approval_requested.connect(asked.append)
    form.name.setText("Олександр")
    form.phone.setText("0" + number[4:])  # the same number, as a teller might retype it
    assert form._changed_fields(form.customer) == {"name": "Олександр"}
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    assert asked == [] and form.sent_update == {"name": "Олександр"}
    after = arun(session.client.get_customer(created.customer_guid))
    assert (after.name, after.phone_number) == ("Олександр", stored)
    # another number is a change, sent in E.164
    other = unused_phone()
    form = main_window.edit_customer(after)
    form.phone.setText(_written(other))
    assert form._changed_fields(form.customer) == {"phone_number": other}


def test_the_desks_fallback_check_knows_the_same_number() -> None:
    number = unused_phone()
    current = CustomerView(wallet_user_guid="g", phone_number=_written(number))
    assert not default_sensitive(current, {"phone_number": number})
    assert not default_sensitive(current, {"phone_number": "0" + number[4:]})
    assert default_sensitive(current, {"phone_number": unused_phone()})


def test_a_number_with_other_text_is_another_phone() -> None:
    """An extension or a "tel:" is text to store: a change to it is a change (four eyes)."""
    from teller_app.platform.phones import same_number_written

    assert same_number_written("+380 67 111 22 33", "067-111-22-33")
    for other in ("+380671112233 доб. 099", "+380671112233;ext=99", "tel:+380671112233"):
        assert not same_number_written(other, "+380671112233"), other
        assert default_sensitive(CustomerView(wallet_user_guid="g", login="l",
                                              phone_number="+380671112233"),
                                 {"phone_number": other}), other
