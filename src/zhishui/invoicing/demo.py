"""Demo set-up for the e-invoice service, to run after the district's registry is imported.

``prepare()`` generates the platform's signing key, sets the initial credit line of every registered VAT
taxpayer of the district (recorded like any initial line) and issues a day of sample invoices between
them through the ordinary service function, so the tax digital accounts, the monitor and the
verification page have something to show. Returns a summary dict (the facts the demo needs later).
"""

from __future__ import annotations

import random
from decimal import Decimal

from django.apps import apps

from zhishui.core.errors import ValidationFailure

from . import credit, goods, parties, services, signing

SAMPLE_GOODS = ("3040201010000000000", "3040201030000000000", "3070401000000000000", "3070402000000000000",
                "1990230100000000000", "1990390100000000000", "1990290100000000000", "1990010100000000000",
                "3050100000000000000")


def registered_vat_taxpayers(limit: int | None = None) -> list[str]:
    """Identifiers of the district's taxpayers registered for VAT and in normal state (units only)."""
    if not apps.is_installed("zhishui.registry"):
        return []
    from zhishui.registry.models import TaxRegistration

    rows = (TaxRegistration.objects.filter(state=parties.NORMAL, vat_status__in=[parties.GENERAL, parties.SMALL_SCALE],
                                           taxpayer__personal=False)
            .order_by("taxpayer__key").values_list("taxpayer__key", flat=True))
    return list(rows[:limit] if limit else rows)


def _request(rng: random.Random, party: parties.Party, buyer: parties.Party) -> dict:
    lines = []
    for _ in range(rng.randint(1, 4)):
        code = goods.table()[rng.choice(SAMPLE_GOODS)]
        rates = code.rates_for(party.vat_status)
        quantity = rng.randint(1, 20)
        price = Decimal(rng.randint(100, 50000)) / 100
        lines.append({"goods_code": code.code, "name": code.name, "unit": "项", "quantity": str(quantity),
                      "unit_price": str(price), "amount": f"{quantity * price:.2f}", "tax_rate": str(rates[0])})
    return {"kind": "special" if party.vat_status == parties.GENERAL else "ordinary",
            "buyer": {"id": buyer.taxpayer_id, "name": buyer.name}, "lines": lines, "remark": "演示数据"}


def prepare(invoices: int = 300, seed: int = 610303) -> dict:
    signing.active_key()
    ids = registered_vat_taxpayers()
    profiles = [p for p in (parties.lookup(t) for t in ids) if p is not None]
    for party in profiles:
        credit.ensure_line(party)
    rng = random.Random(seed)
    issued = []
    if len(profiles) >= 2:
        for _ in range(invoices):
            seller, buyer = rng.sample(profiles, 2)
            try:
                _status, receipt, _replayed = services.issue(seller_id=seller.taxpayer_id,
                                                             data=_request(rng, seller, buyer), channel_name="demo")
            except ValidationFailure:
                continue  # e.g. a small line already used up: the demo simply skips that one
            issued.append(receipt["number"])
    return {"credit_lines": len(profiles), "invoices": len(issued),
            "sample_invoice": issued[0] if issued else "", "signing_key": signing.active_key().key_id}
