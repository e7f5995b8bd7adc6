"""Teller Hub: the bank-side service (Bank Auth Service, customer secrets, employee sessions).

Its own layer: it may import ``teller_app.platform`` (it is a DCM client) and nothing else from
the app. Run it with ``teller-hub serve --data DIR``.
"""
