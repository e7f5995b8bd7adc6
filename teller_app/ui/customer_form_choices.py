"""What the customer form's pickers offer: assets, segments, branches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from teller_app.platform import Branch, Segment
from teller_app.ui.data_text import asset_name_text


@dataclass(frozen=True)
class AssetChoice:
    code: str
    issuer: str
    minor_unit: int = 2
    name: str = ""

    @property
    def label(self) -> str:
        name = asset_name_text(self.name)
        return f"{name} ({self.code})" if self.name and self.name != self.code else self.code


@dataclass(frozen=True)
class FormChoices:
    """What the pickers offer. ``fixed_branch``: a branch employee's own (guid, name)."""

    assets: tuple[AssetChoice, ...]
    segments: tuple[str, ...] = ()
    branches: tuple[tuple[str, str], ...] = ()
    fixed_branch: tuple[str, str] | None = None


def manifest_assets(a: Mapping[str, Any] | None) -> tuple[AssetChoice, ...]:  # manifest JSON
    """The sandbox manifest's asset (the embedded demo), offered before segments arrive."""
    if not a:
        return ()
    return (AssetChoice(code=str(a.get("code", "")), issuer=str(a.get("issuer", "")),
                        minor_unit=int(a.get("minor_unit", 2)),
                        name=str(a.get("name", "")) or str(a.get("code", ""))),)


def form_choices(base: tuple[AssetChoice, ...], segments: list[Segment], branches: list[Branch],
                 fixed: tuple[str, str] | None) -> FormChoices:
    """The pickers' choices: ``base`` assets plus every customer account type's asset of the
    segments, the live branches, and a branch employee's own branch (``fixed``)."""
    assets = list(base)
    known = {(a.code, a.issuer) for a in assets}
    minor = {a.code: a.minor_unit for a in assets}
    for segment in segments:
        for account_type in segment.account_types:
            if account_type.kind not in ("", "customer"):
                continue
            key = (account_type.asset_code, account_type.asset_issuer)
            if account_type.asset_code and key not in known:
                known.add(key)
                assets.append(AssetChoice(account_type.asset_code, account_type.asset_issuer,
                                          minor.get(account_type.asset_code, 2)))
    live = [(b.guid, b.name) for b in branches if not b.is_deleted]
    return FormChoices(assets=tuple(assets), segments=tuple(s.name for s in segments),
                       branches=tuple(live), fixed_branch=fixed)
