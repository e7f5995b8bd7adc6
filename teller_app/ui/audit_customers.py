"""The customer an audit entry is about, for the trail's Customer column: the one the entry
names (``customer_guid``, or a ``customer:`` entity), else the one other entries name for the
same cash payment or request. Some rows name only the payment: a supervisor's cash confirm
from the inbox, the hub's void of a rejected cash request, a payment sent through the hub's
proxy. Their request's and draft's rows name its customer, so the trail reads them from
there (rows already written stay as they were: the chain hashes each as written). Pure: no
Qt."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from teller_app.platform.hub_models import AuditRecord

MAX_LINKS = 50_000  # links kept across reads; past it they start again from the rows read


def own_customer(entry: AuditRecord) -> str:
    """The customer GUID the entry itself names; "" for none."""
    guid = entry.detail.get("customer_guid")
    if guid:
        return str(guid)
    kind, _, value = entry.entity.partition(":")
    return value if kind == "customer" else ""


def payment_of(entry: AuditRecord) -> str:
    """The cash payment the entry is about: its ``payment_guid``, a ``payment:`` entity, a
    cash request's change's; "" for none."""
    detail = entry.detail
    if detail.get("payment_guid"):
        return str(detail["payment_guid"])
    kind, _, value = entry.entity.partition(":")
    if kind == "payment" and value:
        return value
    change = detail.get("change")
    if isinstance(change, Mapping) and change.get("payment_guid"):
        return str(change["payment_guid"])
    return ""


def request_of(entry: AuditRecord) -> str:
    """The request the entry is about (its entity, or one its details name); "" for none."""
    kind, _, value = entry.entity.partition(":")
    if kind == "request" and value:
        return value
    for key in ("request_id", "request"):
        if isinstance(entry.detail.get(key), str) and entry.detail[key]:
            return str(entry.detail[key])
    return ""


class CustomerLinks:
    """Customers by payment and by request, learned from the entries read (kept across
    refreshes: a row filtered out today still names its payment's customer)."""

    def __init__(self) -> None:
        self.by_payment: dict[str, str] = {}
        self.by_request: dict[str, str] = {}

    def learn(self, entries: Iterable[AuditRecord]) -> None:
        if len(self.by_payment) + len(self.by_request) > MAX_LINKS:  # a day-long session
            self.by_payment.clear()
            self.by_request.clear()
        for entry in entries:
            customer = own_customer(entry)
            if not customer:
                continue
            if payment := payment_of(entry):
                self.by_payment.setdefault(payment, customer)
            if request := request_of(entry):
                self.by_request.setdefault(request, customer)

    def customer_of(self, entry: AuditRecord) -> str:
        """The entry's own customer, else its payment's or its request's; "" for none."""
        return own_customer(entry) or self.by_payment.get(payment_of(entry), "") \
            or self.by_request.get(request_of(entry), "")
