"""What the customer form's pickers offer: assets, segments, branches."""

from __future__ import annotations

from dataclasses import dataclass

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
