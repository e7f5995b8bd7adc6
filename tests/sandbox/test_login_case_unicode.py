"""One customer per login regardless of case (the sandbox's default reading of "Login unique
user name", seed 467 / §4.1; ``text-unchecked`` compares as sent) in every alphabet: SQLite's
lower() folds ASCII only, so a Cyrillic login registered first with a capital must still
refuse its small-letter twin, and the other way round."""

from __future__ import annotations

import uuid

from sandbox_api import Api

DUPLICATE = ('failed to create wallet user: failed to sign up: response status code is not 2xx '
             'but 409; error was "{\\"error\\":\\"logic error\\"}\\n"')


def test_a_cyrillic_login_in_another_case_is_a_duplicate(api: Api) -> None:
    tag = uuid.uuid4().hex[:8]
    issuer = api.m["asset"]["issuer"]
    for registered, twin in ((f"Іван.{tag}@пошта.укр", f"іван.{tag}@пошта.укр"),
                             (f"олена.{tag}@пошта.укр", f"ОЛЕНА.{tag}@ПОШТА.УКР"),
                             (f"Straße.{tag}@example.de", f"STRASSE.{tag}@example.de")):
        api.new_customer(login=registered)
        resp = api.post("customers", json={"asset_code": "UAH", "asset_issuer": issuer,
                                           "login": twin})
        assert (resp.status_code, resp.json()) == (400, {"error": DUPLICATE}), twin
    # another login with non-ASCII letters is no duplicate
    assert api.new_customer(login=f"Іванна.{tag}@пошта.укр")["customer_guid"]
