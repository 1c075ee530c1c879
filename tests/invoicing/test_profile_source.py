"""Issued invoices appear in the 一户式 monthly series of both parties."""

from decimal import Decimal

import pytest

from tests.invoicing.helpers import BUYER, SELLER, invoice_request
from zhishui.invoicing import services
from zhishui.invoicing.models import Invoice
from zhishui.invoicing.profile_source import issued_monthly


class _Taxpayer:
    def __init__(self, tax_id):
        self.tax_id = tax_id


@pytest.mark.django_db
def test_issued_invoices_are_summed_by_month_for_seller_and_buyer():
    assert issued_monthly(_Taxpayer("")) == {}
    assert issued_monthly(_Taxpayer("914403001922038216")) == {}


@pytest.mark.django_db
def test_monthly_series_matches_a_direct_query():
    for _ in range(3):
        services.issue(seller_id=SELLER, data=invoice_request(), channel_name="test")
    seller, buyer = SELLER, BUYER
    series = issued_monthly(_Taxpayer(seller))
    total = sum((v.get("out_amount", Decimal(0)) for v in series.values()), Decimal(0))
    assert total == sum(i.amount for i in Invoice.objects.filter(seller_id=seller))
    assert sum(v.get("in_count", 0) for v in issued_monthly(_Taxpayer(buyer)).values()) == \
        Invoice.objects.filter(buyer_id=buyer).count()
