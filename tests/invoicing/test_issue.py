"""Issuing: numbering, signing, chaining, checks, credit line, immutability."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection, transaction

from tests.invoicing.helpers import (
    ABNORMAL,
    BUYER,
    CATERING,
    GONE,
    OUTSIDE,
    SELLER,
    SMALL,
    SOFTWARE,
    STEEL,
    invoice_request,
)
from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import parse_invoice_number
from zhishui.core.models import AuditEvent
from zhishui.invoicing import services, signing
from zhishui.invoicing.canonical import digest_of, from_invoice
from zhishui.invoicing.ledger import verify_ledger
from zhishui.invoicing.models import Invoice, InvoiceEvent, InvoiceLine, InvoiceState

pytestmark = pytest.mark.django_db


def issue(data=None, seller=SELLER, **kw):
    status, receipt, _replayed = services.issue(seller_id=seller, data=data or invoice_request(), **kw)
    assert status == 201
    return receipt


def test_issue_numbers_signs_and_chains():
    first, second = issue(), issue()
    n1, n2 = parse_invoice_number(first["number"]), parse_invoice_number(second["number"])
    assert n1.province_code == "61" and n1.channel == 1 and n1.sequence == 1 and n2.sequence == 2
    inv = Invoice.objects.get(number=first["number"])
    assert inv.amount == Decimal("1000.00") and inv.tax == Decimal("60.00") and inv.total == Decimal("1060.00")
    assert inv.lines.get().item_name == "*信息技术服务*软件开发服务"
    header, lines = from_invoice(inv)
    assert digest_of(header, lines) == inv.digest == first["digest"]
    assert signing.verify_digest(inv.key_id, inv.digest, first["signature"])
    assert Invoice.objects.get(number=second["number"]).prev_hash == inv.digest
    assert InvoiceState.objects.get(pk=inv.pk).delivery_count == 1
    assert InvoiceEvent.objects.filter(kind="issued").count() == 2
    assert AuditEvent.objects.filter(action="invoice.issue").count() == 2
    assert verify_ledger().ok


def test_issued_invoice_is_immutable():
    inv = Invoice.objects.get(number=issue()["number"])
    inv.remark = "changed"
    with pytest.raises(PermissionError):
        inv.save()
    with pytest.raises(PermissionError):
        Invoice.objects.filter(pk=inv.pk).update(remark="x")
    with pytest.raises(PermissionError):
        InvoiceLine.objects.filter(invoice=inv).delete()
    with pytest.raises(Exception) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE invoicing_invoice SET remark = 'tampered' WHERE number = %s", [inv.number])
    assert "immutable" in str(exc.value)


@pytest.mark.parametrize(("change", "field"), [
    ({"kind": "bogus"}, "kind"),
    ({"buyer": {"id": BUYER[:-1] + ("0" if BUYER[-1] != "0" else "1"), "name": "x"}}, "buyer_id"),
    ({"buyer": {"id": "", "name": "x"}}, "buyer_id"),
    ({"lines": [{"goods_code": "1234567890123456789", "amount": "10", "tax_rate": "0.06"}]}, "lines[0].goods_code"),
    ({"lines": [{"goods_code": SOFTWARE, "amount": "10", "tax_rate": "0.13"}]}, "lines[0].tax_rate"),
    ({"lines": [{"goods_code": SOFTWARE, "amount": "10.00", "quantity": "3", "unit_price": "3.30",
                 "tax_rate": "0.06"}]}, "lines[0].amount"),
    ({"lines": [{"goods_code": SOFTWARE, "amount": 10.5, "tax_rate": "0.06"}]}, "lines[0].amount"),
    ({"lines": [{"goods_code": SOFTWARE, "amount": "10", "tax_rate": "0.06", "tax": "1.00"}]}, "lines[0].tax"),
    ({"lines": [{"goods_code": SOFTWARE, "amount": "1", "tax_rate": "0.06"}] * 2001}, "lines"),
    ({"lines": []}, "lines"),
])
def test_bad_input_names_the_field_and_writes_nothing(change, field):
    data = invoice_request()
    data.update(change)
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=SELLER, data=data)
    assert field in [e.field for e in exc.value.errors]
    assert all(e.message_zh and e.message_en for e in exc.value.errors)
    assert not Invoice.objects.exists() and not InvoiceEvent.objects.exists()


@pytest.mark.parametrize(("seller", "code"), [(ABNORMAL, "seller_abnormal"), (GONE, "seller_deregistered"),
                                              (OUTSIDE, "seller_unknown")])
def test_seller_state_is_checked(seller, code):
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=seller, data=invoice_request())
    assert exc.value.code == code
    assert not Invoice.objects.exists()


def test_rates_follow_the_goods_code_and_the_vat_status():
    ok = invoice_request(kind="ordinary", buyer="", lines=[
        {"goods_code": CATERING, "amount": "100.00", "tax_rate": "1%"}])
    assert issue(ok, seller=SMALL)["tax"] == "1.00"
    with pytest.raises(ValidationFailure):
        services.issue(seller_id=SMALL, data=invoice_request(lines=[
            {"goods_code": CATERING, "amount": "100.00", "tax_rate": "0.06"}]))
    receipt = issue(invoice_request(lines=[{"goods_code": STEEL, "name": "螺纹钢", "unit": "吨", "quantity": "1.5",
                                            "unit_price": "3800", "amount": "5700.00", "tax_rate": "0.13"}]))
    assert receipt["tax"] == "741.00"


def test_buyer_outside_the_district_is_fine():
    assert issue(invoice_request(buyer=OUTSIDE))["buyer_id"] == OUTSIDE


def test_credit_line_refuses_beyond_the_monthly_cap():
    from zhishui.invoicing import credit
    from zhishui.invoicing.models import CreditAdjustment

    issue()
    summary = credit.summary(SELLER)
    assert summary.limit == Decimal("3000000.00")  # general 2,000,000 × manufacturing factor 1.5
    big = invoice_request(lines=[{"goods_code": SOFTWARE, "amount": "2999000.01", "tax_rate": "0.06"}])
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=SELLER, data=big)
    assert exc.value.code == "credit_line_exceeded" and "额度" in exc.value.errors[0].message_zh
    credit.adjust(SELLER, kind="temporary", amount="100000", reason="季末大额合同", valid_until=summary_day())
    issue(big)
    assert CreditAdjustment.objects.filter(taxpayer_id=SELLER).count() == 2


def summary_day():
    from django.utils import timezone

    return timezone.localdate()


def test_idempotent_replay_and_conflicts():
    data = invoice_request()
    _status, first, replayed = services.issue(seller_id=SELLER, data=data, idempotency_key="k1")
    assert not replayed
    _status, again, replayed = services.issue(seller_id=SELLER, data=data, idempotency_key="k1")
    assert replayed and again == first and Invoice.objects.count() == 1
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=SELLER, data=invoice_request(remark="other"), idempotency_key="k1")
    assert exc.value.code == "idempotency_key_reused"


def test_two_thousand_lines_and_batch():
    lines = [{"goods_code": SOFTWARE, "amount": "1.00", "tax_rate": "0.06"} for _ in range(2000)]
    receipt = issue(invoice_request(lines=lines))
    assert receipt["lines"] == 2000 and receipt["amount"] == "2000.00" and receipt["tax"] == "120.00"
    _status, result, _ = services.issue_batch(seller_id=SELLER, invoices=[invoice_request(), invoice_request()])
    assert result["count"] == 2
    with pytest.raises(ValidationFailure) as exc:
        services.issue_batch(seller_id=SELLER, invoices=[invoice_request(), invoice_request(kind="x")])
    assert exc.value.errors[0].field == "invoices[1].kind"
    assert Invoice.objects.count() == 3
    assert verify_ledger().ok
