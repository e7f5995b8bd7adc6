"""``PlatformClient`` endpoints: who am I, employees, branches, roles, segments, categories."""

from __future__ import annotations

import pydantic

from ._http import QueryValue
from .client_base import (
    ClientBase,
    StrList,
)
from .errors import (
    NotFound,
    Unavailable,
)
from .models import (
    Branch,
    BranchPage,
    Category,
    Employee,
    EmployeePage,
    Segment,
    SegmentAccountType,
)


class OrgApi(ClientBase):
    # --- who am I -------------------------------------------------------------------------
    async def whoami(self) -> Employee:
        """The signed-in employee (disabled ones included, check ``is_disabled``). No such
        endpoint exists: the Kratos identity id (= employee GUID) or the login e-mail is looked
        up in the employees list, and the match is checked here, not trusted to the filter."""
        await self.auth.ensure(self._http)
        email = self.auth.email.strip().lower()
        ident = self.auth.identity_id
        if ident:
            page = await self.list_employees(guids=[ident], include_disabled=True)
            for emp in page.employees:
                if emp.guid == ident:
                    return emp
        page = await self.list_employees(logins=[self.auth.email], include_disabled=True)
        for emp in page.employees:
            if email in (emp.email.lower(), emp.login.lower()):
                return emp
        offset = 0
        while True:  # filter names differ on this server: scan the list
            page = await self.list_employees(include_disabled=True, offset=offset, limit=200)
            for emp in page.employees:
                if (ident and emp.guid == ident) or email in (emp.email.lower(), emp.login.lower()):
                    return emp
            offset += len(page.employees)
            if not page.employees or offset >= page.total:
                break
        raise NotFound(
            "the signed-in employee is not in the employees list",
            method="GET",
            path=f"{self._cp}/employees",
        )

    # --- employees, branches, roles, segments, categories ----------------------------------
    async def list_employees(
        self,
        *,
        guids: StrList = None,
        logins: StrList = None,
        names: StrList = None,
        branch_guids: StrList = None,
        include_disabled: bool | None = None,
        offset: int = 0,
        limit: int = 100,
        order: str | None = None,
    ) -> EmployeePage:
        path = f"{self._cp}/employees"
        params: dict[str, QueryValue] = {
            "guids": guids,
            "logins": logins,
            "names": names,
            "branch_guids": branch_guids,
            "include_disabled": include_disabled,
            "offset": offset,
            "limit": limit,
            "order": order,
        }
        data = await self._call("GET", path, params=params)
        return self._parse(EmployeePage, data, "GET", path)

    async def list_branches(
        self, *, names: StrList = None, guids: StrList = None, page_size: int = 200
    ) -> list[Branch]:
        """All branches (deleted ones included; check ``is_deleted``)."""
        path = f"{self._cp}/branches"
        out: list[Branch] = []
        while True:
            params: dict[str, QueryValue] = {
                "names": names,
                "guids": guids,
                "offset": len(out),
                "limit": page_size,
            }
            data = await self._call("GET", path, params=params)
            page = self._parse(BranchPage, data, "GET", path)
            out.extend(page.branches)
            if not page.branches or len(out) >= page.total:
                return out

    async def get_branch(self, branch_guid: str) -> Branch:
        path = f"{self._cp}/branches/{branch_guid}"
        return self._parse(Branch, await self._call("GET", path), "GET", path)

    async def list_roles(self) -> list[str]:
        path = f"{self._cp}/roles"
        data = await self._call("GET", path)
        roles = data.get("roles") if isinstance(data, dict) else data
        roles = [] if roles is None else roles  # null = empty
        if not isinstance(roles, list):
            raise Unavailable("unexpected answer shape", method="GET", path=path)
        return [r if isinstance(r, str) else str(r.get("name", "")) for r in roles]

    async def list_segments(self, segment_names: StrList = None) -> list[Segment]:
        """Segments and their account types, flattened from the documented
        ``[{"counterparty": …, "segments": {name: [account types]}}]`` shape."""
        path = f"{self._cp}/segments"
        data = await self._call("GET", path, params={"segment_names": segment_names})
        groups = data if isinstance(data, list) else [data]
        merged: dict[str, list[SegmentAccountType]] = {}
        try:
            for group in groups:
                segments = group.get("segments") if isinstance(group, dict) else None
                for name, types in (segments or {}).items():
                    bucket = merged.setdefault(str(name), [])
                    bucket.extend(SegmentAccountType.model_validate(t) for t in types or [])
        except (pydantic.ValidationError, AttributeError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None
        return [Segment(name=n, account_types=t) for n, t in merged.items()]

    async def list_categories(self) -> list[Category]:
        path = "/api/v1/dictionary/payment/category"
        data = await self._call("GET", path)
        items = data.get("categories") if isinstance(data, dict) else data
        try:
            return [Category.model_validate(c) for c in items or []]
        except (pydantic.ValidationError, TypeError):
            raise Unavailable("unexpected answer shape", method="GET", path=path) from None

