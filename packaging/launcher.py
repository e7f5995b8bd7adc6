"""Entry script of the frozen Teller bundle (PyInstaller runs this file as ``__main__``).

It only dispatches: ``--frozen-check`` (hidden, packaging only) runs the bundle self-checks in
packaging/frozen_checks.py; everything else — the app, and ``--run-sandbox`` (the app binary
re-entering itself as the embedded sandbox) — goes to ``teller_app.__main__.main``, exactly as
``python -m teller_app`` does.
"""

from __future__ import annotations

import sys


def _main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--frozen-check":
        from frozen_checks import main as checks_main

        from teller_app.ui.app import release_qt

        release_qt()  # held back by packaging/rthook_children.py

        return checks_main(sys.argv[2:])
    from teller_app.__main__ import main

    return main()


if __name__ == "__main__":
    sys.exit(_main())
