"""A customer's segment is worded where it is shown: the known ones ("retail", and "vip", which
a bank may use though the sandbox does not) in the desk's language, any other as the platform
sent it. The form's picker, the card, the results table and the filter bar all say the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator
from PySide6.QtWidgets import QComboBox

from teller_app.core.views import CustomerView
from teller_app.ui.async_op import OpRunner
from teller_app.ui.customer_card_text import detail_texts
from teller_app.ui.customer_form import CustomerForm
from teller_app.ui.customer_form_choices import FormChoices
from teller_app.ui.customer_table_model import COLUMNS, display_texts
from teller_app.ui.data_text import segment_text
from teller_app.ui.field_values import field_value_text
from teller_app.ui.filter_bar import FilterBar

SEGMENT_COLUMN = [attribute for attribute, _header in COLUMNS].index("segment")


class MarkedDataValues(QTranslator):
    """A stand-in catalogue: every DataValues message comes back marked, so a worded value
    is told apart from one shown as it came (whatever the shipped .qm holds yet)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        return f"«{source}»" if context == "DataValues" else None

    def isEmpty(self) -> bool:
        return False


@pytest.fixture()
def marked(qapp: Any) -> Iterator[None]:
    translator = MarkedDataValues()
    QCoreApplication.installTranslator(translator)
    yield
    QCoreApplication.removeTranslator(translator)


def _items(combo: QComboBox) -> dict[object, str]:
    return {combo.itemData(i): combo.itemText(i) for i in range(combo.count())}


def test_english_words_vip_as_vip_and_leaves_unknown_segments_alone(qapp: Any) -> None:
    assert segment_text("vip") == "VIP"
    assert segment_text("retail") == "retail"
    assert segment_text("gold") == "gold"
    assert segment_text("VIP") == "VIP"  # not a known value: as it came
    assert segment_text("") == ""


def test_every_place_words_known_segments_and_shows_others_as_sent(
        qtbot: Any, marked: None) -> None:
    assert (segment_text("vip"), segment_text("retail")) == ("«VIP»", "«retail»")
    assert segment_text("gold") == "gold"

    form = CustomerForm(None, OpRunner(), FormChoices(  # type: ignore[arg-type]
        assets=(), segments=("retail", "vip", "gold")))
    qtbot.addWidget(form)
    picker = _items(form.segment)
    assert (picker["retail"], picker["vip"], picker["gold"]) == ("«retail»", "«VIP»", "gold")

    vip = CustomerView(wallet_user_guid="c-1", surname="Коваль", segment="vip")
    other = CustomerView(wallet_user_guid="c-2", surname="Мельник", segment="gold")
    assert detail_texts(vip)["segment"] == "«VIP»"
    assert detail_texts(other)["segment"] == "gold"
    assert display_texts(vip)[SEGMENT_COLUMN] == "«VIP»"
    assert display_texts(other)[SEGMENT_COLUMN] == "gold"
    assert field_value_text("segment", "vip") == "«VIP»"

    # a customer whose segment the pickers do not offer: their own, worded
    edit = CustomerForm(None, OpRunner(), FormChoices(  # type: ignore[arg-type]
        assets=(), segments=("retail",)), customer=vip)
    qtbot.addWidget(edit)
    assert edit.segment.currentData() == "vip"
    assert edit.segment.currentText() == "«VIP»"

    bar = FilterBar()
    qtbot.addWidget(bar)
    bar.set_choices(["active"], ["gold", "retail", "vip"], [0, 1])
    offered = _items(bar.segment)
    assert (offered["retail"], offered["vip"], offered["gold"]) == ("«retail»", "«VIP»", "gold")
