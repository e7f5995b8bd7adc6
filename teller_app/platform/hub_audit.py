"""``HubClient``'s audit calls: append (the desk's outbox), list (oldest or newest first),
verify. Mixed into ``HubClient`` (``hub_client.py``), which supplies ``_request``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from ._http import QueryValue
from ._wire import M, parse_model
from .errors import HubUnavailable
from .hub_models import AuditAppendResult, AuditList, AuditVerify

AUDIT_PATH = "/api/v1/audit"


class _Requester(Protocol):
    async def _request(
        self, method: str, path: str, *, json_body: Any = None, idempotent: bool | None = None,
        params: Mapping[str, QueryValue] | None = None, desk_id: str | None = None,
    ) -> Any: ...


def _parse(model: type[M], data: Any, method: str, path: str) -> M:
    return parse_model(model, data, method, path, error=HubUnavailable, source="the hub")


class HubAuditApi:
    async def append_audit(self: _Requester, entries: list[dict[str, Any]], desk_id: str = ""
                           ) -> AuditAppendResult:
        """Append in order; entries with a ``client_id`` already stored answer their stored
        seq (an outbox resend never makes a second entry), so this is safe to retry."""
        body = {"desk_id": desk_id, "entries": entries}
        data = await self._request("POST", AUDIT_PATH, json_body=body, idempotent=True)
        return _parse(AuditAppendResult, data, "POST", AUDIT_PATH)

    async def audit(
        self: _Requester, *, branch_guid: str | None = None, actor: str | None = None,
        actions: tuple[str, ...] = (), since_ms: int | None = None,
        until_ms: int | None = None, after_seq: int = 0, limit: int = 200,
        before_seq: int | None = None, newest_first: bool = False,
    ) -> AuditList:
        """One page. Oldest first from ``after_seq`` (continue from ``next_after_seq``), or
        with ``newest_first`` newest first below ``before_seq`` (continue from
        ``next_before_seq``). A hub older than newest-first paging ignores both and answers
        oldest first: its reply's ``newest_first`` is then False."""
        params: dict[str, QueryValue] = {
            "branch_guid": branch_guid, "actor": actor, "action": list(actions),
            "since_ms": since_ms, "until_ms": until_ms, "after_seq": after_seq, "limit": limit}
        if before_seq is not None:  # left out otherwise: an older hub sees today's request
            params["before_seq"] = before_seq
        if newest_first:
            params["newest_first"] = True
        data = await self._request("GET", AUDIT_PATH, params=params)
        return _parse(AuditList, data, "GET", AUDIT_PATH)

    async def verify_audit(self: _Requester) -> AuditVerify:
        path = AUDIT_PATH + "/verify"
        return _parse(AuditVerify, await self._request("GET", path), "GET", path)
