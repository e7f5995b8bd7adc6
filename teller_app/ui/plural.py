"""Translation contexts for plural messages (``%n``) written outside a widget of that name.

pyside6-lupdate reads ``Context.tr(text, "", n)`` as a plural message of ``Context``, but
``QCoreApplication.translate(context, text, "", n)`` as a plain one or not at all: running
``packaging/build_translations.py --update`` dropped those messages' Ukrainian plural forms.
These classes exist only for ``tr`` (PySide6 takes the context from the class name)."""

from __future__ import annotations

from PySide6.QtCore import QObject


class CashText(QObject):
    """The context of ui/cash_text.py."""


class CustomerForm(QObject):
    """The context of the customer form (ui/customer_form.py), for its texts in other modules."""


class ProfileManagerDialog(QObject):
    """The context of the profile manager (ui/profile_manager.py), for ui/profile_delete.py."""
