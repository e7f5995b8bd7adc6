"""A period limit is per asset: payments of the customer's other assets, or of accounts not
theirs (a server that ignored the list's filters), never count against it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from teller_app.core.cash_checks import spent_since
from teller_app.platform.models.payments import Payment

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
MINE, OTHER = "0a1b2c3d-0000-4000-8000-000000000001", "0a1b2c3d-0000-4000-8000-000000000002"


def paid(amount: str, asset: str, sender: str = MINE, hours_ago: int = 1) -> Payment:
    return Payment(guid=f"{amount}-{asset}-{sender}", amount=Decimal(amount), asset_code=asset,
                   sender_id=sender, status="CONFIRMED",
                   updated_at=NOW - timedelta(hours=hours_ago))


def test_only_this_assets_payments_from_these_accounts_count() -> None:
    rows = [paid("100", "UAH"), paid("70", "EUR"), paid("5", "UAH", sender=OTHER),
            paid("9", "UAH", hours_ago=48), paid("3", "")]  # "" = the row does not say
    since = NOW - timedelta(days=1)
    assert spent_since(rows, since, [MINE], ("UAH", "UAHS")) == Decimal("103")
    assert spent_since(rows, since, [MINE]) == Decimal("173")  # no asset given: every one
