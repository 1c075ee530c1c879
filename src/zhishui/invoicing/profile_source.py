"""Issued 数电票 in the 一户式 monthly invoicing series, beside the invoices imported from feeds."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from .models import Invoice

ZERO = Decimal("0.00")


def issued_monthly(taxpayer) -> dict[str, dict]:
    identifier = taxpayer.tax_id
    out: dict[str, dict] = defaultdict(dict)
    if not identifier:
        return out
    for direction, field in (("out", "seller_id"), ("in", "buyer_id")):
        rows = (Invoice.objects.filter(**{field: identifier}).annotate(m=TruncMonth("issued_at")).values("m")
                .annotate(n=Count("number"), amount=Sum("amount"), tax=Sum("tax")).order_by("m"))
        for row in rows:
            out[row["m"].strftime("%Y-%m")].update({f"{direction}_count": row["n"],
                                                     f"{direction}_amount": row["amount"] or ZERO,
                                                     f"{direction}_tax": row["tax"] or ZERO})
    return out
