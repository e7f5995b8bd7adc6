"""The "who holds this number" look-up (the hub's one-customer-per-phone control and the
desk's duplicate check, ``customers_by_phone``) finds a holder whose number the platform
stores in a usual Ukrainian written form (spaces, brackets, dashes: the platform stores any
string, another channel wrote it), in one request. Real sandbox over HTTP."""

from __future__ import annotations

import httpx
import pytest
from sandbox_helpers import new_customer, password_client

from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.platform.customer_lookups import customers_by_phone
from teller_app.platform.phones import same_phone, written_forms
from tests.phones import unused_phone

# how people and older systems write +380 AB CDE FG HI
STORED_FORMS = (
    "+380{ab}{cde}{fg}{hi}", "0{ab}{cde}{fg}{hi}", "380{ab}{cde}{fg}{hi}",
    "+380 {ab} {cde} {fg} {hi}", "+380 ({ab}) {cde}-{fg}-{hi}", "+38 (0{ab}) {cde}-{fg}-{hi}",
    "+38 0{ab} {cde} {fg} {hi}", "38 0{ab} {cde} {fg} {hi}", "0{ab} {cde} {fg} {hi}",
    "(0{ab}) {cde}-{fg}-{hi}", "(0{ab}) {cde} {fg} {hi}", "0{ab}-{cde}-{fg}-{hi}",
    "+380 {ab} {cde} {fg}{hi}", "0{ab} {cde} {fg}{hi}", "8 0{ab} {cde} {fg} {hi}",
)


def _written(number: str, form: str) -> str:
    return form.format(ab=number[4:6], cde=number[6:9], fg=number[9:11], hi=number[11:13])


def test_every_form_is_the_same_number_and_listed_once() -> None:
    number = unused_phone()
    forms = written_forms(number)
    assert len(forms) == len(set(forms))
    assert forms[:3] == [number, number[1:], "0" + number[4:]]
    assert all(same_phone(f, number) for f in forms), forms
    for form in STORED_FORMS:
        assert _written(number, form) in forms, form
    foreign = written_forms("+48 601 234 567")
    assert foreign[:2] == ["+48601234567", "48601234567"] and "+48 601 234 567" in foreign
    assert written_forms("12345") == []


class _Counting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.lookups: list[httpx.URL] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "GET" and request.url.params.get_list("phone_numbers"):
            self.lookups.append(request.url)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.asyncio
async def test_a_holder_stored_in_any_usual_form_is_found_in_one_request(
        sandbox: SandboxProcess) -> None:
    transport = _Counting()
    async with password_client(sandbox, transport=transport) as client:
        missed = {}
        for form in STORED_FORMS:
            number = unused_phone()
            stored = _written(number, form)
            created = await client.create_customer(new_customer(sandbox, phone_number=stored))
            before = len(transport.lookups)
            holders = await customers_by_phone(client, number)
            assert len(transport.lookups) == before + 1  # one request, every form in it
            if [h.wallet_user_guid for h in holders] != [created.customer_guid]:
                missed[stored] = len(holders)
        assert not missed, missed
        assert max(len(str(url)) for url in transport.lookups) < 2000  # any proxy takes it
