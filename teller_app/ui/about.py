"""About Teller: versions (Teller, Python, Qt/PySide, key libraries), the platform and hub
URLs of the signed-in profile, and where the logs are. The same facts go into the
diagnostics zip (``versions()``)."""

from __future__ import annotations

import platform
import sys
from html import escape
from importlib import metadata
from typing import TYPE_CHECKING

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from teller_app.ui import theme

if TYPE_CHECKING:
    from teller_app.core.session import Session

LIBRARIES = ("httpx", "pydantic", "qasync", "keyring", "sqlcipher3-wheels", "cryptography")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "—"


def versions() -> dict[str, str]:
    import teller_app

    out = {"Teller": teller_app.__version__, "Python": sys.version.split()[0],
           "Qt": qVersion(), "PySide6": pyside_version,
           "OS": f"{platform.system()} {platform.release()} ({platform.machine()})"}
    for lib in LIBRARIES:
        out[lib] = _version(lib)
    return out


class AboutDialog(QDialog):
    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About Teller"))
        icon = QLabel(self)
        icon.setPixmap(theme.app_icon().pixmap(64, 64))
        icon.setAccessibleName(self.tr("Teller icon"))
        profile = session.profile if session is not None else None
        facts = versions()
        rows = [(self.tr("Version"), facts["Teller"])]
        if profile is not None:
            rows += [(self.tr("Profile"), profile.name),
                     (self.tr("Platform"), profile.base_url),
                     (self.tr("Teller Hub"), profile.hub_url or self.tr("none"))]
        rows += [(name, value) for name, value in facts.items() if name != "Teller"]
        table = "".join(f"<tr><td><b>{escape(k)}</b>&nbsp;&nbsp;</td><td>{escape(v)}</td></tr>"
                        for k, v in rows)
        self.text = QLabel(
            "<h2>Teller</h2><p>" + self.tr("Branch desk for the e-hryvnia platform.")
            + f"</p><table>{table}</table>", self)
        self.text.setObjectName("aboutText")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                          | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setAccessibleName(self.tr("About Teller"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
