"""Translated words of the cash day: payment statuses, operation kinds, limit periods,
refusals and the supervisor line. Never the platform's raw enum text on screen."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from teller_app.core.cash import (
    CashError,
    ConfirmInDoubt,
    ConfirmNotDone,
    DraftNotChecked,
    SupervisorRequired,
)
from teller_app.core.cash_checks import (
    CustomerLimits,
    NeedReason,
    Refusal,
    RefusalKind,
    SupervisorNeed,
    classify_refusal,
)
from teller_app.ui.money import format_money
from teller_app.ui.plural import CashText

# The reason a cash dialog files for an over-threshold draft when the teller gave no purpose.
# It is stored as the teller's desk wrote it; a supervisor reads it in their own language.
AUTO_CASH_REASON = str(QT_TRANSLATE_NOOP("CashDialog", "Cash above the teller's limit"))
# Its Ukrainian forms as filed: today's, and the one desks filed before "операціоніст" became
# the one word for a teller (requests filed then still read in the reader's language).
AUTO_CASH_REASON_FILED = frozenset({AUTO_CASH_REASON, "Готівка понад ліміт операціоніста",
                                    "Готівка понад ліміт касира"})


def auto_cash_reason() -> str:
    return QCoreApplication.translate("CashDialog", AUTO_CASH_REASON)


def request_reason_text(reason: str) -> str:
    """A request's reason for the reader: the automatic cash reason in their language,
    anything a person wrote as written."""
    return auto_cash_reason() if reason.strip() in AUTO_CASH_REASON_FILED else reason


def status_text(status: str) -> str:
    key = (status or "").upper()
    if key == "CONFIRMED":
        return QCoreApplication.translate("CashText", "Confirmed")
    if key == "CREATED":
        return QCoreApplication.translate("CashText", "Draft, not confirmed")
    if key == "FAILED":
        return QCoreApplication.translate("CashText", "Failed")
    return QCoreApplication.translate("CashText", "Unknown status")


def confirmed_text(status: str) -> str:
    """The cash dialog's line once the payment is settled, one sentence ("Payment
    confirmed."); a status other than CONFIRMED (none is expected there) is named."""
    if (status or "").upper() == "CONFIRMED":
        return QCoreApplication.translate("CashDialog", "Payment confirmed.")
    return QCoreApplication.translate("CashDialog", "Payment status: %1.").replace(
        "%1", status_text(status))


def kind_text(kind: str) -> str:
    if kind == "deposit":
        return QCoreApplication.translate("CashText", "Cash deposit")
    if kind == "withdrawal":
        return QCoreApplication.translate("CashText", "Cash withdrawal")
    return QCoreApplication.translate("CashText", "Payment")


def _category_names() -> dict[str, str]:
    """The platform's base directory of payment categories (§3.9), in the desk's language."""
    return {
        "01": QCoreApplication.translate(
            "CashText", "cash withdrawal at an ATM"),
        "02": QCoreApplication.translate(
            "CashText", "cash withdrawal at the bank's cash desk"),
        "03": QCoreApplication.translate(
            "CashText", "cash withdrawal at a POS terminal"),
        "04": QCoreApplication.translate(
            "CashText", "cash replenishment at the bank's cash desk"),
        "10": QCoreApplication.translate(
            "CashText", "payment by requisites"),
        "11": QCoreApplication.translate(
            "CashText", "payment for e-commerce services (within the bank)"),
        "12": QCoreApplication.translate(
            "CashText", "payment for e-commerce services (third-party resources)"),
        "13": QCoreApplication.translate(
            "CashText", "payment at a POS terminal"),
        "14": QCoreApplication.translate(
            "CashText", "payment by QR code (DirectPay)"),
        "20": QCoreApplication.translate(
            "CashText", "transfer to an account (within the bank)"),
        "21": QCoreApplication.translate(
            "CashText", "transfer to an account (at another bank)"),
        "30": QCoreApplication.translate(
            "CashText", "transfer from another account (within the bank)"),
        "31": QCoreApplication.translate(
            "CashText", "top-up from another account (third-party bank or resource)"),
        "32": QCoreApplication.translate(
            "CashText", "card top-up"),
        "40": QCoreApplication.translate(
            "CashText", "bank commission"),
        "50": QCoreApplication.translate(
            "CashText", "technical payment (chargebacks and the like)"),
        "51": QCoreApplication.translate(
            "CashText", "full refund"),
        "52": QCoreApplication.translate(
            "CashText", "partial refund"),
    }


