"""One error shape for every hub answer: ``{"error": "...", "code": "..."}`` (the code only
where a desk words the refusal itself) with a 4xx/5xx status."""

from __future__ import annotations


class HubError(Exception):
    """``code`` (optional): a stable word for the refusal (``{"code": ...}`` in the body), so a
    desk can say it in the teller's language; ``message`` stays English, for logs."""

    def __init__(self, status: int, message: str, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def unauthorized(message: str) -> HubError:
    return HubError(401, message)
