"""The customer form when the hub's phone check does not answer yes or no: an employee past
their phone number checks a minute (429 ``phone_checks_throttled``), and a hub that could
not read DCM to check the number (503 ``phone_check_unavailable``, once told as "the Teller
Hub cannot be reached" while the hub answered). Each is told as what it is, nothing was
saved, and the form keeps everything typed. Real sandbox and hub (its DCM link through a
proxy that can cut the phone lookups only), pytest-qt offscreen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from teller_app.core.embedded_hub import HubProcess, start_hub
from teller_app.core.embedded_sandbox import SandboxProcess
from teller_app.core.embedded_start import hub_settings
from teller_app.ui.sign_in import sandbox_target, sign_in
from tests.loopback_proxy import Flow, LoopbackProxy
from tests.phones import unused_phone

from .conftest import make_window, new_customer, password_of, unique

pytestmark = pytest.mark.slow
LIMIT = 2  # the hub's phone_checks_per_minute here
THROTTLED = ("Too many phone number checks from this account in the last minute: nothing "
             "was saved. Your work is kept; wait a minute and try again.")
UNCHECKED = ("The Teller Hub could not check the phone number with the platform just now: "
             "nothing was saved. Your work is kept; try again in a moment.")


class PhoneLookupCutter(LoopbackProxy):
    """The hub's DCM link; while ``cut``, a customer lookup by phone number gets no answer
    (its connection is dropped), everything else goes through."""

    cut = False

    async def forward(self, data: bytes, dst: asyncio.StreamWriter, flow: Flow) -> None:
        if self.cut and flow.up and b"phone_numbers" in data:
            dst.transport.abort()
            return
        await super().forward(data, dst, flow)


@pytest.fixture(scope="module")
def stack(sandbox: SandboxProcess, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[SandboxProcess, HubProcess, PhoneLookupCutter]]:
    proxy = PhoneLookupCutter(int(urlsplit(sandbox.base_url).port or 80)).start()
    try:
        hub = start_hub(Path(tmp_path_factory.mktemp("phone-check-hub")), settings={
            **hub_settings(sandbox), "dcm_url": proxy.url,
            "phone_checks_per_minute": str(LIMIT)})
        try:
            yield sandbox, hub, proxy
        finally:
            hub.stop()
    finally:
        proxy.close()


@pytest.fixture()
def window_of(qtbot, ops, arun, stack):  # type: ignore[no-untyped-def]
    """``window_of(email)``: a main window of that employee, signed in through the hub."""
    sandbox, hub, _ = stack
    opened: list[Any] = []

    def make(email: str) -> Any:
        session = arun(sign_in(sandbox_target(sandbox.manifest, hub.base_url), email,
                               password_of(sandbox, email), remember=False, store=None))
        assert session.hub_available
        win = make_window(qtbot, ops, session, sandbox)
        opened.append(win)
        return win

    yield make
    for win in opened:
        win._closing_for_sign_out = True
    ops.cancel_all()
    for win in opened:
        arun(win.session.close())


def _number() -> str:  # as the form keeps it (E.164)
    return unused_phone()


def _submit_and_wait(qtbot, form) -> None:  # type: ignore[no-untyped-def]
    form.submit()
    qtbot.waitUntil(lambda: not form.ops.is_busy(form._submit_key()), timeout=30000)


def test_a_create_past_the_phone_checks_a_minute_is_told_and_keeps_the_form(
        qtbot, arun, window_of) -> None:  # type: ignore[no-untyped-def]
    win = window_of("teller.kyiv@demo.bank")
    session = win.session
    for _ in range(LIMIT):  # this employee's checks of the minute, spent
        arun(session.hub.issue_secret(unique("spent."), session.branch_guid,
                                      phone=_number()))
    form = win.new_customer()
    login, number = unique("limited."), _number()
    form.login.setText(login)
    form.surname.setText("Шевченко")
    form.name.setText("Тарас")
    form.phone.setText(number)
    _submit_and_wait(qtbot, form)
    assert form.banner.text() == THROTTLED
    assert (form.login.text(), form.surname.text(), form.name.text(), form.phone.text()) == (
        login, "Шевченко", "Тарас", number)
    assert arun(session.client.find_customer_by_login(login)) is None
    assert not arun(session.hub.hub.secret_exists(login))


def test_a_phone_change_the_hub_could_not_check_is_told_and_keeps_the_form(
        qtbot, arun, window_of, stack) -> None:  # type: ignore[no-untyped-def]
    sandbox, _, proxy = stack
    win = window_of("teller.lviv@demo.bank")
    client = win.session.client
    before = _number()
    guid = arun(client.create_customer(new_customer(
        sandbox, win.session, surname="Бондар", name="Олег", phone_number=before,
        status="active"))).customer_guid
    form = win.edit_customer(arun(client.get_customer(guid)))
    number = _number()
    form.phone.setText(number)
    form.name.setText("Олександр")
    proxy.cut = True
    try:
        _submit_and_wait(qtbot, form)
    finally:
        proxy.cut = False
    assert form.banner.text() == UNCHECKED
    assert (form.phone.text(), form.name.text()) == (number, "Олександр")
    now = arun(client.get_customer(guid))
    assert (now.phone_number, now.name) == (before, "Олег")
