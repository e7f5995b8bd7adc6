"""Customer data a pattern can find (phone numbers, IBANs, e-mail local parts) never reaches
the log, while what the log is for (GUIDs, amounts, timestamps, request ids) stays; an
uncaught exception and a failed op are logged with their type and traceback, their message
only scrubbed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from teller_app.secrets import install_redaction
from teller_app.secrets.redaction import scrub_personal_data

PHONES = ["+380677654321", "+38 (067) 765-43-21", "+380 67 765 43 21", "380677654321",
          "0677654321", "067 765 43 21", "(067) 765-43-21", "044-123-45-67", "+48123456789"]
IBANS = ["UA213223130000026007233566001", "UA21 3223 1300 0002 6007 2335 6600 1",
         "ua213223130000026007233566001", "PL61109010140000071219812874",
         "PL61 1090 1014 0000 0712 1981 2874", "DE89370400440532013000"]
CARDS = ["4149 6090 0671 2345", "4111111111111111", "5500-0000-0000-0004"]
KEPT = ["3f2a0677-6543-2100-0677-654321000000", "0677a654-3210-4abc-8def-067765432100",
        "10000.00 UAH", "10 000,00 UAH", "0677654321.50", "2026-12-05T03:56:12.123456Z",
        "2026-12-05 03:56:12,123", "request_id=0677654321abcdef", "req-0677654321",
        "9f86d081884c7d659a2feaa0c55ad015", "1733370972123", "0000001000", "127.0.0.1:50677",
        "26007233566001", "took 0.503 s", "1234567890123456", "TX12ABCDEFGHIJKLMNOP",
        "DE89370400440532013001"]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_are_masked(phone: str) -> None:
    text = scrub_personal_data(f"customer phone={phone}, Шевченко")
    assert text == "customer phone=[phone], Шевченко"


def test_a_phone_glued_to_a_name_is_masked() -> None:
    assert "380677654321" not in scrub_personal_data("phone_number +380677654321-Шевченко")


@pytest.mark.parametrize("iban", IBANS)
def test_ibans_are_masked(iban: str) -> None:
    assert scrub_personal_data(f"account {iban} frozen") == "account [iban] frozen"


@pytest.mark.parametrize(("text", "scrubbed"), [
    ("iban DE89370400440532013000 EUR", "iban [iban] EUR"),
    ("DE89 3704 0044 0532 0130 00 UAH", "[iban] UAH"),
    ("card 4111 1111 1111 1111 100 UAH", "card [card] 100 UAH"),
    ("at 1733370972123 and 1733370972128 ms", "at 1733370972123 and 1733370972128 ms"),
])
def test_an_iban_or_card_followed_by_more_text_is_still_found(text: str, scrubbed: str) -> None:
    assert scrub_personal_data(text) == scrubbed


@pytest.mark.parametrize("card", CARDS)
def test_payment_card_numbers_are_masked(card: str) -> None:
    assert scrub_personal_data(f"card {card} declined") == "card [card] declined"


def test_e_mail_keeps_its_domain_only() -> None:
    text = scrub_personal_data("mail to taras.shevchenko+bank@ukr.net and Тарас@пошта.укр")
    assert text == "mail to ***@ukr.net and ***@пошта.укр"


@pytest.mark.parametrize("kept", KEPT)
def test_what_the_log_needs_is_kept(kept: str) -> None:
    line = f"2026-12-05 03:56:12,123 teller_app.sync INFO page {kept} done"
    assert scrub_personal_data(line) == line


def test_every_record_and_its_exception_are_scrubbed(tmp_path: Path) -> None:
    log_file = tmp_path / "teller.log"
    logger = logging.getLogger("teller_app.pii_scrub_test")
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.propagate = False
    install_redaction(logger)
    guid = "3f2a0677-6543-2100-0677-654321000000"
    try:
        logger.warning("saving %s: phone %s, iban %s, mail %s", guid, "+380677654321",
                       "UA21 3223 1300 0002 6007 2335 6600 1", "taras@ukr.net")
        try:
            raise ValueError("customer +380677654321 UA213223130000026007233566001 taken")
        except ValueError:
            logger.exception("create failed for 10 000,00 UAH")
    finally:
        logger.removeHandler(handler)
        handler.close()
    text = log_file.read_text(encoding="utf-8")
    for leak in ("380677654321", "6007233566001", "6007 2335", "taras@"):
        assert leak not in text
    for kept in (guid, "[phone]", "[iban]", "***@ukr.net", "10 000,00 UAH", "ValueError",
                 "Traceback", "raise ValueError"):
        assert kept in text


def _exc_with_customer_data() -> ValueError:
    try:
        raise ValueError("customer Шевченко Тарас, +380677654321, taras@ukr.net not found")
    except ValueError as exc:
        return exc


def test_the_crash_log_scrubs_the_message(qtbot, caplog, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    from teller_app.ui import crash_handler

    monkeypatch.setattr(crash_handler, "_open_dialog", None)
    exc = _exc_with_customer_data()
    with caplog.at_level(logging.ERROR, logger="teller_app.crash"):
        crash_handler.report_exception(type(exc), exc, exc.__traceback__)
    box = crash_handler._open_dialog
    assert isinstance(box, QMessageBox)
    box.close()
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert "ValueError" in logged and "Traceback" in logged and "_exc_with_customer_data" in logged
    assert "380677654321" not in logged and "taras@" not in logged


def test_a_failed_op_is_logged_scrubbed(qtbot, qloop, caplog) -> None:  # type: ignore[no-untyped-def]
    from teller_app.ui.async_op import OpRunner

    failed: list[BaseException] = []

    async def create() -> None:
        raise _exc_with_customer_data()

    ops = OpRunner()
    with caplog.at_level(logging.INFO, logger="teller_app.ui.async_op"):
        ops.run(create, on_error=failed.append, label="Saving the customer", network=False)
        qtbot.waitUntil(lambda: bool(failed), timeout=5000)
    logged = "\n".join(caplog.text.splitlines() + [r.getMessage() for r in caplog.records])
    assert "Saving the customer" in logged and "ValueError" in logged
    assert "Traceback" not in logged  # an expected failure: one line, no traceback
    assert "380677654321" not in logged and "taras@" not in logged
