from __future__ import annotations

import pytest

from teller_app.cache.translit import to_cyrillic, to_latin


@pytest.mark.parametrize(
    ("cyr", "lat"),
    [
        ("Шевченко", "Shevchenko"),
        ("Щербак Юрій", "Shcherbak Yurii"),
        ("Згурський", "Zghurskyi"),
        ("Ґалаґан", "Galagan"),
        ("Єнакієве", "Yenakiieve"),
        ("Їжакевич", "Yizhakevych"),
        ("Стрий", "Stryi"),
        ("Йосипівка", "Yosypivka"),
        ("Знам'янка", "Znamianka"),
        ("Марія", "Mariia"),
        ("Львів", "Lviv"),
        ("Гаврилюк", "Havryliuk"),
        ("ЩЕРБАК", "SHCHERBAK"),
    ],
)
def test_kmu_2010(cyr: str, lat: str) -> None:
    assert to_latin(cyr) == lat


@pytest.mark.parametrize(
    ("lat", "cyr"),
    [
        ("Shevchenko", "шевченко"),
        ("Shcherbak", "щербак"),
        ("Yurii", "юрій"),
        ("Mariia", "марія"),
        ("Zghurskyi", "згурский"),  # lossy: no soft sign - best effort
        ("Yevhen", "євген"),
    ],
)
def test_reverse_best_effort(lat: str, cyr: str) -> None:
    assert to_cyrillic(lat) == cyr


def test_non_cyrillic_passes_through() -> None:
    assert to_latin("user@x.ua 0671") == "user@x.ua 0671"
