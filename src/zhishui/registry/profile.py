"""一户式 (a taxpayer) and 一人式 (a natural person): everything the departments say, on one page.

``taxpayer_profile`` and ``person_profile`` build plain dicts that the page and the API both
render, in a fixed number of queries whatever the size of the taxpayer (a query-count budget test
holds this). Personal identifiers come masked unless ``reveal`` is set, which only a caller that
has checked the capability, taken a reason and written the audit event may do (``services``).

Invoices: the registry holds imported historical invoices. Other apps that hold invoices (the live
e-invoice service) add theirs to the monthly series with ``register_invoice_source``; the registry
never imports them (dependencies point from the edges to the core).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language

from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import parse_id_number
from zhishui.core.regions import describe, resolve

from . import models, pii
from .feeds import FEEDS, enum_label

ZERO = Decimal("0.00")
RECENT = 10
TIMELINE = 60

# Each source: (taxpayer) -> {month: {"out_amount", "out_tax", "out_count", "in_amount", "in_tax", "in_count"}}
INVOICE_SOURCES: list[tuple[str, Callable[[models.Taxpayer], dict[str, dict]]]] = []


def register_invoice_source(name: str, monthly: Callable[[models.Taxpayer], dict[str, dict]]) -> None:
    """Add another app's invoices to the 一户式 monthly series (called from its AppConfig.ready)."""
    INVOICE_SOURCES[:] = [(n, f) for n, f in INVOICE_SOURCES if n != name] + [(name, monthly)]


def _lang() -> str:
    return get_language() or "zh-hans"


def _label(feed: str, column: str, code: str) -> str:
    return enum_label(feed, column, code, _lang())


def _imported_monthly(taxpayer: models.Taxpayer) -> dict[str, dict]:
    out: dict[str, dict] = defaultdict(dict)
    for direction, field in (("out", "seller"), ("in", "buyer")):
        rows = (models.ImportedInvoice.objects.filter(**{field: taxpayer}).values("month")
                .annotate(n=Count("id"), amount=Sum("amount"), tax=Sum("tax")).order_by("month"))
        for row in rows:
            out[row["month"]].update({f"{direction}_count": row["n"], f"{direction}_amount": row["amount"] or ZERO,
                                      f"{direction}_tax": row["tax"] or ZERO})
    return out


register_invoice_source("imported", _imported_monthly)


def _monthly_invoicing(taxpayer: models.Taxpayer) -> list[dict]:
    merged: dict[str, dict] = defaultdict(lambda: {k: ZERO for k in ("out_amount", "out_tax", "in_amount", "in_tax")}
                                          | {"out_count": 0, "in_count": 0})
    for _name, source in INVOICE_SOURCES:
        for month, values in source(taxpayer).items():
            for k, v in values.items():
                merged[month][k] += v
    return [{"month": m, **merged[m]} for m in sorted(merged)]


def _person_view(relation_or_person, *, reveal: bool, prefix: str) -> dict:
    enc = getattr(relation_or_person, f"{prefix}_enc")
    masked = getattr(relation_or_person, f"{prefix}_masked")
    return {"id_number": pii.decrypt(enc) if reveal else masked, "masked": masked}


def _load_refs(*objs) -> dict[int, dict]:
    ids = {o.load_id for o in objs if o is not None}
    return {ld.id: {"source": ld.source, "feed": ld.feed, "file": ld.file_name, "at": ld.finished_at}
            for ld in models.Load.objects.filter(id__in=ids)}


def _identity(t: models.Taxpayer, *, reveal: bool) -> dict:
    if t.personal:
        identifier = pii.decrypt(t.tax_id_enc) if reveal else t.tax_id_masked
    else:
        identifier = t.tax_id
    return {"key": t.key, "identifier": identifier, "id_kind": t.id_kind, "personal": t.personal, "name": t.name,
            "in_district": t.in_district}


def _region_name(code: str) -> str:
    if not code:
        return ""
    try:
        return resolve(code).full_name
    except ValidationFailure:
        return describe(code[:6]) or ""


