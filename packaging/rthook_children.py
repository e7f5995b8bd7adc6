"""Run-time hook (custom hooks run before PyInstaller's own). PyInstaller's PySide6 hook
imports PySide6.QtCore in every process of the bundle, to register an embedded qt.conf that
PyPI's PySide6 registers itself on import. That loads Qt's core library and shiboken before
anything else: for nothing in the embedded sandbox and hub (``--run-sandbox`` /
``--run-hub``, re-entries of this binary) and ``doctor``, and in the desk before it has
spawned those children. A None entry makes that import fail as "not collected", which the
hook accepts (it still sets QT_PLUGIN_PATH); the desk removes the entry
(``teller_app.ui.app.release_qt``) once its children are spawned, and Qt loads then."""

import sys

sys.modules["PySide6.QtCore"] = None  # type: ignore[assignment]
