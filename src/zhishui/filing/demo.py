"""Demo set-up step: after the district's feeds are imported, pre-fill the returns of the latest month
that has ended and has invoices, so every demo taxpayer finds its proposal ready in 我的申报."""

from __future__ import annotations

from django.db.models import Max

from zhishui.core.periods import MONTH, Period, parse_period

from . import parties, services


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
    month = latest_month()
    job = services.batch_prefill(str(month), by="demo", quarterly=False)
    if stdout is not None:
        stdout.write(f"    预填 {job.done} 份申报表（{month}）/ pre-filled {job.done} returns for {month}")
    return {"prefill_period": str(month), "prefilled_returns": job.done}
