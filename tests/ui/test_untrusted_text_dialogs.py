"""A platform refusal that quotes markup (a real one, from the sandbox) shown in every dialog
that reports such errors: sign-in, re-authentication, change request, approval in place,
till open, vault count, vault transfer, profiles; each shows the words as they are, never
formatted. A server's body in a tooltip is escaped and clipped; a long unbroken value wraps
instead of widening its dialog."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel

from teller_app.core.doctor_checks import Check
from teller_app.platform import PlatformError
from teller_app.platform.models import Customer
from teller_app.secrets import ProfileStore
from teller_app.ui.error_text import friendly_message
from teller_app.ui.untrusted import ZWSP, plain_label, shown, shown_lines, tip

from .conftest import new_customer
from .markup_labels import markup_labels

ASSET = "<a href='https://evil.example/pay'>APPROVED_BY_HEAD_OFFICE</a>"
NAME = "<b style='font-size:28pt'>Супервізор</b>"


@pytest.fixture()
def refusal(arun, sandbox, teller_session) -> PlatformError:  # type: ignore[no-untyped-def]
    """The platform's own 400, quoting the asset code it was sent."""
    with pytest.raises(PlatformError) as caught:
        arun(teller_session.client.create_customer(new_customer(
            sandbox, teller_session, asset_code=ASSET, surname="Коваль", name="Петро")))
    assert ASSET in str(caught.value)
    return caught.value


def _shown(qtbot: Any, dialog: Any) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_dialogs_show_a_refusal_as_plain_text(qtbot, ops, sandbox, refusal) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.approve_in_place_dialog import ApproveInPlaceDialog
    from teller_app.ui.change_request_dialog import ChangeRequestDialog
    from teller_app.ui.profile_manager import ProfileManagerDialog
    from teller_app.ui.reauth_dialog import ReauthDialog
    from teller_app.ui.sign_in import sandbox_target
    from teller_app.ui.sign_in_dialog import SignInDialog
    from teller_app.ui.till_dialog import TillOpenDialog
    from teller_app.ui.till_transfer import TransferDialog
    from teller_app.ui.till_vault_count import VaultCountDialog

    text = friendly_message(refusal)
    sign_in = _shown(qtbot, SignInDialog([sandbox_target(sandbox.manifest)], ops))
    sign_in._failed(refusal)
    reauth = _shown(qtbot, ReauthDialog(NAME))
    reauth.show_error(text)
    customer = Customer(wallet_user_guid=str(uuid.uuid4()), status="active")
    change = _shown(qtbot, ChangeRequestDialog(customer))
    change.show_error(text)
    in_place = _shown(qtbot, ApproveInPlaceDialog(f"Approve the change of {NAME}"))
    in_place.show_error(text)
    till = _shown(qtbot, TillOpenDialog(ops, None))  # type: ignore[arg-type]  # never called
    till._failed(refusal)
    vault = _shown(qtbot, VaultCountDialog(ops, None, None))  # type: ignore[arg-type]
    vault._failed(refusal)
    transfer = _shown(qtbot, TransferDialog(ops, None))  # type: ignore[arg-type]
    manager = _shown(qtbot, ProfileManagerDialog(ops, ProfileStore()))
    manager._error(refusal)

    for label in (sign_in.error, reauth.message, reauth.error, change.error, in_place.error,
                  till.status, vault.status, manager.message):
        assert label.isVisible() and label.textFormat() == Qt.TextFormat.PlainText
    for label in (sign_in.error, reauth.error, change.error, in_place.error, till.status,
                  vault.status, manager.message):
        # the platform's words as they are (break points in the long runs, nothing else)
        assert ASSET in label.text().replace(ZWSP, "")
    assert NAME in reauth.message.text()
    for label in (transfer.status, vault.cosign_status):  # filled only later
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert markup_labels() == []


def test_a_servers_body_in_a_tooltip_is_escaped_and_clipped(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.profile_manager import ProfileManagerDialog

    body = f"<html><body>{ASSET}<img src='file:///etc/passwd'>" + "x" * 5000
    manager = _shown(qtbot, ProfileManagerDialog(ops, ProfileStore()))
    manager._checked([Check("Platform answers", "failed", body)])
    tooltip = manager.results.item(0, 2).toolTip()
    assert QtGui.mightBeRichText(tooltip)  # rich text on purpose, with its content escaped
    assert "<img" not in tooltip and "<a " not in tooltip and "&lt;a href=" in tooltip
    assert len(tooltip) < 1200 and tooltip.count("x") < 1000  # clipped


def test_helpers_keep_words_but_neither_markup_nor_layout(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert shown("amount <5000") == "amount <5000"  # ordinary text unchanged
    assert shown("a\nb\x1bc") == "a b\ufffdc"  # one line; a control character is shown
    assert shown("Іван\u202eнавпаки") == "\u2068Іван\u202eнавпаки\u2069"  # isolated
    assert len(shown("y" * 1000)) < 320 and shown("y" * 1000).endswith("…")
    many = shown_lines("\n".join(f"line {i}" for i in range(100)))
    assert many.count("\n") < 12 and many.startswith("line 0\nline 1")
    assert tip("") == "" and "&lt;b&gt;" in tip("<b>x</b>")

    label = plain_label(QLabel())
    qtbot.addWidget(label)
    label.setText(shown("z" * 300))
    assert ZWSP in label.text()
    assert label.minimumSizeHint().width() < 400  # wraps instead of widening its dialog
