"""The profile manager's editor: one profile's fields (platform URL, counterparty, hub URL,
sign-in mode, CA bundle, SPKI pins, proxy, language), the e-mail remembered on this desk and
a password used only to test the connection (never saved). A proxy password typed into the
proxy URL is split off by ``Profile`` and kept in the OS keyring when saved; the URL is shown
without it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from teller_app.secrets import Profile
from teller_app.ui.a11y_form import add_row, name
from teller_app.ui.money import is_ukrainian

AUTH_MODES = ("password", "hub")
LANGUAGES = ("uk", "en")


def ui_language() -> str:
    """The language the desk speaks now (``i18n.install_translators`` sets the locale): a new
    profile starts in it, not always in Ukrainian."""
    return "uk" if is_ukrainian() else "en"


class ProfileForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileForm")
        self._base: Profile | None = None  # what was loaded: unknown fields are kept

        def line(object_name: str, placeholder: str = "") -> QLineEdit:
            edit = QLineEdit(self)
            edit.setObjectName(object_name)
            edit.setPlaceholderText(placeholder)
            return edit

        self.name_edit = line("profileName", self.tr("e.g. bank-production"))
        self.url_edit = line("profileUrl", "https://dcm.bank.ua")
        self.counterparty_edit = line("profileCounterparty", "00000000-0000-0000-0000-…")
        self.auth_combo = QComboBox(self)
        self.auth_combo.setObjectName("profileAuthMode")
        self.auth_combo.addItem(self.tr("Platform password (Mode A)"), "password")
        self.auth_combo.addItem(self.tr("Teller Hub (Mode B)"), "hub")
        self.hub_edit = line("profileHubUrl", "https://teller-hub.bank.ua")
        self.email_edit = line("profileEmail", self.tr("name@bank.ua"))
        self.password_edit = line("profilePassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(self.tr("only to test the connection; never saved"))
        self.ca_edit = line("profileCaBundle", self.tr("system certificates"))
        self.ca_browse = QPushButton(self.tr("B&rowse…"), self)
        self.ca_browse.setObjectName("profileCaBrowse")
        self.ca_browse.setAutoDefault(False)  # else, with no default, Enter opened the browser
        name(self.ca_browse, self.tr("Choose a CA bundle file"))
        self.ca_browse.clicked.connect(self._browse_ca)
        self.pins_edit = line("profilePins", "sha256/BASE64…, sha256/BASE64…")
        self.proxy_edit = line("profileProxy", "http://proxy.bank.ua:3128")
        self.proxy_edit.setToolTip(self.tr(
            "A proxy password typed here (http://user:password@host:port) is kept in the OS "
            "keyring, never in the profile, and is not shown again."))
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("profileLanguage")
        self.language_combo.addItem("Українська", "uk")
        self.language_combo.addItem("English", "en")

        ca_row = QHBoxLayout()
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(self.ca_edit, 1)
        ca_row.addWidget(self.ca_browse)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        add_row(form, self.tr("&Name:"), self.name_edit)
        add_row(form, self.tr("Platform &URL:"), self.url_edit)
        add_row(form, self.tr("&Counterparty GUID:"), self.counterparty_edit)
        add_row(form, self.tr("Sign-in &mode:"), self.auth_combo)
        add_row(form, self.tr("Teller &Hub URL:"), self.hub_edit)
        add_row(form, self.tr("&E-mail:"), self.email_edit)
        add_row(form, self.tr("Pass&word:"), self.password_edit)
        add_row(form, self.tr("CA &bundle:"), ca_row, self.ca_edit)
        add_row(form, self.tr("SP&KI pins:"), self.pins_edit)
        add_row(form, self.tr("Pr&oxy:"), self.proxy_edit)
        add_row(form, self.tr("&Language:"), self.language_combo)
        self.auth_combo.currentIndexChanged.connect(self._mode_changed)
        self._mode_changed()

    # -- public ---------------------------------------------------------------------------
    def load(self, profile: Profile | None) -> None:
        self._base = profile
        p = profile
        self.name_edit.setText(p.name if p else "")
        self.url_edit.setText(p.base_url if p else "")
        self.counterparty_edit.setText(p.counterparty_guid if p else "")
        mode = "hub" if p is not None and p.uses_hub_login else "password"
        self.auth_combo.setCurrentIndex(AUTH_MODES.index(mode))
        self.hub_edit.setText((p.hub_url or "") if p else "")
        self.email_edit.setText(p.email if p else "")
        self.password_edit.clear()
        self.ca_edit.setText((p.ca_bundle or "") if p else "")
        self.pins_edit.setText(", ".join(p.spki_pins) if p else "")
        self.proxy_edit.setText((p.proxy or "") if p else "")
        lang = p.language if p and p.language in LANGUAGES else ui_language()
        self.language_combo.setCurrentIndex(LANGUAGES.index(lang))
        self._mode_changed()

    def profile(self) -> Profile:
        """The profile as typed. Raises ``ValueError`` with a message for the user."""
        pins = [p.strip() for p in self.pins_edit.text().replace(";", ",").split(",")
                if p.strip()]
        mode = str(self.auth_combo.currentData())
        hub = self.hub_edit.text().strip() or None
        if mode == "hub" and not hub:
            raise ValueError(self.tr("Sign-in through the Teller Hub needs the hub's URL."))
        fields = {
            "name": self.name_edit.text().strip(),
            "base_url": self.url_edit.text().strip(),
            "counterparty_guid": self.counterparty_edit.text().strip(),
            "auth_mode": mode,
            "hub_url": hub,
            "email": self.email_edit.text().strip(),
            "ca_bundle": self.ca_edit.text().strip() or None,
            "spki_pins": pins,
            "proxy": self.proxy_edit.text().strip() or None,
            "language": str(self.language_combo.currentData()),
            "is_sandbox": False,
        }
        if not fields["name"]:
            raise ValueError(self.tr("Give the profile a name."))
        if not fields["counterparty_guid"]:
            raise ValueError(self.tr("Enter the counterparty GUID."))
        self._check(self.name_edit.text().strip(), hub, pins)
        base = self._base.model_dump() if self._base is not None else {}
        try:
            profile = Profile.model_validate({**base, **fields})
        except ValidationError as exc:  # what _check does not word itself
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first.get("loc", ())) or "?"
            raise ValueError(self.tr("{field}: {problem}").format(
                field=self._labels().get(where, where), problem=self._problem(first)
            )) from None
        # the proxy URL is shown without its password: an unchanged one keeps the saved password
        profile.keep_proxy_password(self._base)
        return profile

    def _check(self, profile_name: str, hub: str | None, pins: list[str]) -> None:
        """The rules the profile enforces, said in the administrator's language and naming
        the field (the profile's own messages are English, for the log)."""
        from teller_app.platform import TransportSecurityError
        from teller_app.platform.transport import check_proxy, check_url, parse_pin

        labels = self._labels()
        if "/" in profile_name or profile_name != profile_name.strip():
            raise ValueError(self.tr("{field}: must not contain \u201c/\u201d or begin or end "
                                     "with a space.").format(field=labels["name"]))
        urls = [("base_url", self.url_edit.text().strip())]
        urls += [("hub_url", hub)] if hub else []
        for key, url in urls:
            try:
                check_url(url)
            except TransportSecurityError as exc:
                problem = (self.tr("must start with https:// (plain http:// is allowed only "
                                   "for this computer, 127.0.0.1).")
                           if exc.reason == "https_required"
                           else self.tr("must be an address like https://dcm.bank.ua."))
                raise ValueError(f"{labels[key]}: {problem}") from None
        proxy = self.proxy_edit.text().strip()
        try:
            if proxy:
                check_proxy(proxy)
        except TransportSecurityError:
            raise ValueError(self.tr("{field}: must be an address like "
                                     "http://proxy.bank.ua:3128.").format(
                                         field=labels["proxy"])) from None
        try:
            for pin in pins:
                parse_pin(pin)
        except TransportSecurityError:
            raise ValueError(self.tr("{field}: each pin is the SHA-256 of the server's key, "
                                     "in base64 or hex.").format(field=labels["spki_pins"])
                             ) from None

    def _problem(self, error: Mapping[str, Any]) -> str:
        """A pydantic error in the administrator's language (its own message is English)."""
        kind = str(error.get("type", ""))
        ctx = error.get("ctx") or {}
        if kind == "string_too_long":
            return self.tr("must be at most %n characters.", "", int(ctx.get("max_length", 0)))
        if kind == "string_too_short":
            least = int(ctx.get("min_length", 1))
            return (self.tr("must not be empty.") if least <= 1
                    else self.tr("must be at least %n characters.", "", least))
        if kind == "missing":
            return self.tr("is required.")
        if kind.startswith("url_"):
            return self.tr("must be an address like https://dcm.bank.ua.")
        return self.tr("has a value that is not accepted.")

    def _labels(self) -> dict[str, str]:
        """The form's field names as its labels show them (no mnemonic, no colon)."""
        def plain(text: str) -> str:
            return text.replace("&", "").rstrip(":")

        return {"name": plain(self.tr("&Name:")), "base_url": plain(self.tr("Platform &URL:")),
                "counterparty_guid": plain(self.tr("&Counterparty GUID:")),
                "hub_url": plain(self.tr("Teller &Hub URL:")), "email": plain(self.tr("&E-mail:")),
                "ca_bundle": plain(self.tr("CA &bundle:")),
                "spki_pins": plain(self.tr("SP&KI pins:")), "proxy": plain(self.tr("Pr&oxy:"))}

    def password(self) -> str:
        return self.password_edit.text()

    # -- internals ------------------------------------------------------------------------
    def _mode_changed(self) -> None:
        hub_mode = self.auth_combo.currentData() == "hub"
        self.password_edit.setAccessibleDescription(
            self.tr("The Teller Hub password") if hub_mode else self.tr("The platform password"))

    def _browse_ca(self) -> None:
        dialog = QFileDialog(self, self.tr("CA bundle (PEM)"))
        dialog.setNameFilter(self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"))
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.fileSelected.connect(self.ca_edit.setText)
        dialog.open()
