"""One id per intended write, so that sending it again never applies it twice.

A write the hub dedupes by a client-made id (a four-eyes request, a vault transfer) may be
sent again after an error only with the *same* id: the hub then answers with what it stored
the first time. The id therefore belongs to the intent (the exact change), not to the click:
a re-send of the same change reuses it, and a different change gets an id of its own.
"""

from __future__ import annotations

import json
import uuid


def intent_key(*parts: object) -> str:
    """A stable key for an intent's parts (JSON, sorted keys; other values as text)."""
    return json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"),
                      ensure_ascii=False)


class IntentIds:
    """The ids of one form's (or dialog's) intents: the same key, the same id."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}

    def id_for(self, key: str) -> str:
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = str(uuid.uuid4())
        return found


__all__ = ["IntentIds", "intent_key"]
