"""Mobile numbers for tests that nobody holds: not the demo world, not an earlier test.

The session shares one sandbox, whose generated customers have numbers on the operator
codes of ``sandbox/names.OPERATOR_CODES``, and the hub refuses a number already held (one
customer per phone). A random draw on those codes met a generated number now and then: a
409 in some test's set-up. These numbers use valid Ukrainian mobile codes the generator never
uses, and one process never hands out the same number twice."""

from __future__ import annotations

import itertools
import random

from teller_app.sandbox import names

# valid Ukrainian mobile codes (``phonenumbers``) that the generator does not use
TEST_OPERATOR_CODES = ("91", "92", "94")
_STRIDE = 7_919  # prime, coprime to 10**7: the first 10**7 draws of a code are all distinct
_start = random.randrange(10**7)  # another run on a kept sandbox starts elsewhere
_drawn = itertools.count()

assert not set(TEST_OPERATOR_CODES) & set(names.OPERATOR_CODES)


def unused_phone() -> str:
    """A new "+380…" mobile number in E.164 that no generated customer has."""
    n = next(_drawn)
    code = TEST_OPERATOR_CODES[n % len(TEST_OPERATOR_CODES)]
    return f"+380{code}{(_start + n * _STRIDE) % 10**7:07d}"
