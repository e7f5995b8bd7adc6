"""A receipt's amount in words and its time, as the visual check read them: English words had
num2words' commas inside the number ("One thousand, two hundred hryvnias, 00 kopiykas"), the
Ukrainian an ASCII apostrophe ("П'ять") where the UI writes "’", and every time carried its
UTC offset beside a label that already says "(Kyiv)"; only the hour that comes twice needs it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from teller_app.core.receipt import amount_in_words, kyiv_stamp


@pytest.mark.parametrize(("amount", "en"), [
    ("1200", "One thousand two hundred hryvnias, 00 kopiykas"),
    ("2100.05", "Two thousand one hundred hryvnias, 05 kopiykas"),
    ("1234567.89", "One million two hundred and thirty-four thousand five hundred and "
                   "sixty-seven hryvnias, 89 kopiykas"),
    ("1000001", "One million and one hryvnias, 00 kopiykas"),
])
def test_english_words_have_one_comma_before_the_kopiykas(amount: str, en: str) -> None:
    assert amount_in_words(Decimal(amount), "en") == en
    assert amount_in_words(Decimal(amount), "en").count(",") == 1


def test_both_languages_put_the_comma_in_the_same_place() -> None:
    uk = amount_in_words(Decimal("1200"), "uk")
    en = amount_in_words(Decimal("1200"), "en")
    assert uk == "Одна тисяча двісті гривень, 00 копійок"
    assert uk.split(", ")[1][:2] == en.split(", ")[1][:2] == "00"


@pytest.mark.parametrize(("amount", "uk"), [
    ("5", "П’ять гривень, 00 копійок"),
    ("50.50", "П’ятдесят гривень, 50 копійок"),
    ("0.55", "Нуль гривень, 55 копійок"),
    ("1234.95", "Одна тисяча двісті тридцять чотири гривні, 95 копійок"),
    ("795", "Сімсот дев’яносто п’ять гривень, 00 копійок"),
])
def test_ukrainian_words_use_the_ui_apostrophe(amount: str, uk: str) -> None:
    words = amount_in_words(Decimal(amount), "uk")
    assert words == uk and "'" not in words


@pytest.mark.parametrize(("utc", "shown"), [
    (datetime(2026, 12, 6, 8, 2, 13, tzinfo=UTC), "06.12.2026 10:02:13"),  # winter, +02:00
    (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), "01.07.2026 12:30:00"),  # summer, +03:00
    (datetime(2026, 10, 24, 23, 59, 59, tzinfo=UTC), "25.10.2026 02:59:59"),  # just before
    (datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "25.10.2026 04:00:00"),  # just after
    (datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "29.03.2026 02:59:59"),  # spring: no twice
    (datetime(2026, 12, 6, 10, 2, 13), "06.12.2026 12:02:13"),  # naive: UTC
])
def test_a_time_that_happens_once_prints_without_its_offset(utc: datetime, shown: str) -> None:
    assert kyiv_stamp(utc) == shown


@pytest.mark.parametrize(("utc", "shown"), [
    (datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "25.10.2026 03:00:00 (+03:00)"),
    (datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC), "25.10.2026 03:59:59 (+03:00)"),
    (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "25.10.2026 03:00:00 (+02:00)"),
    (datetime(2026, 10, 25, 1, 59, 59, tzinfo=UTC), "25.10.2026 03:59:59 (+02:00)"),
    (datetime(2027, 10, 31, 0, 15, tzinfo=UTC), "31.10.2027 03:15:00 (+03:00)"),
])
def test_the_hour_that_happens_twice_keeps_its_offset(utc: datetime, shown: str) -> None:
    assert kyiv_stamp(utc) == shown
