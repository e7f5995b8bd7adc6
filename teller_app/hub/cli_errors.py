"""What the database's driver or Alembic refused, as the one line ``teller-hub`` prints before
it exits 2 (a wrong password, a missing database, a host that does not answer): never a
traceback, never the password."""

from __future__ import annotations

from types import TracebackType

from .settings import HubSettings, SettingsError

# where an OSError comes from the database's connection, not from a file of ours
_DRIVERS = ("asyncpg", "aiosqlite", "sqlalchemy")


def database_problem(exc: BaseException, settings: HubSettings | None) -> str | None:
    """The line to print for ``exc``, or None when it is not the database's or Alembic's."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        reason = _first_line(exc.orig if exc.orig is not None else exc)
        # no statement: the connection itself failed
        what = "cannot connect to the database" if exc.statement is None \
            else "the database refused a statement"
        return _redacted(f"{what}: {reason}", settings)
    if type(exc).__module__.startswith("alembic"):  # CommandError and its kin
        return _redacted(f"migration failed: {_first_line(exc)}", settings)
    if isinstance(exc, OSError) and _raised_in(exc.__traceback__, _DRIVERS):
        reason = exc.strerror or _first_line(exc)
        return _redacted(f"cannot connect to the database: {reason}", settings)
    return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _raised_in(tb: TracebackType | None, modules: tuple[str, ...]) -> bool:
    while tb is not None:
        name = str(tb.tb_frame.f_globals.get("__name__", ""))
        if name.split(".")[0] in modules:
            return True
        tb = tb.tb_next
    return False


def _redacted(line: str, settings: HubSettings | None) -> str:
    """Drivers do not quote the password; should one ever, it is cut out here."""
    if settings is None:
        return line
    try:
        from sqlalchemy.engine import make_url

        password = make_url(settings.effective_database_url).password
    except (SettingsError, ValueError, TypeError):
        return line
    return line.replace(str(password), "***") if password else line
