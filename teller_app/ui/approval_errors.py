"""What the desk says about a four-eyes outcome (already decided, changed after it was shown,
one's own request, a phone number another customer holds, …) or any other error of a
decision. The strings keep the ``ApprovalsInbox`` translation context, where they were first
written (a filing refused for its phone number says what the customer form says of it)."""

from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication

from teller_app.core.approval_outcomes import ChangeInProgress
from teller_app.core.approvals import (
    AlreadyDecided,
    ApprovalError,
    ChangedAfterView,
    ExecutionFailed,
    HubRequired,
    NotAllowed,
    PhoneNumberTaken,
    SelfApprovalRefused,
)
from teller_app.core.customer_checks import PhoneTaken, StaleFields
from teller_app.platform.hub_models import PHONE_TAKEN

translate = QCoreApplication.translate


def approval_error_text(exc: BaseException) -> str:
    """What to tell the user about a four-eyes outcome or any other error."""
    if isinstance(exc, AlreadyDecided):
        return translate("ApprovalsInbox", "Someone else has already decided this request.")
    if isinstance(exc, ChangedAfterView):
        return translate("ApprovalsInbox", "The request differs from what was shown: "
                                           "refused, nothing was changed. Look again.")
    if isinstance(exc, ChangeInProgress):
        return _change_in_progress_text(exc)
    if isinstance(exc, SelfApprovalRefused):
        return translate("ApprovalsInbox",
                         "You cannot decide your own request: another supervisor must.")
    if isinstance(exc, NotAllowed):
        return translate("ApprovalsInbox", "Your role does not allow this.")
    if isinstance(exc, HubRequired):
        return translate("ApprovalsInbox", "Four-eyes approval needs the Teller Hub.")
    if isinstance(exc, StaleFields):  # a card's direct change over someone else's: not sent
        return translate("ApprovalsInbox", "Someone changed this customer meanwhile: nothing "
                                           "was saved. Look at the card again.")
    if isinstance(exc, PhoneTaken):  # a request not filed: as the customer form says it
        return _phone_held_text(exc)
    from teller_app.ui.error_text import friendly_message, safe_text

    if isinstance(exc, PhoneNumberTaken):
        return _approval_phone_text(exc)

    if isinstance(exc, ExecutionFailed):
        # imported here: approvals_drift words its texts with this module's
        from teller_app.ui.approvals_drift import not_applied_text

        # nothing was sent: not "refused"; a limit in the currency the request kept
        moved = not_applied_text(exc.request.result, exc.request.before)
        if moved is not None:
            return moved
        return translate("ApprovalsInbox", "Approved, but the platform refused the change: %1"
                         ).replace("%1", safe_text(exc))
    if isinstance(exc, ApprovalError):
        return translate("ApprovalsInbox", "The request could not be processed: %1").replace(
            "%1", safe_text(exc))
    return friendly_message(exc)


def _phone_held_text(exc: PhoneTaken) -> str:
    """A change request refused at filing: another customer holds its new phone number."""
    from teller_app.ui.untrusted import shown

    names = ", ".join(shown(h.display_name, 80) for h in exc.holders)
    if not names:
        return translate("CustomerForm", "A customer with this phone number already exists.")
    return translate("CustomerForm", "A customer with this phone number already exists: "
                     "{name}").format(name=names)


def _approval_phone_text(exc: PhoneNumberTaken) -> str:
    """An approval refused while another customer holds the request's new phone number,
    worded as the request's end would be (``approvals_drift``), and that it still waits."""
    from teller_app.ui.approvals_drift import phone_taken_text  # as not_applied_text above

    named = {"login": exc.holders[0].login} if len(exc.holders) == 1 else {}
    said = phone_taken_text(PHONE_TAKEN + json.dumps(named)) or ""
    return said + " " + translate("ApprovalsInbox", "The request is still waiting: reject it "
                                  "with a comment for its maker.")


def _change_in_progress_text(exc: ChangeInProgress) -> str:
    """An approval refused while another approved change to the customer is applied or
    waits for Resume: which one, when the hub named it to this approver (``blocking``)."""
    from teller_app.ui.audit_entity import short_id
    from teller_app.ui.untrusted import shown

    blocking = exc.blocking
    if blocking is None or blocking.request_id is None:
        return translate("ApprovalsInbox", "Another approved change to this customer is still "
                         "being applied: this request is still waiting. Approve it again once "
                         "that change has ended.")
    ref = shown(short_id(blocking.request_id), 40, breaks=False)
    if blocking.awaiting_resume:
        return translate("ApprovalsInbox", "Request %1 for this customer was approved but not "
                         "applied: it waits for Resume. This request is still waiting: resume "
                         "that one, then approve this one again.").replace("%1", ref)
    return translate("ApprovalsInbox", "Request %1 for this customer is being applied: this "
                     "request is still waiting. Approve it again once that one has finished."
                     ).replace("%1", ref)
