"""发票月度汇总: the importer keeps the imported invoices' monthly summaries equal to a fresh count of the
invoices and lines stored, through new invoices, changed invoices and lines delivered later."""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.registry import feedkit
from zhishui.registry import models, summaries
from zhishui.registry.importer import import_directory

pytestmark = pytest.mark.django_db


def counted() -> dict[tuple, tuple[int, int, set[str]]]:
    """What the summaries must say, counted here from the stored invoices and lines one by one."""
    out: dict[tuple, list] = defaultdict(lambda: [0, 0, set()])
    for inv in models.ImportedInvoice.objects.prefetch_related("lines"):
        owners = [(summaries.OUTPUT, inv.month, inv.seller_id)]
        if inv.deduction_confirmed_on and inv.buyer_id:
            owners.append((summaries.INPUT, inv.deduction_confirmed_on.strftime("%Y-%m"), inv.buyer_id))
        for direction, month, owner in owners:
            lines = list(inv.lines.all()) or [None]
            for line in lines:
                key = (direction, month, owner, round(line.tax_rate * 10000) if line else None,
                       line.goods_code[0] if line else None, inv.invoice_type)
                out[key][0] += round(line.amount * 100) if line else 0
                out[key][1] += round(line.tax * 100) if line else 0
                out[key][2].add(inv.invoice_no)
    return {k: (a, t, n) for k, (a, t, n) in out.items()}


def summarised() -> dict[tuple, tuple[int, int, set[str]]]:
    return {(s.direction, s.month, s.taxpayer_id, s.rate_bp, s.goods_class, s.kind):
            (s.amount_fen, s.tax_fen, set(s.numbers.split(","))) for s in models.InvoiceSummary.objects.all()}


def test_an_import_summarises_every_month_it_brings(loaded):
    assert summarised() == counted()
    acme = models.Taxpayer.objects.get(tax_id=feedkit.ACME).pk
    january = summarised()[(summaries.OUTPUT, "2025-01", acme, 1300, "1", "special")]
    # The blue invoice's two lines and the red one that partly reverses it: 10,000.00 − 100.00.
    assert january == (990000, 128700, {"25612000000000000001", "25612000000000000002"})
    beta = models.Taxpayer.objects.get(tax_id=feedkit.BETA).pk
    assert summarised()[(summaries.INPUT, "2025-02", beta, 1300, "1", "special")][0] == 1000000


def test_a_changed_invoice_leaves_the_months_it_no_longer_counts_in(loaded, feed_dir):
    data = feedkit.rows()
    first = data["invoices"][0]
    first["deduction_confirmed_on"] = "2025-03-03"  # its buyer now deducts it in March, not February
    data["invoices"][2]["issued_at"] = "2025-03-01T09:00:00"  # and this one was issued in March
    feedkit.write_all(feed_dir, data)
    report = import_directory(feed_dir)
    assert next(f for f in report.files if f.feed == "invoices").updated == 2
    assert summarised() == counted()
    months = {(k[0], k[1]) for k in summarised()}
    assert (summaries.INPUT, "2025-03") in months and (summaries.OUTPUT, "2025-03") in months
    assert not any("25612000000000000001" in n for k, (_a, _t, n) in summarised().items()
                   if k[:2] == (summaries.INPUT, "2025-02"))


def test_lines_delivered_for_stored_invoices_change_their_summaries(loaded, tmp_path):
    directory = tmp_path / "lines"
    directory.mkdir()
    lines = [dict(r) for r in feedkit.rows()["invoice_lines"] if r["invoice_no"] == "25612000000000000003"]
    lines[0]["goods_code"] = "1090101010000000000"  # a service re-coded as goods
    feedkit.write_csv(directory, "invoice_lines", lines)
    assert import_directory(directory).status == "ok"
    assert summarised() == counted()
    acme = models.Taxpayer.objects.get(tax_id=feedkit.ACME).pk
    assert (summaries.OUTPUT, "2025-02", acme, 1300, "3", "ordinary") not in summarised()


def test_a_rejected_import_leaves_the_summaries_as_they_were(loaded, feed_dir):
    before = summarised()
    data = feedkit.rows()
    data["invoices"][0]["deduction_confirmed_on"] = "2025-03-03"
    data["invoice_lines"][0]["amount"] = "7999.00"  # no longer adds up to its invoice: both files refused
    feedkit.write_all(feed_dir, data)
    report = import_directory(feed_dir)
    assert {f.feed: f.status for f in report.files if f.feed.startswith("invoice")} == {
        "invoices": "rejected", "invoice_lines": "rejected"}
    assert summarised() == before


def test_rebuild_all_repairs_summaries_from_the_stored_invoices(loaded):
    models.InvoiceSummary.objects.all().delete()
    summaries.rebuild_all()
    assert summarised() == counted()