def _market(m: models.MarketEntity | None, *, reveal: bool, loads: dict) -> dict | None:
    if m is None:
        return None
    return {
        "name": m.name, "entity_type": m.entity_type, "entity_type_label": _label("market_entities", "entity_type",
                                                                                  m.entity_type),
        "established_on": m.established_on, "status": m.status,
        "status_label": _label("market_entities", "status", m.status), "deregistered_on": m.deregistered_on,
        "registered_capital": m.registered_capital, "industry_code": m.industry_code, "region_code": m.region_code,
        "region": _region_name(m.region_code), "address": m.address,
        "legal_rep_id": (pii.decrypt(m.legal_rep_enc) if reveal else m.legal_rep_masked) if m.legal_rep_enc else "",
        "phone": (pii.decrypt(m.phone_enc) if reveal else m.phone_masked) if m.phone_enc else "",
        "version": m.version, "load": loads.get(m.load_id),
    }


def _registration(r: models.TaxRegistration | None, loads: dict) -> dict | None:
    if r is None:
        return None
    return {
        "name": r.name, "taxpayer_kind": r.taxpayer_kind,
        "taxpayer_kind_label": _label("tax_registrations", "taxpayer_kind", r.taxpayer_kind),
        "vat_status": r.vat_status, "vat_status_label": _label("tax_registrations", "vat_status", r.vat_status),
        "registered_on": r.registered_on, "tax_office": r.tax_office, "officer_id": r.officer_id, "state": r.state,
        "state_label": _label("tax_registrations", "state", r.state), "urban_class": r.urban_class,
        "urban_class_label": _label("tax_registrations", "urban_class", r.urban_class) if r.urban_class else "",
        "version": r.version, "load": loads.get(r.load_id),
    }


def _kind(t: models.Taxpayer, market: dict | None, registration: dict | None) -> str:
    if registration:
        return registration["taxpayer_kind"]
    if market:
        return market["entity_type"]
    return "natural_person" if t.id_kind == "id_number" else "external"


def _returns(taxpayer_id: int) -> list[dict]:
    out = []
    returns = models.TaxReturn.objects.filter(taxpayer_id=taxpayer_id).order_by("-period", "tax_type", "-filed_key")
    for r in returns[:120]:
        outstanding = (r.tax_payable or ZERO) - (r.tax_paid or ZERO) if r.filed_at else None
        out.append({"tax_type": r.tax_type, "tax_type_label": _label("returns", "tax_type", r.tax_type),
                    "period": r.period, "declared_sales": r.declared_sales, "tax_payable": r.tax_payable,
                    "tax_paid": r.tax_paid, "filed_at": r.filed_at, "paid_at": r.paid_at,
                    "filed": r.filed_at is not None, "outstanding": outstanding})
    return out


def _properties(taxpayer_id: int) -> tuple[list[dict], list[dict]]:
    holdings = [{"property_id": h.property_id, "property_type": h.property_type,
                 "property_type_label": _label("property_holdings", "property_type", h.property_type),
                 "land_area_m2": h.land_area_m2, "land_grade": h.land_grade, "original_value": h.original_value,
                 "annual_rent": h.annual_rent, "acquired_on": h.acquired_on}
                for h in models.PropertyHolding.objects.filter(owner_id=taxpayer_id).order_by("acquired_on", "id")]
    deals = []
    for d in (models.RealEstateTransaction.objects.filter(Q(seller_id=taxpayer_id) | Q(buyer_id=taxpayer_id))
              .select_related("seller", "buyer").order_by("-signed_on", "id")[:100]):
        selling = d.seller_id == taxpayer_id
        other = d.buyer if selling else d.seller
        deals.append({"transaction_id": d.transaction_id, "property_id": d.property_id,
                      "side": "seller" if selling else "buyer", "counterparty": other.name or other.display_id,
                      "counterparty_key": other.key, "property_type": d.property_type,
                      "property_type_label": _label("real_estate", "property_type", d.property_type),
                      "area_m2": d.area_m2, "contract_price": d.contract_price, "signed_on": d.signed_on,
                      "registered_on": d.registered_on, "buyer_first_home": d.buyer_first_home})
    return holdings, deals


