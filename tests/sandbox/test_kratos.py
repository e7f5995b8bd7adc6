"""The sandbox's Kratos endpoints against the official Ory client (``ory-kratos-client``),
which none of us wrote: native login flow, login, whoami, logout."""

from __future__ import annotations

from collections.abc import Iterator

import ory_kratos_client
import pytest
from ory_kratos_client.api.frontend_api import FrontendApi
from ory_kratos_client.exceptions import ForbiddenException, UnauthorizedException
from ory_kratos_client.models.perform_native_logout_body import PerformNativeLogoutBody
from ory_kratos_client.models.update_login_flow_body import UpdateLoginFlowBody
from ory_kratos_client.models.update_login_flow_with_password_method import (
    UpdateLoginFlowWithPasswordMethod,
)
from sandbox_api import TELLER_KYIV, Api


@pytest.fixture()
def frontend(api: Api) -> Iterator[FrontendApi]:
    config = ory_kratos_client.Configuration(host=f"{api.sb.base_url}/kratos")
    with ory_kratos_client.ApiClient(config) as client:
        yield FrontendApi(client)


def _password_body(csrf: str, email: str, password: str) -> UpdateLoginFlowBody:
    return UpdateLoginFlowBody(UpdateLoginFlowWithPasswordMethod(
        csrf_token=csrf, identifier=email, method="password", password=password))


def _csrf(flow: ory_kratos_client.LoginFlow) -> str:
    for node in flow.ui.nodes:
        attrs = node.attributes.actual_instance
        if attrs.name == "csrf_token":  # type: ignore[union-attr]
            return str(attrs.value)  # type: ignore[union-attr]
    raise AssertionError("no csrf_token node")


def test_official_client_login_whoami_logout(api: Api, frontend: FrontendApi) -> None:
    flow = frontend.create_native_login_flow()
    assert flow.type == "api" and flow.ui.method == "POST"
    assert flow.ui.action.endswith(f"/kratos/self-service/login?flow={flow.id}")
    assert flow.expires_at > flow.issued_at
    assert {n.attributes.actual_instance.node_type for n in flow.ui.nodes} == {"input"}

    emp = api.emp(TELLER_KYIV)
    done = frontend.update_login_flow(
        flow.id, _password_body(_csrf(flow), TELLER_KYIV, emp["password"]))
    assert done.session_token
    assert done.session.active is True
    assert done.session.identity is not None
    assert done.session.identity.id == emp["guid"]
    assert done.session.identity.traits == {"email": TELLER_KYIV}

    who = frontend.to_session(x_session_token=done.session_token)
    assert who.active is True and who.id == done.session.id
    assert who.identity is not None and who.identity.id == emp["guid"]
    assert who.identity.schema_id and who.authenticated_at is not None
    assert who.expires_at is not None and who.expires_at > who.authenticated_at

    frontend.perform_native_logout(PerformNativeLogoutBody(session_token=done.session_token))
    with pytest.raises(UnauthorizedException):
        frontend.to_session(x_session_token=done.session_token)
    with pytest.raises(ForbiddenException):  # already revoked / unknown
        frontend.perform_native_logout(
            PerformNativeLogoutBody(session_token=done.session_token))
    # The revoked token no longer opens the platform API either.
    resp = api.http.get(api.url("branches"),
                        headers={"Authorization": f"bearer {done.session_token}"})
    assert resp.status_code == 401


def test_official_client_wrong_password(api: Api, frontend: FrontendApi) -> None:
    flow = frontend.create_native_login_flow()
    with pytest.raises(UnauthorizedException) as info:
        frontend.update_login_flow(flow.id, _password_body(_csrf(flow), TELLER_KYIV, "nope"))
    assert info.value.body and "credentials are invalid" in info.value.body


def test_whoami_headers_and_garbage(api: Api) -> None:
    token = api.token(TELLER_KYIV, fresh=True)
    for headers in ({"X-Session-Token": token}, {"Authorization": f"Bearer {token}"}):
        resp = api.http.get("/kratos/sessions/whoami", headers=headers)
        assert resp.status_code == 200, headers
        body = resp.json()
        assert body["active"] is True
        assert body["identity"]["traits"]["email"] == TELLER_KYIV
    for headers in ({}, {"X-Session-Token": "nope"}, {"Authorization": "Basic abc"}):
        resp = api.http.get("/kratos/sessions/whoami", headers=headers)
        assert resp.status_code == 401
        assert resp.json()["error"]["id"] == "session_inactive"
    bad = api.http.request("DELETE", "/kratos/self-service/logout/api", json={})
    assert bad.status_code == 400


def test_whoami_refuses_bank_jwt_sessions(api: Api) -> None:
    resp = api.http.post(f"/api/v1/counterparty/{api.cp}/jwk/authenticate",
                         headers={"CX-Authorization": api.bank_jwt(TELLER_KYIV)})
    assert resp.status_code == 200
    who = api.http.get("/kratos/sessions/whoami",
                       headers={"X-Session-Token": resp.json()["session_token"]})
    assert who.status_code == 401
