"""Translated words of the till and the hub's cash controls (reason codes from the hub)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.core.cash_checks import Refusal, SupervisorNeed
from teller_app.core.till import DENOMINATIONS, Transfer, face_value
from teller_app.ui.money import format_number, format_uah

# The till states this desk knows that mean "closed". A newer hub may add states (a close
# that waits for something new): anything else is a till that is NOT closed, never "closed".
CLOSED_STATES = frozenset({"closed"})


def hub_code_text(code: str) -> str | None:
    """A till or vault refusal of the Teller Hub (its ``code``), or None when not known."""
    translate = QCoreApplication.translate
    return {
        "till_held": translate("TillText", "You already hold another till: close it first."),
        "till_busy": translate("TillText", "This till is open at another desk."),
        "till_elsewhere": translate("TillText", "Your till is open at another desk: close it "
                                    "there, or wait until that desk lets it go."),
        "cosign_own": translate("TillText", "A teller may not co-sign their own count."),
        "nothing_to_cosign": translate("TillText", "This till has nothing to co-sign."),
        "counted_elsewhere": translate("TillText", "This payment is counted in another till."),
        "awaiting_cosign": translate("TillText", "The till waits for a supervisor to co-sign "
                                     "its opening count."),
        "awaiting_close_cosign": translate("TillText", "The till's close waits for a "
                                           "supervisor to co-sign its over/short."),
        "count_changed": translate("TillText", "The teller counted again since you looked: "
                                   "read the till again before co-signing."),
        # a vault count's reference re-sent with other figures: the hub keeps the first
        "count_id_taken": translate("TillText", "A different vault count was already "
                                    "recorded under this count's reference, and a recorded "
                                    "count never changes: save the count again to record it "
                                    "as a new count."),
        "vault_count_own": translate("TillText", "You counted the vault yourself: a second "
                                     "supervisor co-signs the count."),
        "till_short": translate("TillText", "The till does not hold that much."),
        "cash_amount_step": translate("TillText", "Cash moves in steps of 0.10 UAH, the "
                                      "till's smallest coin."),
        # a confirmed payment the till does not count
        "confirmed_mismatch": translate("TillText", "A payment authorized on this till was "
                                        "confirmed on the platform unlike its authorization, "
                                        "so the till cannot count it: give the reason, and "
                                        "a supervisor co-signs the close without it."),
        "voided": translate("TillText", "This payment's draft was voided, so no till counts "
                            "it: a supervisor looks at its confirm."),
        "other_till_session": translate("TillText", "This payment was authorized on another "
                                        "till session, so this till does not count it: a "
                                        "supervisor looks at it."),
        "transfer_own": translate("TillText", "A teller may not approve their own transfer."),
        "transfer_decided": translate("TillText", "This transfer has already been decided."),
        "till_closed": translate("TillText", "The till is closed."),
        "vault_short": translate("TillText", "The vault does not hold that much."),
        "transfer_pending": translate("TillText", "A vault transfer still waits for a "
                                      "supervisor: it must be decided before the till closes."),
        "reason_required": translate("TillText", "The count differs from what is expected: "
                                     "give a reason for the over or short."),
        "drafts_outstanding": translate("TillText", "A cash draft on this till may still be "
                                        "confirmed (a confirm sent moments ago, or a "
                                        "supervisor's approval being carried out): close the "
                                        "till again in a minute."),
        "confirm_may_be_in_flight": translate(
            "TillText", "A confirm of this draft was sent moments ago and may still reach "
            "the platform, so it is not voided yet. Try again in a minute: a draft still not "
            "confirmed then can be voided."),
    }.get(code) or _cash_words(code)


def hub_need_reason(code: str) -> str:
    return {
        "over_threshold": QCoreApplication.translate(
            "TillText", "the amount is above the supervisor threshold"),
        "teller_cumulative": QCoreApplication.translate(
            "TillText", "your cash total today passes the supervisor threshold (amounts are "
            "added up across customers and branches)"),
        "customer_cumulative": QCoreApplication.translate(
            "TillText", "the customer's cash total today passes the threshold"),
        # an alert's reasons (hub ``cash_watcher``): cash confirmed around the hub
        "not_authorized": QCoreApplication.translate(
            "TillText", "the cash draft was never authorized at the hub"),
        "voided": QCoreApplication.translate("TillText", "the cash draft was voided at the hub"),
        "amount_differs": QCoreApplication.translate(
            "TillText", "the amount differs from the one authorized"),
        "amount_precision": QCoreApplication.translate(
            "TillText", "the amount has more decimal places than the currency allows"),
        "not_through_till": QCoreApplication.translate(
            "TillText", "the money did not move through the branch's till account"),
        "other_currency": QCoreApplication.translate(
            "TillText", "the currency is not the till's"),
        "customer_blocked": QCoreApplication.translate(
            "TillText", "the customer's status stops cash (blocked, closed)"),
        "customer_status_unknown": QCoreApplication.translate(
            "TillText", "the customer's status could not be read on the platform"),
        "cash_kind_unknown": QCoreApplication.translate(
            "TillText", "the payment's category or accounts could not be read on the "
            "platform, so whether it is cash is not known"),
    }.get(code, code)


def hub_need_text(need: SupervisorNeed) -> str:
    reasons = [hub_need_reason(c) for c in need.detail.split(",") if c]
    rules = QCoreApplication.translate("TillText", "the bank's rules")
    return QCoreApplication.translate("TillText", "Yes: {reasons}.").format(
        reasons="; ".join(reasons) or rules)


def _cash_words(code: str) -> str | None:
    """A cash draft's refusal: the hub's ``/cash/authorize`` words and a cash request's."""
    translate = QCoreApplication.translate
    return {
        "voided": translate("TillText", "The draft was voided: it can never be confirmed."),
        "not_created": translate("TillText", "The payment is no longer a draft."),
        "not_cash": translate("TillText", "This is not a cash deposit or withdrawal."),
        "other_branch": translate("TillText", "The customer is not in your branch."),
        "no_open_till": translate(
            "TillText", "Open your till first: Till menu, Open the till."),
        "other_teller": translate("TillText", "This draft belongs to another teller."),
        "till_short": translate("TillText", "Your till does not hold that much cash."),
        "teller_daily_limit": translate("TillText", "Your daily cash limit would be passed."),
        "customer_blocked": translate("TillText", "The customer is blocked or closed at the "
                                      "bank: no cash deposit or withdrawal until their "
                                      "status is changed back."),
        "not_authorized": translate("TillText", "The Teller Hub has not checked this draft: "
                                    "check it again before asking a supervisor."),
        "cash_own": translate("TillText", "You handle this cash yourself: another supervisor "
                              "must approve it."),
        "other_customer": translate("TillText", "The draft is not this customer's."),
        "branch_differs": translate("TillText", "The draft is in another branch."),
        "amount_differs": translate("TillText", "The amount differs from the draft's on the "
                                    "platform."),
        "not_your_customer": translate("TillText", "This customer is not in your branch."),
        "head_office_only": translate("TillText", "Only a head-office administrator may "
                                      "change this."),
        "read_only_role": translate("TillText", "Your role may read here but not change "
                                    "anything."),
    }.get(code)


