"""The roles × permissions table shared by ``/permission/table`` and the branch variant."""

from __future__ import annotations

from typing import Any


def permission_table(store: Any, counterparty_guid: str, roles: list[str], keto_kind: str,
                     extra: tuple[str, ...] = ()) -> dict[str, Any]:
    """``{"roles": [...], "rows": [group {permissions: [... roles: [{allowed, name}]]}]}``;
    ``extra`` permission columns are copied into each permission (e.g. scope)."""
    granted = {(r[0], r[1]) for r in store.all(
        "SELECT role_name, permission_guid FROM role_permissions WHERE counterparty_guid = ?",
        (counterparty_guid,))}
    groups: dict[str, dict[str, Any]] = {}
    for p in store.all("SELECT * FROM permissions WHERE keto_kind = ? "
                       "ORDER BY group_sort_number, sort_number", (keto_kind,)):
        g = groups.setdefault(p["group_name"], {
            "group_lang_key": p["group_lang_key"], "group_name": p["group_name"],
            "permissions": [], "sort_number": p["group_sort_number"]})
        g["permissions"].append({
            "guid": p["guid"], "name": p["name"], "name_lang_key": p["name_lang_key"],
            "sort_number": p["sort_number"], **{k: p[k] for k in extra},
            "roles": [{"allowed": (r, p["guid"]) in granted, "name": r} for r in roles]})
    return {"roles": roles, "rows": list(groups.values())}
