"""Filing, checks, payment, correction and the bad inputs, over the API and the pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import login, make_user
from tests.filing import factory
from zhishui.core.models import AuditEvent
from zhishui.filing import services
from zhishui.filing.models import CellChange, Payable, Payment, Return

pytestmark = pytest.mark.django_db

ON = date(2026, 10, 8)


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: ON)
    return ON


@pytest.fixture
def seller():
    me, other = factory.taxpayer(1), factory.outsider(1)
    factory.invoice(me, other, datetime(2026, 9, 3), [("1", "100000.00", "0.13")])
    factory.invoice(other, me, datetime(2026, 9, 1), [("1", "20000.00", "0.13")], confirmed=date(2026, 9, 30))
    return me


def _post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_api_prefill_change_file_pay_correct_keeps_history(client, today, seller):
    user = make_user("tp", "taxpayer", taxpayer_id=seller.tax_id)
    login(client, user)
    r = _post(client, "/api/v1/filing/returns", {"period": "2026-09"})
    assert r.status_code == 200, r.content
    ret = r.json()
    assert ret["form"] == "vat_general" and ret["status"] == "proposed" and ret["prefill_version"] == 1
    rid = ret["id"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/cells", {"cell": "sales_6", "value": "1000.00",
                                                             "reason": "未开票的咨询收入"})
    assert r.status_code == 200 and next(c for c in r.json()["cells"] if c["key"] == "sales_6")["changed"]
    t = client.get(f"/api/v1/filing/returns/{rid}/trace/line_11").json()
    assert t["calc"] and t["params"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/file")
    assert r.status_code == 200, r.content
    filed = r.json()
    assert filed["status"] == "filed" and filed["deviations"][0]["cell"] == "sales_6"
    cells = {c["key"]: Decimal(c["value"]) for c in filed["cells"]}
    assert cells["line_24"] == Decimal("13000.00") + Decimal("60.00") - Decimal("2600.00")
    assert Decimal(filed["payable"]) == cells["line_24"] + cells["line_39"] + cells["line_40"] + cells["line_41"]
    assert sum(Decimal(p["amount"]) for p in filed["payables"]) == Decimal(filed["payable"])
    r = _post(client, f"/api/v1/filing/returns/{rid}/pay")
    assert r.status_code == 200 and r.json()["channel"] == "demo-bank" and r.json()["reference"].startswith("DEMO")
    assert not Payable.objects.filter(ret_id=rid, status="open").exists()
    # Filing again is refused; a correction keeps the filed return as it was.
    r = _post(client, f"/api/v1/filing/returns/{rid}/file")
    assert r.status_code == 422 and "更正申报" in r.json()["message_zh"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/correct", {"reason": "漏报收入"})
    assert r.status_code == 200
    corr = r.json()
    assert corr["revision"] == 1 and corr["corrects"] == rid and corr["status"] == "proposed"
    _post(client, f"/api/v1/filing/returns/{corr['id']}/cells", {"cell": "sales_6", "value": "2000.00"})
    r = _post(client, f"/api/v1/filing/returns/{corr['id']}/file")
    assert r.status_code == 200, r.content
    original = Return.objects.get(pk=rid)
    assert original.status == "superseded" and original.values["sales_6"] == "1000.00"
    assert Return.objects.get(pk=corr["id"]).values["sales_6"] == "2000.00"
    extra = Payable.objects.filter(ret_id=corr["id"])
    assert {p.item for p in extra} == {"vat", "urban_maintenance_tax", "education_surcharge",
                                       "local_education_surcharge"}
    assert extra.get(item="vat").amount == Decimal("60.00")  # 1,000 more at 6 %
    assert CellChange.objects.filter(ret_id=corr["id"], cell="sales_6").count() == 2
    assert AuditEvent.objects.filter(action="filing.correct").exists()
    history = client.get("/api/v1/filing/returns?period=2026-09").json()
    assert [(h["revision"], h["status"]) for h in history] == [(1, "filed"), (0, "superseded")]


def test_bad_inputs_get_clear_messages_and_nothing_is_filed(client, today, seller):
    user = make_user("tp", "taxpayer", taxpayer_id=seller.tax_id)
    login(client, user)
    r = _post(client, "/api/v1/filing/returns", {"period": "2026-10"})
    assert r.status_code == 422 and "尚未结束" in r.json()["errors"][0]["message_zh"]
    r = _post(client, "/api/v1/filing/returns", {"period": "2023-12"})
    assert r.status_code == 422 and "早于税务登记日期" in r.json()["errors"][0]["message_zh"]
    other = factory.taxpayer(2)
    r = _post(client, "/api/v1/filing/returns", {"period": "2026-09", "taxpayer_id": other.tax_id})
    assert r.status_code == 422 and r.json()["code"] == "forbidden" and "其他纳税人" in r.json()["message_zh"]
    rid = _post(client, "/api/v1/filing/returns", {"period": "2026-09"}).json()["id"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/cells", {"cell": "line_12", "value": "-5.00"})
    assert r.status_code == 422 and "第12栏" in r.json()["errors"][0]["message_zh"] and \
        "negative" in r.json()["errors"][0]["message_en"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/cells", {"cell": "line_24", "value": "1.00"})
    assert r.status_code == 422 and "计算得出" in r.json()["errors"][0]["message_zh"]
    r = _post(client, f"/api/v1/filing/returns/{rid}/file", {"cells": {"line_24": "1.00", "line_11": "13000.00"}})
    assert r.status_code == 422 and r.json()["code"] == "check_failed"
    assert [e["field"] for e in r.json()["errors"]] == ["line_24"]
    assert "不符" in r.json()["errors"][0]["message_zh"]
    # Cross-form checks: sales below the invoices, input tax above what was confirmed.
    r = _post(client, f"/api/v1/filing/returns/{rid}/file", {"cells": {"sales_13_goods": "90000.00",
                                                                      "line_12": "9999.00"}})
    assert r.status_code == 422
    fields = {e["field"]: e for e in r.json()["errors"]}
    assert set(fields) == {"sales_13_goods", "line_12"}
    assert "开具发票销售额" in fields["sales_13_goods"]["message_zh"] and fields["line_12"]["message_en"]
    assert Return.objects.get(pk=rid).status == "proposed" and not Payable.objects.exists()
    # Another taxpayer's return is not visible at all.
    foreign = services.prefill_return(other.tax_id, "vat_general", "2026-09", on=ON)
    assert client.get(f"/api/v1/filing/returns/{foreign.pk}").status_code == 404
    assert _post(client, f"/api/v1/filing/returns/{foreign.pk}/file").status_code == 404
    assert Return.objects.get(pk=foreign.pk).status == "proposed"


def test_staff_can_read_but_not_file(client, today, seller):
    ret = services.prefill_return(seller.tax_id, "vat_general", "2026-09", on=ON)
    login(client, make_user("coll", "collection"))
    assert client.get(f"/api/v1/filing/returns/{ret.pk}").status_code == 200
    assert _post(client, f"/api/v1/filing/returns/{ret.pk}/file").status_code == 403
    assert client.get(f"/filing/returns/{ret.pk}/").status_code == 200


def test_pages_proposal_trace_change_file_history_and_exports(client, today, seller, django_assert_max_num_queries):
    user = make_user("tp", "taxpayer", taxpayer_id=seller.tax_id)
    login(client, user)
    page = client.get("/filing/").content.decode()
    assert "我的申报" in page and "2026-09" in page
    r = client.post("/filing/prefill/", {"form": "vat_general", "period": "2026-09"})
    assert r.status_code == 302
    url = r["Location"]
    with django_assert_max_num_queries(25):
        page = client.get(url).content.decode()
    assert 'data-testid="cell-line_11"' in page and "13000.00" in page
    rid = int(url.rstrip("/").split("/")[-1])
    trace = client.get(f"/filing/returns/{rid}/trace/sales_13_goods/", HTTP_HX_REQUEST="true").content.decode()
    assert "/filing/invoices/imported/" in trace and "100000.00" in trace
    inv_url = trace.split('href="')[1].split('"')[0]
    assert client.get(inv_url).status_code == 200
    r = client.post(f"/filing/returns/{rid}/cell/", {"cell": "line_12", "value": "-1", "reason": ""})
    assert r.status_code == 422 and "不能为负数" in r.content.decode()
    r = client.post(f"/filing/returns/{rid}/cell/", {"cell": "sales_6", "value": "100.00", "reason": "现金收入"})
    assert r.status_code == 302
    changed = CellChange.objects.get(ret_id=rid, cell="sales_6").at
    page = client.get(url).content.decode()  # the change is dated in Beijing time, not UTC
    assert f"现金收入</td><td>tp {timezone.localtime(changed):%Y-%m-%d %H:%M}</td>" in page
    r = client.post(f"/filing/returns/{rid}/file/")
    assert r.status_code == 302
    page = client.get("/filing/").content.decode()
    assert "已申报" in page
    xlsx = client.get(f"/filing/returns/{rid}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(f"/filing/returns/{rid}/export.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    r = client.post(f"/filing/returns/{rid}/pay/")
    assert r.status_code == 302 and Payment.objects.filter(ret_id=rid, status="settled").exists()


def test_demo_bank_channel_is_idempotent_per_order():
    from zhishui.filing.payments import DemoBankChannel

    bank = DemoBankChannel(limit=Decimal("10.00"))
    assert bank.debit("X", Decimal("5.00"), "o1") == bank.debit("X", Decimal("5.00"), "o1")
    assert not bank.debit("X", Decimal("50.00"), "o2").ok


def test_invoice_trace_link_is_only_open_to_its_parties(client, seller):
    from zhishui.registry.models import ImportedInvoice

    number = ImportedInvoice.objects.filter(seller__tax_id=seller.tax_id).values_list("invoice_no", flat=True)[0]
    login(client, make_user("tp", "taxpayer", taxpayer_id=seller.tax_id))
    assert client.get(f"/filing/invoices/imported/{number}/").status_code == 200
    client.logout()
    stranger = factory.taxpayer(5)
    login(client, make_user("tp5", "taxpayer", taxpayer_id=stranger.tax_id))
    assert client.get(f"/filing/invoices/imported/{number}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_type="invoice").exists()
