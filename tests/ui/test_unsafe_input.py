"""Unsafe input: control characters, direction overrides and formula leads are refused in
names and free text with a message next to the field; names are direction-isolated when
shown; the edit form never writes a status that changed meanwhile."""

from __future__ import annotations

import pytest

from teller_app.ui.validators import FSI, PDI, check_text, isolate, unsafe_char

from .conftest import new_customer, unique

RLO = "\u202e"
BAD = [f"Іван{RLO}окненк", "Taras\x00", "Line\nbreak", "Tab\tbed", "Del\x7f", "x\u2066y",
       "sep\u2028x", "zero\u200bwidth", "C1\x85x"]


@pytest.mark.parametrize("text", BAD)
def test_names_with_controls_or_direction_marks_are_refused(qapp, text: str) -> None:  # type: ignore[no-untyped-def]
    _value, error = check_text(text, "Surname", name=True)
    assert error and "Surname" in error and unsafe_char(text) is not None


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+380", "-1", "@cmd"])
def test_names_with_a_formula_lead_are_refused(qapp, text: str) -> None:  # type: ignore[no-untyped-def]
    assert check_text(text, "Name", name=True)[1]
    assert not check_text(text, "Comment")[1]  # free text may start so (export escapes it)


@pytest.mark.parametrize("text", ["Шевченко", "O'Connor", "Анна-Марія", "Ґудзь", "محمد",
                                  "Zoë", "李", "", "  padded  "])
def test_ordinary_names_pass(qapp, text: str) -> None:  # type: ignore[no-untyped-def]
    value, error = check_text(text, "Name", name=True)
    assert error == "" and value == text.strip()


def test_multiline_reason_allows_newlines_only(qapp) -> None:  # type: ignore[no-untyped-def]
    assert not check_text("line one\nline two", "Reason", multiline=True)[1]
    assert check_text(f"line one\n{RLO}owt", "Reason", multiline=True)[1]
    assert check_text("", "Reason", required=True)[1]


def test_isolate_wraps_in_first_strong_isolate() -> None:
    assert isolate("محمد") == f"{FSI}محمد{PDI}" and isolate("") == ""


def test_the_form_refuses_unsafe_names_next_to_the_field(qtbot, main_window) -> None:  # type: ignore[no-untyped-def]
    form = main_window.new_customer()
    form.login.setText(unique("rlo."))
    form.surname.setText(f"Іван{RLO}окненк")
    form.name.setText("=cmd")
    form.paternal_name.setText("Петрович\n")  # trailing newline: stripped, so it passes
    form.phone.setText("067 123 45 67")
    form.status.setCurrentText(f"active{RLO}")
    form.submit()
    assert "direction" in form.error_text("surname")
    assert "=" in form.error_text("name")
    assert form.error_text("paternal_name") == ""
    assert "direction" in form.error_text("status")
    assert not form.ops.is_busy(form._submit_key())  # nothing was sent
    assert form.surname.text() == f"Іван{RLO}окненк"  # nothing typed is lost


def test_the_change_request_reason_is_checked(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.change_request_dialog import ChangeRequestDialog

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session)))
    dialog = ChangeRequestDialog(arun(session.client.get_customer(created.customer_guid)))
    qtbot.addWidget(dialog)
    sent: list[object] = []
    dialog.submitted.connect(lambda *args: sent.append(args))
    dialog.reason.setPlainText(f"approve {RLO}kcolb")
    dialog.send_button.click()
    assert sent == [] and "direction" in dialog.error.text()
    dialog.reason.setPlainText("customer asked in person")
    dialog.send_button.click()
    assert len(sent) == 1


def test_the_table_shows_names_isolated(qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    session = main_window.session
    surname = unique("Rtl")  # a right-to-left first name: only such names are isolated
    arun(session.client.create_customer(new_customer(sandbox, session, surname=surname,
                                                      name="محمد")))
    panel = main_window.search_panel
    panel.search_box.setText(surname)
    qtbot.waitUntil(lambda: panel.model.query == surname and panel.model.rowCount() == 1,
                    timeout=10000)
    text = panel.model.data(panel.model.index(0, 0))
    assert text.startswith(FSI) and text.endswith(PDI) and surname in text


def test_the_edit_form_does_not_write_a_status_that_changed_meanwhile(
        qtbot, main_window, sandbox, arun) -> None:  # type: ignore[no-untyped-def]
    from teller_app.platform import CustomerUpdate

    session = main_window.session
    created = arun(session.client.create_customer(new_customer(sandbox, session,
                                                               status="active")))
    guid = created.customer_guid
    form = main_window.edit_customer(arun(session.client.get_customer(guid)))
    # Another desk changes the status while the form is open...
    arun(session.client.update_customer(guid, CustomerUpdate(status="pending")))
    form.status.setCurrentText("inactive")
    form.submit()
    qtbot.waitUntil(lambda: bool(form.error_text("status")), timeout=10000)
    after = arun(session.client.get_customer(guid))
    assert after.status == "pending"  # the newer status was not overwritten
    # the teller's choice stays; the note under the field says what is there now
    assert form.status.currentText() == "inactive" and "pending" in form.error_text("status")
    # A second save, now knowingly, goes through.
    form.status.setCurrentText("inactive")
    with qtbot.waitSignal(form.saved, timeout=10000):
        form.submit()
    assert arun(session.client.get_customer(guid)).status == "inactive"