def category_text(code: str, description: str = "") -> str:
    """A base category in the desk's language; a bank's own one with the platform's
    description (its own words, as the bank wrote them)."""
    name = _category_names().get(code) or description
    return f"{code} — {name}" if name else code or "—"


def period_text(period: str) -> str:
    return {
        "operation": QCoreApplication.translate("CashText", "per operation"),
        "day": QCoreApplication.translate("CashText", "per day"),
        "week": QCoreApplication.translate("CashText", "per week"),
        "month": QCoreApplication.translate("CashText", "per month"),
        "year": QCoreApplication.translate("CashText", "per year"),
        "custom": QCoreApplication.translate("CashText", "per custom period"),
    }.get(period, period)


def limits_lines(limits: CustomerLimits, minor_unit: int, code: str, kind: str) -> list[str]:
    """Each limit on its own line; bounds are exclusive, so say "more than"/"less than"."""
    def money(value: Decimal) -> str:
        return format_money(value, minor_unit, code)

    lines: list[str] = []
    if limits.empty:
        return [QCoreApplication.translate("CashText", "No limits set.")]
    low, high = limits.operation_min, limits.operation_max
    if low is not None or high is not None:
        parts = []
        if low is not None:
            parts.append(QCoreApplication.translate("CashText", "more than {amount}").format(
                amount=money(low)))
        if high is not None:
            parts.append(QCoreApplication.translate("CashText", "less than {amount}").format(
                amount=money(high)))
        joined = QCoreApplication.translate("CashText", " and ").join(parts)
        lines.append(QCoreApplication.translate(
            "CashText", "Per operation: {bounds}").format(bounds=joined))
    for usage in limits.periods:
        if usage.period == "custom":
            title = CashText.tr("%n day(s)", "", usage.days)  # type: ignore[arg-type]  # ui/plural.py
        else:
            title = period_text(usage.period)
        lines.append(QCoreApplication.translate(
            "CashText", "{period}: less than {max} in total; {spent} used, {left} left").format(
            period=title[:1].upper() + title[1:], max=money(usage.max),
            spent=money(usage.spent), left=money(usage.left)))
    if kind == "deposit":
        lines.append(QCoreApplication.translate(
            "CashText", "Limits apply to the customer's outgoing payments (withdrawals)."))
    return lines


def supervisor_text(need: SupervisorNeed, minor_unit: int, code: str) -> str:
    if not need.needed:
        return QCoreApplication.translate("CashText", "No: the teller confirms.")
    if need.reason is NeedReason.OVER_THRESHOLD and need.threshold is not None:
        return QCoreApplication.translate(
            "CashText", "Yes: above {amount}, a supervisor confirms.").format(
            amount=format_money(need.threshold, minor_unit, code))
    if need.reason is NeedReason.HUB_POLICY:
        from teller_app.ui.till_text import hub_need_text

        return hub_need_text(need)
    if need.detail:
        return QCoreApplication.translate("CashText", "Yes: {reason}").format(reason=need.detail)
    return QCoreApplication.translate("CashText", "Yes: a supervisor confirms.")


def _limit_text(refusal: Refusal, limit: str) -> str:
    period = period_text(refusal.period)
    if refusal.period == "operation" and refusal.bound == "min" and limit:
        return QCoreApplication.translate(
            "CashText", "Below the customer's per-operation minimum: must be more than "
            "{amount}.").format(amount=limit)
    if refusal.period == "operation" and limit:
        return QCoreApplication.translate(
            "CashText", "Above the customer's per-operation maximum: must be less than "
            "{amount}.").format(amount=limit)
    if limit:
        return QCoreApplication.translate(
            "CashText", "The customer's limit {period} would be exceeded (less than {amount} "
            "in total).").format(period=period, amount=limit)
    return QCoreApplication.translate(
        "CashText", "The customer's limit {period} would be exceeded.").format(
        period=period)


