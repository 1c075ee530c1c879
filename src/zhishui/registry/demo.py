"""The demo's "load the district" step: generate the synthetic district (``zhishui.demo.generator``)
and import it through the exchange format, as a department delivery would arrive."""

from __future__ import annotations

from django.db.models import Count

from .importer import import_directory, report_text
from .models import ImportBatch, ImportedInvoice, TaxRegistration


def load_demo_district(*, scale: float = 0.1, seed: int = 610303, stdout=None, **options) -> dict:
    """Generate and import the demo district once; returns the taxpayer the demo taxpayer account acts for."""
    if not ImportBatch.objects.filter(via="demo", status__in=["ok", "partial"]).exists():
        from zhishui.demo.generator import generate_demo

        directory = generate_demo(scale=scale, seed=seed)
        report = import_directory(directory, by="demo", via="demo")
        if stdout is not None:
            stdout.write(report_text(report, max_errors=10))
    return demo_taxpayer()


def demo_taxpayer() -> dict:
    """A registered enterprise in normal state with the most invoices issued: a full 一户式."""
    busiest = (ImportedInvoice.objects.filter(seller__registration__state="normal",
                                              seller__registration__taxpayer_kind="enterprise")
               .values("seller_id").annotate(n=Count("id")).order_by("-n", "seller_id").first())
    if busiest is None:
        return {}
    registration = TaxRegistration.objects.select_related("taxpayer").get(taxpayer_id=busiest["seller_id"])
    return {"taxpayer_id": registration.taxpayer.tax_id, "taxpayer_name": registration.name}
