"""What the customer form says when a save is refused (a mixin of ``CustomerForm``; strings
stay in the "CustomerForm" context). Nothing typed is ever cleared: a refusal about one
field is shown under that field in the teller's language (never the platform's raw text),
and the banner says what to do."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, SignalInstance

from teller_app.core.approvals import ApprovalError, NeedsApproval
from teller_app.core.customer_checks import PhoneTaken, StaleFields
from teller_app.platform import (
    BankAuthDeclined,
    Conflict,
    HubUnavailable,
    ValidationError,
)
from teller_app.ui.banner import Banner
from teller_app.ui.customer_form_fill import CustomerFormFill
from teller_app.ui.error_text import (
    friendly_message,
    hub_unavailable_text,
    is_connectivity_error,
    platform_message,
)
from teller_app.ui.field_values import field_value_text
from teller_app.ui.untrusted import shown
from teller_app.ui.validators import check_login

translate = QCoreApplication.translate
CASE_CLASH = "external_id_case_clash"  # the hub: a login registered in another letter case
LOGIN_IN_PROGRESS = "login_in_progress"  # the hub: another desk's create of this login is on
# its way (its secret issued moments ago by another employee): nothing issued, nothing sent
# a field the platform names -> the form's field that shows it
FIELD_OF = {"branch_guid": "branch", "balance_asset_code": "balance_asset",
            "balance_asset_issuer": "balance_asset"}


class CustomerFormRefusals(CustomerFormFill):
    # set by CustomerForm
    banner: Banner
    approval_requested: SignalInstance
    _say: Callable[[Callable[[], str], str], None]
    _focus_first_error: Callable[[], None]
    _changed_keys: set[str]  # the fields marked "changed meanwhile" by the last Save

    def _refused(self, exc: BaseException) -> None:
        if isinstance(exc, NeedsApproval):
            # nothing was written: the change becomes a request for a second person
            self._say(lambda: translate(
                "CustomerForm",
                "This change needs a supervisor's approval: a change request opens."), "info")
            self.approval_requested.emit(dict(exc.change))
            return
        if isinstance(exc, ApprovalError):
            self._say(lambda: translate(
                "CustomerForm",
                "Four-eyes approval is unavailable: the Teller Hub is not configured."),
                "error")
            return
        if isinstance(exc, PhoneTaken):
            self.set_error("phone_number", self._phone_taken_text(exc.holders))
            self._fields_to_check()
            return
        if isinstance(exc, StaleFields):
            self._changed_meanwhile(exc.current)
            return
        if isinstance(exc, BankAuthDeclined | HubUnavailable):
            # not a session or network problem of the platform: say whose refusal it is;
            # a create asks the hub for the secret first, so then nothing was created
            creating = isinstance(exc, HubUnavailable) and not self.editing
            self._say(hub_unavailable_text if creating else lambda: friendly_message(exc),
                      "error")
            return
        if is_connectivity_error(exc) and not self.editing and self.attempts.uncertain:
            self._say(lambda: translate(
                "CustomerForm",
                "The platform did not answer: the customer may have been created. Nothing was "
                "lost: press Save again when the connection is back; it checks first and "
                "never creates the customer twice."), "error")
            return
        if is_connectivity_error(exc):
            self._say(lambda: translate(
                "CustomerForm",
                "The platform cannot be reached. Nothing was lost: press Save again when the "
                "connection is back."), "error")
            return
        if isinstance(exc, Conflict) and exc.source == "hub" and \
                exc.reason == LOGIN_IN_PROGRESS:  # as a phone number taken: under the field
            self.set_error("login", self._login_in_progress_text)
            self._fields_to_check()
            return
        if self._duplicate_login(exc) and not self.editing:
            self._login_taken = check_login(self.login.text())[0]
            self.set_error("login", self._login_taken_text)
            if self._maybe_ours(self._login_taken):  # not visible to us
                self._say(lambda: translate(
                    "CustomerForm",
                    "A customer with this login exists and may be the one your earlier "
                    "attempt created: search for the login before creating another."),
                    "warning")
                return
            self._fields_to_check()
            return
        self._say(lambda: friendly_message(exc), "error")

    @staticmethod
    def _duplicate_login(exc: BaseException) -> bool:
        """DCM's "already exists" for the login (a 409, or its documented 400 naming one),
        or the hub's refusal of a login registered in another letter case."""
        if isinstance(exc, Conflict) and exc.source == "hub":
            return exc.reason == CASE_CLASH
        return isinstance(exc, Conflict) or (
            isinstance(exc, ValidationError) and "409" in platform_message(exc))

    @staticmethod
    def _login_in_progress_text() -> str:
        return translate("CustomerForm", "Another desk is creating a customer with this login "
                         "now. Search for the login in a few minutes, or use another login.")

    def _fields_to_check(self) -> None:
        self._say(lambda: translate("CustomerForm", "Check the highlighted fields."),
                  "warning")
        self._focus_first_error()

    def _clear_changed_marks(self) -> None:
        """A new Save: the "changed meanwhile" marks of the last one go (re-made if still so)."""
        for key in self._changed_keys:
            self.set_error(key, "")
        self._changed_keys.clear()

    def _changed_meanwhile(self, current: dict[str, Any]) -> None:
        """Someone changed these fields on the platform since the form was opened; nothing
        was sent. Each is marked with its value now; what the teller typed stays, and the
        form now starts from those values, so Save again writes the teller's over them."""
        self._clear_changed_marks()
        for name, value in current.items():
            key = FIELD_OF.get(name, name)
            self._changed_keys.add(key)
            self.set_error(key, self._changed_text(self._shown_value(name, value)))
        if self.customer is not None:
            known = {f.name for f in dataclasses.fields(self.customer)}
            self.customer = dataclasses.replace(
                self.customer, **{k: v for k, v in current.items() if k in known})
        self._say(lambda: translate("CustomerForm", "The customer changed meanwhile."),
                  "warning")
        self._focus_first_error()

    @staticmethod
    def _changed_text(shown: Callable[[], str]) -> Callable[[], str]:
        return lambda: translate(
            "CustomerForm", "Changed meanwhile at another desk to: \u201c{value}\u201d. Save "
            "again to replace it with yours.").format(value=shown())

    def _shown_value(self, name: str, value: Any) -> Callable[[], str]:
        """A platform value as the form shows it (``field_values``; the balance beside its
        asset, in the form's places; a branch by its name in the list), in the current
        language when called."""
        def branch_name(guid: str) -> str:
            index = self.branch.findData(guid)
            return self.branch.itemText(index) if index >= 0 else ""

        return lambda: shown(field_value_text(name, value, minor_unit=self._minor_unit(),
                                              currency=None, branch_name=branch_name), 120)
