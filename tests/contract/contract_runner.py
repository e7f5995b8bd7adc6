"""A bounded Schemathesis run over every operation a live server's OpenAPI document has.

Each operation gets ``examples`` positive cases drawn from its declared schema with a fixed
seed; every response must pass ``not_a_server_error``, ``status_code_conformance`` and
``response_schema_conformance``. Failures are collected across all operations (not stopped at
the first) so one run names every mismatch.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as fixed_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
SEED = 20261202


@dataclass
class Stats:
    operations: int = 0
    cases: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    per_operation: dict[str, float] = field(default_factory=dict)

    def merge(self, other: Stats) -> None:
        self.operations += other.operations
        self.cases += other.cases
        self.seconds += other.seconds
        for code, n in other.statuses.items():
            self.statuses[code] = self.statuses.get(code, 0) + n
        self.failures += other.failures
        self.skipped += other.skipped
        self.per_operation.update(other.per_operation)


def run(base_url: str, headers: dict[str, str], *, examples: int,
        exclude: Iterable[str] = (), include: Iterable[str] = (),
        fixed_path: dict[str, str] | None = None,
        prepare: Callable[[Case], None] | None = None, seed: int = SEED,
        modes: tuple[GenerationMode, ...] = (GenerationMode.POSITIVE,)) -> Stats:
    """Fuzz every operation of ``{base_url}/openapi.json`` not matching an ``exclude`` regex
    (matched against ``"METHOD /path"``) and, when ``include`` is given, matching one of
    those. ``fixed_path`` pins path parameters by name (e.g. the sandbox's own counterparty,
    so cases get past the 404 and reach the handler's checks); ``prepare`` edits a case
    before it is sent."""
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    skip = [re.compile(p) for p in exclude]
    only = [re.compile(p) for p in include]
    stats = Stats()
    t0 = time.perf_counter()
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if any(p.search(label) for p in skip) or (only and not any(
                    p.search(label) for p in only)):
                stats.skipped.append(label)
                continue
            stats.operations += 1
            names = {p.name for p in operation.path_parameters}
            pinned = {k: v for k, v in (fixed_path or {}).items() if k in names}
            started = time.perf_counter()
            for mode in modes:
                _run_operation(operation, label, mode, pinned, base_url, headers, session,
                               examples, seed, prepare, stats)
            stats.per_operation[label] = time.perf_counter() - started
    stats.seconds = time.perf_counter() - t0
    return stats


def _run_operation(operation: Any, label: str, mode: GenerationMode, pinned: dict[str, str],
                   base_url: str, headers: dict[str, str], session: requests.Session,
                   examples: int, seed: int, prepare: Callable[[Case], None] | None,
                   stats: Stats) -> None:
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=pinned or None)
    seen: set[str] = set()

    @fixed_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False,
              phases=[Phase.explicit, Phase.generate], report_multiple_bugs=False,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Case) -> None:
        # Our credentials replace whatever the security schemes made Schemathesis generate.
        case.headers = {**(case.headers or {}), **headers}
        if prepare is not None:
            prepare(case)
        stats.cases += 1
        response = case.call(base_url=base_url, session=session, timeout=15)
        stats.statuses[response.status_code] = stats.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as exc:  # note it once per operation and status
            found = list(exc.exceptions) if isinstance(exc, FailureGroup) else [exc]
            text = [f"{type(f).__name__}: {getattr(f, 'title', '')}" for f in found]
            key = f"{label} [{mode.value}] {response.status_code}"
            if key not in seen:
                seen.add(key)
                body = response.text[:300]
                stats.failures.append(f"{key}: {'; '.join(text)} | body={body}")

    try:
        check()
    except Unsatisfiable:  # negative mode: nothing in this operation can be made invalid
        if mode is GenerationMode.POSITIVE:
            raise
