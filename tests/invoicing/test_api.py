"""The JSON API: issue with idempotency keys, access, downloads, flows, batch Excel, staff credit lines."""

from __future__ import annotations

import io
import json

import pytest
from django.db import connection
from openpyxl import load_workbook

from tests.conftest import make_user
from tests.invoicing.helpers import BUYER, OTHER, SELLER, SOFTWARE, invoice_request
from zhishui.core.api_auth import issue_token
from zhishui.core.models import AuditEvent
from zhishui.invoicing import idempotency
from zhishui.invoicing.models import IdempotencyRecord, Invoice

pytestmark = pytest.mark.django_db


def bearer(username, *roles, taxpayer_id=""):
    user = make_user(username, *roles, taxpayer_id=taxpayer_id)
    return {"HTTP_AUTHORIZATION": f"Bearer {issue_token(user, 't')[1]}"}


@pytest.fixture
def seller():
    return bearer("s1", "taxpayer", taxpayer_id=SELLER)


@pytest.fixture
def buyer():
    return bearer("b1", "taxpayer", taxpayer_id=BUYER)


def post(client, url, body, headers, **extra):
    return client.post(url, json.dumps(body), content_type="application/json", **headers, **extra)


def test_issue_returns_the_signed_receipt(client, seller):
    response = post(client, "/api/v1/invoicing/invoices", invoice_request(), seller)
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["number"]) == 20 and body["total"] == "1060.00" and len(body["digest"]) == 64
    assert body["signature"] and body["key_id"].startswith("SM2-") and body["qr"].startswith("01,81,,")
    keys = client.get("/api/v1/invoicing/keys").json()["keys"]
    assert keys[0]["key_id"] == body["key_id"]


def test_idempotency_key_replays_refuses_and_detects_in_flight(client, seller):
    headers = dict(seller, HTTP_IDEMPOTENCY_KEY="order-42")
    first = post(client, "/api/v1/invoicing/invoices", invoice_request(), headers)
    again = post(client, "/api/v1/invoicing/invoices", invoice_request(), headers)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true" and Invoice.objects.count() == 1
    other = post(client, "/api/v1/invoicing/invoices", invoice_request(remark="x"), headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    scope, key = f"issue:{SELLER}", "order-43"
    if connection.vendor == "postgresql":
        import psycopg

        lock_id = int.from_bytes(bytes.fromhex(idempotency._token(scope, key)[:16]), "big", signed=True)
        settings = connection.settings_dict
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                             dbname=settings["NAME"], autocommit=True) as other_conn:
            other_conn.execute("SELECT pg_advisory_lock(%s)", [lock_id])
            busy = post(client, "/api/v1/invoicing/invoices", invoice_request(),
                        dict(seller, HTTP_IDEMPOTENCY_KEY=key))
    else:
        with idempotency.guard(scope, key):
            busy = post(client, "/api/v1/invoicing/invoices", invoice_request(), dict(seller, HTTP_IDEMPOTENCY_KEY=key))
    assert busy.status_code == 409 and busy.json()["code"] == "idempotency_in_flight"
    assert not IdempotencyRecord.objects.filter(key=key).exists()
    assert post(client, "/api/v1/invoicing/invoices", invoice_request(), dict(seller, HTTP_IDEMPOTENCY_KEY=key)
                ).status_code == 201


def test_bad_input_is_422_and_writes_nothing(client, seller):
    bad = invoice_request(lines=[{"goods_code": SOFTWARE, "amount": 10.5, "tax_rate": "0.06"}])
    response = post(client, "/api/v1/invoicing/invoices", bad, seller)
    assert response.status_code == 422 and response.json()["errors"][0]["message_zh"]
    bad = invoice_request(buyer=BUYER[:-1] + ("0" if BUYER[-1] != "0" else "1"))
    response = post(client, "/api/v1/invoicing/invoices", bad, seller)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "buyer_id"
    assert not Invoice.objects.exists()


def test_who_may_do_what(client, seller, buyer):
    assert post(client, "/api/v1/invoicing/invoices", invoice_request(), {}).status_code == 401
    person = bearer("p1", "person")
    assert post(client, "/api/v1/invoicing/invoices", invoice_request(), person).status_code == 403
    number = post(client, "/api/v1/invoicing/invoices", invoice_request(), seller).json()["number"]
    assert client.get(f"/api/v1/invoicing/invoices/{number}", **buyer).status_code == 200
    stranger = bearer("x1", "taxpayer", taxpayer_id=OTHER)
    assert client.get(f"/api/v1/invoicing/invoices/{number}", **stranger).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=SELLER).exists()
    assert post(client, f"/api/v1/invoicing/invoices/{number}/usage", {"purpose": "deduct"}, stranger
                ).status_code == 404
    response = post(client, f"/api/v1/invoicing/invoices/{number}/usage", {"purpose": "deduct"}, seller)
    assert response.status_code == 422 and response.json()["code"] == "not_buyer"
    received = client.get("/api/v1/invoicing/invoices?role=received", **buyer).json()
    assert [r["number"] for r in received["invoices"]] == [number]
    assert client.get("/api/v1/invoicing/invoices?role=received", **stranger).json()["invoices"] == []


