"""The sync's threads give way to the UI thread (issue 12: UI stalls during a first sync).

The cache thread and the FTS build do a first sync's CPU work beside the UI thread, on a
desk that may have two cores. At a lower priority the OS runs the UI thread as soon as it
wakes (a timer, a keystroke) instead of after a time slice of the sync; with spare cores it
changes nothing. Linux only: a thread's nice value (``setpriority`` on its thread id); with
autogroups (on by default for desktop sessions) it weighs the thread only against the other
threads of the desk's own session. Windows' below-normal priority and macOS's background QoS
rank a thread against every program on the machine, so a busy workstation could starve the
cache thread, which also answers searches: not done there.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

BACKGROUND_NICENESS = 10  # CPU weight ~1/10 of a nice-0 thread's: never starved


def lower_this_thread() -> None:
    """Give the calling thread a lower CPU priority than the UI thread (best effort: nothing
    where the OS has no per-thread niceness or refuses). A thread cannot raise it back,
    which a background thread never needs."""
    if not sys.platform.startswith("linux"):
        return
    thread_id = threading.get_native_id()
    with contextlib.suppress(OSError):
        if os.getpriority(os.PRIO_PROCESS, thread_id) < BACKGROUND_NICENESS:
            os.setpriority(os.PRIO_PROCESS, thread_id, BACKGROUND_NICENESS)
