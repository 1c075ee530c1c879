"""The invoice ledger: each issued invoice carries the SM3 digest of the previous one in its series.

``verify_ledger`` walks every series in number order and reports the first inconsistency: a missing
sequence number, a number that does not match its sequence, a broken link, content that no longer
matches its digest (modified), a signature that does not verify, or a series head that does not
match its last invoice (invoices removed or the counter moved).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from zhishui.core.identifiers import format_invoice_number

from . import signing
from .canonical import digest_of, from_invoice
from .models import Invoice, InvoiceSeries


@dataclass
class LedgerReport:
    checked: int = 0
    series: dict[str, int] = field(default_factory=dict)  # series key → invoices checked
    broken_series: str = ""
    broken_seq: int | None = None
    broken_number: str = ""
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify_ledger(series_key: str | None = None, batch: int = 500, check_signatures: bool = True) -> LedgerReport:
    from .services import genesis

    report = LedgerReport()
    all_series = InvoiceSeries.objects.order_by("key")
    if series_key:
        all_series = all_series.filter(key=series_key)
    for series in all_series:
        expected_seq, expected_prev, last_seq = 1, genesis(series.key), 0
        count = 0
        while True:
            rows = list(Invoice.objects.filter(series=series, seq__gt=last_seq).order_by("seq")
                        .prefetch_related("lines")[:batch])
            if not rows:
                break
            for inv in rows:
                problem = ""
                if inv.seq != expected_seq:
                    report.broken_seq = expected_seq
                    problem = f"sequence {expected_seq} is missing (next present is {inv.seq})"
                elif inv.number != format_invoice_number(series.year, series.province, series.channel, inv.seq):
                    problem = "the number does not match its sequence"
                elif inv.prev_hash != expected_prev:
                    problem = "prev_hash does not match the previous invoice's digest (chain broken)"
                else:
                    header, lines = from_invoice(inv, sorted(inv.lines.all(), key=lambda ln: ln.line_no))
                    if digest_of(header, lines) != inv.digest:
                        problem = "content does not match its digest (modified)"
                    elif check_signatures and not signing.verify_digest(inv.key_id, inv.digest, inv.signature):
                        problem = "the signature does not verify"
                if problem:
                    report.broken_series, report.broken_number, report.problem = series.key, inv.number, problem
                    if report.broken_seq is None:
                        report.broken_seq = inv.seq
                    report.series[series.key] = count
                    return report
                expected_seq, expected_prev, last_seq = inv.seq + 1, inv.digest, inv.seq
                count += 1
                report.checked += 1
        report.series[series.key] = count
        if series.last_seq != last_seq or series.last_hash != expected_prev:
            report.broken_series, report.broken_seq = series.key, last_seq + 1
            report.problem = (f"series head says {series.last_seq} invoices, the ledger has {last_seq} "
                              "(invoices removed or the counter changed)")
            return report
    return report
