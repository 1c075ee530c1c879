"""Public verification (查验): by number + date + total, by the QR code, or by an uploaded XML/OFD file.

Each path returns a ``Report``: the invoice's key fields, its current status and one line per check —
the content digest recomputed from what is stored (or uploaded), the platform's SM2 signature, the
ledger link to the previous invoice, and for an uploaded file whether its content matches what was
issued. ``log`` records every verification without personal data (the client is a keyed hash of its
address) and ``rate_limited`` answers from that log, so the limit holds across server processes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zhishui import config
from zhishui.core.crypto import blind_index
from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import ID_KIND, classify
from zhishui.core.masking import mask_id_number
from zhishui.core.money import to_money

from . import documents, idempotency, ofd, signing, store
from .canonical import canonical_dict, digest_of, from_invoice, time_text
from .models import Invoice, VerificationLog
from .report import Report
from .xmldoc import ParsedInvoice

MAX_UPLOAD = 10 * 1024 * 1024


@lru_cache(maxsize=4096)
def _masked_id(value: str) -> str:
    # A pure function of the identifier (classify reads only static tables); buyers recur.
    if value and classify(value).kind == ID_KIND:
        return mask_id_number(value)
    return value


def _fields_of_invoice(inv: Invoice) -> dict:
    issued_at = timezone.localtime(inv.issued_at)
    return {"number": inv.number, "kind": inv.kind, "title": documents.TITLES[inv.kind], "colour": inv.colour,
            "issue_date": issued_at.date().isoformat(), "issued_at": issued_at.isoformat(), "seller_id": inv.seller_id,
            "seller_name": inv.seller_name, "buyer_id": _masked_id(inv.buyer_id), "buyer_name": inv.buyer_name,
            "amount": f"{inv.amount:.2f}", "tax": f"{inv.tax:.2f}", "total": f"{inv.total:.2f}",
            "lines": inv.line_count, "red_of": inv.red_of_id or "", "key_id": inv.key_id}


def _fields_of_parsed(p: ParsedInvoice) -> dict:
    return {"number": p.number, "invoice_code": p.invoice_code, "schema": p.schema, "kind": p.kind,
            "title": (documents.TITLES.get(p.kind, "") if p.schema == "einvoice"
                      else {"special": "增值税电子专用发票", "ordinary": "增值税电子普通发票"}.get(p.kind, "")),
            "colour": p.colour,
            "issue_date": p.issue_date.isoformat() if p.issue_date else "", "seller_id": p.seller_id,
            "seller_name": p.seller_name, "buyer_id": _masked_id(p.buyer_id), "buyer_name": p.buyer_name,
            "amount": f"{p.amount:.2f}" if p.amount is not None else "",
            "tax": f"{p.tax:.2f}" if p.tax is not None else "",
            "total": f"{p.total:.2f}" if p.total is not None else "", "lines": len(p.lines),
            "red_of": p.red_of, "key_id": p.key_id}


def _load(number: str) -> Invoice | None:
    inv, lines = store.invoice_for_verification(number)
    if inv is not None:
        inv.loaded_lines = lines
    return inv


def _record_checks(report: Report, inv: Invoice) -> None:
    """Content digest, signature and ledger link of a stored invoice."""
    header, lines = from_invoice(inv, getattr(inv, "loaded_lines", None))
    digest = digest_of(header, lines)
    report.add("digest", digest == inv.digest, "内容摘要（SM3）与开具时一致", "content digest (SM3) as issued",
               inv.digest if digest == inv.digest else f"recomputed {digest}, stored {inv.digest}")
    report.add("signature", signing.verify_digest(inv.key_id, inv.digest, inv.signature), "平台SM2签名有效",
               "platform's SM2 signature valid", inv.key_id)
    if inv.seq == 1:
        from .services import genesis

        expected = genesis(inv.series_id)
    elif hasattr(inv, "prev_digest"):
        expected = inv.prev_digest
    else:
        expected = (Invoice.objects.filter(series_id=inv.series_id, seq=inv.seq - 1)
                    .values_list("digest", flat=True).first())
    report.add("chain", expected == inv.prev_hash, "台账链接（前一张发票的摘要）一致",
               "ledger link to the previous invoice holds", f"{inv.series_id}#{inv.seq}")


def _status(inv: Invoice) -> str:
    return getattr(inv, "state_status", "") or ""


def _finish_ours(report: Report, inv: Invoice) -> None:
    report.ours = True
    report.status = _status(inv)
    report.fields = _fields_of_invoice(inv)


def verify_number(number: str, issue_date: object, total: object) -> Report:
    report = Report("number")
    number = str(number or "").strip()
    if len(number) != 20 or not number.isdigit():
        raise ValidationFailure("number", "发票号码应为20位数字", "the invoice number is 20 digits", number)
    if isinstance(issue_date, date):
        day = issue_date
    else:
        try:
            day = date.fromisoformat(str(issue_date or "").strip())
        except ValueError as exc:
            raise ValidationFailure("date", "开票日期格式应为 YYYY-MM-DD", "the issue date is YYYY-MM-DD",
                                    issue_date) from exc
    amount = to_money(total, "total")
    inv = _load(number)
    if inv is None:
        report.found = False
        report.fields = {"number": number}
        return report
    same_day = timezone.localtime(inv.issued_at).date() == day
    same_total = inv.total == amount
    report.add("date_match", same_day, "开票日期一致", "issue date matches")
    report.add("total_match", same_total, "价税合计一致", "total (incl. VAT) matches")
    if not (same_day and same_total):
        report.fields = {"number": number}  # reveal nothing more to someone who does not hold the invoice
        return report
    _record_checks(report, inv)
    _finish_ours(report, inv)
    return report


def verify_qr(text: str) -> Report:
    report = Report("qr")
    fields = documents.parse_qr(text)
    if fields is None:
        raise ValidationFailure("qr", "二维码内容不是本平台的发票二维码", "the QR content is not an invoice QR code of "
                                "this platform", (text or "")[:80])
    inv = _load(fields["number"])
    if inv is None:
        report.found = False
        report.fields = {"number": fields["number"]}
        return report
    report.add("date_match", timezone.localtime(inv.issued_at).strftime("%Y%m%d") == fields["date"], "开票日期一致",
               "issue date matches")
    report.add("total_match", f"{inv.total:.2f}" == fields["total"], "价税合计一致", "total (incl. VAT) matches")
    report.add("qr_check", inv.digest.startswith(fields["check"].lower()) and len(fields["check"]) == 20,
               "二维码校验码与发票摘要一致", "QR check code matches the invoice digest")
    if report.failed():
        report.fields = {"number": fields["number"]}
        return report
    _record_checks(report, inv)
    _finish_ours(report, inv)
    return report


def _first_difference(parsed: ParsedInvoice, inv: Invoice) -> str:
    header, lines = from_invoice(inv, getattr(inv, "loaded_lines", None))
    stored = canonical_dict(header, lines)
    mine = dict(header)
    mine.update({k: v for k, v in parsed.header().items() if v is not None})
    uploaded = canonical_dict(mine, parsed.lines)
    for key in ("number", "kind", "issued_at", "seller", "buyer", "amount", "tax", "total", "remark", "issuer",
                "red_of", "red_form_no", "key_id", "prev"):
        if stored.get(key) != uploaded.get(key):
            return f"{key}: 开具 / issued {stored.get(key)!r} ≠ 文件 / file {uploaded.get(key)!r}"
    if len(stored["lines"]) != len(uploaded["lines"]):
        return f"lines: 开具 / issued {len(stored['lines'])} ≠ 文件 / file {len(uploaded['lines'])}"
    for a, b in zip(stored["lines"], uploaded["lines"], strict=True):
        for key in a:
            if a[key] != b.get(key):
                return f"lines[{a['no']}].{key}: 开具 / issued {a[key]!r} ≠ 文件 / file {b.get(key)!r}"
    return ""


def _arithmetic(report: Report, parsed: ParsedInvoice) -> None:
    lines_amount = sum((ln["amount"] for ln in parsed.lines), Decimal("0.00"))
    lines_tax = sum((ln["tax"] for ln in parsed.lines), Decimal("0.00"))
    ok = (bool(parsed.lines) and lines_amount == parsed.amount and lines_tax == parsed.tax
          and parsed.amount + parsed.tax == parsed.total)
    report.add("arithmetic", ok, "明细合计与发票合计一致", "line totals add up to the invoice totals",
               f"Σ金额 {lines_amount} / {parsed.amount}; Σ税额 {lines_tax} / {parsed.tax}; 价税合计 {parsed.total}")


def check_parsed(report: Report, parsed: ParsedInvoice) -> None:
    """Checks of an invoice read from a file (XML, or the XML inside an OFD)."""
    report.fields = _fields_of_parsed(parsed)
    _arithmetic(report, parsed)
    if parsed.schema == "einvoice" and parsed.digest:
        digest = digest_of(parsed.header(), parsed.lines) if parsed.issued_at else ""
        report.add("file_digest", digest == parsed.digest, "文件内容与其SM3摘要一致",
                   "the file's content matches its SM3 digest",
                   parsed.digest if digest == parsed.digest else f"recomputed {digest}, file says {parsed.digest}")
        report.add("signature", signing.verify_digest(parsed.key_id, parsed.digest, parsed.signature),
                   "平台SM2签名有效", "platform's SM2 signature valid", parsed.key_id or "-")
    elif parsed.schema == "einvoice-2019" and parsed.embedded_signature:
        report.notes.append("发票XML内嵌的PKCS#7签名（fp:Signature）未核验：其签名证书未随文件提供，"
                            "签名原文的构成未公开 / "
                            "the PKCS#7 signature inside the invoice XML (fp:Signature) is not verified: its "
                            "certificate is not in the file and the signed content is not published")
    inv = _load(parsed.number) if len(parsed.number) == 20 and parsed.number.isdigit() else None
    if inv is None:
        if parsed.schema == "einvoice" and parsed.digest:
            report.add("record_match", False, "与本平台开具记录一致", "matches the invoice issued on this platform",
                       "本平台没有该号码的发票 / no invoice with this number was issued here")
        else:
            report.notes.append("该发票不是本平台开具的，无法与开具记录比对 / not issued by this platform: there is no "
                                "record to compare with")
        return
    difference = _first_difference(parsed, inv)
    if not difference and parsed.digest and parsed.digest != inv.digest:
        difference = f"digest: 开具 / issued {inv.digest} ≠ 文件 / file {parsed.digest}"
    report.add("record_match", not difference, "与本平台开具记录一致", "matches the invoice issued on this platform",
               difference or inv.number)
    _record_checks(report, inv)
    report.ours = True
    report.status = _status(inv)
    report.fields = _fields_of_invoice(inv) | {"schema": parsed.schema}


def sniff(name: str, data: bytes) -> str:
    """"xml" or "ofd" from the content, refusing a file whose content contradicts its extension."""
    lower = (name or "").lower()
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data.startswith(b"PK\x03\x04"):
        kind = "ofd"
    elif head.startswith(b"<"):
        kind = "xml"
    else:
        raise ValidationFailure("file", "文件内容既不是XML也不是OFD", "the file is neither XML nor OFD", name,
                                code="bad_file")
    if (lower.endswith(".xml") and kind != "xml") or (lower.endswith(".ofd") and kind != "ofd"):
        raise ValidationFailure("file", f"文件内容（{kind.upper()}）与扩展名不符", f"the file's content ({kind}) does "
                                "not match its extension", name, code="bad_file")
    if not lower.endswith((".xml", ".ofd")) and lower:
        raise ValidationFailure("file", "只接受 .xml 或 .ofd 文件", "only .xml and .ofd files are accepted", name,
                                code="bad_file")
    return kind


def verify_file(name: str, data: bytes) -> Report:
    if not data:
        raise ValidationFailure("file", "文件为空", "the file is empty", name, code="bad_file")
    if len(data) > MAX_UPLOAD:
        raise ValidationFailure("file", f"文件超过{MAX_UPLOAD // 1024 // 1024}MB", "the file is too large", name,
                                code="bad_file")
    kind = sniff(name, data)
    if kind == "xml":
        from .xmldoc import parse

        report = Report("xml")
        check_parsed(report, parse(data))
        return report
    report = Report("ofd")
    files = ofd.read_package(data)
    embedded = ofd.parse_embedded(files)
    ofd.check_signatures(report, files)
    if embedded is None:
        report.add("ofd_invoice", False, "OFD内含发票数据（XML）", "the OFD embeds the invoice data (XML)",
                   "未找到 / none")
        return report
    signature_checks = report.checks
    report.checks = []
    check_parsed(report, embedded[1])
    report.checks = signature_checks + report.checks
    report.fields["embedded_xml"] = embedded[0]
    return report


# --- logging and rate limit -----------------------------------------------------------------------------

def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") if request is not None else "cli"
    return blind_index(f"verify:{address}", settings.SECRET_KEY)


def rate_limited(client: str) -> bool:
    limit = int(config.get("ZHISHUI_VERIFY_RATE_LIMIT"))
    if limit <= 0:
        return False
    return store.recent_verifications(client, timezone.now() - timedelta(seconds=60), limit) >= limit


LOG_FIELDS = ("at", "method", "client", "invoice_number", "outcome", "checks")


def log(method: str, client: str, report: Report | None, outcome: str = "") -> None:
    """Record a verification: method, pseudonymous client, invoice number, outcome and check names only.

    An operational log, not a legal record: its commit does not wait for the disk (PostgreSQL:
    ``synchronous_commit = off``; SQLite: ``synchronous = NORMAL`` for this one statement, then back to
    the product's ``FULL``). A power failure may lose its last entries, never corrupt the table; invoices
    always commit durably."""
    checks = {c.name: c.ok for c in report.checks} if report is not None else {}
    number = str((report.fields.get("number") if report is not None else "") or "")[:20]
    row = (timezone.now(), method, client, number, outcome or (report.outcome if report is not None else "rejected"),
           checks)
    with idempotency.sqlite_writer():
        vendor = connection.vendor
        if vendor == "sqlite" and connection.get_autocommit():
            raw = connection.connection
            with connection.wrap_database_errors:
                level = int(raw.execute("PRAGMA synchronous").fetchone()[0])
                raw.execute("PRAGMA synchronous=NORMAL")  # WAL: the commit stays atomic, only not yet flushed
                try:
                    # Autocommit: the one INSERT is its own transaction (no BEGIN/COMMIT statements around it).
                    raw.execute(store.insert_sql(VerificationLog, LOG_FIELDS, vendor),
                                (str(row[0].astimezone(UTC).replace(tzinfo=None)), *row[1:5], json.dumps(row[5])))
                finally:
                    raw.execute(f"PRAGMA synchronous={level}")
        elif vendor == "postgresql" and connection.get_autocommit():
            store.insert_async_commit(VerificationLog, LOG_FIELDS, row)
        else:  # inside the caller's transaction: its commit decides
            with transaction.atomic():
                store.insert(VerificationLog, LOG_FIELDS, [row])


def issued_at_text(inv: Invoice) -> str:
    return time_text(inv.issued_at)
