"""Search from the header of every staff page: a name (Chinese), a USCC or taxpayer number, an ID
number (found through its blind index, never compared in clear) or an invoice number."""

from __future__ import annotations

import re

from django.urls import reverse

from zhishui.core import identifiers as ids

from . import models, pii
from .validate import LEGACY_INVOICE

LIMIT = 20


def _taxpayer_row(t: models.Taxpayer) -> dict:
    return {"key": t.key, "name": t.name or t.display_id, "identifier": t.display_id,
            "registered": hasattr(t, "registration"), "url": reverse("registry:taxpayer", args=[t.key])}


def _person_row(p: models.Person) -> dict:
    return {"key": p.id_bidx, "name": p.name, "identifier": p.id_masked,
            "url": reverse("registry:person", args=[p.id_bidx])}


def search(q: str) -> dict:
    text = ids.normalize(q)
    taxpayers: list[dict] = []
    persons: list[dict] = []
    invoices: list[dict] = []
    exact = ""
    result = ids.classify(text) if text else None
    if result is not None and result.valid:
        personal = result.kind == ids.ID_KIND or (result.kind == ids.LEGACY_KIND
                                                   and ids.is_valid_id_number(result.parsed.base))
        number = result.parsed.number if result.kind == ids.ID_KIND else result.value
        key = pii.blind_index(number) if personal else number
        for t in models.Taxpayer.objects.select_related("registration").filter(key=key):
            taxpayers.append(_taxpayer_row(t))
        if result.kind == ids.ID_KIND:
            persons = [_person_row(p) for p in models.Person.objects.filter(id_bidx=key)]
            if not persons and models.Relation.objects.filter(person_bidx=key).exists():
                persons = [{"key": key, "name": "", "identifier": result.parsed.number[:6] + "********"
                            + result.parsed.number[-4:], "url": reverse("registry:person", args=[key])}]
    if re.fullmatch(r"\d{20}", text) or re.fullmatch(LEGACY_INVOICE, text):
        for inv in models.ImportedInvoice.objects.select_related("seller", "buyer").filter(invoice_no=text):
            invoices.append({"invoice_no": inv.invoice_no, "issued_at": inv.issued_at, "amount": inv.amount,
                             "tax": inv.tax, "seller": _taxpayer_row(inv.seller),
                             "buyer": _taxpayer_row(inv.buyer) if inv.buyer else None,
                             "buyer_name": inv.buyer_name})
    if q.strip() and not (taxpayers or persons or invoices):
        name = q.strip()
        taxpayers = [_taxpayer_row(t) for t in models.Taxpayer.objects.select_related("registration")
                     .filter(name__icontains=name).order_by("name", "id")[:LIMIT]]
        persons = [_person_row(p) for p in models.Person.objects.filter(name__icontains=name)
                   .order_by("name", "id")[:LIMIT]]
    hits = len(taxpayers) + len(persons) + len(invoices)
    if result is not None and result.valid:
        # An identifier names one party: a person's number opens the 一人式 (it links the person's
        # taxpayer profile), any other identifier the 一户式.
        if persons:
            exact = persons[0]["url"]
        elif len(taxpayers) == 1:
            exact = taxpayers[0]["url"]
    return {"taxpayers": taxpayers, "persons": persons, "invoices": invoices, "exact": exact, "count": hits}
