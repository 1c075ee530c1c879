"""Cross-feed consistency checks, run after every import batch (the findings on 数据交换).

- ``unregistered_seller``: invoices issued by a seller of this district (USCC registered by the
  district's authorities, or a market entity here) that has no tax registration. Sellers from
  elsewhere are normal counterparties (EXCHANGE.md) and are not findings.
- ``unknown_person``: relations naming an ID number the persons feed does not have.
- ``si_after_deregistration``: social insurance for months after the entity was deregistered or
  revoked (market registration), or for an entity whose tax registration is deregistered.
- ``duplicate_person``: a person delivered under the old 15-digit and the new 18-digit number.

The findings are recomputed as a whole (set-based queries, so they scale with the tables) and
replace the previous ones; the counts by kind are kept on the batch for the trend.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils import timezone

from .models import (
    ImportBatch,
    ImportedInvoice,
    MarketEntity,
    Person,
    QualityFinding,
    Relation,
    SocialInsurance,
    Taxpayer,
    TaxRegistration,
)

LIMIT = 5000  # findings kept per kind; the count by kind is always complete


def _unregistered_sellers(batch, now) -> tuple[list[QualityFinding], int]:
    registered = TaxRegistration.objects.filter(taxpayer_id=OuterRef("pk"))
    market = MarketEntity.objects.filter(taxpayer_id=OuterRef("pk"))
    candidates = (Taxpayer.objects.filter(Q(in_district=True) | Q(Exists(market))).filter(~Exists(registered))
                  .values("id"))
    rows = (ImportedInvoice.objects.filter(seller_id__in=candidates).values("seller_id")
            .annotate(n=Count("id"), first=Min("issued_at"), last=Max("issued_at"), total=Sum("amount"))
            .order_by("-n"))
    out = []
    total = 0
    for row in rows:
        total += 1
        if len(out) < LIMIT:
            out.append(QualityFinding(kind="unregistered_seller", subject_id=row["seller_id"], count=row["n"],
                                      detail={"invoices": row["n"], "amount": f"{row['total']:.2f}",
                                              "first": timezone.localtime(row["first"]).date().isoformat(),
                                              "last": timezone.localtime(row["last"]).date().isoformat()},
                                      batch=batch, found_at=now))
    return out, total


def _unknown_persons(batch, now) -> tuple[list[QualityFinding], int]:
    known = Person.objects.filter(id_bidx=OuterRef("person_bidx"))
    rows = (Relation.objects.filter(~Exists(known)).values("person_bidx", "person_masked")
            .annotate(n=Count("id"), entity=Min("entity_id")).order_by("-n", "person_bidx"))
    out = []
    total = 0
    for row in rows:
        total += 1
        if len(out) < LIMIT:
            out.append(QualityFinding(kind="unknown_person", subject_id=row["entity"], person_bidx=row["person_bidx"],
                                      count=row["n"], detail={"person": row["person_masked"], "relations": row["n"]},
                                      batch=batch, found_at=now))
    return out, total


def _si_after_deregistration(batch, now) -> tuple[list[QualityFinding], int]:
    closed = {pk: (on.strftime("%Y-%m"), status) for pk, on, status in
              MarketEntity.objects.filter(status__in=["deregistered", "revoked"], deregistered_on__isnull=False)
              .values_list("taxpayer_id", "deregistered_on", "status")}
    for pk in TaxRegistration.objects.filter(state="deregistered").values_list("taxpayer_id", flat=True):
        closed.setdefault(pk, ("", "tax_deregistered"))
    months: dict[int, list[str]] = {}
    ids = list(closed)
    for start in range(0, len(ids), 900):
        for pk, month in SocialInsurance.objects.filter(entity_id__in=ids[start:start + 900]).values_list(
                "entity_id", "month"):
            since, _status = closed[pk]
            if not since or month > since:
                months.setdefault(pk, []).append(month)
    out = []
    for pk, ms in sorted(months.items(), key=lambda kv: -len(kv[1])):
        since, status = closed[pk]
        if len(out) < LIMIT:
            out.append(QualityFinding(kind="si_after_deregistration", subject_id=pk, count=len(ms),
                                      detail={"status": status, "deregistered": since, "months": sorted(ms)[:24]},
                                      batch=batch, found_at=now))
    return out, len(months)


def _duplicate_persons(batch, now) -> tuple[list[QualityFinding], int]:
    rows = Person.objects.filter(id_forms=3).values_list("id_bidx", "id_masked", "name").order_by("id")
    out = []
    total = 0
    for bidx, masked, name in rows:
        total += 1
        if len(out) < LIMIT:
            out.append(QualityFinding(kind="duplicate_person", person_bidx=bidx,
                                      detail={"person": masked, "name": name}, batch=batch, found_at=now))
    return out, total


CHECKS = {
    "unregistered_seller": _unregistered_sellers,
    "unknown_person": _unknown_persons,
    "si_after_deregistration": _si_after_deregistration,
    "duplicate_person": _duplicate_persons,
}


def run_checks(batch: ImportBatch) -> dict[str, int]:
    """Recompute every finding; returns the count by kind."""
    now = timezone.now()
    counts: dict[str, int] = {}
    findings: list[QualityFinding] = []
    for kind, check in CHECKS.items():
        found, counts[kind] = check(batch, now)
        findings += found
    with transaction.atomic():
        QualityFinding.objects.all().delete()
        QualityFinding.objects.bulk_create(findings, batch_size=1000)
    return counts
