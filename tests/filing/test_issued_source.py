"""The adapter reads the platform's own issued 数电票 too: output by rate with red invoices netted, and the
input the buyer confirmed for deduction — the same invoices ``invoicing.queries.confirmed_for_deduction``
lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from tests.invoicing.helpers import BUYER, PARTIES, SELLER, STEEL, invoice_request
from zhishui.core.periods import MONTH, Period
from zhishui.filing import bulk, prefill, sources
from zhishui.invoicing import parties, queries
from zhishui.invoicing import services as invoicing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registry_parties():
    with parties.use_provider(PARTIES.get):
        yield


def test_issued_invoices_feed_the_prefill_with_reds_netted_and_confirmed_input():
    steel = [{"goods_code": STEEL, "name": "钢材", "unit": "吨", "quantity": "1", "unit_price": "2000",
              "amount": "2000.00", "tax_rate": "0.13"}]
    _s, kept, _r = invoicing.issue(seller_id=SELLER, data=invoice_request(lines=steel))
    _s, reversed_, _r = invoicing.issue(seller_id=SELLER, data=invoice_request())
    _s, software, _r = invoicing.issue(seller_id=SELLER, data=invoice_request())
    red = invoicing.reverse_directly(reversed_["number"], seller_id=SELLER)
    month = Period.containing(timezone.localdate(), MONTH)
    invoicing.confirm_usage(kept["number"], buyer_id=BUYER, purpose="deduct", period=str(month))
    facts = sources.collect(month, [SELLER, BUYER])
    out = facts[SELLER][sources.OUTPUT]
    assert {r.source for r in out} == {"issued"}
    assert {r.invoice_no for r in out} == {kept["number"], reversed_["number"], software["number"], red.number}
    cells, traces = prefill.vat_general(facts[SELLER], None).result()
    assert cells["sales_13_goods"] == Decimal("2000.00")
    assert cells["sales_6"] == Decimal("1000.00")  # two software invoices, one reversed by its red invoice
    assert set(traces["sales_6"]["invoices"]) == {reversed_["number"], software["number"], red.number}
    # The bulk read of the whole district finds the same invoices and sums.
    sold = bulk.fetch(sources.OUTPUT, month, {})[SELLER]
    groups = [g for g in sold if g.rate == Decimal("0.06")]
    assert sum(g.amount for g in groups) == 100_000
    assert set(",".join(g.numbers for g in groups).split(",")) == {reversed_["number"], software["number"],
                                                                   red.number}
    bought = bulk.fetch(sources.INPUT, month, {})[BUYER]
    assert [(g.numbers, g.tax) for g in bought] == [(kept["number"], 26_000)]
    confirmed = queries.confirmed_for_deduction(BUYER, str(month))
    inputs = facts[BUYER][sources.INPUT]
    assert {r.invoice_no for r in inputs} == {c.number for c in confirmed} == {kept["number"]}
    assert sources.total(inputs, "tax") == sum(c.tax for c in confirmed) == Decimal("260.00")
