"""Synthetic Ukrainian people: names (Cyrillic), patronymics, phones, logins and IBANs."""

from __future__ import annotations

import functools
import os
import random

MALE_NAMES = [
    "Олександр", "Андрій", "Богдан", "Василь", "Віктор", "Володимир", "Дмитро", "Євген", "Іван",
    "Ігор", "Юрій", "Максим", "Микола", "Михайло", "Назар", "Олег", "Остап", "Павло", "Петро",
    "Роман", "Сергій", "Степан", "Тарас", "Ярослав", "Артем", "Денис", "Анатолій", "Григорій",
    "Костянтин", "Леонід", "Мирослав", "Орест", "Руслан", "Святослав", "Віталій",
]
FEMALE_NAMES = [
    "Олена", "Анна", "Ганна", "Валентина", "Вікторія", "Галина", "Дарина", "Іванна", "Ірина",
    "Катерина", "Ксенія", "Лариса", "Людмила", "Марія", "Мирослава", "Наталія", "Оксана", "Ольга",
    "Софія", "Соломія", "Тетяна", "Юлія", "Ярина", "Христина", "Надія", "Зоряна", "Леся", "Алла",
    "Інна", "Світлана", "Уляна", "Оля", "Романа", "Богдана", "Вероніка", "Діана",
]
# (masculine, feminine) surname pairs; many Ukrainian surnames are the same for both.
SURNAMES = [
    (s, s)
    for s in [
        "Шевченко", "Коваленко", "Бондаренко", "Ткаченко", "Кравченко", "Олійник", "Шевчук",
        "Поліщук", "Лисенко", "Руденко", "Савченко", "Петренко", "Мельник", "Бойко", "Коваль",
        "Ковальчук", "Марченко", "Мороз", "Павленко", "Кравчук", "Гончаренко", "Литвиненко",
        "Мартинюк", "Клименко", "Дмитренко", "Кушнір", "Гнатюк", "Федоренко", "Ярошенко",
        "Сидоренко", "Романюк", "Тимошенко", "Карпенко", "Кузьменко", "Пономаренко", "Левченко",
        "Костенко", "Іваненко", "Гриценко", "Приходько", "Довженко", "Стельмах", "Гуменюк",
        "Захарченко", "Лук'яненко", "Остапчук",
    ]
] + [
    ("Ковальський", "Ковальська"),
    ("Вишневський", "Вишневська"),
    ("Яворський", "Яворська"),
    ("Заїка", "Заїка"),
    ("Білий", "Біла"),
    ("Сорокін", "Сорокіна"),
    ("Грушевський", "Грушевська"),
    ("Франко", "Франко"),
    ("Стефаник", "Стефаник"),
    ("Чорновіл", "Чорновіл"),
    ("Височанський", "Височанська"),
    ("Їжакевич", "Їжакевич"),
]
_PATRONYMIC_BASE = {
    "Олександр": "Олександр", "Андрій": "Андрі", "Богдан": "Богдан", "Василь": "Василь",
    "Віктор": "Віктор", "Володимир": "Володимир", "Дмитро": "Дмитр", "Євген": "Євген",
    "Іван": "Іван", "Ігор": "Ігор", "Юрій": "Юрі", "Максим": "Максим", "Микола": "Миколай",
    "Михайло": "Михайл", "Назар": "Назар", "Олег": "Олег", "Остап": "Остап", "Павло": "Павл",
    "Петро": "Петр", "Роман": "Роман", "Сергій": "Сергі", "Степан": "Степан", "Тарас": "Тарас",
    "Ярослав": "Ярослав", "Артем": "Артем", "Денис": "Денис", "Анатолій": "Анатолі",
    "Григорій": "Григорі", "Костянтин": "Костянтин", "Леонід": "Леонід",
    "Мирослав": "Мирослав", "Орест": "Орест", "Руслан": "Руслан", "Святослав": "Святослав",
    "Віталій": "Віталі",
}
OPERATOR_CODES = ("50", "63", "66", "67", "68", "73", "93", "95", "96", "97", "98", "99")
MAIL_DOMAINS = ("ukr.net", "gmail.com", "i.ua", "meta.ua", "example.ua")

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "",
}


@functools.lru_cache(maxsize=4096)
def translit(text: str) -> str:
    """Ukrainian → Latin (the official 2010 table, simplified)."""
    return "".join(_TRANSLIT.get(ch, ch) for ch in text.lower())


