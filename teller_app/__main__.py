"""``python -m teller_app`` (and the frozen binary): the desktop app, the sandbox or the hub.

``--run-sandbox`` must be handled before Qt is imported: the frozen app re-enters itself as
the embedded sandbox process (see core/embedded_sandbox.sandbox_command).
"""

from __future__ import annotations

import sys


def _collector_off_until_ready() -> None:
    """The embedded children import FastAPI, SQLAlchemy, pydantic models and build their
    routes (~1 s of CPU each); the cyclic collector would scan that growing heap again and
    again (~0.15 s) and free almost nothing. Each switches it back on, after freezing the
    start-up objects, once it accepts connections (sandbox/__main__.py, hub/app.py)."""
    import gc

    gc.disable()


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] in ("--run-sandbox", "--run-hub"):
        _collector_off_until_ready()
    if len(sys.argv) > 1 and sys.argv[1] == "--run-sandbox":
        # The only import of the sandbox anywhere in the client: a frozen bundle has no
        # `python -m`, so the same binary runs the sandbox's CLI.
        from teller_app.core.child_guard import start_parent_watchdog
        from teller_app.core.hardening import harden_process
        from teller_app.sandbox.__main__ import main as sandbox_main

        harden_process()  # umask 077, no core dumps
        start_parent_watchdog()  # ends this child when the app is gone (macOS has no pdeathsig)
        return int(sandbox_main(sys.argv[2:]) or 0)
    if len(sys.argv) > 1 and sys.argv[1] == "--run-hub":
        # Likewise the embedded Teller Hub (core/embedded_hub.hub_command).
        from teller_app.core.child_guard import start_parent_watchdog
        from teller_app.hub.__main__ import main as hub_main

        start_parent_watchdog()  # ends this child when the app is gone (macOS has no pdeathsig)
        return int(hub_main(sys.argv[2:]) or 0)
    if len(sys.argv) > 1 and sys.argv[1] == "doctor":  # before anything imports Qt
        from teller_app.core.doctor_cli import main as doctor_main

        return doctor_main(sys.argv[2:])
    from teller_app.ui.app import main as app_main

    return app_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
