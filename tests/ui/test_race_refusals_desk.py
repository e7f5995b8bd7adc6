"""How the desk words the hub's two refusals of a race: a create's secret refused while another
desk creates a customer with the same login (``login_in_progress``, under the login field, as
a phone number taken is), and an approval refused while another approved change to the same
customer is still being applied (``customer_change_in_progress``: still pending, never "someone
else has already decided")."""

from __future__ import annotations

from typing import Any

from teller_app.core.approval_outcomes import AlreadyDecided, ChangeInProgress, four_eyes_error
from teller_app.platform import Conflict
from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.customer_form_choices import FormChoices


def _hub_conflict(code: str) -> Conflict:
    exc = Conflict("the hub's English text", status_code=409, reason=code)
    exc.source = "hub"
    return exc


def test_a_login_another_desk_is_creating_is_marked_under_the_login(qtbot: Any) -> None:
    form = CustomerForm(None, OpRunner(), FormChoices(  # type: ignore[arg-type]
        assets=(), segments=()))
    qtbot.addWidget(form)
    form._refused(_hub_conflict("login_in_progress"))
    assert form.errors["login"].text().startswith(
        "Another desk is creating a customer with this login now.")
    assert form.banner.text() == "Check the highlighted fields."
    assert "English" not in form.banner.text() + form.errors["login"].text()


def test_an_approval_refused_while_a_sibling_applies_is_not_already_decided() -> None:
    mapped = four_eyes_error(_hub_conflict("customer_change_in_progress"))
    assert isinstance(mapped, ChangeInProgress) and not isinstance(mapped, AlreadyDecided)
    assert isinstance(four_eyes_error(_hub_conflict("")), AlreadyDecided)  # as before


def test_the_approver_is_told_the_request_still_waits_in_their_language(qtbot: Any) -> None:
    from teller_app.ui.approval_errors import approval_error_text

    said = approval_error_text(four_eyes_error(_hub_conflict("customer_change_in_progress")))
    assert said.startswith("Another approved change to this customer is still being applied")
    assert "English" not in said  # the hub's own text is not shown
