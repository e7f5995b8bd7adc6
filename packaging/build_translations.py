"""Extract and compile Teller's translations.

    python packaging/build_translations.py            # compile resources/i18n/*.ts -> *.qm
    python packaging/build_translations.py --update   # first re-extract strings from the code

English is the source language; Ukrainian lives in resources/i18n/teller_uk.ts.
resources/i18n/qt_extra_<lang>.ts holds Qt's own strings its shipped ``qtbase_<lang>`` lacks
(the file dialog's "&Look in:"); it is written by hand, so ``--update`` never re-extracts it
(lupdate would empty it: no Teller source has those strings), it is only compiled.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "resources" / "i18n"
LANGUAGES = ("uk", "en")


def _tool(name: str) -> str:
    exe = Path(sys.executable).with_name(name)
    found = str(exe) if exe.exists() else shutil.which(name)
    if not found:
        raise SystemExit(f"{name} not found (it comes with PySide6)")
    return found


def source_files() -> list[str]:
    pkg = ROOT / "teller_app"
    return sorted(
        str(p.relative_to(ROOT))
        for p in pkg.rglob("*.py")
        if "sandbox" not in p.relative_to(pkg).parts
    )


def ts_path(lang: str) -> Path:
    return I18N / f"teller_{lang}.ts"


def qt_extra_paths() -> list[Path]:
    """The hand-written additions to Qt's own translations (compiled, never updated)."""
    return sorted(I18N.glob("qt_extra_*.ts"))


def update(ts_files: list[Path], extra: list[str] | None = None) -> None:
    I18N.mkdir(parents=True, exist_ok=True)
    for ts in ts_files:
        lang = ts.stem.rsplit("_", 1)[-1]
        args = [_tool("pyside6-lupdate"), *source_files(), "-no-obsolete",
                "-target-language", lang, "-ts", str(ts)]
        if lang == "en":
            args.insert(-2, "-pluralonly")
        subprocess.run([*args, *(extra or [])], cwd=ROOT, check=True, capture_output=True)


def compile_ts(ts: Path, qm: Path) -> Path:
    subprocess.run([_tool("pyside6-lrelease"), str(ts), "-qm", str(qm)],
                   cwd=ROOT, check=True, capture_output=True)
    return qm


def release() -> list[Path]:
    sources = [ts for ts in (ts_path(lang) for lang in LANGUAGES) if ts.exists()]
    return [compile_ts(ts, ts.with_suffix(".qm")) for ts in [*sources, *qt_extra_paths()]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--update", action="store_true", help="re-extract strings first")
    args = parser.parse_args()
    if args.update:
        update([ts_path(lang) for lang in LANGUAGES])
    for qm in release():
        print(qm.relative_to(ROOT))


if __name__ == "__main__":
    main()
