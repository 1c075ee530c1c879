"""Concurrent issuers on one number series get exactly 1…N: no gap, no duplicate, an intact ledger.

PostgreSQL: 16 threads, each with its own database connection, issue 200 invoices each (3,200). SQLite,
where the IMMEDIATE transactions serialise writers, runs a smaller version with 4 threads × 25.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.conftest import on_postgres
from tests.invoicing.helpers import SELLER, invoice_request
from zhishui.invoicing import services
from zhishui.invoicing.ledger import verify_ledger
from zhishui.invoicing.models import Invoice, InvoiceSeries

WORKERS, EACH = (16, 200) if on_postgres() else (4, 25)


@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_on_one_series():
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("the in-memory SQLite test database cannot be shared by threads safely")
    services.issue(seller_id=SELLER, data=invoice_request())  # the series, the key and the line exist
    from zhishui.invoicing import credit

    credit.adjust(SELLER, kind="permanent", amount="100000000", reason="concurrency test")
    errors: list[BaseException] = []
    numbers: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WORKERS)

    def worker(w: int) -> None:
        try:
            barrier.wait()
            mine = []
            for i in range(EACH):
                _s, receipt, _r = services.issue(seller_id=SELLER, data=invoice_request(),
                                                 idempotency_key=f"w{w}-{i}")
                mine.append(receipt["number"])
            with lock:
                numbers.extend(mine)
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    total = WORKERS * EACH + 1
    assert len(numbers) == len(set(numbers)) == WORKERS * EACH
    assert sorted(Invoice.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert InvoiceSeries.objects.get().last_seq == total
    report = verify_ledger(check_signatures=False)
    assert report.ok and report.checked == total, report.problem
