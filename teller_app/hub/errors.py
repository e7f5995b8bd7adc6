"""One error shape for every hub answer: ``{"error": "..."}`` with a 4xx/5xx status."""

from __future__ import annotations


class HubError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def unauthorized(message: str) -> HubError:
    return HubError(401, message)
