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
        data = {name: getattr(self, name) for name in _PROFILE_FIELDS}
        data["registered_on"] = self.registered_on.isoformat() if self.registered_on else ""
        return data


_PROFILE_FIELDS = tuple(f.name for f in fields(Profile))


def ident(taxpayer) -> str:
    return taxpayer.tax_id or taxpayer.key


def profiles(taxpayer_ids: list[str] | None = None, *, registered_only: bool = True) -> dict[str, Profile]:
    """Profiles of the district's registered taxpayers (or of the given identifiers), in two queries."""
    if not registry_installed():
        return {}
    from zhishui.registry.models import TaxRegistration

    qs = TaxRegistration.objects.all()
    if taxpayer_ids is not None:
        from django.db.models import Q

        qs = qs.filter(Q(taxpayer__tax_id__in=taxpayer_ids) | Q(taxpayer__key__in=taxpayer_ids))
    out: dict[str, Profile] = {}
    for (pk, tax_id, key, name, reg_name, status, kind, registered_on, state, officer, urban, entity_type, region,
         industry) in qs.order_by("taxpayer_id").values_list(
            "taxpayer_id", "taxpayer__tax_id", "taxpayer__key", "taxpayer__name", "name", "vat_status",
            "taxpayer_kind", "registered_on", "state", "officer_id", "urban_class",
            "taxpayer__market_entity__entity_type", "taxpayer__market_entity__region_code",
            "taxpayer__market_entity__industry_code"):
        tid = tax_id or key
        out[tid] = Profile(taxpayer_id=tid, pk=pk, name=reg_name or name, vat_status=status, taxpayer_kind=kind,
                           entity_type=entity_type or "", registered_on=registered_on, state=state,
                           officer_id=officer, region_code=region or "", urban_class=urban,
                           industry_code=industry or "")
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
