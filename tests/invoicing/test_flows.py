"""Delivery, usage confirmation (用途确认), red-letter reversal (红字) and credit lines."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.invoicing.helpers import BUYER, OTHER, SELLER, SOFTWARE, STEEL, invoice_request
from zhishui.core.errors import ValidationFailure
from zhishui.invoicing import credit, queries, services
from zhishui.invoicing.models import CreditAdjustment, Invoice, InvoiceEvent, InvoiceState, RedLetterRequest

pytestmark = pytest.mark.django_db

TWO_LINES = [
    {"goods_code": SOFTWARE, "name": "软件开发服务", "amount": "1000.00", "tax_rate": "0.06"},
    {"goods_code": STEEL, "name": "螺纹钢", "unit": "吨", "quantity": "2", "unit_price": "500", "amount": "1000.00",
     "tax_rate": "0.13"},
]


def issue(**kw) -> Invoice:
    _s, receipt, _r = services.issue(seller_id=SELLER, data=invoice_request(lines=TWO_LINES, **kw))
    return Invoice.objects.get(number=receipt["number"])


def state(inv) -> InvoiceState:
    return InvoiceState.objects.get(pk=inv.pk)


def test_usage_confirmation_feeds_the_deduction_query():
    inv = issue()
    period = timezone.localdate().strftime("%Y-%m")
    services.confirm_usage(inv.number, buyer_id=BUYER, purpose="deduct")
    rows = queries.confirmed_for_deduction(BUYER, period)
    assert [r.number for r in rows] == [inv.number] and rows[0].tax == Decimal("190.00")
    with pytest.raises(ValidationFailure) as exc:
        services.confirm_usage(inv.number, buyer_id=BUYER, purpose="deduct")
    assert exc.value.code == "already_confirmed"
    services.revoke_usage(inv.number, buyer_id=BUYER)
    assert queries.confirmed_for_deduction(BUYER, period) == []
    services.confirm_usage(inv.number, buyer_id=BUYER, purpose="not_deduct")
    assert queries.confirmed_for_deduction(BUYER, period) == []


def test_confirming_someone_elses_invoice_is_refused():
    inv = issue()
    for who in (SELLER, OTHER):
        with pytest.raises(ValidationFailure) as exc:
            services.confirm_usage(inv.number, buyer_id=who, purpose="deduct")
        assert exc.value.code == "not_buyer"
    with pytest.raises(services.NotFound):
        services.confirm_usage("26611000000000099999", buyer_id=BUYER, purpose="deduct")
    ordinary = services.issue(seller_id=SELLER, data=invoice_request(kind="ordinary"))[1]["number"]
    with pytest.raises(ValidationFailure) as exc:
        services.confirm_usage(ordinary, buyer_id=BUYER, purpose="deduct")
    assert exc.value.code == "not_confirmable"
    with pytest.raises(ValidationFailure):
        services.confirm_usage(inv.number, buyer_id=BUYER, purpose="deduct", period="2020-01")


def test_direct_full_reversal_of_an_unconfirmed_invoice():
    inv = issue()
    red = services.reverse_directly(inv.number, seller_id=SELLER, reason="error")
    assert red.colour == "red" and red.amount == Decimal("-2000.00") and red.tax == Decimal("-190.00")
    assert red.red_of_id == inv.number and inv.number in red.remark and red.red_form_no in red.remark
    assert state(inv).status == InvoiceState.RED_REVERSED
    assert [ln.red_of_line for ln in red.lines.order_by("line_no")] == [1, 2]
    with pytest.raises(ValidationFailure) as exc:
        services.reverse_directly(inv.number, seller_id=SELLER)
    assert exc.value.code == "red_reversed"
    assert credit.summary(SELLER).used == Decimal("0.00")  # the red invoice gave the line back


def test_partial_reversals_never_exceed_the_blue_invoice():
    inv = issue()
    services.reverse_directly(inv.number, seller_id=SELLER, full=False, lines=[{"line_no": 2, "amount": "400.00",
                                                                                 "quantity": "0.8"}])
    assert state(inv).status == InvoiceState.PARTLY_RED and state(inv).red_amount == Decimal("400.00")
    with pytest.raises(ValidationFailure) as exc:
        services.reverse_directly(inv.number, seller_id=SELLER, full=False,
                                  lines=[{"line_no": 2, "amount": "600.01"}])
    assert exc.value.errors[0].field == "lines[0].amount"
    services.reverse_directly(inv.number, seller_id=SELLER, full=True)
    assert state(inv).status == InvoiceState.RED_REVERSED
    reds = Invoice.objects.filter(red_of=inv)
    assert sum(r.amount for r in reds) == -inv.amount and sum(r.tax for r in reds) == -inv.tax


def test_a_confirmed_invoice_needs_a_form_confirmed_by_the_other_party():
    inv = issue()
    services.confirm_usage(inv.number, buyer_id=BUYER, purpose="deduct")
    with pytest.raises(ValidationFailure) as exc:
        services.reverse_directly(inv.number, seller_id=SELLER)
    assert exc.value.code == "red_requires_form"
    form = services.request_red_letter(inv.number, taxpayer_id=SELLER, reason="return")
    assert form.status == RedLetterRequest.PENDING and form.needs_confirmation and form.red_invoice is None
    with pytest.raises(ValidationFailure) as exc:
        services.decide_red_letter(form.form_no, taxpayer_id=SELLER, accept=True)
    assert exc.value.code == "own_form"
    with pytest.raises(services.NotFound):
        services.decide_red_letter(form.form_no, taxpayer_id=OTHER, accept=True)
    with pytest.raises(ValidationFailure) as exc:
        services.request_red_letter(inv.number, taxpayer_id=BUYER, reason="error")
    assert exc.value.code == "red_pending"
    form = services.decide_red_letter(form.form_no, taxpayer_id=BUYER, accept=True)
    assert form.status == RedLetterRequest.ISSUED and form.red_invoice.amount == Decimal("-2000.00")
    red_state = state(form.red_invoice)
    assert red_state.usage == "deduct" and red_state.usage_by == "system"  # reduces the buyer's input tax
    period = timezone.localdate().strftime("%Y-%m")
    assert sum(r.tax for r in queries.confirmed_for_deduction(BUYER, period)) == Decimal("0.00")


def test_buyer_raises_and_seller_rejects_or_lets_it_expire(settings):
    inv = issue()
    services.book(inv.number, buyer_id=BUYER)
    form = services.request_red_letter(inv.number, taxpayer_id=BUYER, reason="allowance", full=False,
                                       lines=[{"line_no": 1, "amount": "100.00"}])
    form = services.decide_red_letter(form.form_no, taxpayer_id=SELLER, accept=False, note="不同意")
    assert form.status == RedLetterRequest.REJECTED and state(inv).status == InvoiceState.NORMAL
    form = services.request_red_letter(inv.number, taxpayer_id=BUYER, reason="allowance", full=False,
                                       lines=[{"line_no": 1, "amount": "100.00"}])
    RedLetterRequest.objects.filter(pk=form.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ValidationFailure) as exc:
        services.decide_red_letter(form.form_no, taxpayer_id=SELLER, accept=True)
    assert exc.value.code == "form_expired"
    assert RedLetterRequest.objects.get(pk=form.pk).status == RedLetterRequest.VOIDED
    other = services.request_red_letter(inv.number, taxpayer_id=BUYER, reason="error")
    RedLetterRequest.objects.filter(pk=other.pk).update(created_at=timezone.now() - timedelta(hours=73),
                                                        expires_at=timezone.now() - timedelta(hours=1))
    call_command("invoice", "expire-red-requests")
    assert RedLetterRequest.objects.get(pk=other.pk).status == RedLetterRequest.VOIDED
    assert InvoiceEvent.objects.filter(kind="red_voided").count() == 2
    withdrawn = services.request_red_letter(inv.number, taxpayer_id=BUYER, reason="error")
    with pytest.raises(ValidationFailure):
        services.withdraw_red_letter(withdrawn.form_no, taxpayer_id=SELLER)
    assert services.withdraw_red_letter(withdrawn.form_no, taxpayer_id=BUYER).status == RedLetterRequest.WITHDRAWN


def test_links_and_downloads_are_counted():
    inv = issue()
    delivery, token = services.create_link(inv)
    assert services.delivery_for_token(token).pk == delivery.pk
    services.record_download(inv, "pdf", via="link", delivery=delivery)
    services.record_download(inv, "xml", via="account")
    st = state(inv)
    assert st.delivery_count == 2 and st.download_count == 2
    delivery.refresh_from_db()
    assert delivery.downloads == 1
    with pytest.raises(services.NotFound):
        services.delivery_for_token("nope")


def test_every_credit_line_change_is_recorded_with_its_reason():
    issue()
    assert CreditAdjustment.objects.get(taxpayer_id=SELLER).kind == "initial"
    with pytest.raises(ValidationFailure):
        credit.adjust(SELLER, kind="permanent", amount="5000000", reason="")
    credit.adjust(SELLER, kind="permanent", amount="5000000", reason="纳税信用A级，按需调整", source="credit",
                  rule="credit:A")
    credit.adjust(SELLER, kind="temporary", amount="-4000000", reason="风险任务推送：疑似顶额开票", source="risk",
                  rule="F-01", valid_until=timezone.localdate())
    summary = credit.summary(SELLER)
    assert summary.base == Decimal("5000000.00") and summary.limit == Decimal("1000000.00")
    kinds = list(CreditAdjustment.objects.filter(taxpayer_id=SELLER).order_by("at", "id")
                 .values_list("kind", "source", "rule"))
    assert kinds == [("initial", "system", "initial:general:C"), ("permanent", "credit", "credit:A"),
                     ("temporary", "risk", "F-01")]
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=SELLER, data=invoice_request(lines=[
            {"goods_code": SOFTWARE, "amount": "999000.00", "tax_rate": "0.06"}]))
    assert exc.value.code == "credit_line_exceeded"
