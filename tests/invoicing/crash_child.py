"""Child process of the crash tests: issue invoices in a loop, acknowledging each one after its commit.

    python tests/invoicing/crash_child.py ACK_FILE FIRST COUNT [PREFIX] [SELLER_INDEX]

Issues invoices with idempotency keys ``PREFIX-i`` for i = FIRST … FIRST+COUNT-1 and, after each call
returns (the transaction committed), appends ``i number`` to ACK_FILE and fsyncs it — the client's
view of what was acknowledged. The database comes from the environment (ZHISHUI_DATABASE_URL or
ZHISHUI_VAR_DIR); ZHISHUI_FAULT_POINT makes the service kill this process at a named point.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhishui.settings")


def main() -> None:
    import django

    django.setup()
    from tests.invoicing.helpers import PARTIES, SELLER, invoice_request
    from zhishui.invoicing import parties, services

    ack_path, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    prefix = sys.argv[4] if len(sys.argv) > 4 else "k"
    sellers = [SELLER]
    with parties.use_provider(PARTIES.get), open(ack_path, "a", encoding="utf-8") as ack:
        for i in range(first, first + count):
            data = invoice_request(remark=f"crash test {prefix}-{i}")
            _status, receipt, _replayed = services.issue(seller_id=sellers[0], data=data,
                                                         idempotency_key=f"{prefix}-{i}")
            ack.write(f"{i} {receipt['number']}\n")
            ack.flush()
            os.fsync(ack.fileno())


if __name__ == "__main__":
    main()
