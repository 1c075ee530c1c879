"""The demo's district: generate the synthetic district once, import it, and pick the taxpayer the demo
taxpayer account acts for. Demo only."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Count

from zhishui.demo.generator import generate_demo


def _demo_taxpayer() -> dict:
    """A normal in-district general-taxpayer enterprise with both sales and purchases: the busiest
    seller among those whose buyers also sell to them, so its VAT return has output and input."""
    from zhishui.registry.models import ImportedInvoice, Taxpayer

    general = Taxpayer.objects.filter(in_district=True, id_kind="uscc", registration__vat_status="general",
                                      registration__state="normal", market_entity__entity_type="enterprise",
                                      market_entity__status="active")
    buyers = set(ImportedInvoice.objects.filter(buyer__in=general).values_list("buyer_id", flat=True).distinct())
    ranked = (ImportedInvoice.objects.filter(seller__in=general, seller_id__in=buyers)
              .values("seller_id").annotate(n=Count("id")).order_by("-n", "seller_id"))
    # Skip the very largest issuers: a believable mid-sized firm makes a better demo than the district giant.
    rows = list(ranked[:40])
    if not rows:
        return {}
    chosen = Taxpayer.objects.get(pk=rows[len(rows) // 2]["seller_id"])
    return {"taxpayer_id": chosen.tax_id, "taxpayer_name": chosen.name}


def prepare(*, scale: float, seed: int, stdout=None, **_options) -> dict:
    from zhishui.registry.importer import import_directory
    from zhishui.registry.models import Taxpayer

    if not Taxpayer.objects.filter(in_district=True).exists():
        out_dir = Path(settings.VAR_DIR) / "demo" / f"district-{seed}-{scale:g}"
        if stdout:
            stdout.write(f"    生成合成区县 / generating the synthetic district into {out_dir}")
        path = generate_demo(scale=scale, seed=seed, out_dir=out_dir)
        if stdout:
            stdout.write("    导入交换数据 / importing the exchange feeds")
        report = import_directory(path, by="zhishui demo", via="demo")
        if not report.ok:
            raise RuntimeError(f"演示数据导入失败 / the demo district did not import: {report.as_dict()['messages']}")
        if stdout:
            rows = sum(f.inserted for f in report.files)
            stdout.write(f"    已导入 {rows:,} 行，{len(report.files)} 个文件 / imported {rows:,} rows from "
                         f"{len(report.files)} files")
    elif stdout:
        stdout.write("    数据已存在，沿用 / district already loaded, reused")
    return _demo_taxpayer()
