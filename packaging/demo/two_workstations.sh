#!/usr/bin/env bash
# One sandbox + Teller Hub, two separate Teller app processes on one Xvfb display (Qt xcb): a
# teller files a "disable customer" request on the hub, the supervisor's inbox shows it live
# (prints "notified in N ms"), the supervisor approves, the hub applies it and the teller sees
# the decision live. Prints PASS/FAIL; exit status 0 only on PASS. Extra args go to the .py.
HERE="$(cd "$(dirname "$0")" && pwd)"; exec env QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "${PYTHON:-$HERE/../../.venv/bin/python}" "$HERE/two_workstations.py" --platform xcb "$@"
