"""A real receipt, rendered to PDF and PNG: a throwaway sandbox, a new customer, a cash deposit
confirmed by the demo teller, the receipt in the chosen language, then ``pdftoppm``.

    .venv/bin/python packaging/demo/receipt_png.py --lang uk --out /tmp/receipt-uk.png
    .venv/bin/python packaging/demo/receipt_png.py --lang en --out /tmp/receipt-en.png

Needs ``pdftoppm`` (Debian ``poppler-utils``). Runs offscreen; prints the PDF and PNG paths.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


async def _confirmed_payment(proc, amount: str):  # type: ignore[no-untyped-def]
    from teller_app.core.cash import CashKind, CashService
    from teller_app.platform import NewCustomer, PasswordLogin, PlatformClient

    manifest = proc.manifest
    teller = next(e for e in manifest["employees"] if e["email"] == "teller.kyiv@demo.bank")
    branch = manifest["branches"][0]
    client = PlatformClient(proc.base_url, proc.counterparty_guid,
                            auth=PasswordLogin(teller["email"], teller["password"]))
    try:
        await client.login()
        asset = manifest["asset"]
        created = await client.create_customer(NewCustomer(
            asset_code=asset["code"], asset_issuer=asset["issuer"],
            login=f"receipt-{uuid.uuid4().hex[:8]}", name="Тарас", surname="Шевченко",
            paternal_name="Григорович", phone_number="+380501234567",
            branch_guid=branch["guid"]))
        service = CashService(client, branch["guid"], branch["processing_account_guid"],
                              Decimal("10000.00"))
        draft = await service.create(CashKind.DEPOSIT, created.customer_guid, amount,
                                     "Поповнення рахунку")
        receipt = await service.confirm(draft.payment_guid)
        teller_name = f"{teller.get('surname', '')} {teller.get('name', '')}".strip()
        return receipt.payment, created.iban, branch["name"], teller_name
    finally:
        await client.aclose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lang", choices=("uk", "en"), default="uk")
    parser.add_argument("--out", default="")
    parser.add_argument("--amount", default="1234.56")
    args = parser.parse_args()
    out = Path(args.out or f"/tmp/receipt-{args.lang}.png")
    if shutil.which("pdftoppm") is None:
        print("pdftoppm is missing: apt-get install poppler-utils", file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from teller_app.core.embedded_sandbox import start_sandbox
    from teller_app.core.receipt import ReceiptContext, build_receipt
    from teller_app.ui.i18n import install_translators
    from teller_app.ui.receipt import write_pdf

    app = QApplication([])
    install_translators(app, args.lang)
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_sandbox(Path(tmp) / "sandbox")
        try:
            payment, iban, branch, teller = asyncio.run(_confirmed_payment(proc, args.amount))
        finally:
            proc.stop()
    bank = "Демо-банк" if args.lang == "uk" else "Demo Bank"
    desk = ReceiptContext(bank, branch, teller, "Шевченко Тарас Григорович", iban)
    pdf = write_pdf(build_receipt(payment, desk, args.lang), out.with_suffix(".pdf"))
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(pdf),
                    str(out.with_suffix(""))], check=True)
    print(pdf)
    print(out)
    app.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
