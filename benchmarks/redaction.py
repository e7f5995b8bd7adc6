"""Secret registry: registering 10 000 secrets, and masking with that many registered.

Before issue 16 every registration rebuilt one big alternation regex (1.0 s per registration
with 1 000 registered, 4.6 s with 6 000; the UI thread froze). Now registration is a dict
insert and masking looks tokens up.

    python -m benchmarks.redaction          # or: python -m benchmarks --only redaction
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from typing import Any

from teller_app.platform import _sensitive
from teller_app.secrets.redaction import redact_text

COUNT = 10_000


def measure(count: int = COUNT) -> dict[str, Any]:
    _sensitive.forget_all_secrets()
    values = [secrets.token_urlsafe(24) for _ in range(count)]
    values[::50] = [f"pass {secrets.token_hex(4)}" for _ in values[::50]]  # some with spaces
    per: list[float] = []
    t0 = time.perf_counter()
    for value in values:
        t = time.perf_counter()
        _sensitive.register_secret(value)
        per.append(time.perf_counter() - t)
    total = time.perf_counter() - t0
    line = (f"POST /api/v1/counterparty/cp/customers -> 401 in 12 ms token={values[-1]} "
            f"user=teller.kyiv@demo.bank password={values[7]} trace=" + "x" * 80)
    trace = "\n".join(f'  File "/app/mod{i}.py", line {i}, in f{i}: value={values[i * 97]}'
                      for i in range(100))
    masked = redact_text(line)
    assert values[-1] not in masked and values[7] not in masked
    assert all(values[i * 97] not in redact_text(trace) for i in range(100))
    rounds = 200
    t = time.perf_counter()
    for _ in range(rounds):
        redact_text(line)
    line_us = (time.perf_counter() - t) / rounds * 1e6
    t = time.perf_counter()
    for _ in range(20):
        redact_text(trace)
    trace_ms = (time.perf_counter() - t) / 20 * 1000
    registered = _sensitive.registered_count()
    _sensitive.forget_all_secrets()
    per.sort()
    return {
        "redaction_register_10k_total_ms": round(total * 1000, 1),
        "redaction_register_max_us": round(per[-1] * 1e6, 1),
        "redaction_register_p99_us": round(per[int(len(per) * 0.99)] * 1e6, 1),
        "redaction_mask_line_us": round(line_us, 1),
        "redaction_mask_traceback_10kb_ms": round(trace_ms, 2),
        "redaction_registered": registered,
    }


def run(ctx: Any) -> dict[str, Any]:
    return measure()


if __name__ == "__main__":
    json.dump(measure(), sys.stdout, indent=2)
    print()
