"""Invoicing reads sellers and buyers from the registry (registration state, VAT status, industry, street)."""

from __future__ import annotations

import pytest

from tests.invoicing.helpers import invoice_request
from zhishui.core.errors import ValidationFailure
from zhishui.invoicing import credit, parties, services
from zhishui.invoicing.models import Invoice


def test_profiles_come_from_the_registry(registry_loaded):
    kit = registry_loaded
    acme = parties.seller_profile(kit.ACME)
    assert (acme.state, acme.vat_status, acme.industry_code, acme.region_code) == (
        "normal", "general", "C3311", "610303001")
    assert parties.lookup(kit.BETA).vat_status == "small_scale"
    assert parties.lookup(kit.GAMMA) is None  # a market entity never registered for tax
    assert parties.buyer_profile(kit.OUTSIDE) is None  # an outside counterparty
    assert parties.lookup(kit.SOLE).name == "金台区王记面馆"  # registered by ID card: found by blind index


def test_issue_between_registered_taxpayers(registry_loaded):
    kit = registry_loaded
    _s, receipt, _r = services.issue(seller_id=kit.ACME, data=invoice_request(buyer=kit.BETA))
    inv = Invoice.objects.get(number=receipt["number"])
    assert inv.seller_region == "610303001" and inv.seller_industry == "C3311"
    assert credit.summary(kit.ACME).limit == 3000000  # general 2,000,000 × manufacturing 1.5
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=kit.CLOSED, data=invoice_request(kind="ordinary", buyer=""))
    assert exc.value.code == "seller_deregistered"
    with pytest.raises(ValidationFailure) as exc:
        services.issue(seller_id=kit.GAMMA, data=invoice_request())
    assert exc.value.code == "seller_unknown"


def test_demo_preparation(registry_loaded):
    from zhishui.invoicing import demo
    from zhishui.invoicing.ledger import verify_ledger

    summary = demo.prepare(invoices=12)
    assert summary["credit_lines"] == 2 and summary["invoices"] == 12 and summary["signing_key"]
    assert verify_ledger().ok