def hub_refusal_text(refusal: Refusal) -> str:
    return _cash_words(refusal.period) or QCoreApplication.translate(
        "TillText", "The Teller Hub refused: {message}").format(message=refusal.message)


def denomination_text(key: str) -> str:
    value = face_value(key)
    if value < 1:
        return QCoreApplication.translate("TillText", "{n} kop. coin").format(
            n=int(value * 100))
    number = format_number(value, 0)
    if key.startswith("note_"):
        return QCoreApplication.translate("TillText", "{n} UAH note").format(n=number)
    return QCoreApplication.translate("TillText", "{n} UAH coin").format(n=number)


def till_kind_text(kind: str) -> str:
    return {
        "deposit": QCoreApplication.translate("TillText", "Cash deposit"),
        "withdrawal": QCoreApplication.translate("TillText", "Cash withdrawal"),
        "to_till": QCoreApplication.translate("TillText", "From the vault"),
        "to_vault": QCoreApplication.translate("TillText", "To the vault"),
    }.get(kind, kind)


def transfer_text(transfer: Transfer) -> str:
    """A vault transfer in words: its amount and which way it goes."""
    amount = format_uah(transfer.amount)
    said = {
        "to_till": QCoreApplication.translate("TillText", "{amount} from the vault"),
        "to_vault": QCoreApplication.translate("TillText", "{amount} to the vault"),
    }.get(transfer.direction)
    return said.format(amount=amount) if said else amount  # a newer hub's way: no raw code


def voided_text() -> str:
    return QCoreApplication.translate("TillText", "Voided (never confirmed)")


def is_closed_state(state: str) -> bool:
    """Only a state this desk knows as closed is closed (not a newer hub's unknown one)."""
    return state in CLOSED_STATES


def till_state_text(state: str) -> str:
    """A till's state in words; one this desk does not know (a newer hub's) reads as not
    closed, for a supervisor to look at, never as its raw word. Each starts with a capital,
    as the desk's other state words do ("Confirmed", "Voided (never confirmed)"): it stands
    alone in a table's cell or a report's field, and quoted in a sentence it reads as the
    state's name ("Your till is not open (Closing: …)")."""
    return {
        "cosign": QCoreApplication.translate("TillText", "Waiting for a supervisor's co-sign"),
        "open": QCoreApplication.translate("TillText", "Open"),
        "close_cosign": QCoreApplication.translate(
            "TillText", "Closing: waiting for a supervisor's co-sign of the over/short"),
        "closed": QCoreApplication.translate("TillText", "Closed"),
    }.get(state) or QCoreApplication.translate("TillText", "Not closed — ask a supervisor")


def till_not_closed_text() -> str:
    """The hub answered a close (or a co-sign) with a state this desk does not know."""
    return QCoreApplication.translate(
        "TillText", "The till is not closed: the Teller Hub answered with a state this desk "
        "does not know. Ask a supervisor before you leave.")


def till_not_open_text() -> str:
    """The hub answered an opening with a state this desk does not know: not "open"."""
    return QCoreApplication.translate(
        "TillText", "The till is not open: the Teller Hub answered with a state this desk "
        "does not know. Ask a supervisor.")


__all__ = ["CLOSED_STATES", "DENOMINATIONS", "denomination_text", "hub_code_text",
           "hub_need_text", "hub_refusal_text", "is_closed_state", "till_kind_text",
           "till_not_closed_text", "till_not_open_text", "till_state_text",
           "transfer_text", "voided_text"]
