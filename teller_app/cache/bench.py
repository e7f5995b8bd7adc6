"""Search latency benchmark over a synthetic cache: ``python -m teller_app.cache.bench``.

``build_synthetic(path, n, key)`` fills a cache with ``n`` generated Ukrainian customers (10 %
stored in Latin script); ``bench_search(cache, queries)`` returns per-query-length latency
figures (median, p95, max in ms). Used by the benchmarks engineer and the report.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from teller_app.cache.store import BranchCache
from teller_app.cache.translit import to_latin

SURNAMES = [
    "Шевченко",
    "Коваленко",
    "Бондаренко",
    "Ткаченко",
    "Кравченко",
    "Олійник",
    "Шевчук",
    "Коваль",
    "Поліщук",
    "Бойко",
    "Ткачук",
    "Мельник",
    "Лисенко",
    "Марченко",
    "Руденко",
    "Савченко",
    "Петренко",
    "Клименко",
    "Павленко",
    "Кузьменко",
    "Гаврилюк",
    "Щербак",
    "Ющенко",
    "Яковенко",
    "Єременко",
    "Їжаченко",
    "Йосипенко",
    "Ґалаґан",
    "Зозуля",
    "Мороз",
    "Гончар",
    "Дмитренко",
    "Захарченко",
    "Левченко",
    "Остапенко",
    "Пономаренко",
    "Романенко",
    "Семенко",
    "Тимошенко",
    "Федоренко",
    "Харченко",
    "Цимбалюк",
    "Чорновол",
    "Юрченко",
    "Яценко",
    "Іваненко",
    "Сидоренко",
    "Литвиненко",
    "Карпенко",
    "Вовк",
]
NAMES = [
    "Олександр",
    "Андрій",
    "Іван",
    "Тарас",
    "Юрій",
    "Сергій",
    "Олег",
    "Дмитро",
    "Микола",
    "Петро",
    "Богдан",
    "Євген",
    "Ігор",
    "Віталій",
    "Олена",
    "Марія",
    "Юлія",
    "Наталія",
    "Ірина",
    "Оксана",
    "Тетяна",
    "Світлана",
    "Ганна",
    "Катерина",
    "Людмила",
    "Ярослава",
    "Мар'яна",
    "Софія",
    "Анастасія",
    "Галина",
]
PATERNAL = [
    "Олександрович",
    "Андрійович",
    "Іванович",
    "Тарасович",
    "Юрійович",
    "Сергійович",
    "Олегович",
    "Дмитрович",
    "Миколаївна",
    "Петрівна",
    "Богданівна",
    "Євгенівна",
    "Ігорівна",
    "Віталіївна",
    "Григорович",
    "Степанівна",
]


def synthetic_customers(n: int, seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        surname, name, pat = rnd.choice(SURNAMES), rnd.choice(NAMES), rnd.choice(PATERNAL)
        if i % 10 == 0:
            surname, name, pat = to_latin(surname), to_latin(name), to_latin(pat)
        phone = f"+38067{rnd.randrange(10**7):07d}"
        out.append(
            {
                "wallet_user_guid": f"{i:08x}-0000-4000-8000-{rnd.randrange(16**12):012x}",
                "login": f"user{i}@example.com" if i % 2 else phone,
                "name": name,
                "surname": surname,
                "paternal_name": pat,
                "phone_number": phone,
                "kyc_level": 1,
                "is_disabled": i % 50 == 0,
                "balance_allowed": 0,
                "segment": "retail",
                "status": "active",
                "branch_guid": "b-1",
                "created_at": f"2024-01-01T00:00:{i % 60:02d}.{i:06d}Z",
                "updated_at": f"2024-02-01T{(i // 3600) % 24:02d}:{(i // 60) % 60:02d}:"
                f"{i % 60:02d}.{i % 1000000:06d}Z",
            }
        )
    return out


def build_synthetic(path: Path, n: int, key: bytes | None) -> BranchCache:
    cache = BranchCache.open(path, key)
    data = synthetic_customers(n)
    for start in range(0, n, 500):
        cache.upsert_customers(data[start : start + 500])
    return cache


DEFAULT_QUERIES = {
    "1-cyr": ["ш", "к", "о", "м", "т", "ю", "я", "б"],
    "3-cyr": ["шев", "ков", "бон", "тка", "оле", "мар", "юрі", "пет"],
    "6-cyr": ["шевчен", "коваль", "бондар", "ткачен", "олекса", "марчен", "юрійов", "петрен"],
    "1-lat": ["s", "k", "o", "m", "t", "y", "b", "p"],
    "3-lat": ["she", "kov", "bon", "tka", "ole", "mar", "yur", "pet"],
    "6-lat": ["shevch", "kovale", "bondar", "tkache", "oleksa", "marche", "yuriio", "petren"],
    "phone": ["067", "0671234", "+380 67 1", "4567"],
}


def bench_search(
    cache: BranchCache,
    queries: dict[str, list[str]] | None = None,
    repeat: int = 13,
    page: int = 100,
) -> dict[str, dict[str, float]]:
    """For each group: first page (``search(q, 0, page)``) + ``count(q)`` per query, in ms."""
    result: dict[str, dict[str, float]] = {}
    for group, qs in (queries or DEFAULT_QUERIES).items():
        times: list[float] = []
        for _ in range(repeat):
            for q in qs:
                t0 = time.perf_counter()
                cache.search(q, 0, page)
                cache.count(q)
                times.append((time.perf_counter() - t0) * 1000)
        times.sort()
        result[group] = {
            "median": statistics.median(times),
            "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1],
        }
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--plain", action="store_true", help="no SQLCipher key")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        cache = build_synthetic(
            Path(tmp) / "bench.db", args.n, None if args.plain else os.urandom(32)
        )
        print(
            f"built {args.n} in {time.perf_counter() - t0:.1f}s; "
            f"size {os.path.getsize(Path(tmp) / 'bench.db') / 1e6:.1f} MB"
        )
        for group, r in bench_search(cache).items():
            print(
                f"{group:7} median {r['median']:6.2f} ms  p95 {r['p95']:6.2f}  max {r['max']:6.2f}"
            )
        cache.close()


if __name__ == "__main__":
    main()
