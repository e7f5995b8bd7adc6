"""Ukrainian or English: ``--lang`` beats the profile, which beats the system locale.

Loads ``resources/i18n/teller_<lang>.qm`` (compiled by packaging/build_translations.py) and
Qt's own ``qtbase_<lang>`` so standard buttons ("Cancel", "OK") match, then our
``qt_extra_<lang>.qm``: Qt strings its ``qtbase_<lang>`` lacks (the file dialog's "&Look in:").
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)
SUPPORTED = ("uk", "en")


def resources_dir() -> Path:
    frozen = getattr(sys, "_MEIPASS", None)  # PyInstaller puts data files here
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def choose_language(cli: str | None, profile: str | None, system: QLocale | None = None) -> str:
    for candidate in (cli, _desk_language(), profile):
        if candidate and candidate.lower()[:2] in SUPPORTED:
            return candidate.lower()[:2]
    system_locale = system or QLocale.system()
    return "uk" if system_locale.language() == QLocale.Language.Ukrainian else "en"


def _desk_language() -> str | None:
    """The language picked in Settings (ui/settings_store.py) beats the profile's."""
    try:
        from teller_app.ui.settings_store import desk_language

        return desk_language()
    except Exception:  # settings never stop the app from starting
        return None


def install_translators(app: QApplication, lang: str) -> list[QTranslator]:
    """Installs translators and sets the default QLocale (money formatting follows it)."""
    locale = QLocale(QLocale.Language.Ukrainian if lang == "uk" else QLocale.Language.English,
                     QLocale.Country.Ukraine if lang == "uk" else QLocale.Country.UnitedStates)
    QLocale.setDefault(locale)
    installed: list[QTranslator] = []
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    if lang != "en" and qt_translator.load(locale, "qtbase", "_", qt_dir):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    i18n = resources_dir() / "i18n"
    if lang != "en":  # after qtbase: Qt asks the translator installed last first
        installed += _load(app, i18n / f"qt_extra_{lang}.qm", "no compiled translation at %s")
    # English is the source language: no file of its own is needed
    installed += _load(app, i18n / f"teller_{lang}.qm", None if lang == "en" else
                       "no compiled translation at %s; showing English")
    return installed


def _load(app: QApplication, qm: Path, missing: str | None) -> list[QTranslator]:
    """``qm`` installed (a list of it), or nothing and ``missing`` logged with its path."""
    translator = QTranslator(app)
    if qm.exists() and translator.load(str(qm)):
        app.installTranslator(translator)
        return [translator]
    translator.deleteLater()
    if missing is not None:
        log.info(missing, qm)
    return []
