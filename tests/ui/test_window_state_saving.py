"""Closing the window writes its remembered state (geometry, columns) off the UI thread: the
settings file is read and written (fsync, replace) by a worker, and shutdown waits for it."""

from __future__ import annotations

import os
import threading

from teller_app.ui.settings_store import load_settings, settings_path


def test_closing_saves_the_window_state_off_the_ui_thread(qtbot, main_window, arun):  # type: ignore[no-untyped-def]
    window = main_window
    window.resize(733, 541)
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    # A settings file nobody can read until something is written into it: a named pipe.
    # Reading it on the UI thread would freeze the window until then.
    os.mkfifo(path, 0o600)
    returned = threading.Event()
    waited: list[bool] = []

    def writer() -> None:
        # Bounded: a blocked UI thread is set free after 10 s (and the test fails).
        waited.append(returned.wait(timeout=10))
        with open(path, "w", encoding="utf-8") as fifo:
            fifo.write("{}")

    feeder = threading.Thread(target=writer, daemon=True)
    feeder.start()
    window.close()
    returned.set()
    qtbot.waitUntil(lambda: not feeder.is_alive(), timeout=15000)  # the loop runs the reader
    assert waited == [True]  # close() came back at once: the file waited on another thread
    arun(window.desk.wait_remembered())  # what MainWindow.shutdown awaits before the exit
    assert path.is_file()  # the worker replaced the pipe with the settings file
    saved = load_settings().window
    assert {"geometry", "state", "results_header"} <= set(saved)
