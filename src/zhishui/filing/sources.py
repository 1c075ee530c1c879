"""The invoice source adapter: output and input invoice facts of taxpayers for a period, as rows.

Two sources, one row shape:

* ``imported`` — ``registry.ImportedInvoice`` (+ lines), historical invoices from department feeds.
  Output = invoices the taxpayer issued in the period's months (``month``); input = invoices it
  bought whose deduction was confirmed (``deduction_confirmed_on``) within the period.
* ``issued`` — ``invoicing.Invoice`` (+ lines), the 数电票 issued on this platform. Output = invoices
  issued in the period (Asia/Shanghai); input = invoices the buyer confirmed for deduction
  (``InvoiceState.usage == "deduct"``) with ``usage_period`` in the period.

One row per invoice, rate and class of supply (goods: tax classification codes starting with 1;
services, intangibles and immovables otherwise). Red invoices carry negative amounts and tax as
recorded (the exchange format requires it of imported ones, the invoice service writes its own so),
so every pre-filled number is a plain sum of rows and a cell's trace is exactly its rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from zhishui.core.money import ZERO, fen
from zhishui.core.periods import Period

from . import parties

OUTPUT, INPUT = "output", "input"
KNOWN_RATES = (Decimal("0.13"), Decimal("0.09"), Decimal("0.06"), Decimal("0.05"), Decimal("0.03"),
               Decimal("0.01"), Decimal("0"))


@dataclass(frozen=True)
class InvoiceRow:
    invoice_no: str
    date: str  # YYYY-MM-DD, Asia/Shanghai
    counterparty_id: str
    counterparty_name: str
    rate: Decimal
    amount: Decimal  # negative on red invoices
    tax: Decimal
    red: bool
    source: str  # imported / issued
    kind: str  # special / ordinary
    goods: bool  # True: goods (code 1…), False: services, intangibles, immovables
    direction: str  # output / input

    @property
    def link(self) -> str:
        return invoice_link(self.source, self.invoice_no)

    def as_dict(self) -> dict:
        """The row as shown in a cell trace (with the link to the invoice)."""
        return {"invoice_no": self.invoice_no, "date": self.date, "counterparty_id": self.counterparty_id,
                "counterparty_name": self.counterparty_name, "rate": format(self.rate.normalize(), "f"),
                "amount": f"{self.amount:.2f}", "tax": f"{self.tax:.2f}", "colour": "red" if self.red else "blue",
                "source": self.source, "kind": self.kind, "class": "goods" if self.goods else "services",
                "direction": self.direction, "link": self.link}


def invoice_link(source: str, invoice_no: str) -> str:
    return reverse("filing_invoice", args=[source, invoice_no])


def total(rows, field: str = "amount") -> Decimal:
    return sum((getattr(r, field) for r in rows), ZERO)


def _rate(value) -> Decimal:
    d = Decimal(value).quantize(Decimal("0.0001"))
    return d.normalize() if d else Decimal("0")


_TZ = ZoneInfo(settings.TIME_ZONE)


def _day(value) -> str:
    if isinstance(value, datetime):
        return (value.astimezone(_TZ) if value.tzinfo is not None else value).date().isoformat()
    return value.isoformat()


@dataclass(frozen=True)
class YearToDate:
    """From 1 January to the end of ``period``, read as one span (a CIT prepayment's cumulative figures):
    what ``collect`` needs of a period — its first and last day and its months."""

    period: Period

    @property
    def start(self) -> date:
        return date(self.period.year, 1, 1)

    @property
    def end(self) -> date:
        return self.period.end

    def month_periods(self) -> list[Period]:
        first = Period.month(self.period.year, 1)
        return [first + i for i in range(self.period.end.month)]


Span = Period | YearToDate


def _bounds(period: Span) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    return start, datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)


def _months(period: Span) -> list[str]:
    return [str(m) for m in period.month_periods()]


Facts = dict[str, dict[str, list[InvoiceRow]]]
NUMBERS_PER_QUERY = 2000  # invoice numbers per IN (...) list, well below SQLite's variable limit


def collect(period: Span, taxpayer_ids: list[str], *, directions=(OUTPUT, INPUT)) -> Facts:
    """Rows of the period by taxpayer identifier and direction, from both sources (``bulk`` reads the
    whole district)."""
    facts: Facts = defaultdict(lambda: {OUTPUT: [], INPUT: []})
    if parties.registry_installed():
        pk_to_id = {pk: tid for tid, pk in parties.taxpayer_pks(taxpayer_ids).items()}
        for direction in directions:
            _imported(_where(period, direction, list(pk_to_id)), direction, pk_to_id, facts)
    if parties.invoicing_installed():
        start, end = _bounds(period)
        for direction in directions:
            if direction == OUTPUT:
                where = Q(invoice__issued_at__gte=start, invoice__issued_at__lt=end,
                          invoice__seller_id__in=taxpayer_ids)
            else:
                where = Q(invoice__kind="special", invoice__state__usage="deduct",
                          invoice__state__usage_period__in=_months(period), invoice__buyer_id__in=taxpayer_ids)
            _issued(where, direction, set(taxpayer_ids), facts)
    for bucket in facts.values():
        for rows in bucket.values():
            rows.sort(key=lambda r: (r.date, r.invoice_no, r.rate, r.goods))
    return facts


def rows_for(period: Span, taxpayer_id: str) -> dict[str, list[InvoiceRow]]:
    return collect(period, [taxpayer_id]).get(taxpayer_id, {OUTPUT: [], INPUT: []})


def rows_of(taxpayer_id: str, numbers: list[str], directions=(OUTPUT, INPUT)) -> list[InvoiceRow]:
    """The rows of the given invoices on the taxpayer's side (a cell trace's invoices shown again)."""
    facts: Facts = defaultdict(lambda: {OUTPUT: [], INPUT: []})
    for i in range(0, len(numbers), NUMBERS_PER_QUERY):
        chunk = numbers[i:i + NUMBERS_PER_QUERY]
        if parties.registry_installed():
            pk_to_id = {pk: tid for tid, pk in parties.taxpayer_pks([taxpayer_id]).items()}
            for direction in directions:
                own = "seller_id__in" if direction == OUTPUT else "buyer_id__in"
                _imported({"invoice_no__in": chunk, own: list(pk_to_id)}, direction, pk_to_id, facts)
        if parties.invoicing_installed():
            for direction in directions:
                own = "invoice__seller_id" if direction == OUTPUT else "invoice__buyer_id"
                _issued(Q(invoice__number__in=chunk, **{own: taxpayer_id}), direction, {taxpayer_id}, facts)
    rows = [r for bucket in facts.values() for d in directions for r in bucket[d]]
    return sorted(rows, key=lambda r: (r.date, r.invoice_no, r.rate, r.goods))


def _where(period: Span, direction: str, pks: list[int] | None, vat_status: str = "") -> dict:
    """``ImportedInvoice`` filter of a period's output or input, for some taxpayers or (``pks`` None)
    for everyone registered with ``vat_status``."""
    if direction == OUTPUT:
        where = {"month__in": _months(period)}
        if pks is not None:
            where["seller_id__in"] = pks
        elif vat_status:
            where["seller__registration__vat_status"] = vat_status
    else:
        where = {"deduction_confirmed_on__gte": period.start, "deduction_confirmed_on__lte": period.end}
        if pks is not None:
            where["buyer_id__in"] = pks
        elif vat_status:
            where["buyer__registration__vat_status"] = vat_status
    return where


def _imported(where: dict, direction: str, pk_to_id: dict[int, str], facts: Facts) -> None:
    from zhishui.registry.models import ImportedInvoiceLine

    if direction == OUTPUT:
        own, other_id, other_name = "invoice__seller_id", "invoice__buyer__tax_id", "invoice__buyer_name"
    else:
        own, other_id, other_name = "invoice__buyer_id", "invoice__seller__tax_id", "invoice__seller__name"
    lines = (ImportedInvoiceLine.objects.filter(**{f"invoice__{k}": v for k, v in where.items()})
             .annotate(cls=Substr("goods_code", 1, 1))
             .values("invoice__invoice_no", "invoice__issued_at", own, other_id, other_name,
                     "invoice__invoice_type", "invoice__red_of", "tax_rate", "cls")
             .annotate(a=Sum("amount"), t=Sum("tax")).order_by())
    for r in lines:
        tid = pk_to_id.get(r[own])
        if tid is not None:
            facts[tid][direction].append(InvoiceRow(
                r["invoice__invoice_no"], _day(r["invoice__issued_at"]), r[other_id] or "", r[other_name] or "",
                _rate(r["tax_rate"]), fen(r["a"]), fen(r["t"]), bool(r["invoice__red_of"]), "imported",
                r["invoice__invoice_type"], r["cls"] == "1", direction))
    for tid, row in _without_lines(where, own.removeprefix("invoice__"), direction, pk_to_id):
        facts[tid][direction].append(row)


def _without_lines(where: dict, own_field: str, direction: str, pk_to_id: dict[int, str]):
    """Invoices delivered without their lines: one row each, at the rate their tax implies."""
    from zhishui.registry.models import ImportedInvoice

    for inv in ImportedInvoice.objects.filter(lines__isnull=True, **where).select_related("buyer", "seller"):
        tid = pk_to_id.get(getattr(inv, own_field))
        if tid is None:
            continue
        other = inv.buyer if direction == OUTPUT else inv.seller
        yield tid, InvoiceRow(
            inv.invoice_no, _day(inv.issued_at), (other.tax_id if other else ""),
            inv.buyer_name if direction == OUTPUT else (other.name if other else ""),
            _implied_rate(inv.amount, inv.tax), Decimal(inv.amount), Decimal(inv.tax), bool(inv.red_of),
            "imported", inv.invoice_type, True, direction)


def imported_without_lines(numbers: list[str], direction: str, pk_to_id: dict[int, str]):
    """(identifier, row) of the given imported invoices that came without their lines (for ``bulk``)."""
    own = "seller_id" if direction == OUTPUT else "buyer_id"
    for i in range(0, len(numbers), NUMBERS_PER_QUERY):
        yield from _without_lines({"invoice_no__in": numbers[i:i + NUMBERS_PER_QUERY]}, own, direction, pk_to_id)


def _implied_rate(amount, tax) -> Decimal:
    if not amount:
        return Decimal("0")
    ratio = abs(Decimal(tax) / Decimal(amount))
    return min(KNOWN_RATES, key=lambda r: abs(r - ratio)).normalize()


def _issued(where: Q, direction: str, taxpayer_ids: set[str], facts: Facts) -> None:
    from zhishui.invoicing.models import InvoiceLine

    if direction == OUTPUT:
        own, other_id, other_name = "invoice__seller_id", "invoice__buyer_id", "invoice__buyer_name"
    else:
        own, other_id, other_name = "invoice__buyer_id", "invoice__seller_id", "invoice__seller_name"
    lines = (InvoiceLine.objects.filter(where).annotate(cls=Substr("goods_code", 1, 1))
             .values("invoice__number", "invoice__issued_at", own, other_id, other_name, "invoice__kind",
                     "invoice__colour", "tax_rate", "cls")
             .annotate(a=Sum("amount"), t=Sum("tax")).order_by())
    for r in lines:
        tid = r[own]
        if tid in taxpayer_ids:
            facts[tid][direction].append(InvoiceRow(
                r["invoice__number"], _day(r["invoice__issued_at"]), r[other_id] or "", r[other_name] or "",
                _rate(r["tax_rate"]), fen(r["a"]), fen(r["t"]), r["invoice__colour"] == "red", "issued",
                r["invoice__kind"], r["cls"] == "1", direction))


def invoice_detail(source: str, invoice_no: str) -> dict | None:
    """One invoice with its lines, for the trace link (parties as identifiers, to check access)."""
    if source == "imported" and parties.registry_installed():
        from zhishui.registry.models import ImportedInvoice

        inv = ImportedInvoice.objects.select_related("seller", "buyer").filter(invoice_no=invoice_no).first()
        if inv is None:
            return None
        red = bool(inv.red_of)
        return {"source": source, "invoice_no": inv.invoice_no, "kind": inv.invoice_type,
                "date": _day(inv.issued_at), "red": red, "red_of": inv.red_of, "status": inv.status,
                "seller_id": parties.ident(inv.seller), "seller_name": inv.seller.name,
                "buyer_id": parties.ident(inv.buyer) if inv.buyer else "", "buyer_name": inv.buyer_name,
                "amount": inv.amount, "tax": inv.tax, "deduction_confirmed_on": inv.deduction_confirmed_on,
                "lines": [{"line_no": ln.line_no, "item": ln.item_name, "goods_code": ln.goods_code,
                           "amount": ln.amount, "rate": _rate(ln.tax_rate), "tax": ln.tax}
                          for ln in inv.lines.order_by("line_no")]}
    if source == "issued" and parties.invoicing_installed():
        from zhishui.invoicing.models import Invoice

        inv = Invoice.objects.filter(number=invoice_no).first()
        if inv is None:
            return None
        state = getattr(inv, "state", None)
        return {"source": source, "invoice_no": inv.number, "kind": inv.kind, "date": _day(inv.issued_at),
                "red": inv.is_red, "red_of": inv.red_of_id or "", "status": state.status if state else "",
                "seller_id": inv.seller_id, "seller_name": inv.seller_name, "buyer_id": inv.buyer_id,
                "buyer_name": inv.buyer_name, "amount": inv.amount, "tax": inv.tax,
                "deduction_confirmed_on": state.usage_period if state and state.usage == "deduct" else "",
                "lines": [{"line_no": ln.line_no, "item": ln.item_name, "goods_code": ln.goods_code,
                           "amount": ln.amount, "rate": _rate(ln.tax_rate), "tax": ln.tax}
                          for ln in inv.lines.all()]}
    return None
