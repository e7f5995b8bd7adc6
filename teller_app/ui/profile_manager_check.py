""""Test connection" for a profile being edited: ``core/profile_check.check_profile``, the
same steps ``teller-app doctor --profile`` runs (the profile's transport, its hub, Mode B's
sign-in through the hub, then the doctor's checks). No widgets: the dialog runs
``test_profile`` through ``ops`` and shows each ``Check`` (name, ok/adapted/failed, evidence).
"""

from __future__ import annotations

from teller_app.core.doctor_checks import Check
from teller_app.core.profile_check import TIMEOUT, check_profile, hub_ready
from teller_app.secrets import Profile

_hub_ready = hub_ready  # the name tests/platform/test_transport.py knows it by


async def test_profile(profile: Profile, email: str, password: str) -> list[Check]:
    """Every check for ``profile`` signed in as ``email``. Never raises for a platform
    problem: a failed sign-in is a failed check with its evidence."""
    result = await check_profile(profile, email, password, timeout=TIMEOUT)
    return list(result.checks)
