"""The app's logging (core/desk_log.py: the queue, the listener thread, the redaction filter,
``teller.log`` written 0600 and rotated as the children's logs are)."""

from __future__ import annotations

from teller_app.core.desk_log import LOG_FORMAT, configure_logging

__all__ = ["LOG_FORMAT", "configure_logging"]
