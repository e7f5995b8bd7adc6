"""A cash decision needs the customer's status as DCM has it now (a blocked or closed
customer gets no cash). A draft whose status was never read (a caller that forgot
``with_status``) used to read as "not blocked" and pass; it is now refused as when DCM
cannot be read (503), never decided. The hub's own decision code on a real migrated
database, SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from migrated_db import fresh_database, run_on_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from teller_app.hub.cash_limits import Draft, authorize
from teller_app.hub.errors import HubError
from teller_app.hub.models import HubEmployee
from teller_app.hub.settings import CASH_TZ_DEFAULT
from teller_app.platform.models import PaymentStatus

BRANCH = "0123abcd-0000-4000-8000-000000000001"
TELLER = HubEmployee("teller@hub.test", "T", ("Teller",), BRANCH, False, "hub")
ZONE = ZoneInfo(CASH_TZ_DEFAULT)  # the cash day's (an app's ``cash_tz``)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return fresh_database(request, tmp_path)


def _draft(**status: str) -> Draft:
    return Draft(str(uuid.uuid4()), PaymentStatus.CREATED, "deposit", "04", 500_00,
                 str(uuid.uuid4()), BRANCH, **status)


def test_a_draft_whose_status_was_not_read_is_never_decided(db_url: str) -> None:
    verdicts: list[object] = []

    async def body(engine: AsyncEngine) -> None:
        with pytest.raises(HubError) as unread:
            await authorize(engine, TELLER, _draft(), record=False, zone=ZONE)
        assert unread.value.status == 503 and "status" in unread.value.message
        # read: decided as before (a blocked customer refused, another goes on to the till)
        verdicts.append(await authorize(engine, TELLER, _draft(customer_status="blocked"),
                                        record=False, zone=ZONE))
        verdicts.append(await authorize(engine, TELLER, _draft(customer_status="active"),
                                        record=False, zone=ZONE))
    run_on_engine(db_url, body)
    blocked, active = verdicts
    assert isinstance(blocked, dict) and blocked["reasons"] == ["customer_blocked"]
    assert isinstance(active, dict) and active["reasons"] == ["no_open_till"]
