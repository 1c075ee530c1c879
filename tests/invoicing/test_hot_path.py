"""The issuing hot path writes in plain SQL and builds rows positionally: it must keep up with the models.

Also: the verification log's relaxed commit on SQLite leaves the connection durable again, and the
product's SQLite connections flush every commit (decision 0007)."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.invoicing.helpers import SELLER, invoice_request
from zhishui import config
from zhishui.core.models import AuditEvent
from zhishui.invoicing import services, store, verification
from zhishui.invoicing.models import (
    IdempotencyRecord,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    InvoiceState,
    VerificationLog,
)


@pytest.mark.parametrize(("model", "names"), [
    (Invoice, store.INVOICE_FIELDS), (InvoiceLine, store.LINE_FIELDS), (InvoiceState, store.STATE_FIELDS),
    (InvoiceEvent, store.EVENT_FIELDS), (IdempotencyRecord, store.IDEMPOTENCY_FIELDS),
])
def test_the_hot_path_writes_every_column(model, names):
    written = set(names)
    wanted = {f.name for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created)}
    assert written == wanted, "a model field is missing from (or unknown to) the plain-SQL insert in store.py"


def test_positional_construction_follows_the_field_order():
    # services._issue_in_tx builds Invoice(*values) in INVOICE_FIELDS order; audit.next_event builds AuditEvent
    # positionally in this order.
    assert [f.name for f in Invoice._meta.concrete_fields] == list(store.INVOICE_FIELDS)
    assert [f.name for f in AuditEvent._meta.concrete_fields] == [
        "id", "at", "actor", "role", "action", "object_type", "object_id", "outcome", "client_ip", "reason",
        "detail", "prev_hash", "hash"]


@pytest.mark.django_db
def test_rows_written_by_the_hot_path_equal_what_the_orm_reads_back():
    _status, receipt, _ = services.issue(seller_id=SELLER, data=invoice_request(), idempotency_key="hot-1")
    inv = Invoice.objects.get(number=receipt["number"])
    assert (inv.digest, inv.signature, inv.prev_hash) == (receipt["digest"], receipt["signature"],
                                                           receipt["prev_hash"])
    assert services.receipt(inv) == receipt
    state = InvoiceState.objects.get(invoice=inv)
    assert state.delivered_at == inv.issued_at and state.delivery_count == 1 and state.status == "normal"
    event = InvoiceEvent.objects.get(invoice_number=inv.number, kind="issued")
    assert event.detail["lines"] == 1 and event.amount == inv.amount
    record = IdempotencyRecord.objects.get(key="hot-1")
    assert record.response == receipt and record.status_code == 201
    audit = AuditEvent.objects.filter(action="invoice.issue", object_id=inv.number).get()
    assert audit.detail["digest"] == inv.digest


def test_sqlite_connections_flush_every_commit():
    assert "synchronous=FULL" in config.SQLITE_INIT and "journal_mode=WAL" in config.SQLITE_INIT


@pytest.mark.django_db(transaction=True)
def test_the_verification_log_relaxes_only_its_own_commit(client):
    _status, receipt, _ = services.issue(seller_id=SELLER, data=invoice_request())
    body = {"number": receipt["number"], "date": receipt["issued_at"][:10], "total": receipt["total"]}
    response = client.post("/api/v1/invoicing/verify", body, content_type="application/json")
    assert response.status_code == 200 and response.json()["ok"]
    log = VerificationLog.objects.get(invoice_number=receipt["number"])
    assert (log.method, log.outcome) == ("number", "valid") and log.checks["signature"] is True
    assert "127.0.0.1" not in log.client
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            assert not connection.connection.in_transaction  # the log's INSERT committed on its own
            cur.execute("PRAGMA synchronous")
            assert cur.fetchone()[0] == 2  # FULL again
        else:
            cur.execute("SHOW synchronous_commit")
            assert cur.fetchone()[0] == "on"  # SET LOCAL ended with the log's own transaction


@pytest.mark.django_db(transaction=True)
def test_the_log_insert_turns_synchronous_commit_off_for_its_own_transaction_only():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's synchronous_commit")
    row = (timezone.now(), "number", "client-key", "1" * 20, "valid", {"digest": True})
    with transaction.atomic(), connection.cursor() as cur:  # here inside a transaction, to look at it
        store.insert_async_commit(VerificationLog, verification.LOG_FIELDS, row)
        cur.execute("SHOW synchronous_commit")
        assert cur.fetchone()[0] == "off"
    with connection.cursor() as cur:
        cur.execute("SHOW synchronous_commit")
        assert cur.fetchone()[0] == "on"
    log = VerificationLog.objects.get(client="client-key")
    assert log.checks == {"digest": True} and log.invoice_number == "1" * 20
