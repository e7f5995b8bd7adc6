"""Self-checks that only make sense inside the frozen bundle: ``teller --frozen-check``.

Checks what PyInstaller is known to lose: keyring's backends (found through entry-point
metadata), the SQLCipher extension (encryption + FTS5), data files (translations, certifi,
phonenumbers, schwifty), uvicorn's lazily imported protocol modules and the Qt plugins the
app needs. Prints one line per check and ``frozen checks: OK`` (exit 0) or a failure summary
(exit 1). Options:

    --require-keyring NAME   fail unless keyring.get_keyring() resolves to a backend whose
                             class path contains NAME (e.g. SecretService, Windows, macOS)
    --keyring-roundtrip      also set/get/delete a throw-away secret in that keyring
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

RESULTS: list[tuple[str, bool, str]] = []


def check(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def wrap(fn: Callable[[], str]) -> Callable[[], str]:
        try:
            detail = fn()
            RESULTS.append((name, True, detail))
        except Exception as exc:  # report every failure, not only the first
            RESULTS.append((name, False, f"{type(exc).__name__}: {exc}"))
            if os.environ.get("TELLER_CHECK_TRACEBACK"):
                traceback.print_exc()
        return fn

    return wrap


def _backend_name(backend: object) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def bundled_translations(bundle: Path) -> list[str]:
    """The compiled translations in a bundle; an error without the Ukrainian ones (a desk
    without ``teller_uk`` shows English to every teller, one without ``qt_extra_uk`` a file
    dialog half in English: no pass)."""
    i18n = bundle / "resources" / "i18n"
    qms = sorted(p.name for p in i18n.glob("*.qm")) if i18n.is_dir() else []
    for needed in ("teller_uk.qm", "qt_extra_uk.qm"):
        if needed not in qms:
            raise RuntimeError(f"resources/i18n/{needed} missing from the bundle "
                               f"(found: {qms or 'none'})")
    return qms


def run_checks(args: argparse.Namespace) -> None:
    @check("frozen")
    def _frozen() -> str:
        if not getattr(sys, "frozen", False):
            raise RuntimeError("not running from a PyInstaller bundle")
        return f"sys._MEIPASS={getattr(sys, '_MEIPASS', '?')}"

    @check("hub's empty database at the migrations' head (a first start copies it)")
    def _hub_template() -> str:
        from teller_app.hub import migrate

        if not migrate.template_at_head():
            raise RuntimeError(f"{migrate.TEMPLATE} missing or not at {migrate.scripted_head()}")
        return f"{migrate.TEMPLATE.name} at {migrate.scripted_head()}"

    @check("keyring platform backend bundled")
    def _registered() -> str:
        import importlib

        from keyring.backend import get_all_keyring

        module, deps = {
            "linux": ("keyring.backends.SecretService", ("secretstorage", "jeepney")),
            "win32": ("keyring.backends.Windows", ("win32ctypes.pywin32.win32cred",)),
            "darwin": ("keyring.backends.macOS", ("keyring.backends.macOS.api",)),
        }.get(sys.platform, ("keyring.backends.chainer", ()))
        backend_cls = importlib.import_module(module).Keyring
        for dep in deps:
            importlib.import_module(dep)
        viable = sorted(_backend_name(b) for b in get_all_keyring())
        return f"{module}.{backend_cls.__name__} importable; viable here: {viable}"

    @check("keyring entry points")
    def _entry_points() -> str:
        from importlib.metadata import entry_points

        eps = sorted(ep.name for ep in entry_points(group="keyring.backends"))
        for name in ("SecretService", "Windows", "macOS"):
            if name not in eps:
                raise RuntimeError(f"entry point {name} missing (keyring metadata not bundled?)")
        return ", ".join(eps)

    @check("keyring.get_keyring()")
    def _active() -> str:
        import keyring
        from keyring.backends import chainer

        backend = keyring.get_keyring()
        members = (
            [_backend_name(b) for b in backend.backends]
            if isinstance(backend, chainer.ChainerBackend)
            else [_backend_name(backend)]
        )
        detail = f"{_backend_name(backend)} -> {members}"
        if args.require_keyring and not any(args.require_keyring in m for m in members):
            raise RuntimeError(f"{args.require_keyring} not active: {detail}")
        if args.keyring_roundtrip:
            service, user = "Teller/frozen-check", "probe"
            keyring.set_password(service, user, "перевірка-✓")
            got = keyring.get_password(service, user)
            keyring.delete_password(service, user)
            if got != "перевірка-✓":
                raise RuntimeError(f"round trip returned {got!r}")
            detail += "; set/get/delete OK"
        return detail

    @check("sqlcipher3 (encryption + FTS5)")
    def _sqlcipher() -> str:
        import tempfile

        import sqlcipher3

        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "check.db"
            conn = sqlcipher3.connect(str(db))
            conn.execute("PRAGMA key = \"x'" + "11" * 32 + "'\"")
            version = conn.execute("PRAGMA cipher_version").fetchone()
            if not version or not version[0]:
                raise RuntimeError("PRAGMA cipher_version is empty: not SQLCipher")
            conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='unicode61')")
            conn.execute("INSERT INTO t VALUES ('Шевченко Тарас')")
            hits = conn.execute("SELECT count(*) FROM t WHERE t MATCH 'шевч*'").fetchone()[0]
            conn.commit()
            conn.close()
            if hits != 1:
                raise RuntimeError("FTS5 prefix query found nothing")
            if b"SQLite format 3" in db.read_bytes()[:16]:
                raise RuntimeError("database file is not encrypted")
        return f"cipher {version[0]}, FTS5 OK, file encrypted"

    @check("every teller_app module imports (nothing the app uses was excluded)")
    def _modules() -> str:
        import importlib
        import pkgutil

        import teller_app

        names = [m.name for m in pkgutil.walk_packages(teller_app.__path__, "teller_app.")
                 if ".migrations" not in m.name]  # Alembic's env.py runs only under Alembic
        if len(names) < 100:  # a walk that finds (almost) nothing would prove nothing
            raise RuntimeError(f"only {len(names)} teller_app modules found in the bundle")
        failed = []
        for name in names:
            try:
                importlib.import_module(name)
            except Exception as exc:  # report them all
                failed.append(f"{name}: {type(exc).__name__}: {exc}")
        if failed:
            raise RuntimeError("; ".join(failed[:5]) + (" ..." if len(failed) > 5 else ""))
        return f"{len(names)} modules"

    @check("sandbox imports (uvicorn, fastapi, starlette)")
    def _sandbox() -> str:
        import importlib

        import uvicorn

        import teller_app.sandbox.app  # noqa: F401

        for mod in (
            "uvicorn.loops.auto",
            "uvicorn.loops.asyncio",
            "uvicorn.protocols.http.auto",
            "uvicorn.protocols.http.h11_impl",
            "uvicorn.protocols.websockets.auto",
            "uvicorn.lifespan.on",
            "uvicorn.lifespan.off",
        ):
            importlib.import_module(mod)
        return f"uvicorn {uvicorn.__version__}"

    @check("data files")
    def _data() -> str:
        import certifi
        import phonenumbers
        from schwifty import IBAN

        if not Path(certifi.where()).is_file():
            raise RuntimeError(f"certifi bundle missing at {certifi.where()}")
        number = phonenumbers.parse("+380671234567")
        if not phonenumbers.is_valid_number(number):
            raise RuntimeError("phonenumbers metadata missing")
        IBAN("UA213223130000026007233566001")
        IBAN("DE89370400440532013000")  # a foreign IBAN validates without its bank list
        qms = bundled_translations(Path(getattr(sys, "_MEIPASS", ".")))
        return f"certifi OK, phonenumbers OK, schwifty OK, resources/i18n: {qms}"

    @check("Qt (offscreen QApplication, plugins, qtbase_uk)")
    def _qt() -> str:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
        from PySide6.QtWidgets import QApplication, QLabel

        app = QApplication.instance() or QApplication(["teller-check"])
        label = QLabel("Перевірка")
        label.show()
        app.processEvents()
        label.close()
        path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        tr = QTranslator()
        uk = tr.load(QLocale(QLocale.Language.Ukrainian), "qtbase", "_", path)
        if not uk:
            raise RuntimeError(f"qtbase_uk.qm not loadable from {path}")
        plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
        platforms = plugins / "platforms"
        found = sorted(p.name for p in platforms.glob("*")) if platforms.is_dir() else []
        return f"platform {app.platformName()}, platforms {found}, qtbase_uk OK"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="teller --frozen-check")
    p.add_argument("--require-keyring", default="")
    p.add_argument("--keyring-roundtrip", action="store_true")
    args = p.parse_args(argv)
    run_checks(args)
    failed = [r for r in RESULTS if not r[1]]
    for name, ok, detail in RESULTS:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", flush=True)
    if failed:
        print(f"frozen checks: {len(failed)} FAILED", flush=True)
        return 1
    print("frozen checks: OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
