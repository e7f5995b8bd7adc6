"""Mode B from the desk: a hub profile signs in with the hub's e-mail + password (no bank key
anywhere on the desk) and every DCM call goes through the hub's proxy."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from teller_app.core.embedded_stack import EmbeddedStack
from teller_app.platform import AuthError, HubLogin
from teller_app.ui.sign_in import SignInTarget, sign_in
from teller_app.ui.sign_in_dialog import SignInDialog
from tests.mode_b_desk import hub_profile, hub_teller
from tests.onboarded_stack import onboarded_stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStack]:
    with onboarded_stack(tmp_path_factory.mktemp("ui-hub-b")) as started:
        yield started


def test_hub_profile_signs_in_through_the_hub(arun, stack) -> None:  # type: ignore[no-untyped-def]
    email, password = hub_teller(stack)
    session = arun(sign_in(SignInTarget(hub_profile(stack)), email, password, remember=False,
                           store=None))
    try:
        assert isinstance(session.client.auth, HubLogin)
        assert session.client.base_url == f"{stack.hub_url}/dcm"
        assert session.roles == {"Teller"}
        assert session.branch_guid == stack.sandbox.manifest["branches"][0]["guid"]
        assert session.hub_available
        page = arun(session.client.list_customers(limit=5))  # through the proxy
        assert page.customers and all(c.branch_guid == session.branch_guid
                                      for c in page.customers)
    finally:
        arun(session.close())


def test_wrong_hub_password_is_a_sign_in_error(arun, stack) -> None:  # type: ignore[no-untyped-def]
    email, _password = hub_teller(stack)
    with pytest.raises(AuthError) as info:
        arun(sign_in(SignInTarget(hub_profile(stack)), email, "wrong-password", remember=False,
                     store=None))
    assert info.value.reason == "invalid_credentials"


def test_the_dialog_offers_no_bank_key(qtbot, ops, stack) -> None:  # type: ignore[no-untyped-def]
    dialog = SignInDialog([SignInTarget(hub_profile(stack))], ops)
    qtbot.addWidget(dialog)
    assert dialog.secret_caption.text() == dialog.tr("Teller Hub password")
    assert not hasattr(dialog, "browse_key")
    source = (Path(sys.modules[SignInDialog.__module__].__file__ or "")).read_text("utf-8")
    assert "PEM" not in source and "QFileDialog" not in source


def test_mode_a_sign_in_with_the_hub_down_still_works_and_says_so(arun, stack) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.sign_in import sandbox_target
    from teller_app.ui.start_main_window import hub_notice

    target = sandbox_target(stack.sandbox.manifest, "http://127.0.0.1:9")  # nothing there
    email = "teller.kyiv@demo.bank"
    password = next(e["password"] for e in stack.sandbox.manifest["employees"]
                    if e["email"] == email)
    session = arun(sign_in(target, email, password, remember=False, store=None))
    try:
        assert not session.hub_available
        notice = hub_notice(session)
        assert notice and "Teller Hub" in notice and "secrets" in notice
    finally:
        arun(session.close())
    up = arun(sign_in(sandbox_target(stack.sandbox.manifest, stack.hub_url), email, password,
                      remember=False, store=None))
    try:
        assert up.hub_available and hub_notice(up) is None
    finally:
        arun(up.close())


def test_lock_screen_and_in_place_checks_use_the_hub_for_a_hub_profile(arun, stack) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.lock_modes import verify_password  # what the lock screen calls

    email, password = hub_teller(stack)
    profile = hub_profile(stack)
    assert arun(verify_password(profile, email, password))
    assert not arun(verify_password(profile, email, "wrong-password"))
