"""A request on the bank's own settings (approval policy, cash limits), in an approver's words:
what would change from the document in force (``before``) to the filed one, a relaxed
control first. The inbox shows it where a customer request shows its change."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QCoreApplication

from teller_app.core.approvals import CASH_LIMITS_UPDATE, POLICY_UPDATE
from teller_app.ui.data_text import status_text
from teller_app.ui.money import amount_text, no_limit_text
from teller_app.ui.untrusted import fill

CHECKS = ("is_disabled", "kyc_down", "kyc_up", "balance_allowed_up", "all_customer_updates",
          "phone_number", "branch_move", "segment")


def settings_title(kind: str) -> str:
    """What the request is about, where a customer's name would be."""
    if kind == POLICY_UPDATE:
        return QCoreApplication.translate("SettingsChange", "Approval policy")
    if kind == CASH_LIMITS_UPDATE:
        return QCoreApplication.translate("SettingsChange", "Cash limits")
    return kind


def check_text(name: str) -> str:
    """A policy check by what it sends to a second person."""
    texts: dict[str, Callable[[], str]] = {
        "is_disabled": lambda: QCoreApplication.translate(
            "SettingsChange", "disabling or re-enabling a customer"),
        "kyc_down": lambda: QCoreApplication.translate("SettingsChange",
                                                       "lowering the KYC level"),
        "kyc_up": lambda: QCoreApplication.translate("SettingsChange", "raising the KYC level"),
        "balance_allowed_up": lambda: QCoreApplication.translate("SettingsChange",
                                                                 "raising the balance cap"),
        "all_customer_updates": lambda: QCoreApplication.translate(
            "SettingsChange", "every change to a customer"),
        "phone_number": lambda: QCoreApplication.translate("SettingsChange",
                                                           "a new phone number"),
        "branch_move": lambda: QCoreApplication.translate(
            "SettingsChange", "moving a customer to another branch"),
        "segment": lambda: QCoreApplication.translate("SettingsChange", "changing the segment"),
    }
    make = texts.get(name)
    return make() if make is not None else name


def _amount(value: object, currency: str | None) -> str:
    return amount_text(value, 2, currency or None)


def _policy_parts(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    relaxed: list[str] = []
    tightened: list[str] = []
    for name in CHECKS:
        if name not in after or bool(before.get(name)) == bool(after[name]):
            continue
        (tightened if after[name] else relaxed).append(check_text(name))
    parts = []
    if "unique_phone" in after and bool(before.get("unique_phone", True)) != bool(
            after["unique_phone"]):  # a rule of its own, not an approval
        parts.append(QCoreApplication.translate(
            "SettingsChange", "one customer per phone number: on") if after["unique_phone"]
            else QCoreApplication.translate(
                "SettingsChange", "one customer per phone number: off (shared phones allowed)"))
    if relaxed:
        parts.append(QCoreApplication.translate(
            "SettingsChange", "no approval any more for: %1").replace("%1", ", ".join(relaxed)))
    old = {str(s) for s in before.get("sensitive_statuses") or []}
    new = {str(s) for s in after.get("sensitive_statuses") or []}
    if old - new:
        parts.append(QCoreApplication.translate(
            "SettingsChange", "statuses no longer needing approval: %1").replace(
            "%1", ", ".join(status_text(s) for s in sorted(old - new))))
    currency = str(after.get("cash_currency") or before.get("cash_currency") or "UAH")
    if str(before.get("cash_threshold")) != str(after.get("cash_threshold")):
        parts.append(fill(QCoreApplication.translate(
            "SettingsChange", "cash approval threshold: %1 → %2"),
            _amount(before.get("cash_threshold"), currency),
            _amount(after.get("cash_threshold"), currency)))
    if str(before.get("cash_currency")) != str(after.get("cash_currency")):
        parts.append(fill(QCoreApplication.translate("SettingsChange", "cash currency: %1 → %2"),
                          str(before.get("cash_currency") or ""),
                          str(after.get("cash_currency") or "")))
    if tightened:
        parts.append(QCoreApplication.translate(
            "SettingsChange", "approval now needed for: %1").replace("%1", ", ".join(tightened)))
    if new - old:
        parts.append(QCoreApplication.translate(
            "SettingsChange", "statuses now needing approval: %1").replace(
            "%1", ", ".join(status_text(s) for s in sorted(new - old))))
    return parts


def _limit_text(name: str) -> str:
    if name == "teller_daily_limit":
        return QCoreApplication.translate("SettingsChange", "a teller's daily cash limit")
    if name == "teller_unapproved_daily":
        return QCoreApplication.translate("SettingsChange",
                                          "a teller's daily cash without approval")
    if name == "customer_daily_threshold":
        return QCoreApplication.translate("SettingsChange",
                                          "a customer's daily cash before approval")
    if name == "close_tolerance":
        return QCoreApplication.translate("SettingsChange",
                                          "the over/short a teller may close with alone")
    return name


def _limits_parts(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    parts = []
    for name in ("teller_daily_limit", "teller_unapproved_daily", "customer_daily_threshold",
                 "close_tolerance"):
        # limits stored before the close tolerance existed held none: 0.00, a co-sign always
        old = before.get(name, "0.00" if name == "close_tolerance" else None)
        new = after.get(name)
        if name not in after or _same_amount(old, new):
            continue

        def shown(value: object, name: str = name) -> str:
            if name == "customer_daily_threshold" and _same_amount(value, "0"):
                return no_limit_text()
            return _amount(value, None)

        parts.append(fill(QCoreApplication.translate("SettingsChange", "%1: %2 → %3"),
                          _limit_text(name), shown(old), shown(new)))
    return parts


def _same_amount(a: object, b: object) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return str(a) == str(b)


def describe_settings_change(kind: str, before: Mapping[str, Any] | None,
                             after: Mapping[str, Any]) -> str:
    """The change a settings request would make, "; "-joined (relaxations first)."""
    old = before or {}
    parts = (_policy_parts(old, after) if kind == POLICY_UPDATE else
             _limits_parts(old, after) if kind == CASH_LIMITS_UPDATE else [])
    if not parts:
        return QCoreApplication.translate("SettingsChange", "no change to what is in force")
    return "; ".join(parts)
