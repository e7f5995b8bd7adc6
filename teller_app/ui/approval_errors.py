"""What the desk says about a four-eyes outcome (already decided, changed after it was shown,
one's own request, …) or any other error of a decision. The strings keep the
``ApprovalsInbox`` translation context, where they were first written."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.core.approvals import (
    AlreadyDecided,
    ApprovalError,
    ChangedAfterView,
    ExecutionFailed,
    HubRequired,
    NotAllowed,
    SelfApprovalRefused,
)
from teller_app.core.customer_checks import StaleFields


def approval_error_text(exc: BaseException) -> str:
    """What to tell the user about a four-eyes outcome or any other error."""
    translate = QCoreApplication.translate
    if isinstance(exc, AlreadyDecided):
        return translate("ApprovalsInbox", "Someone else has already decided this request.")
    if isinstance(exc, ChangedAfterView):
        return translate("ApprovalsInbox", "The request differs from what was shown: "
                                           "refused, nothing was changed. Look again.")
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
    from teller_app.ui.error_text import friendly_message, safe_text

    if isinstance(exc, ExecutionFailed):
        # imported here: approvals_drift words its texts with this module's
        from teller_app.ui.approvals_drift import not_applied_text

        moved = not_applied_text(exc.request.result)  # nothing was sent: not "refused"
        if moved is not None:
            return moved
        return translate("ApprovalsInbox", "Approved, but the platform refused the change: %1"
                         ).replace("%1", safe_text(exc))
    if isinstance(exc, ApprovalError):
        return translate("ApprovalsInbox", "The request could not be processed: %1").replace(
            "%1", safe_text(exc))
    return friendly_message(exc)
