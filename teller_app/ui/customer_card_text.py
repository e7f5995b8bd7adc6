"""What the customer card (ui/customer_card.py) says of its customer: the detail rows (which,
their captions, their texts) and the flags line (disabled, status, KYC level). Names are
direction-isolated; the flags are rich text built escaped. The allowed balance reads as the
inbox words it (``money.limit_text``): 0 is "no limit" (the platform's FAQ 12), an amount goes
with the balance's asset when the customer names one (else the number alone, never a hryvnia
the customer may not have: ``limit_currency``). Strings keep the ``CustomerCard`` translation
context."""

from __future__ import annotations

import html

from PySide6.QtCore import QCoreApplication

from teller_app.core.views import CustomerView
from teller_app.ui.audit_details import MINOR_UNIT  # as the inbox reads a limit
from teller_app.ui.data_text import segment_text, status_text
from teller_app.ui.money import limit_text
from teller_app.ui.validators import isolate

DETAIL_KEYS = ("surname", "name", "paternal_name", "login", "phone_number", "segment",
               "branch_name", "balance_allowed", "wallet_user_guid")


def detail_captions() -> dict[str, str]:
    """Each detail row's caption, in the current language."""
    return {
        "surname": QCoreApplication.translate("CustomerCard", "Surname"),
        "name": QCoreApplication.translate("CustomerCard", "Name"),
        "paternal_name": QCoreApplication.translate("CustomerCard", "Paternal name"),
        "login": QCoreApplication.translate("CustomerCard", "Login"),
        "phone_number": QCoreApplication.translate("CustomerCard", "Phone"),
        "segment": QCoreApplication.translate("CustomerCard", "Segment"),
        "branch_name": QCoreApplication.translate("CustomerCard", "Branch"),
        "balance_allowed": QCoreApplication.translate("CustomerCard", "Balance allowed"),
        "wallet_user_guid": QCoreApplication.translate("CustomerCard", "Customer GUID"),
    }


def detail_texts(c: CustomerView) -> dict[str, str]:
    """Each detail row's text (plain: the labels show no markup)."""
    return {
        "surname": isolate(c.surname), "name": isolate(c.name),
        "paternal_name": isolate(c.paternal_name), "login": isolate(c.login),
        "phone_number": c.phone_number, "segment": segment_text(c.segment),
        "branch_name": c.branch_name,
        "balance_allowed": limit_text(c.balance_allowed, MINOR_UNIT,
                                      c.balance_asset_code or None),
        "wallet_user_guid": c.wallet_user_guid,
    }


def flags_html(c: CustomerView) -> str:
    """The flags line as rich text: a DISABLED chip, the status, the KYC level."""
    chips = []
    if c.is_disabled:
        disabled = QCoreApplication.translate("CustomerCard", "DISABLED")
        chips.append(f"<span style='color:#fff;background:#b3261e;'>&nbsp;"
                     f"{disabled}&nbsp;</span>")
    status = c.status
    if status:  # isolated: a direction mark in it cannot reorder the chips after it
        chips.append(QCoreApplication.translate("CustomerCard", "Status: <b>{status}</b>")
                     .format(status=html.escape(isolate(status_text(status)))))
    chips.append(QCoreApplication.translate("CustomerCard", "KYC level: <b>{level}</b>")
                 .format(level=c.kyc_level))
    return " &nbsp; ".join(chips)
