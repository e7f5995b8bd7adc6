"""The Ukrainian translation is complete, keeps placeholders, and compiles to a working .qm.

Strings are re-extracted from the current code (pyside6-lupdate, same sources as
packaging/build_translations.py) into a temporary copy of the committed .ts, so a new
``self.tr("…")`` without a Ukrainian translation fails here. To fix a failure:

    .venv/bin/python packaging/build_translations.py --update
    # translate the new messages in resources/i18n/teller_uk.ts (and plural forms in teller_en.ts)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from tests.build_translations_tool import build_translations

ROOT = Path(__file__).resolve().parents[1]
bt = build_translations()

# %1..%9 (also %L1), %n / %Ln, and str.format fields like {name} or {0}
PLACEHOLDER = re.compile(r"%L?[1-9]|%L?n|\{[^{}\s]*\}")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
PLURAL_FORMS = {"uk": 3, "en": 2}


def _extract(lang: str, tmp_path: Path) -> ET.ElementTree:
    """lupdate the current code into a temporary copy of the committed .ts."""
    ts = tmp_path / f"teller_{lang}.ts"
    shutil.copyfile(bt.ts_path(lang), ts)
    args = [bt._tool("pyside6-lupdate"), *bt.source_files(), "-no-obsolete",
            "-target-language", lang, "-ts", str(ts)]
    if lang == "en":
        args.insert(-2, "-pluralonly")
    subprocess.run(args, cwd=bt.ROOT, check=True, capture_output=True, timeout=60)
    return ET.parse(ts)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, ET.ElementTree]]:
    out = {}
    for lang in bt.LANGUAGES:
        tmp = tmp_path_factory.mktemp(f"i18n-{lang}")
        out[lang] = (tmp / f"teller_{lang}.ts", _extract(lang, tmp))
    return out


def _messages(tree: ET.ElementTree):  # type: ignore[no-untyped-def]
    for context in tree.getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            yield name, message


def _translations(message: ET.Element) -> list[str]:
    tr = message.find("translation")
    if tr is None:
        return []
    if message.get("numerus") == "yes":
        return [form.text or "" for form in tr.iter("numerusform")]
    return [tr.text or ""]


def test_every_ukrainian_message_is_translated(extracted) -> None:  # type: ignore[no-untyped-def]
    _ts, tree = extracted["uk"]
    missing = []
    count = 0
    for context, message in _messages(tree):
        count += 1
        tr = message.find("translation")
        texts = _translations(message)
        wanted = PLURAL_FORMS["uk"] if message.get("numerus") == "yes" else 1
        if (tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete")
                or len(texts) != wanted or not all(t.strip() for t in texts)):
            missing.append(f"  [{context}] {message.findtext('source')!r}")
    assert count > 0, "lupdate extracted nothing: check source_files()"
    assert not missing, (
        f"{len(missing)} message(s) without a Ukrainian translation in teller_uk.ts "
        "(run packaging/build_translations.py --update, then translate):\n" + "\n".join(missing))


def test_english_plural_forms_are_filled(extracted) -> None:  # type: ignore[no-untyped-def]
    _ts, tree = extracted["en"]
    missing = [
        f"  [{context}] {message.findtext('source')!r}"
        for context, message in _messages(tree)
        if message.get("numerus") == "yes"
        and (message.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
             or len(_translations(message)) != PLURAL_FORMS["en"]
             or not all(t.strip() for t in _translations(message)))
    ]
    assert not missing, "English plural forms missing in teller_en.ts:\n" + "\n".join(missing)


def test_placeholders_tags_and_accelerators_match_source(extracted) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for lang, (_ts, tree) in extracted.items():
        for context, message in _messages(tree):
            source = message.findtext("source") or ""
            for text in _translations(message):
                if not text:
                    continue  # reported by the completeness tests
                where = f"  [{lang}/{context}] {source!r} -> {text!r}"
                if Counter(PLACEHOLDER.findall(source)) != Counter(PLACEHOLDER.findall(text)):
                    problems.append(where + ": placeholders differ")
                if Counter(HTML_TAG.findall(source)) != Counter(HTML_TAG.findall(text)):
                    problems.append(where + ": HTML tags differ")
                if (source.replace("&&", "").count("&") > 0) != (
                        text.replace("&&", "").count("&") > 0):
                    problems.append(where + ": keyboard accelerator (&) added or lost")
    assert not problems, "Translations that do not match their source:\n" + "\n".join(problems)


def test_compiled_ukrainian_translates_known_strings(qapp, extracted, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication, QTranslator

    ts, _tree = extracted["uk"]
    qm = tmp_path / "teller_uk.qm"
    subprocess.run([bt._tool("pyside6-lrelease"), str(ts), "-qm", str(qm)],
                   check=True, capture_output=True, timeout=60)
    translator = QTranslator()
    assert translator.load(str(qm)), f"QTranslator could not load {qm}"
    QCoreApplication.installTranslator(translator)
    try:
        tr = QCoreApplication.translate
        assert tr("SignInDialog", "Sign in") == "Увійти"
        assert tr("MainWindow", "Sign &out") == "&Вийти"
        assert tr("CustomerCard", "Accounts") == "Рахунки"
        assert tr("SessionInfo", "Head office") == "Головний офіс"
        assert tr("Supervision", "Audit trail") == "Журнал аудиту"
        assert tr("CustomerCard", "Status: <b>{status}</b>") == "Статус: <b>{status}</b>"
        from teller_app.ui.plural import CashText

        assert CashText.tr("%n day(s)", "", 5) == "5 днів"  # type: ignore[arg-type]
        # Ukrainian plural forms: one / few / many
        assert tr("SearchPanel", "%n customer(s)", "", 1) == "1 клієнт"
        assert tr("SearchPanel", "%n customer(s)", "", 3) == "3 клієнти"
        assert tr("SearchPanel", "%n customer(s)", "", 5) == "5 клієнтів"
        assert tr("SearchPanel", "%n customer(s)", "", 21) == "21 клієнт"
        # a string that is not in the catalogue stays as it is
        assert tr("MainWindow", "no such string, surely") == "no such string, surely"
    finally:
        QCoreApplication.removeTranslator(translator)


def _runtime_contexts() -> set[str]:
    """PySide's self.tr() uses the Python class name as the context; module-level code
    passes a literal one (QCoreApplication.translate("Ctx", …), QT_TRANSLATE_NOOP("Ctx", …))."""
    names = set()
    for path in bt.source_files():
        text = (bt.ROOT / path).read_text(encoding="utf-8")
        names.update(re.findall(r"^\s*class\s+(\w+)", text, re.MULTILINE))
        names.update(re.findall(
            r"\b(?:QCoreApplication\.translate|QT_TRANSLATE_NOOP3?)\(\s*[\"'](\w+)[\"']", text))
    return names


def test_every_context_is_a_class_that_calls_tr(extracted) -> None:  # type: ignore[no-untyped-def]
    _ts, tree = extracted["uk"]
    classes = _runtime_contexts()
    stray = sorted({f"  [{context}] {message.findtext('source')!r}"
                    for context, message in _messages(tree) if context not in classes})
    assert not stray, ("Messages whose context is no class in teller_app, so self.tr() "
                       "at run time never finds them:\n" + "\n".join(stray))


def test_extraction_keeps_every_committed_message(extracted) -> None:  # type: ignore[no-untyped-def]
    """Re-extracting (what ``build_translations.py --update`` does) neither drops a message
    of the committed .ts nor turns a plural one plain: pyside6-lupdate reads
    ``QCoreApplication.translate(context, text, "", n)`` as plain (or skips it), which once
    dropped six Ukrainian plurals; plurals are written ``Context.tr(text, "", n)``
    (ui/plural.py)."""

    def keys(tree: ET.ElementTree) -> set[tuple[str, str, bool]]:
        return {(context, message.findtext("source") or "", message.get("numerus") == "yes")
                for context, message in _messages(tree)}

    for lang, (_ts, tree) in extracted.items():
        committed = keys(ET.parse(bt.ts_path(lang)))
        lost = sorted(committed - keys(tree))
        assert not lost, (f"teller_{lang}.ts messages the code no longer yields (run "
                          f"packaging/build_translations.py --update): {lost}")