def _diff(feed_name: str, old: dict, new: dict) -> list[dict]:
    feed = FEEDS[feed_name]
    out = []
    zh = _lang().startswith("zh")
    for c in feed.columns:
        if c.kind in ("id_number", "phone"):
            field = f"{c.field}_masked"
        elif c.kind in ("taxpayer_id", "uscc") or (c.kind == "invoice_no" and c.target):
            field = f"{c.field}_id"
        else:
            field = c.name
        before, after = old.get(field), new.get(field)
        if str(before if before is not None else "") != str(after if after is not None else ""):
            label = c.label_zh if zh else c.name
            if c.kind == "enum":
                before = _label(feed_name, c.name, before or "")
                after = _label(feed_name, c.name, after or "")
            if c.kind in ("taxpayer_id", "uscc"):
                before = after = None
            out.append({"field": label, "before": before, "after": after})
    return out


def _timeline(versions: list[models.RecordVersion], facts: list[dict]) -> list[dict]:
    """Dated facts plus every recorded change (what changed, which load brought it)."""
    by_record: dict[tuple[str, int], list[models.RecordVersion]] = defaultdict(list)
    for v in versions:
        by_record[(v.feed, v.record_id)].append(v)
    current: dict[tuple[str, int], dict] = {}
    for feed_name in {f for f, _ in by_record}:
        model = getattr(models, FEEDS[feed_name].model)
        ids = [rid for f, rid in by_record if f == feed_name]
        for row in model.objects.filter(id__in=ids).values():
            current[(feed_name, row["id"])] = {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                                               for k, v in row.items()}
    loads = {ld.id: ld for ld in models.Load.objects.filter(id__in={v.replaced_by_id for v in versions})}
    events = list(facts)
    for (feed_name, rid), vs in by_record.items():
        vs.sort(key=lambda v: v.version)
        for i, v in enumerate(vs):
            successor = vs[i + 1].row if i + 1 < len(vs) else current.get((feed_name, rid), {})
            load = loads.get(v.replaced_by_id)
            events.append({"date": timezone.localtime(v.replaced_at).date(), "kind": "change", "feed": feed_name,
                           "feed_label": FEEDS[feed_name].label_zh if _lang().startswith("zh")
                           else FEEDS[feed_name].label_en,
                           "changes": _diff(feed_name, v.row, successor), "version": v.version + 1,
                           "source": load.source if load else "", "file": load.file_name if load else ""})
    events.sort(key=lambda e: (e["date"], e.get("kind", "")), reverse=True)
    return events[:TIMELINE]


