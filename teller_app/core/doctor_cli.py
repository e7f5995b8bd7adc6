"""``teller-app doctor`` / ``python -m teller_app doctor`` (no Qt is imported).

    teller-app doctor --url URL --counterparty CP --login EMAIL --password-stdin [--sync] [--json]
    teller-app doctor --profile NAME [--password-stdin] [--sync] [--json]

Exit status: 0 compatible (adapted counts as compatible), 1 not compatible, 2 usage or
sign-in errors. With ``--profile`` the secret comes from the OS keyring unless
``--password-stdin`` is given, the profile is checked the way the desk connects with it
(``core/profile_check.py``: its proxy, CA bundle and pins, its hub, Mode B's sign-in through
the hub; the same steps as the profile manager's "Test connection"), and what was learnt is
stored for that profile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from typing import TYPE_CHECKING, Any

from teller_app.core.doctor import DoctorReport, SignInFailed, run_doctor
from teller_app.core.profile_check import ProfileCheck, check_profile
from teller_app.platform import PasswordLogin

if TYPE_CHECKING:
    from teller_app.secrets import Profile

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 as well; keep it explicit
        self.print_usage(sys.stderr)
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = _Parser(prog="teller-app doctor",
                description="Check a DCM platform against every assumption Teller makes "
                "(read-only).")
    p.add_argument("--url", help="platform base URL")
    p.add_argument("--counterparty", help="counterparty GUID")
    p.add_argument("--login", help="employee e-mail")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p.add_argument("--profile", help="a saved profile (secret from the OS keyring)")
    p.add_argument("--auth-service", metavar="URL",
                   help="the bank's Auth Service base URL, to check it answers DCM")
    p.add_argument("--sync", action="store_true",
                   help="also run a full sync into a temporary encrypted cache")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--timeout", type=float, default=30.0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    direct = (args.url, args.counterparty, args.login)
    if args.profile:
        if any(direct):
            p.error("--profile cannot be combined with --url/--counterparty/--login")
    elif not all(direct) or not args.password_stdin:
        p.error("give --url, --counterparty, --login and --password-stdin, or --profile")
    return args


def _stdin_secret() -> str:
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


async def _profile_and_secret(args: argparse.Namespace) -> tuple[Profile, str]:
    from teller_app.secrets import PASSWORD, ProfileStore, SecretStore

    profile = await asyncio.to_thread(ProfileStore().load, args.profile)
    if not profile.email:
        raise ValueError(f"profile {profile.name!r} has no e-mail to sign in with")
    if args.password_stdin:
        secret: str | None = _stdin_secret()
    else:  # Mode A: the DCM password; Mode B: the hub's (never a bank key on the desk)
        store = await SecretStore.open(profile.name)
        secret = await store.get(PASSWORD)
    if not secret:
        raise ValueError(f"no saved secret for profile {profile.name!r}: use --password-stdin")
    return profile, secret


async def _run_profile(args: argparse.Namespace) -> ProfileCheck:
    """The profile as the desk uses it (``core/profile_check.py``, as "Test connection"):
    its transport, its hub, and Mode B's sign-in through the hub."""
    profile, secret = await _profile_and_secret(args)
    result = await check_profile(profile, profile.email, secret, sync=args.sync,
                                 timeout=args.timeout, auth_service_url=args.auth_service)
    if result.platform_checked:  # what was learnt serves the app next time
        from teller_app.core.server_traits import TraitsStore

        await asyncio.to_thread(TraitsStore().save, profile, result.report.traits)
    return result


async def _run(args: argparse.Namespace) -> DoctorReport:
    password = _stdin_secret()
    if not password:
        raise ValueError("no password on standard input")
    return await run_doctor(args.url, args.counterparty, PasswordLogin(args.login, password),
                            sync=args.sync, auth_service_url=args.auth_service,
                            timeout=args.timeout)


def render(result: DoctorReport | ProfileCheck) -> str:
    report = result.report if isinstance(result, ProfileCheck) else result
    width = max((len(c.name) for c in report.checks), default=10)
    lines = [f"Teller doctor: {report.server}"]
    if isinstance(result, ProfileCheck):
        lines[0] += f" (profile {result.profile}, auth_mode {result.auth_mode})"
    for c in report.checks:
        lines.append(f"  [{c.status:<7}] {c.name:<{width}}  {c.detail}")
    if report.synced_customers is not None:
        lines.append(f"  synced_customers: {report.synced_customers} in {report.sync_seconds} s")
    lines.append("compatible" if result.compatible else "NOT compatible")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(list(sys.argv[1:] if argv is None else argv))
    logging.basicConfig(level=logging.ERROR)  # the report says it all; no log lines
    try:
        if args.profile:
            checked = asyncio.run(_run_profile(args))
            _emit(args, checked)
            if checked.sign_in_failed:
                return USAGE_ERROR
            return 0 if checked.compatible else 1
        report = asyncio.run(_run(args))
    except SignInFailed as exc:
        _emit(args, exc.report)
        return USAGE_ERROR
    except (KeyError, ValueError) as exc:  # unknown profile, no secret, empty password
        print(f"teller-app doctor: {exc}", file=sys.stderr)
        return USAGE_ERROR
    _emit(args, report)
    return 0 if report.compatible else 1


def _emit(args: argparse.Namespace, result: DoctorReport | ProfileCheck) -> None:
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        print(render(result))