def patronymic(father: str, female: bool) -> str:
    base = _PATRONYMIC_BASE.get(father, father)
    if base.endswith("і"):  # Андрі(й) -> Андрійович / Андріївна
        return base + ("ївна" if female else "йович")
    if base.endswith("й"):  # Миколай -> Миколайович / Миколаївна
        return base + "ович" if not female else base[:-1] + "ївна"
    if base.endswith("ь"):  # Василь -> Васильович / Василівна
        return base + "ович" if not female else base[:-1] + "івна"
    return base + ("івна" if female else "ович")


def person(rng: random.Random) -> tuple[str, str, str]:
    """(name, surname, paternal_name)."""
    female = rng.random() < 0.5
    name = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    surname = rng.choice(SURNAMES)[1 if female else 0]
    return name, surname, patronymic(rng.choice(MALE_NAMES), female)


def phone(rng: random.Random) -> str:
    return f"+380{rng.choice(OPERATOR_CODES)}{rng.randrange(10_000_000):07d}"


def login_for(name: str, surname: str, seq: int, rng: random.Random) -> str:
    """Unique because ``seq`` is unique per counterparty."""
    return f"{translit(name)}.{translit(surname)}.{seq}@{rng.choice(MAIL_DOMAINS)}"


def ua_iban(mfo: str, account_number: int) -> str:
    """A valid Ukrainian IBAN: UA + check digits + 6-digit MFO + 19-digit account number."""
    bban = f"{mfo}{account_number:019d}"
    check = 98 - int(bban + "301000") % 97  # "UA" -> 30 10, then "00"
    return f"UA{check:02d}{bban}"


def iban_is_valid(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if len(s) < 15 or not s.isalnum():
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(ch, 36)) for ch in moved)
    return int(digits) % 97 == 1


_HEX_TO_B32 = str.maketrans("0189", "QRST")


def stellar_address(rng: random.Random | None = None) -> str:
    """Looks like a Stellar G-address (56 chars of the base32 alphabet); not a real key."""
    return "G" + os.urandom(28).hex().upper().translate(_HEX_TO_B32)[:55]


def search_key(*parts: str) -> str:
    """The casefolded search column (SQLite LIKE only folds ASCII)."""
    return "\x1f".join(p.casefold() for p in parts if p)


@functools.lru_cache(maxsize=2)
def people(female: bool) -> tuple[tuple[str, str, str, str, str], ...]:
    """Every (name, surname, paternal_name, search key of the three, Latin "name.surname")
    ``person`` can draw for one sex, each equally likely: the generator draws in bulk."""
    return tuple(_person_at(female, i) for i in range(_pool_size(female)))


def _pool_size(female: bool) -> int:
    return len(FEMALE_NAMES if female else MALE_NAMES) * len(SURNAMES) * len(MALE_NAMES)


def _person_at(female: bool, index: int) -> tuple[str, str, str, str, str]:
    """``people(female)[index]``, without building the table."""
    fathers = len(MALE_NAMES)
    name = (FEMALE_NAMES if female else MALE_NAMES)[index // (len(SURNAMES) * fathers)]
    surname = SURNAMES[index // fathers % len(SURNAMES)][1 if female else 0]
    paternal = patronymic(MALE_NAMES[index % fathers], female)
    return (name, surname, paternal, search_key(name, surname, paternal),
            f"{translit(name)}.{translit(surname)}")


def draw_people(rng: random.Random, count: int) -> list[tuple[str, str, str, str, str]]:
    """``count`` draws from ``people``, half female on average (as ``person``). A few draws
    (the demo world's 40 customers) pick indices and build only those people: the tables
    (~144 000 entries, a third of a second) pay off for bulk generation only. The same
    random numbers are drawn either way, so a seed gives the same people."""
    if count * 16 < _pool_size(True):
        women_at = rng.choices(range(_pool_size(True)), k=count)
        men_at = rng.choices(range(_pool_size(False)), k=count)
        return [_person_at(True, w) if rng.random() < 0.5 else _person_at(False, m)
                for w, m in zip(women_at, men_at, strict=True)]
    women = rng.choices(people(True), k=count)
    men = rng.choices(people(False), k=count)
    return [w if rng.random() < 0.5 else m for w, m in zip(women, men, strict=True)]


def uuid4s(count: int) -> list[str]:
    """``count`` random (version 4) UUID strings from one urandom call."""
    raw = os.urandom(16 * count).hex()
    out = []
    for i in range(0, 32 * count, 32):
        h = raw[i : i + 32]
        out.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return out


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def stellar_addresses(count: int) -> list[str]:
    """``count`` ``stellar_address`` look-alikes from one urandom call."""
    raw = os.urandom(28 * count).hex().upper().translate(_HEX_TO_B32)
    return ["G" + raw[i : i + 55] for i in range(0, 56 * count, 56)]
