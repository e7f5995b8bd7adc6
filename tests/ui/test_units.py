"""Small pieces: money formatting, validators, the async helper, the crash handler."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from PySide6.QtCore import QLocale

from teller_app.platform import Unavailable, ValidationError
from teller_app.ui import crash_handler
from teller_app.ui.error_text import friendly_message
from teller_app.ui.money import NBSP, format_money, parse_amount
from teller_app.ui.validators import check_iban, check_phone

UK = QLocale(QLocale.Language.Ukrainian, QLocale.Country.Ukraine)
EN = QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)


def test_money_in_ukrainian_and_english() -> None:
    assert format_money(Decimal("1234.5"), 2, "UAH", UK) == f"1{NBSP}234,50{NBSP}₴"
    assert format_money(Decimal("-1234567.891"), 2, "UAH", EN) == f"-1,234,567.89{NBSP}UAH"
    assert format_money(7, 0, "XYZ", UK) == f"7{NBSP}XYZ"
    assert parse_amount("1 234,56", 2) == Decimal("1234.56")
    assert parse_amount("1,234.56", 2) == Decimal("1234.56")
    assert parse_amount("1,005", 2, UK) is None  # a Ukrainian comma is the decimal point
    assert parse_amount("1,005", 2, EN) == Decimal("1005")  # an English one groups
    assert parse_amount("abc", 2) is None


def test_phone_and_iban() -> None:
    assert check_phone("067 123 45 67") == ("+380671234567", "")
    assert check_phone("12345")[1]
    assert check_iban("UA21 3223 1300 0002 6007 2335 6600 1") == (
        "UA213223130000026007233566001", "")
    assert "checksum" in check_iban("UA21 3223 1300 0002 6007 2335 6600 2")[1]


def test_platform_refusal_is_quoted_verbatim() -> None:
    text = friendly_message(ValidationError("customer already has an account for asset UAH"))
    assert "customer already has an account for asset UAH" in text


def test_same_key_cancels_the_older_op(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    results: list[str] = []

    async def slow(value: str, delay: float) -> str:
        await asyncio.sleep(delay)
        return value

    ops.run(lambda: slow("old", 0.3), on_success=results.append, key="k")
    ops.run(lambda: slow("new", 0.01), on_success=results.append, key="k")
    qtbot.waitUntil(lambda: not ops.is_busy(), timeout=3000)
    assert results == ["new"]


def test_unavailable_reaches_connectivity_and_error_handler(qtbot, ops) -> None:  # type: ignore[no-untyped-def]
    seen: list[BaseException] = []

    class FakeConnectivity:
        def __init__(self) -> None:
            self.failures: list[BaseException] = []

        def report_failure(self, exc: BaseException) -> bool:
            self.failures.append(exc)
            return True

        def report_success(self) -> None:
            pass

    ops.connectivity = FakeConnectivity()

    async def down() -> None:
        raise Unavailable("connection refused")

    ops.run(down, on_error=seen.append)
    qtbot.waitUntil(lambda: bool(seen), timeout=3000)
    assert isinstance(seen[0], Unavailable)
    assert ops.connectivity.failures == seen


def test_a_failing_callback_is_reported_not_fatal(qtbot, ops, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    reported: list[BaseException] = []
    monkeypatch.setattr(crash_handler, "report_exception",
                        lambda t, e, tb: reported.append(e))

    async def fine() -> int:
        return 1

    def broken(_value: int) -> None:
        raise RuntimeError("bug in a slot")

    ops.run(fine, on_success=broken, network=False)
    qtbot.waitUntil(lambda: bool(reported), timeout=3000)
    assert str(reported[0]) == "bug in a slot"
    assert not ops.is_busy()


def test_a_hub_outage_is_told_by_what_may_have_happened() -> None:
    """Only a write whose answer was lost is "not known"; a read, a request that never left
    and a hub session that could not open are plain outages; a failed secret issue is the
    first step of a create, so nothing was created."""
    from teller_app.platform import HubUnavailable

    def told(method: str | None, path: str | None, not_sent: bool = False) -> str:
        exc = HubUnavailable("down", method=method, path=path)
        exc.not_sent = not_sent
        return friendly_message(exc)

    unknown = told("POST", "/api/v1/requests/r-1/approve")
    assert "not known whether" in unknown and "nothing was created" not in unknown
    assert told("PUT", "/api/v1/vault") == unknown
    plain = told("GET", "/api/v1/requests")
    assert "cannot be reached" in plain and "not known" not in plain
    assert told("POST", "/api/v1/requests/r-1/approve", not_sent=True) == plain
    assert told("POST", "/api/v1/sessions") == plain
    assert "nothing was created" in told("POST", "/api/v1/secrets")


def test_every_cash_reason_is_worded_in_both_languages() -> None:
    """``CashError.reason`` codes reach the teller as sentences of their own, translated."""
    from PySide6.QtWidgets import QApplication

    from teller_app.core.cash import CashError
    from teller_app.ui.cash_text import cash_error_text
    from teller_app.ui.settings import switch_language

    reasons = ["no_account", "no_category", "no_processing_account", "void_needs_hub",
               "not_a_checker"]
    english = [cash_error_text(CashError("english for the log", r)) for r in reasons]
    assert len(set(english)) == len(reasons)
    assert not any("english for the log" in t or "Unexpected" in t for t in english)
    assert QApplication.instance() is not None
    switch_language("uk")
    try:
        ukrainian = [cash_error_text(CashError("english for the log", r)) for r in reasons]
    finally:
        switch_language("en")
    assert all(u != e for u, e in zip(ukrainian, english, strict=True))


def test_a_throttled_sign_in_is_worded_not_taken_for_an_outage() -> None:
    from teller_app.platform.errors import RateLimited
    from teller_app.ui.error_text import sign_in_message

    throttled = RateLimited("too many failed sign-ins: try again in 30 s", status_code=429,
                            reason="sign_in_throttled")
    assert sign_in_message(throttled) == (
        "Too many failed sign-ins for this account. Wait a few minutes and try again.")
    busy = RateLimited("verify ran moments ago", status_code=429, reason="audit_verify_busy")
    assert friendly_message(busy).startswith("The audit chain was checked moments ago")


def test_every_base_category_is_worded_in_the_desks_language(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The platform's base categories (§3.9) come from it in English; the desk words them."""
    from teller_app.ui.cash_text import category_text
    from teller_app.ui.settings import switch_language

    try:
        switch_language("uk")
        assert category_text("01", "Cash withdrawal at an ATM") == "01 — зняття готівки в банкоматі"
        assert category_text("52") == "52 — часткове повернення коштів"
        assert category_text("77", "Bank's own") == "77 — Bank's own"  # the bank's words
    finally:
        switch_language("en")
    assert category_text("21") == "21 — transfer to an account (at another bank)"
