"""A four-eyes hub with its staff signed in: a teller and a supervisor of branch 0 and a
head-office administrator (the module's ``hub_db``: SQLite or PostgreSQL). A module that needs
more (other employees, an open till) subclasses ``Staffed`` and builds on ``staffed_hub``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from fe_helpers import start_fe_hub
from hub_proc import HubProc, add_employee, branches, sign_in
from till_open import open_till


@dataclass
class Staffed:
    hub: HubProc
    http: httpx.Client  # open while the hub runs
    b0: str
    b1: str
    teller: dict[str, str]  # signed-in headers
    teller_email: str
    sup: dict[str, str]
    sup_email: str
    admin: dict[str, str]

    def fields(self) -> dict[str, Any]:
        """What a subclass is built from: ``World(**staff.fields(), more=...)``."""
        return dict(vars(self))

    def open_till(self, code: str, counts: dict[str, int], desk: str) -> dict[str, Any]:
        """The teller's till ``code`` opened at ``desk``, co-signed by the supervisor when the
        hub asks for it (a count that differs from the last close)."""
        return open_till(self.http, self.teller, self.sup, code, counts, desk)


@contextmanager
def staffed_hub(data_dir: Path, sandbox: Any, db_url: str | None,
                **env: str) -> Iterator[Staffed]:
    """The hub started in ``data_dir`` (``env``: its own settings), stopped after (exit 0)."""
    hub = start_fe_hub(data_dir, sandbox, db_url, **env)
    b0, b1 = branches(sandbox)[:2]
    try:
        with hub.client() as http:
            teller = add_employee(http, hub, roles=["Teller"], branch_guid=b0)
            sup = add_employee(http, hub, roles=["Supervisor"], branch_guid=b0)
            admin = add_employee(http, hub, roles=["Administrator"], head_office=True)
            yield Staffed(hub, http, b0, b1, sign_in(http, teller), teller, sign_in(http, sup),
                          sup, sign_in(http, admin))
    finally:
        assert hub.stop() == 0, hub.log()[-3000:]