def taxpayer_profile(t: models.Taxpayer, *, reveal: bool = False, staff: bool = True) -> dict:
    """The 一户式 of one taxpayer. ``t`` comes with ``market_entity`` and ``registration`` selected."""
    market_obj = getattr(t, "market_entity", None)
    registration_obj = getattr(t, "registration", None)
    loads = _load_refs(market_obj, registration_obj)
    market = _market(market_obj, reveal=reveal, loads=loads)
    registration = _registration(registration_obj, loads)
    relations = list(models.Relation.objects.filter(entity=t).order_by("role", "start_on", "id"))
    bidxs = sorted({r.person_bidx for r in relations})
    persons = {p.id_bidx: p for p in models.Person.objects.filter(id_bidx__in=bidxs)}
    people = []
    for r in relations:
        p = persons.get(r.person_bidx)
        people.append({"person_key": r.person_bidx, "known": p is not None, "name": p.name if p else "",
                       **_person_view(r, reveal=reveal, prefix="person"),
                       "phone": ((pii.decrypt(p.phone_enc) if reveal else p.phone_masked) if p and p.phone_enc else ""),
                       "role": r.role, "role_label": _label("relations", "role", r.role), "share_ratio": r.share_ratio,
                       "start_on": r.start_on, "end_on": r.end_on, "current": r.end_on is None or
                       r.end_on >= timezone.localdate()})
    linked = []
    if staff and bidxs:
        for r in (models.Relation.objects.filter(person_bidx__in=bidxs).exclude(entity=t)
                  .select_related("entity").order_by("entity__name", "role")[:200]):
            p = persons.get(r.person_bidx)
            linked.append({"person_key": r.person_bidx, "person_name": p.name if p else r.person_masked,
                           "role_label": _label("relations", "role", r.role), "entity_key": r.entity.key,
                           "entity_name": r.entity.name or r.entity.display_id,
                           "entity_id": r.entity.display_id, "start_on": r.start_on, "end_on": r.end_on})
    monthly = _monthly_invoicing(t)
    recent_out = [{"invoice_no": i.invoice_no, "issued_at": i.issued_at, "counterparty": i.buyer_name or
                   (i.buyer.name if i.buyer else ""), "counterparty_key": i.buyer.key if i.buyer else "",
                   "amount": i.amount, "tax": i.tax, "status": _label("invoices", "status", i.status),
                   "red_of": i.red_of, "type": _label("invoices", "invoice_type", i.invoice_type)}
                  for i in models.ImportedInvoice.objects.filter(seller=t).select_related("buyer")
                  .order_by("-issued_at", "-id")[:RECENT]]
    recent_in = [{"invoice_no": i.invoice_no, "issued_at": i.issued_at, "counterparty": i.seller.name or
                  i.seller.display_id, "counterparty_key": i.seller.key, "amount": i.amount, "tax": i.tax,
                  "status": _label("invoices", "status", i.status), "red_of": i.red_of,
                  "type": _label("invoices", "invoice_type", i.invoice_type),
                  "deduction_confirmed_on": i.deduction_confirmed_on}
                 for i in models.ImportedInvoice.objects.filter(buyer=t).select_related("seller")
                 .order_by("-issued_at", "-id")[:RECENT]]
    social = [{"month": s.month, "insured_count": s.insured_count, "wage_base": s.wage_base,
               "contribution": s.contribution}
              for s in models.SocialInsurance.objects.filter(entity=t).order_by("month")]
    utilities = [{"month": u.month, "electricity_kwh": u.electricity_kwh, "water_m3": u.water_m3}
                 for u in models.UtilityUse.objects.filter(entity=t).order_by("month")]
    holdings, deals = _properties(t.id)
    export_rows = list(models.CustomsExport.objects.filter(exporter=t).order_by("-export_date", "-id")
                       .values("declaration_no", "export_date", "hs_code", "goods_name", "fob_cny", "destination"))
    exports_monthly: dict[str, dict] = defaultdict(lambda: {"count": 0, "fob_cny": ZERO})
    for e in export_rows:
        m = e["export_date"].strftime("%Y-%m")
        exports_monthly[m]["count"] += 1
        exports_monthly[m]["fob_cny"] += e["fob_cny"]
    facts = []
    if market:
        facts.append({"date": market["established_on"], "kind": "fact", "text_zh": "成立（市场主体登记）",
                      "text_en": "established (market registration)"})
        if market["deregistered_on"]:
            facts.append({"date": market["deregistered_on"], "kind": "fact",
                          "text_zh": f"{market['status_label']}", "text_en": f"{market['status']}"})
    if registration:
        facts.append({"date": registration["registered_on"], "kind": "fact", "text_zh": "办理税务登记",
                      "text_en": "tax registration"})
    for p in people:
        who = p["name"] or p["masked"]
        facts.append({"date": p["start_on"], "kind": "fact", "text_zh": f"{who} 任{p['role_label']}",
                      "text_en": f"{who} becomes {p['role']}"})
        if p["end_on"]:
            facts.append({"date": p["end_on"], "kind": "fact", "text_zh": f"{who} 不再任{p['role_label']}",
                          "text_en": f"{who} no longer {p['role']}"})
    for h in holdings:
        facts.append({"date": h["acquired_on"], "kind": "fact", "text_zh": f"取得不动产 {h['property_id']}",
                      "text_en": f"acquires property {h['property_id']}"})
    versions = list(models.RecordVersion.objects.filter(subject=t).order_by("-replaced_at")[:200])
    findings = [{"kind": f.kind, "label": str(dict(models.QualityFinding.KINDS)[f.kind]), "detail": f.detail,
                 "count": f.count} for f in models.QualityFinding.objects.filter(subject=t)]
    totals = {k: sum((m[k] for m in monthly), ZERO) for k in ("out_amount", "out_tax", "in_amount", "in_tax")}
    totals.update({k: sum(m[k] for m in monthly) for k in ("out_count", "in_count")})
    return {
        "identity": _identity(t, reveal=reveal), "kind": _kind(t, market, registration), "market": market,
        "registration": registration, "people": people, "linked_entities": linked,
        "invoicing": {"monthly": monthly, "totals": totals, "recent_out": recent_out, "recent_in": recent_in},
        "returns": _returns(t.id), "social_insurance": social, "utilities": utilities, "holdings": holdings,
        "transactions": deals,
        "exports": {"monthly": [{"month": m, **v} for m, v in sorted(exports_monthly.items())],
                    "recent": export_rows[:RECENT], "count": len(export_rows),
                    "fob_cny": sum((e["fob_cny"] for e in export_rows), ZERO)},
        "timeline": _timeline(versions, facts), "findings": findings, "revealed": reveal,
    }


