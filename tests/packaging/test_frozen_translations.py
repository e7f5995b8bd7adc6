"""``teller --frozen-check`` fails a bundle without the Ukrainian translation: such a desk
shows English to every teller, which used to pass as "resources/i18n: none"; nor without
Qt's missing Ukrainian strings (``qt_extra_uk``)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _frozen_checks():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "frozen_checks", ROOT / "packaging" / "frozen_checks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_bundle_without_the_ukrainian_translation_fails(tmp_path: Path) -> None:
    checks = _frozen_checks()
    with pytest.raises(RuntimeError, match=r"teller_uk\.qm"):
        checks.bundled_translations(tmp_path)  # no resources/ at all
    (tmp_path / "resources" / "i18n").mkdir(parents=True)
    shutil.copyfile(ROOT / "resources" / "i18n" / "teller_en.qm",
                    tmp_path / "resources" / "i18n" / "teller_en.qm")
    with pytest.raises(RuntimeError, match=r"teller_uk\.qm"):
        checks.bundled_translations(tmp_path)  # English only


def test_a_bundle_with_it_passes(tmp_path: Path) -> None:
    i18n = tmp_path / "resources" / "i18n"
    i18n.mkdir(parents=True)
    for name in ("teller_en.qm", "teller_uk.qm"):
        shutil.copyfile(ROOT / "resources" / "i18n" / name, i18n / name)
    with pytest.raises(RuntimeError, match=r"qt_extra_uk\.qm"):
        _frozen_checks().bundled_translations(tmp_path)  # Qt's file dialog half English
    shutil.copyfile(ROOT / "resources" / "i18n" / "qt_extra_uk.qm", i18n / "qt_extra_uk.qm")
    assert _frozen_checks().bundled_translations(tmp_path) == [
        "qt_extra_uk.qm", "teller_en.qm", "teller_uk.qm"]
