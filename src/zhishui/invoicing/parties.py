"""Who the seller and the buyer are: the one narrow door from invoicing to the taxpayer registry.

``seller_profile`` and ``buyer_profile`` return a ``Party`` (name, registration state, VAT status,
industry, township). They read ``zhishui.registry`` when that app is installed; ``use_provider``
replaces the source (tests, the crash-test child process, tools that run without a registry).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps

from zhishui.core.errors import ValidationFailure

NORMAL, ABNORMAL, DEREGISTERED = "normal", "abnormal", "deregistered"
GENERAL, SMALL_SCALE, NONE = "general", "small_scale", "none"


@dataclass(frozen=True)
class Party:
    taxpayer_id: str
    name: str
    state: str = NORMAL  # normal / abnormal / deregistered
    vat_status: str = GENERAL  # general / small_scale / none
    industry_code: str = ""  # GB/T 4754 class, e.g. C3311
    region_code: str = ""  # 9-digit township code
    kind: str = "enterprise"


Provider = Callable[[str], Party | None]
_global: list[Provider] = []


@contextmanager
def use_provider(provider: Provider) -> Iterator[None]:
    """Answer lookups from ``provider`` inside the block (process-wide, for tests and tools)."""
    _global.append(provider)
    try:
        yield
    finally:
        _global.remove(provider)


def _from_registry(taxpayer_id: str) -> Party | None:
    """The taxpayer as the registry knows it: registration (state, VAT status) and market entity
    (industry, township). An identity without a tax registration is an outside counterparty."""
    if not apps.is_installed("zhishui.registry"):
        return None
    from zhishui.registry import pii  # the registry owns taxpayers and their identifier keys
    from zhishui.registry.models import Taxpayer

    rows = Taxpayer.objects.select_related("registration", "market_entity")
    row = rows.filter(key=taxpayer_id, personal=False).first()
    if row is None:
        row = rows.filter(key=pii.blind_index(taxpayer_id), personal=True).first()
    registration = getattr(row, "registration", None) if row is not None else None
    if registration is None:
        return None
    entity = getattr(row, "market_entity", None)
    return Party(taxpayer_id=taxpayer_id, name=registration.name or row.name, state=registration.state or NORMAL,
                 vat_status=registration.vat_status or NONE,
                 industry_code=(entity.industry_code if entity else "") or "",
                 region_code=(entity.region_code if entity else "") or "", kind=registration.taxpayer_kind or "")


def lookup(taxpayer_id: str) -> Party | None:
    if _global:
        return _global[-1](taxpayer_id)
    return _from_registry(taxpayer_id)


def seller_profile(taxpayer_id: str, field: str = "seller_id") -> Party:
    """The seller as registered here; refuses an unknown taxpayer (invoices are issued by registered ones)."""
    if not taxpayer_id:
        raise ValidationFailure(field, "当前账号未绑定纳税人，不能开具发票", "this account is not bound to a taxpayer",
                                taxpayer_id, code="not_bound")
    party = lookup(taxpayer_id)
    if party is None:
        raise ValidationFailure(field, f"纳税人“{taxpayer_id}”未在本平台登记，不能开具发票",
                                f"taxpayer {taxpayer_id} is not registered here and cannot issue invoices",
                                taxpayer_id, code="seller_unknown")
    return party


def buyer_profile(taxpayer_id: str) -> Party | None:
    """The buyer if registered here; ``None`` for a counterparty registered elsewhere (which is normal)."""
    return lookup(taxpayer_id) if taxpayer_id else None
