"""Look-ups for duplicates: who holds a phone number, which logins differ from one only in
letter case. The desk shows what they find; the hub's control uses the phone look-up too.

The documented filters are exact (``phone_numbers``, ``logins``) and ``search_string``
"searches by name or login" in a way the docs leave open, so every row is re-checked here
(DECISIONS: list filters are re-checked on the rows)."""

from __future__ import annotations

from .client_customers import CustomersApi
from .models import Customer
from .phones import same_phone, written_forms

LOOKUP_LIMIT = 20  # holders of one number, logins near one login: a handful at most


async def customers_by_phone(client: CustomersApi, phone: str) -> list[Customer]:
    """Customers (disabled ones too) whose phone is ``phone``'s number, however it was
    written (E.164, without "+", national); [] when ``phone`` is not a valid number."""
    forms = written_forms(phone)
    if not forms:
        return []
    page = await client.list_customers(phone_numbers=forms, limit=LOOKUP_LIMIT)
    return [c for c in page.customers if same_phone(c.phone_number, phone)]


async def login_twins(client: CustomersApi, login: str) -> list[Customer]:
    """Customers whose login is ``login`` ignoring letter case (``str.casefold``): the exact
    ``logins`` filter, then ``search_string`` for the other spellings (a server may tell
    "Olena@x.ua" and "olena@x.ua" apart, or not: DCM refuses the second on create)."""
    wanted = login.casefold()
    exact = await client.find_customer_by_login(login)
    if exact is not None:
        return [exact]
    page = await client.list_customers(search_string=login, limit=LOOKUP_LIMIT)
    return [c for c in page.customers if c.login.casefold() == wanted]