def refusal_text(refusal: Refusal, minor_unit: int = 2, code: str = "UAH") -> str:
    kind = refusal.kind
    limit = "" if refusal.limit is None else format_money(refusal.limit, minor_unit, code)
    if kind is RefusalKind.INSUFFICIENT_BALANCE:
        return QCoreApplication.translate("CashText", "Not enough money on the account.")
    if kind is RefusalKind.BALANCE_ALLOWED:
        if limit:
            return QCoreApplication.translate(
                "CashText", "The account may hold at most {amount}.").format(
                amount=limit)
        return QCoreApplication.translate(
            "CashText", "The account would hold more than the customer's balance cap.")
    if kind is RefusalKind.CUSTOMER_DISABLED:
        return QCoreApplication.translate("CashText", "The customer is disabled: no payments.")
    if kind is RefusalKind.ROUTE_NOT_ALLOWED:
        return QCoreApplication.translate(
            "CashText", "The platform does not allow a payment between these accounts.")
    if kind is RefusalKind.NO_SECRET:
        return QCoreApplication.translate(
            "CashText", "The bank holds no signing secret for this customer: the platform "
            "cannot sign the payment. Ask the administrator to register the customer's key.")
    if kind is RefusalKind.NOT_CREATED:
        return QCoreApplication.translate("CashText", "The payment is no longer a draft.")
    if kind is RefusalKind.LIMIT:
        return _limit_text(refusal, limit)
    if kind is RefusalKind.HUB:
        from teller_app.ui.till_text import hub_refusal_text

        return hub_refusal_text(refusal)
    return QCoreApplication.translate("ErrorText", "The platform refused: {message}").format(
        message=refusal.message)


def cash_error_text(exc: BaseException, minor_unit: int = 2, code: str = "UAH") -> str:
    """A specific, translated text for a failed create/confirm."""
    from teller_app.ui.error_text import friendly_message

    if isinstance(exc, DraftNotChecked):  # the dialog says the draft exists; here: why
        return cash_error_text(exc.cause, minor_unit, code)
    if isinstance(exc, SupervisorRequired):
        return QCoreApplication.translate(
            "CashText", "A supervisor must confirm this payment (here or from their inbox).")
    if isinstance(exc, ConfirmInDoubt):  # before ConfirmNotDone: it is one
        return QCoreApplication.translate(
            "CashText", "It is not known yet whether the payment was confirmed: the platform "
            "did not answer in time and may still confirm it. Check its status before you "
            "void it or make a new one.")
    if isinstance(exc, ConfirmNotDone):
        return QCoreApplication.translate(
            "CashText", "The payment was not confirmed (its status is still a draft). Press "
            "Confirm again: the platform confirms a draft only once.")
    if isinstance(exc, CashError) and exc.reason:
        return cash_reason_text(exc.reason, str(exc))
    refusal = classify_refusal(exc)
    if refusal is not None:
        return refusal_text(refusal, minor_unit, code)
    return friendly_message(exc)


def cash_reason_text(reason: str, message: str) -> str:
    """Why a cash operation cannot go ahead (``CashError.reason``), in the teller's words."""
    translate = QCoreApplication.translate
    texts = {
        "payment_failed": translate("CashText", "The platform marked the payment as failed: "
                                    "this is final, no money moved. If the customer still "
                                    "wants the operation, make a new one."),
        "no_account": translate("CashText", "The customer has no account for cash: open an "
                                "account first."),
        "no_category": translate("CashText", "The platform has no payment category for this "
                                 "cash operation. Ask your administrator."),
        "no_processing_account": translate(
            "CashText", "No cash account of the branch is visible to you, so the platform "
            "cannot take this payment. Ask your administrator."),
        "void_needs_hub": translate("CashText", "Voiding a draft needs the Teller Hub."),
        "not_a_checker": translate("CashText", "This employee may not confirm amounts above "
                                   "the teller's limit."),
    }
    return texts.get(reason, message)
