"""Setting a customer's limit is a write: a lost answer is never re-sent (one POST reaches
the platform, the caller is told the outcome is unknown and settles it by reading the limits).
The real sandbox behind a transport that loses the first answer of each limit POST."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from sandbox_helpers import admin_client, new_customer, password_client

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform import NewLimit, RetryPolicy, Timeout
from tests.reliability.reliability_helpers import FaultyTransport

pytestmark = pytest.mark.asyncio
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0)  # retries with no delay


async def test_a_lost_limit_answer_is_not_sent_again(sandbox: SandboxProcess) -> None:
    async with admin_client(sandbox) as admin:
        created = await admin.create_customer(new_customer(sandbox))
        account = (await admin.get_customer_accounts(created.customer_guid))[0]
    asset = account.assets[0]
    limit = NewLimit(customer_guid=created.customer_guid,
                     account_type_guid=account.type or account.guid,
                     asset_code=asset.stellar_code, asset_issuer=asset.stellar_issuer,
                     max=Decimal("777.70"))
    lost: set[str] = set()

    def lose_first(request: httpx.Request, _n: int) -> str | None:
        path = request.url.path
        if request.method == "POST" and "/limits/customer/" in path and path not in lost:
            lost.add(path)
            return "lost"  # applied on the platform, the answer never arrives
        return None

    transport = FaultyTransport(lose_first)
    async with password_client(sandbox, "Supervisor", 0, transport=transport,
                               retry=FAST) as supervisor:
        with pytest.raises(Timeout):
            await supervisor.set_customer_payment_limit(limit)
        with pytest.raises(Timeout):
            await supervisor.set_customer_amount_limit(
                limit.model_copy(update={"period": "day", "period_key": 1}))
        assert transport.posts("/limits/customer/payment") == 1
        assert transport.posts("/limits/customer/amount") == 1
        # settled by reading: both landed
        ops = await supervisor.get_customer_payment_limits(created.customer_guid)
        assert any(x.max == Decimal("777.70") for x in ops)
        periods = await supervisor.get_customer_amount_limits(created.customer_guid)
        assert any("day" in x.period for x in periods)