def test_confirm_red_letter_and_downloads_through_the_api(client, seller, buyer):
    number = post(client, "/api/v1/invoicing/invoices", invoice_request(), seller).json()["number"]
    assert post(client, f"/api/v1/invoicing/invoices/{number}/usage", {"purpose": "deduct"}, buyer).status_code == 200
    direct = post(client, f"/api/v1/invoicing/invoices/{number}/reverse", {"reason": "error"}, seller)
    assert direct.status_code == 422 and direct.json()["code"] == "red_requires_form"
    form = post(client, "/api/v1/invoicing/red-letter-forms", {"number": number, "reason": "return", "full": False,
                                                               "lines": [{"line_no": 1, "amount": "200.00"}]}, seller)
    assert form.status_code == 201 and form.json()["status"] == "pending"
    done = post(client, f"/api/v1/invoicing/red-letter-forms/{form.json()['form_no']}/confirm", {}, buyer)
    assert done.status_code == 200 and done.json()["status"] == "issued"
    detail = client.get(f"/api/v1/invoicing/invoices/{number}", **buyer).json()
    assert detail["status"] == "partly_red" and len(detail["red_invoices"]) == 1
    pdf = client.get(f"/api/v1/invoicing/invoices/{number}/pdf", **buyer)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xml = client.get(f"/api/v1/invoicing/invoices/{number}/xml", **buyer)
    assert b"<EInvoice>" in xml.content
    link = post(client, f"/api/v1/invoicing/invoices/{number}/links", {"days": 7}, seller)
    assert link.status_code == 201
    assert client.get(link.json()["url"].split("testserver")[1]).status_code == 200
    assert client.get(f"/api/v1/invoicing/invoices/{number}", **buyer).json()["number"] == number


def test_batch_from_the_excel_template(client, seller):
    template = load_workbook(io.BytesIO(client.get("/api/v1/invoicing/template.xlsx").content))
    template["发票基本信息"].append(["2", "普票", "个人", "", "", ""])
    template["发票明细"].append(["2", "3070401000000000000", "餐费", "", "", "", "", "88.00", "0.06"])
    out = io.BytesIO()
    template.save(out)
    response = client.post("/api/v1/invoicing/invoices/batch/excel",
                           {"file": _named(out.getvalue(), "batch.xlsx")}, **seller)
    assert response.status_code == 201, response.content
    assert response.json()["count"] == 2
    template["发票明细"].append(["2", "3070401000000000000", "餐费", "", "", "", "", "1.00", "0.13"])
    out = io.BytesIO()
    template.save(out)
    response = client.post("/api/v1/invoicing/invoices/batch/excel",
                           {"file": _named(out.getvalue(), "batch.xlsx")}, **seller)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "发票明细!I4 (tax_rate)"
    assert Invoice.objects.count() == 2
    response = client.post("/api/v1/invoicing/invoices/batch/excel", {"file": _named(b"<x/>", "batch.xlsx")}, **seller)
    assert response.status_code == 422


def _named(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


def test_staff_adjust_credit_lines(client, seller):
    post(client, "/api/v1/invoicing/invoices", invoice_request(), seller)
    staff = bearer("c1", "collection")
    body = {"kind": "temporary", "amount": "500000", "reason": "季末集中开票", "valid_until": "2099-12-31"}
    response = post(client, f"/api/v1/invoicing/credit-lines/{SELLER}/adjust", body, staff)
    assert response.status_code == 200 and response.json()["limit"] == "3500000.00"
    assert post(client, f"/api/v1/invoicing/credit-lines/{SELLER}/adjust", body, seller).status_code == 403
    assert post(client, f"/api/v1/invoicing/credit-lines/{SELLER}/adjust", dict(body, reason=""), staff
                ).status_code == 422
    mine = client.get("/api/v1/invoicing/credit-line", **seller).json()
    assert mine["used"] == "1000.00" and [h["kind"] for h in mine["history"]] == ["temporary", "initial"]


def test_events_and_monitor_for_staff(client, seller):
    post(client, "/api/v1/invoicing/invoices", invoice_request(), seller)
    risk = bearer("r1", "risk")
    events = client.get("/api/v1/invoicing/events?after=0", **risk).json()["events"]
    assert [e["kind"] for e in events][-1] == "issued" and events[-1]["detail"]["checks"]
    assert client.get("/api/v1/invoicing/events", **seller).status_code == 403
    activity = client.get("/api/v1/invoicing/monitor", **risk).json()
    assert activity["count"] == 1 and activity["streets"][0]["region"] == "610303001"
