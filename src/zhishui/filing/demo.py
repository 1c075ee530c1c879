"""Demo set-up step: after the district's feeds are imported, pre-fill the returns of the latest month
that has ended and has invoices, so every demo taxpayer finds its proposal ready in 我的申报."""

from __future__ import annotations

from django.db.models import Max

from zhishui.core.periods import MONTH, Period, parse_period

from . import parties, services
from .models import Return


def latest_month() -> Period | None:
    """The latest ended month with imported invoices (or the month before the current one)."""
    current = Period.containing(services.today(), MONTH)
    latest = None
    if parties.registry_installed():
        from zhishui.registry.models import ImportedInvoice

        month = ImportedInvoice.objects.filter(month__lt=str(current)).aggregate(m=Max("month"))["m"]
        latest = parse_period(month) if month else None
    return latest or current - 1


def run(scale: float | None = None, seed: int | None = None, stdout=None, **_kwargs) -> dict:
    """Pre-fill the latest month and, when it does not end a quarter, the last quarter-end month before it
    (the small-scale taxpayers' quarterly returns). Returns the feed lists as filed are left alone."""
    month = latest_month()
    months = [month] if month.index % 3 == 0 else [month - month.index % 3, month]
    total = 0
    for m in months:
        job = services.batch_prefill(str(m), by="demo", quarterly=False)
        created = Return.objects.filter(prefills__created_by="demo", period__in=[str(m), str(m.quarter_of())]).count()
        total += created
        if stdout is not None:
            stdout.write(f"    {m}：应申报 {job.total} 户，新预填 {created} 份 / {m}: {job.total} due, "
                         f"{created} proposals pre-filled")
    return {"prefill_period": str(month), "prefilled_returns": total}


def prefill_for_demo_taxpayer(username: str = "demo_taxpayer") -> Return | None:
    """After the demo accounts exist: make sure the demo taxpayer finds a proposal for its latest VAT
    return (general: the latest month; small-scale: the latest ended quarter), even where the returns
    feed says that period was filed in the legacy system, so the demo shows the whole flow."""
    from zhishui.core.errors import ValidationFailure
    from zhishui.core.models import User

    user = User.objects.filter(username=username).first()
    profile = parties.profile(user.taxpayer_id) if user and user.taxpayer_id else None
    if profile is None or profile.vat_status not in ("general", "small_scale"):
        return None
    month = latest_month()
    if profile.vat_status == "general":
        form, period = Return.VAT_GENERAL, month
    else:
        form, period = Return.VAT_SMALL, (month - month.index % 3).quarter_of()
    try:
        return services.prefill_return(profile.taxpayer_id, form, str(period), by="demo")
    except ValidationFailure:
        return None
