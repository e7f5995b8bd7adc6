"""One error shape for every hub answer: ``{"error": "...", "code": "..."}`` (the code only
where a desk words the refusal itself) with a 4xx/5xx status."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# pydantic puts this before the text of a validator's ValueError: "Value error, must be…".
# The rule's own text is what a desk shows (and what the hub logs), so it goes.
VALUE_ERROR_PREFIX = "Value error, "


class HubError(Exception):
    """``code`` (optional): a stable word for the refusal (``{"code": ...}`` in the body), so a
    desk can say it in the teller's language; ``message`` stays English, for logs. ``extra``:
    more of the body (e.g. ``phone_taken``'s ``holder``)."""

    def __init__(self, status: int, message: str, code: str = "",
                 extra: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.extra = dict(extra or {})

    def body(self) -> dict[str, Any]:
        """The answer's JSON body."""
        body: dict[str, Any] = {"error": self.message}
        if self.code:
            body["code"] = self.code
        return {**body, **{k: v for k, v in self.extra.items() if k not in body}}


def unauthorized(message: str) -> HubError:
    return HubError(401, message)


def validation_text(err: Mapping[str, Any]) -> str:
    """One of pydantic's errors as the hub says it: its message, without the "Value error, "
    pydantic puts before a validator's own text."""
    return str(err.get("msg") or "invalid").removeprefix(VALUE_ERROR_PREFIX)
