"""The pages: issue form, lists with filters and export, detail actions, red-letter list, credit lines,
monitor, public verification, download links — and their query budgets."""

from __future__ import annotations

import io

import pytest
from django.utils import timezone

from tests.conftest import login, make_user
from tests.invoicing.helpers import BUYER, OTHER, SELLER, SOFTWARE, invoice_request
from zhishui.invoicing import documents, services
from zhishui.invoicing.models import Invoice, RedLetterRequest

pytestmark = pytest.mark.django_db


def issued(n: int = 1) -> list[str]:
    return [services.issue(seller_id=SELLER, data=invoice_request())[1]["number"] for _ in range(n)]


def form(lines=None, **extra):
    data = {"kind": "special", "buyer_id": BUYER, "buyer_name": "宝鸡渭滨商贸有限公司", "remark": "", "issuer": "",
            "idempotency_key": "web-1", "line_goods_code": [SOFTWARE], "line_name": ["软件开发服务"],
            "line_specification": [""], "line_unit": ["项"], "line_quantity": ["1"], "line_unit_price": ["1000"],
            "line_amount": ["1000.00"], "line_tax_rate": ["0.06"]}
    data.update(lines or {})
    data.update(extra)
    return data


def test_seller_issues_through_the_form(client, seller_user):
    login(client, seller_user)
    page = client.get("/invoicing/issue/")
    assert page.status_code == 200 and "goods-catalogue" in page.content.decode()
    response = client.post("/invoicing/issue/", form())
    assert response.status_code == 302
    number = Invoice.objects.get().number
    assert response["Location"] == f"/invoicing/invoices/{number}/"
    again = client.post("/invoicing/issue/", form())  # a double submit of the same form
    assert again.status_code == 302 and Invoice.objects.count() == 1
    bad = client.post("/invoicing/issue/", form(line_tax_rate=["0.13"], idempotency_key="web-2"))
    assert bad.status_code == 200 and "lines[0].tax_rate" in bad.content.decode()
    assert Invoice.objects.count() == 1


def test_lists_filters_export_and_query_budget(client, seller_user, buyer_user, django_assert_max_num_queries):
    numbers = issued(30)
    login(client, seller_user)
    with django_assert_max_num_queries(15):
        page = client.get("/invoicing/issued/").content.decode()
    assert all(n in page for n in numbers[-10:])
    csv = client.get("/invoicing/issued/?export=csv").content.decode("utf-8-sig")
    assert csv.count("\n") == 31 and "发票号码" in csv
    client.logout()
    login(client, buyer_user)
    with django_assert_max_num_queries(15):
        inbox = client.get("/invoicing/inbox/?usage=none").content.decode()
    assert f'data-testid="confirm-{numbers[0]}"' in inbox
    response = client.post(f"/invoicing/invoices/{numbers[0]}/usage/", {"purpose": "deduct",
                                                                         "next": "/invoicing/inbox/"})
    assert response.status_code == 302
    assert numbers[0] not in client.get("/invoicing/inbox/?usage=none").content.decode()


def test_detail_is_visible_to_the_parties_only(client, seller_user):
    number = issued()[0]
    stranger = make_user("stranger", "taxpayer", taxpayer_id=OTHER)
    login(client, stranger)
    assert client.get(f"/invoicing/invoices/{number}/").status_code == 404
    assert client.get(f"/invoicing/invoices/{number}/file.pdf").status_code == 404
    client.logout()
    login(client, seller_user)
    page = client.get(f"/invoicing/invoices/{number}/").content.decode()
    assert number in page and "SM3" in page
    assert client.get(f"/invoicing/invoices/{number}/file.pdf")["Content-Type"] == "application/pdf"
    response = client.post(f"/invoicing/invoices/{number}/link/")
    assert response.status_code == 302
    link = client.get(f"/invoicing/invoices/{number}/").content.decode().split('class="mono" href="')[1].split('"')[0]
    client.logout()
    public = client.get(link.split("testserver")[1])
    assert public.status_code == 200 and number in public.content.decode()


def test_red_letter_through_the_pages(client, seller_user, buyer_user):
    number = issued()[0]
    services.confirm_usage(number, buyer_id=BUYER, purpose="deduct")
    login(client, seller_user)
    client.post(f"/invoicing/invoices/{number}/red/", {"reason": "return", "scope": "partial",
                                                      "red_amount_1": "300.00"})
    form_no = RedLetterRequest.objects.get().form_no
    client.logout()
    login(client, buyer_user)
    page = client.get("/invoicing/red/").content.decode()
    assert form_no in page and f"/invoicing/red/{form_no}/confirm/" in page
    client.post(f"/invoicing/red/{form_no}/confirm/")
    assert RedLetterRequest.objects.get().status == "issued"
    assert "partly" in client.get(f"/api/v1/invoicing/invoices/{number}").json()["status"]


def test_staff_credit_lines_and_monitor(client):
    issued(2)
    staff = make_user("collector", "collection")
    login(client, staff)
    page = client.get(f"/invoicing/credit-lines/?taxpayer_id={SELLER}").content.decode()
    assert "3,000,000.00" in page
    client.post("/invoicing/credit-lines/", {"taxpayer_id": SELLER, "kind": "permanent", "amount": "4000000",
                                             "reason": "经营规模扩大"})
    assert "4,000,000.00" in client.get(f"/invoicing/credit-lines/?taxpayer_id={SELLER}").content.decode()
    monitor = client.get("/invoicing/monitor/").content.decode()
    assert 'hx-get="/invoicing/monitor/data/"' in monitor and "echarts-5.6.0.min.js" in monitor
    fragment = client.get("/invoicing/monitor/data/").content.decode()
    assert 'data-testid="today-count">2<' in fragment


def test_taxpayer_cannot_reach_staff_pages(client, seller_user):
    login(client, seller_user)
    assert client.get("/invoicing/credit-lines/").status_code == 403
    assert client.get("/invoicing/monitor/").status_code == 403


def test_public_verification_page(client):
    number = issued()[0]
    inv = Invoice.objects.get(number=number)
    day = timezone.localtime(inv.issued_at).date().isoformat()
    page = client.post("/verify/", {"mode": "number", "number": number, "date": day, "total": "1060.00"})
    assert page.status_code == 200 and 'data-testid="outcome">' in page.content.decode()
    assert "badge ok" in page.content.decode()
    qr = client.get(documents.verify_url(inv).split("8000")[1])
    assert qr.status_code == 200 and number in qr.content.decode()
    upload = io.BytesIO(b"<html/>")
    upload.name = "x.xml"
    bad = client.post("/verify/", {"mode": "file", "file": upload})
    assert bad.status_code == 400 and "不是电子发票XML" in bad.content.decode()


def test_every_form_field_of_the_invoice_pages_has_a_label(client, seller_user):
    from tests.web.test_accessibility import _unlabelled

    number = issued()[0]
    assert _unlabelled(client.get("/verify/").content.decode()) == []
    login(client, seller_user)
    for path in ("/invoicing/issue/", "/invoicing/issued/", "/invoicing/inbox/", "/invoicing/batch/",
                 f"/invoicing/invoices/{number}/", "/invoicing/red/", "/invoicing/credit/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert _unlabelled(response.content.decode()) == [], path
    client.logout()
    login(client, make_user("collector2", "collection"))
    for path in ("/invoicing/credit-lines/", f"/invoicing/credit-lines/?taxpayer_id={SELLER}", "/invoicing/monitor/"):
        assert _unlabelled(client.get(path).content.decode()) == [], path
