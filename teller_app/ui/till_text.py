"""Translated words of the till and the hub's cash controls (reason codes from the hub)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from teller_app.core.cash_checks import Refusal, SupervisorNeed
from teller_app.core.till import DENOMINATIONS, face_value
from teller_app.ui.money import format_number


def _t(text: str) -> str:
    return QCoreApplication.translate("TillText", text)


def hub_need_reason(code: str) -> str:
    return {
        "over_threshold": _t("the amount is above the supervisor threshold"),
        "teller_cumulative": _t("your cash total today passes the supervisor threshold "
                                "(amounts are added up across customers and branches)"),
        "customer_cumulative": _t("the customer's cash total today passes the threshold"),
    }.get(code, code)


def hub_need_text(need: SupervisorNeed) -> str:
    reasons = [hub_need_reason(c) for c in need.detail.split(",") if c]
    return _t("Yes: {reasons}.").format(reasons="; ".join(reasons) or _t("the bank's rules"))


def hub_refusal_text(refusal: Refusal) -> str:
    text = {
        "voided": _t("The draft was voided: it can never be confirmed."),
        "not_created": _t("The payment is no longer a draft."),
        "not_cash": _t("This is not a cash deposit or withdrawal."),
        "other_branch": _t("The customer is not in your branch."),
        "no_open_till": _t("Open your till first (a supervisor co-signs a differing count)."),
        "other_teller": _t("This draft belongs to another teller."),
        "till_short": _t("Your till does not hold that much cash."),
        "teller_daily_limit": _t("Your daily cash limit would be passed."),
    }.get(refusal.period)
    return text or _t("The Teller Hub refused: {message}").format(message=refusal.message)


def denomination_text(key: str) -> str:
    value = face_value(key)
    if value < 1:
        return _t("{n} kop. coin").format(n=int(value * 100))
    number = format_number(value, 0)
    return (_t("{n} UAH note") if key.startswith("note_") else _t("{n} UAH coin")).format(
        n=number)


def till_kind_text(kind: str) -> str:
    return {
        "deposit": _t("Cash deposit"),
        "withdrawal": _t("Cash withdrawal"),
        "to_till": _t("From the vault"),
        "to_vault": _t("To the vault"),
    }.get(kind, kind)


def till_state_text(state: str) -> str:
    return {"cosign": _t("waiting for a supervisor's co-sign"), "open": _t("open"),
            "closed": _t("closed")}.get(state, state)


__all__ = ["DENOMINATIONS", "denomination_text", "hub_need_text", "hub_refusal_text",
           "till_kind_text", "till_state_text"]
