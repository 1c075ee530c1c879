"""Registry rows for filing tests, written directly (the importer is tested in tests/registry)."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from zhishui.registry import summaries
from zhishui.registry.models import (
    ImportBatch,
    ImportedInvoice,
    ImportedInvoiceLine,
    Load,
    MarketEntity,
    PropertyHolding,
    RealEstateTransaction,
    SocialInsurance,
    Taxpayer,
    TaxRegistration,
    TaxReturn,
)

_seq = itertools.count(1)


def load(feed: str = "test") -> Load:
    batch = ImportBatch.objects.create(started_at=timezone.now(), via="cli")
    return Load.objects.create(batch=batch, feed=feed, source="test", file_name=f"{feed}.csv", file_format="csv",
                               started_at=timezone.now())


def uscc(n: int) -> str:
    """A syntactically valid-looking 18-character identifier unique per ``n`` (tests do not validate it)."""
    return f"91610303{n:09d}X"


def taxpayer(n: int, *, vat_status: str = "general", kind: str = "enterprise", entity_type: str = "enterprise",
             registered_on: date = date(2024, 1, 1), state: str = "normal", street: str = "610303001",
             officer: str = "S01", urban_class: str = "city", ld: Load | None = None) -> Taxpayer:
    ld = ld or load()
    t = Taxpayer.objects.create(key=uscc(n), id_kind="uscc", tax_id=uscc(n), name=f"测试企业{n}", in_district=True)
    MarketEntity.objects.create(taxpayer=t, name=t.name, entity_type=entity_type, established_on=registered_on,
                                status="active", region_code=street, load=ld, row_hash=n)
    TaxRegistration.objects.create(taxpayer=t, name=t.name, taxpayer_kind=kind, vat_status=vat_status,
                                   registered_on=registered_on, officer_id=officer, state=state,
                                   urban_class=urban_class, load=ld, row_hash=n)
    return t


def outsider(n: int) -> Taxpayer:
    return Taxpayer.objects.create(key=uscc(900000 + n), id_kind="uscc", tax_id=uscc(900000 + n), name=f"外地企业{n}")


def invoice(seller: Taxpayer, buyer: Taxpayer | None, issued: datetime, lines: list[tuple[str, str, str]], *,
            kind: str = "special", red_of: str = "", confirmed: date | None = None, ld: Load | None = None,
            number: str | None = None) -> ImportedInvoice:
    """``lines``: (goods_code first digit or full code, amount, rate); tax = amount × rate rounded."""
    ld = ld or load("invoices")
    number = number or f"2661{next(_seq):016d}"
    rows = []
    for code, amount, rate in lines:
        a = Decimal(amount)
        rows.append((code.ljust(19, "0"), a, Decimal(rate), (a * Decimal(rate)).quantize(Decimal("0.01"))))
    issued = timezone.make_aware(issued) if timezone.is_naive(issued) else issued
    inv = ImportedInvoice.objects.create(
        invoice_no=number, invoice_type=kind, issued_at=issued, month=timezone.localtime(issued).strftime("%Y-%m"),
        seller=seller, buyer=buyer, buyer_name=buyer.name if buyer else "个人", amount=sum(r[1] for r in rows),
        tax=sum(r[3] for r in rows), status="normal", red_of=red_of, deduction_confirmed_on=confirmed, load=ld,
        row_hash=next(_seq))
    ImportedInvoiceLine.objects.bulk_create([
        ImportedInvoiceLine(invoice=inv, line_no=i + 1, goods_code=code, item_name="*测试*商品", amount=a, tax_rate=r,
                            tax=t, load=ld, row_hash=next(_seq)) for i, (code, a, r, t) in enumerate(rows)])
    summaries.refresh(summaries.months_of_ids([inv.pk]))  # as the importer keeps them
    return inv


def historical_return(t: Taxpayer, period: str, *, filed: bool = True, tax_type: str = "vat") -> TaxReturn:
    at = timezone.now() if filed else None
    return TaxReturn.objects.create(taxpayer=t, tax_type=tax_type, period=period, filed_at=at,
                                    filed_key=at.isoformat() if at else "", load=load("returns"), row_hash=1)


def holding(owner: Taxpayer, pid: str, *, value: str | None = None, rent: str | None = None, area: str | None = None,
            grade: int | None = None, acquired: date = date(2020, 1, 1)) -> PropertyHolding:
    return PropertyHolding.objects.create(property_id=pid, owner=owner, property_type="commercial",
                                          land_area_m2=Decimal(area) if area else None, land_grade=grade,
                                          original_value=Decimal(value) if value else None,
                                          annual_rent=Decimal(rent) if rent else None, acquired_on=acquired,
                                          load=load("property"), row_hash=1)


def deal(tid: str, seller: Taxpayer, buyer: Taxpayer, price: str, signed: date) -> RealEstateTransaction:
    return RealEstateTransaction.objects.create(transaction_id=tid, property_id="P" + tid, seller=seller, buyer=buyer,
                                                property_type="commercial", area_m2=Decimal("100"),
                                                contract_price=Decimal(price), signed_on=signed,
                                                load=load("real_estate"), row_hash=1)


def insured(t: Taxpayer, month: str, count: int) -> SocialInsurance:
    return SocialInsurance.objects.create(entity=t, month=month, insured_count=count, wage_base=Decimal("1000.00"),
                                          contribution=Decimal("100.00"), load=load("si"), row_hash=1)
