"""Translated words of the cash day: payment statuses, operation kinds, limit periods,
refusals and the supervisor line. Never the platform's raw enum text on screen."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication

from teller_app.core.cash import ConfirmNotDone
from teller_app.core.cash_checks import (
    CustomerLimits,
    NeedReason,
    Refusal,
    RefusalKind,
    SupervisorNeed,
    classify_refusal,
)
from teller_app.ui.money import format_money


def _t(text: str) -> str:
    return QCoreApplication.translate("CashText", text)


def status_text(status: str) -> str:
    key = (status or "").upper()
    if key == "CONFIRMED":
        return _t("Confirmed")
    if key == "CREATED":
        return _t("Draft, not confirmed")
    if key == "FAILED":
        return _t("Failed")
    return _t("Unknown status")


def kind_text(kind: str) -> str:
    if kind == "deposit":
        return _t("Cash deposit")
    if kind == "withdrawal":
        return _t("Cash withdrawal")
    return _t("Payment")


def category_text(code: str) -> str:
    names = {
        "04": _t("cash replenishment at the bank's cash desk"),
        "02": _t("cash withdrawal at the bank's cash desk"),
    }
    name = names.get(code)
    return f"{code} — {name}" if name else code or "—"


def period_text(period: str) -> str:
    return {
        "operation": _t("per operation"),
        "day": _t("per day"),
        "week": _t("per week"),
        "month": _t("per month"),
        "year": _t("per year"),
        "custom": _t("per custom period"),
    }.get(period, period)


def limits_lines(limits: CustomerLimits, minor_unit: int, code: str, kind: str) -> list[str]:
    """Each limit on its own line; bounds are exclusive, so say "more than"/"less than"."""
    def money(value: Decimal) -> str:
        return format_money(value, minor_unit, code)

    lines: list[str] = []
    if limits.empty:
        return [_t("No limits set.")]
    if limits.operation_min is not None or limits.operation_max is not None:
        parts = []
        if limits.operation_min is not None:
            parts.append(_t("more than {amount}").format(amount=money(limits.operation_min)))
        if limits.operation_max is not None:
            parts.append(_t("less than {amount}").format(amount=money(limits.operation_max)))
        lines.append(_t("Per operation: {bounds}").format(bounds=_t(" and ").join(parts)))
    for usage in limits.periods:
        if usage.period == "custom":
            title = QCoreApplication.translate("CashText", "%n day(s)", "", usage.days)
        else:
            title = period_text(usage.period)
        lines.append(_t("{period}: less than {max} in total; {spent} used, {left} left").format(
            period=title[:1].upper() + title[1:], max=money(usage.max),
            spent=money(usage.spent), left=money(usage.left)))
    if kind == "deposit":
        lines.append(_t("Limits apply to the customer's outgoing payments (withdrawals)."))
    return lines


def supervisor_text(need: SupervisorNeed, minor_unit: int, code: str) -> str:
    if not need.needed:
        return _t("No: the teller confirms.")
    if need.reason is NeedReason.OVER_THRESHOLD and need.threshold is not None:
        return _t("Yes: above {amount}, a supervisor confirms.").format(
            amount=format_money(need.threshold, minor_unit, code))
    if need.detail:
        return _t("Yes: {reason}").format(reason=need.detail)
    return _t("Yes: a supervisor confirms.")


def refusal_text(refusal: Refusal, minor_unit: int = 2, code: str = "UAH") -> str:
    kind = refusal.kind
    if kind is RefusalKind.INSUFFICIENT_BALANCE:
        return _t("Not enough money on the account.")
    if kind is RefusalKind.BALANCE_ALLOWED:
        if refusal.limit is not None:
            return _t("The account may hold at most {amount}.").format(
                amount=format_money(refusal.limit, minor_unit, code))
        return _t("The account would hold more than the customer's balance cap.")
    if kind is RefusalKind.CUSTOMER_DISABLED:
        return _t("The customer is disabled: no payments.")
    if kind is RefusalKind.ROUTE_NOT_ALLOWED:
        return _t("The platform does not allow a payment between these accounts.")
    if kind is RefusalKind.NO_SECRET:
        return _t("The bank holds no signing secret for this customer: the platform cannot "
                  "sign the payment. Ask the administrator to register the customer's key.")
    if kind is RefusalKind.NOT_CREATED:
        return _t("The payment is no longer a draft.")
    if kind is RefusalKind.LIMIT:
        limit = ""
        if refusal.limit is not None:
            limit = format_money(refusal.limit, minor_unit, code)
        if refusal.period == "operation" and refusal.bound == "min" and limit:
            return _t("Below the customer's per-operation minimum: must be more than "
                      "{amount}.").format(amount=limit)
        if refusal.period == "operation" and limit:
            return _t("Above the customer's per-operation maximum: must be less than "
                      "{amount}.").format(amount=limit)
        if limit:
            return _t("The customer's limit {period} would be exceeded (less than {amount} "
                      "in total).").format(period=period_text(refusal.period), amount=limit)
        return _t("The customer's limit {period} would be exceeded.").format(
            period=period_text(refusal.period))
    return QCoreApplication.translate("ErrorText", "The platform refused: {message}").format(
        message=refusal.message)


def cash_error_text(exc: BaseException, minor_unit: int = 2, code: str = "UAH") -> str:
    """A specific, translated text for a failed create/confirm."""
    from teller_app.ui.error_text import friendly_message

    if isinstance(exc, ConfirmNotDone):
        return _t("The payment was not confirmed (its status is still a draft). Press "
                  "Confirm again: the platform confirms a draft only once.")
    refusal = classify_refusal(exc)
    if refusal is not None:
        return refusal_text(refusal, minor_unit, code)
    return friendly_message(exc)
