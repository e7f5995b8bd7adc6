"""A translator that marks every text of some contexts ("<source>"): a test sees what went
through the translators, whatever the language files say."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtCore import QCoreApplication, QTranslator


class Marking(QTranslator):
    def __init__(self, contexts: tuple[str, ...]) -> None:
        super().__init__()
        self.contexts = contexts

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        return f"<{source}>" if context in self.contexts else ""

    def isEmpty(self) -> bool:
        return False


@contextmanager
def marked(*contexts: str) -> Iterator[None]:
    """The texts of ``contexts`` marked while inside (needs a QApplication)."""
    translator = Marking(contexts)
    assert QCoreApplication.installTranslator(translator)
    try:
        yield
    finally:
        QCoreApplication.removeTranslator(translator)
