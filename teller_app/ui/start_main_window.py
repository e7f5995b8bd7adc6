"""The main window opened after sign-in (``AppController`` in ``ui/startup.py``): every
start-up notice in its banner, the sandbox's title, and what its sign-out or close does to the
app. Strings keep the ``AppController`` translation context (they were ``AppController.tr``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from shiboken6 import isValid

from teller_app.core.hub_problem import HubProblem

if TYPE_CHECKING:
    from teller_app.core.branch_cache import BranchCacheBundle
    from teller_app.core.session import Session
    from teller_app.platform.api_version import HubVersion
    from teller_app.ui.main_window import MainWindow
    from teller_app.ui.sign_in import SignInTarget
    from teller_app.ui.startup import AppController


def hub_notice(session: Session) -> str | None:
    """What the main window says when the session's hub could not be used at sign-in
    (Mode A only: without the hub a Mode-B sign-in fails). Either way the hub link opens
    later by itself (the live feed reconnects, every hub call tries): ``open_main`` then
    takes the notice off the banner."""
    if not session.profile.hub_url or session.hub_available:
        return None
    if session.hub_problem_kind is HubProblem.DESK_TOO_OLD:  # it answered: IT must update
        from teller_app.ui.error_text import desk_too_old_text

        return desk_too_old_text()
    if session.hub_problem_kind is HubProblem.REFUSED:  # it answered: not "down"
        return QCoreApplication.translate(
            "AppController", "The bank's Teller Hub refused to open a session for this "
            "sign-in: four-eyes approvals and customer secrets are unavailable, so new customers "
            "cannot be created for now. Sign in again; if this stays, ask your administrator.")
    if session.hub_problem_kind is HubProblem.DCM_UNREADABLE:  # it answered: not "down"
        return QCoreApplication.translate(
            "AppController", "The bank's Teller Hub is reachable but could not read the "
            "platform just now: four-eyes approvals and customer secrets are unavailable until "
            "it can, so new customers cannot be created for now. Teller keeps trying by itself; "
            "this notice goes away once the hub can read the platform.")
    return QCoreApplication.translate(
        "AppController", "The bank's Teller Hub cannot be reached: four-eyes approvals and "
        "customer secrets are unavailable, so new customers cannot be created for now.")


def open_main(controller: AppController, session: Session, target: SignInTarget,
              cache: BranchCacheBundle | None,
              cache_error: BaseException | None = None) -> None:
    from teller_app.ui.error_text import cache_message, cache_notice, desk_version_notice
    from teller_app.ui.main_window import MainWindow

    window = MainWindow(session, controller.ops, profile_name=target.profile.name,
                        sandbox_asset=target.asset, branch_cache=cache)
    # every notice shown: a cache that could not be opened hides no other one
    hub_line = hub_notice(session)
    notices = [n for n in (cache_message(cache_error) if cache_error is not None else None,
                           cache_notice(cache), hub_line,
                           desk_version_notice(session)) if n]
    if notices:
        window.banner.show_message("\n".join(notices), "warning")
    if hub_line and session.hub is not None:
        session.hub.when_opened(lambda: drop_hub_notice(window, session, hub_line))
    read_version_when_hub_opens(controller, window, session)
    window.signed_out.connect(lambda: signed_out(controller, window))
    window.destroyed.connect(lambda: None)
    window.closed.connect(lambda: window_closed(controller, window))
    if target.is_sandbox:
        window.setWindowTitle(QCoreApplication.translate(
            "AppController", "Teller — SANDBOX (demo data)"))
    controller.window = window
    if controller.args.smoke_test:
        window.search_panel.results_shown.connect(lambda _q: controller.smoke_ready(window))
    if controller.onboarding is not None:
        controller.onboarding.after_desk_opens(window)
    window.show()
    window.start()
    release_sign_in(controller)


def release_sign_in(controller: AppController) -> None:
    """The sign-in window that opened the main window goes (a sign-out shows a new one):
    nothing else deleted it, and its own connections kept it from the garbage collector with
    the session it signed in, one per sign-in all day on a shared branch PC."""
    dialog, controller.dialog = controller.dialog, None
    if dialog is not None and isValid(dialog) and not dialog.isVisible():  # accepted: done
        dialog.deleteLater()


def drop_hub_notice(window: MainWindow, session: Session, notice: str) -> None:
    """The hub session opened after all: the sign-in's hub notice no longer holds (not when
    another employee's session took the window over meanwhile: the notice is theirs)."""
    if isValid(window) and window.session is session:
        window.banner.drop_line(notice)


LATE_VERSION_OP = "hub-version-after-sign-in"


def read_version_when_hub_opens(controller: AppController, window: MainWindow,
                                session: Session) -> None:
    """The hub's version was not read at sign-in (the hub was not usable then, or its
    ``/version`` did not answer): read it once the hub link opens (or is renewed), so a desk
    too old for that hub is told at once, not by every write's refusal. An op like every
    other (awaited on the loop: the UI never waits)."""
    link = session.hub
    if link is None or session.hub_version is not None:
        return
    asked = False

    def opened() -> None:
        nonlocal asked
        if asked or session.hub_version is not None or not isValid(window):
            return
        asked = True  # once, as at sign-in: a hub that does not say stays unknown
        from teller_app.core.session import read_hub_version

        controller.ops.run(lambda: read_hub_version(link.hub),
                           on_success=lambda found: version_read(window, session, found),
                           on_error=lambda _exc: None,  # logged by the runner; nothing to say
                           parent=window, key=LATE_VERSION_OP, network=False, reauth=False)

    link.when_opened(opened)


def version_read(window: MainWindow, session: Session, found: HubVersion | None) -> None:
    """The hub's version, read after sign-in: a desk it refuses says so in the banner (the
    sign-in's own words), once."""
    from teller_app.ui.error_text import desk_version_notice

    session.note_hub_version(found)
    notice = desk_version_notice(session)
    # not when another employee's session took the window over meanwhile
    if notice is None or not isValid(window) or window.session is not session:
        return
    window.banner.add_line(notice)


def signed_out(controller: AppController, window: MainWindow) -> None:
    controller.window = None

    async def leave() -> None:
        try:
            await window.shutdown()
        finally:
            release(controller, window)

    controller.ops.run(leave, label="", network=False)
    controller.show_sign_in()
    if window.sign_out_reason and controller.dialog is not None:  # the desk signed itself out
        controller.dialog.show_reason(window.sign_out_reason)


def release(controller: AppController, window: MainWindow) -> None:
    """A signed-out window, shut down: deleted, and the app's runner no longer points at it
    (a new window is made at the next sign-in). Nothing else deletes it: a window no one holds
    stayed alive by its own connections, with its cards, forms and session."""
    ops = controller.ops
    if ops.default_error_handler == window._show_error:
        ops.default_error_handler = None
    if ops.reauthenticate == window._reauthenticate:
        ops.reauthenticate = None
    if window.connectivity is not None and ops.connectivity is window.connectivity:
        ops.connectivity = None  # its closed client's probe, told of every op until then
    if isValid(window):
        window.deleteLater()


def window_closed(controller: AppController, window: MainWindow) -> None:
    if controller.window is window:  # closed, not signed out: the app ends
        controller.ops.run(lambda: window.shutdown(), on_success=lambda _r: controller.quit(0),
                           on_error=lambda _e: controller.quit(0), network=False)