def person_profile(key: str, *, reveal: bool = False) -> dict | None:
    """The 一人式 of a natural person, by blind index. ``None`` when nobody has this key."""
    person = models.Person.objects.filter(id_bidx=key).first()
    taxpayer = models.Taxpayer.objects.select_related("registration").filter(key=key).first()
    relations = list(models.Relation.objects.filter(person_bidx=key).select_related("entity", "entity__registration")
                     .order_by("start_on", "id"))
    if person is None and taxpayer is None and not relations:
        return None
    if person is not None:
        number = pii.decrypt(person.id_enc) if reveal else person.id_masked
        masked = person.id_masked
    elif relations:
        number = pii.decrypt(relations[0].person_enc) if reveal else relations[0].person_masked
        masked = relations[0].person_masked
    else:
        number = pii.decrypt(taxpayer.tax_id_enc) if reveal else taxpayer.tax_id_masked
        masked = taxpayer.tax_id_masked
    birth = gender = None
    if reveal:
        parsed = parse_id_number(number)
        birth, gender = parsed.birth_date, parsed.gender_zh if _lang().startswith("zh") else (
            "male" if parsed.male else "female")
    identity = {"key": key, "name": person.name if person else (taxpayer.name if taxpayer else ""),
                "id_number": number, "masked": masked, "known": person is not None,
                "region_code": person.region_code if person else "",
                "region": _region_name(person.region_code) if person else "",
                "phone": ((pii.decrypt(person.phone_enc) if reveal else person.phone_masked)
                          if person and person.phone_enc else ""),
                "birth_date": birth, "gender": gender, "old_and_new_numbers": bool(person and person.id_forms == 3),
                "load": _load_refs(person).get(person.load_id) if person else None}
    entities = [{"entity_key": r.entity.key, "entity_name": r.entity.name or r.entity.display_id,
                 "entity_id": r.entity.display_id, "role": r.role, "role_label": _label("relations", "role", r.role),
                 "share_ratio": r.share_ratio, "start_on": r.start_on, "end_on": r.end_on,
                 "state_label": _label("tax_registrations", "state", r.entity.registration.state)
                 if hasattr(r.entity, "registration") else ""}
                for r in relations]
    holdings, deals = _properties(taxpayer.id) if taxpayer else ([], [])
    returns = _returns(taxpayer.id) if taxpayer else []
    versions = list(models.RecordVersion.objects.filter(person_bidx=key).order_by("-replaced_at")[:100])
    facts = [{"date": e["start_on"], "kind": "fact", "text_zh": f"任{e['entity_name']}{e['role_label']}",
              "text_en": f"{e['role']} of {e['entity_name']}"} for e in entities]
    return {"identity": identity, "entities": entities, "holdings": holdings, "transactions": deals,
            "returns": returns, "taxpayer_key": taxpayer.key if taxpayer else "",
            "timeline": _timeline(versions, facts), "revealed": reveal}
