"""What the client has learnt about one server's open choices (the docs leave them open).

``PlatformClient.traits`` holds them; the client adapts its requests to them, the sync picks
its paging mode from them, and the app stores them per profile (``core/server_traits.py``)
so the next start does not have to learn them again. ``None`` = not known yet.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

DisabledReading = Literal["exact", "include"]
Ordering = Literal["supported", "ignored", "strict"]
Bounds = Literal["inclusive", "exclusive"]

_ALLOWED: dict[str, tuple[Any, ...]] = {
    "disabled_reading": ("exact", "include"),
    "ordering": ("supported", "ignored", "strict"),
    "bounds": ("inclusive", "exclusive"),
}


@dataclass(frozen=True)
class ServerTraits:
    # Largest customers page the server returned when more was asked and more existed.
    page_cap: int | None = None
    # ``is_disabled`` on the customers list: "exact" (true = only disabled, absent = all) or
    # "include" (true = all, absent/false = only enabled; the docs' "Include disabled").
    disabled_reading: DisabledReading | None = None
    # ``ordering`` on the customers list: honoured, ignored (default order), or refused (400).
    ordering: Ordering | None = None
    # ``min_/max_*_at`` filters: inclusive (>=, <=) or strict.
    bounds: Bounds | None = None

    @property
    def keyset_by_updated_at(self) -> bool:
        """The sync may page by ``ordering=updated_at`` (unknown counts as yes: the sync
        checks every page's order and falls back when it is wrong)."""
        return self.ordering in (None, "supported")

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_json(cls, data: Any) -> ServerTraits:
        """Tolerant: unknown keys and bad values are dropped (a hand-edited file)."""
        if not isinstance(data, dict):
            return cls()
        kwargs: dict[str, Any] = {}
        for f in fields(cls):
            value = data.get(f.name)
            if f.name == "page_cap":
                if isinstance(value, int) and not isinstance(value, bool) and value > 0:
                    kwargs[f.name] = value
            elif value in _ALLOWED[f.name]:
                kwargs[f.name] = value
        return cls(**kwargs)
