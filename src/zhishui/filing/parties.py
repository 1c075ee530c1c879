"""Who a taxpayer is, read from the registry (一户式): registration, VAT status, street, officer.

Filing names a taxpayer by identifier (the USCC, or the registry key of a personal taxpayer).
The registry is read here only, so the rest of the app does not depend on its model layout.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from django.apps import apps


def registry_installed() -> bool:
    return apps.is_installed("zhishui.registry")


def invoicing_installed() -> bool:
    return apps.is_installed("zhishui.invoicing")


@dataclass
class Profile:
    taxpayer_id: str
    pk: int
    name: str
    vat_status: str = ""  # general / small_scale / none
    taxpayer_kind: str = ""  # enterprise / individual_business / natural_person / other
    entity_type: str = ""
    registered_on: date | None = None
    state: str = ""  # normal / abnormal / deregistered
    officer_id: str = ""
    region_code: str = ""
    urban_class: str = ""
    industry_code: str = ""

    @property
    def individual_business(self) -> bool:
        return self.taxpayer_kind == "individual_business" or self.entity_type == "individual_business"

    def as_dict(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["registered_on"] = self.registered_on.isoformat() if self.registered_on else ""
        return data


def ident(taxpayer) -> str:
    return taxpayer.tax_id or taxpayer.key


def profiles(taxpayer_ids: list[str] | None = None, *, registered_only: bool = True) -> dict[str, Profile]:
    """Profiles of the district's registered taxpayers (or of the given identifiers), in two queries."""
    if not registry_installed():
        return {}
    from zhishui.registry.models import TaxRegistration

    qs = TaxRegistration.objects.select_related("taxpayer", "taxpayer__market_entity")
    if taxpayer_ids is not None:
        from django.db.models import Q

        qs = qs.filter(Q(taxpayer__tax_id__in=taxpayer_ids) | Q(taxpayer__key__in=taxpayer_ids))
    out: dict[str, Profile] = {}
    for reg in qs.order_by("taxpayer_id"):
        t = reg.taxpayer
        entity = getattr(t, "market_entity", None)
        out[ident(t)] = Profile(
            taxpayer_id=ident(t), pk=t.pk, name=reg.name or t.name, vat_status=reg.vat_status,
            taxpayer_kind=reg.taxpayer_kind, entity_type=entity.entity_type if entity else "",
            registered_on=reg.registered_on, state=reg.state, officer_id=reg.officer_id,
            region_code=entity.region_code if entity else "", urban_class=reg.urban_class,
            industry_code=entity.industry_code if entity else "")
    return out


def profile(taxpayer_id: str) -> Profile | None:
    return profiles([taxpayer_id]).get(taxpayer_id)


def taxpayer_pks(taxpayer_ids: list[str]) -> dict[str, int]:
    """Registry primary keys of identifiers (registered or not), for invoice queries."""
    if not registry_installed() or not taxpayer_ids:
        return {}
    from django.db.models import Q

    from zhishui.registry.models import Taxpayer

    rows = Taxpayer.objects.filter(Q(tax_id__in=taxpayer_ids) | Q(key__in=taxpayer_ids)).only("id", "tax_id", "key")
    return {ident(t): t.pk for t in rows}
