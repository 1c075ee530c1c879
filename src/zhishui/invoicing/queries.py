"""Read-side functions other apps and the pages use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractHour
from django.http import Http404
from django.utils import timezone

from zhishui.core import access
from zhishui.core.errors import ValidationFailure
from zhishui.core.money import fen
from zhishui.core.periods import MONTH, parse_period

from .models import Invoice, InvoiceState


@dataclass(frozen=True)
class DeductibleInvoice:
    number: str
    colour: str  # a red invoice (negative amounts) reverses a deducted blue one
    seller_id: str
    seller_name: str
    issued_at: datetime
    amount: Decimal
    tax: Decimal
    total: Decimal
    confirmed_at: datetime | None
    red_of: str


def confirmed_for_deduction(buyer_id: str, period: str) -> list[DeductibleInvoice]:
    """Special invoices the buyer confirmed for deduction in ``period`` (YYYY-MM), with the red invoices
    that reverse deducted ones in that month (negative amounts). Read by the pre-filled VAT return."""
    month = parse_period(period, "period")
    if month.kind != MONTH:
        raise ValidationFailure("period", "抵扣所属期应为月份（YYYY-MM）", "the deduction period is a month (YYYY-MM)",
                                period)
    rows = (Invoice.objects.filter(buyer_id=buyer_id, kind=Invoice.SPECIAL, state__usage=InvoiceState.DEDUCT,
                                   state__usage_period=str(month))
            .select_related("state").order_by("issued_at", "number"))
    return [DeductibleInvoice(i.number, i.colour, i.seller_id, i.seller_name, i.issued_at, i.amount, i.tax, i.total,
                              i.state.usage_at, i.red_of_id or "") for i in rows]


def received(buyer_id: str):
    """The buyer's tax digital account (税务数字账户): every invoice delivered to it."""
    return Invoice.objects.filter(buyer_id=buyer_id).select_related("state")


def issued(seller_id: str):
    return Invoice.objects.filter(seller_id=seller_id).select_related("state")


def filter_invoices(qs, params: dict):
    """Filters shared by the inbox, the issued list and their exports."""
    text = (params.get("q") or "").strip()
    if text:
        qs = qs.filter(Q(number__startswith=text) | Q(seller_name__icontains=text) | Q(buyer_name__icontains=text)
                       | Q(seller_id=text.upper()) | Q(buyer_id=text.upper()))
    if params.get("kind") in (Invoice.SPECIAL, Invoice.ORDINARY):
        qs = qs.filter(kind=params["kind"])
    if params.get("colour") in (Invoice.BLUE, Invoice.RED):
        qs = qs.filter(colour=params["colour"])
    usage = params.get("usage")
    if usage == "none":
        qs = qs.filter(state__usage="")
    elif usage in (InvoiceState.DEDUCT, InvoiceState.NOT_DEDUCT):
        qs = qs.filter(state__usage=usage)
    if params.get("status") in dict(InvoiceState.STATUSES):
        qs = qs.filter(state__status=params["status"])
    for key, op in (("from", "gte"), ("to", "lte")):
        value = (params.get(key) or "").strip()
        if value:
            try:
                day = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                continue
            qs = qs.filter(**{f"issued_at__date__{op}": day})
    return qs


def activity(day=None) -> dict:
    """Issuing activity of a day for the live monitor: per hour, per street, top issuers."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    qs = Invoice.objects.filter(issued_at__gte=start, issued_at__lt=start + timedelta(days=1))
    totals = qs.aggregate(n=Count("number"), amount=Sum("amount"), tax=Sum("tax"),
                          red=Count("number", filter=Q(colour=Invoice.RED)))
    hours = {r["h"]: r for r in qs.annotate(h=ExtractHour("issued_at", tzinfo=timezone.get_current_timezone()))
             .values("h").annotate(n=Count("number"), amount=Sum("amount"))}
    per_hour = [{"hour": h, "count": hours.get(h, {}).get("n", 0),
                 "amount": _fen(hours.get(h, {}).get("amount"))} for h in range(24)]
    streets = list(qs.values("seller_region").annotate(n=Count("number"), amount=Sum("amount"))
                   .order_by("-amount")[:20])
    top = list(qs.values("seller_id", "seller_name").annotate(n=Count("number"), amount=Sum("amount"))
               .order_by("-amount")[:10])
    return {"day": day.isoformat(), "count": totals["n"] or 0, "amount": _fen(totals["amount"]),
            "tax": _fen(totals["tax"]), "red": totals["red"] or 0, "per_hour": per_hour,
            "streets": [{"region": s["seller_region"], "count": s["n"], "amount": _fen(s["amount"])} for s in streets],
            "top": [{"seller_id": t["seller_id"], "seller_name": t["seller_name"], "count": t["n"],
                     "amount": _fen(t["amount"])} for t in top]}


def _fen(value) -> str:
    """A sum as text to the fen (SQLite adds decimals as binary floats)."""
    return str(fen(value)) if value is not None else "0.00"


def readable_invoice(request, number: str) -> Invoice:
    """The invoice if the caller may read it (seller, buyer or staff); 404 (audited) otherwise."""
    invoice = Invoice.objects.select_related("state").filter(number=number).first()
    if invoice is None:
        raise Http404
    if not (access.may_read_taxpayer(request.user, invoice.seller_id)
            or (invoice.buyer_id and access.may_read_taxpayer(request.user, invoice.buyer_id))):
        access.require_taxpayer(request, invoice.seller_id, what="invoice")
    return invoice
