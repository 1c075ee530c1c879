"""Every write of the e-invoice service: issue, deliver, confirm usage, red-letter, credit lines.

Issuing (``issue``, ``issue_batch``) runs the synchronous checks first (``drafting.prepare``: seller
state, buyer identifier, goods code and rate, amounts, line count), then one transaction that
takes its locks in a fixed order — the number series row, the seller's credit usage row, the audit
chain head — numbers, hashes, signs and chains the invoice, inserts it with its lines and state,
emits the ``InvoiceEvent`` and stores the idempotency record. Red-letter operations lock the blue
invoice's state row first, then follow the same order.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from zhishui import config
from zhishui.core import audit
from zhishui.core.crypto import sm3_hex
from zhishui.core.errors import ErrorCollector, ValidationFailure
from zhishui.core.identifiers import format_invoice_number
from zhishui.core.money import fen, to_money
from zhishui.core.periods import MONTH, Period, parse_period

from . import credit, documents, drafting, faults, idempotency, parties, signing, store
from .canonical import digest_of
from .drafting import Draft, DraftLine
from .models import Delivery, Invoice, InvoiceEvent, InvoiceLine, InvoiceSeries, InvoiceState, RedLetterRequest

MAX_BATCH_INVOICES = 500
MAX_BATCH_LINES = 20000


class NotFound(LookupError):
    """The object does not exist or is not visible to the caller (rendered as 404)."""


# --- numbering and the ledger ---------------------------------------------------------------------

def province() -> str:
    return str(settings.ZHISHUI_DISTRICT)[:2]


def channel() -> int:
    return int(config.get("ZHISHUI_INVOICE_CHANNEL"))


def genesis(series_key: str) -> str:
    return sm3_hex(f"zhishui invoice ledger genesis {series_key}".encode())


def series_key(year: int) -> str:
    return f"{year % 100:02d}{province()}{channel()}"


def _lock_series(tx: store.IssueTx, year: int) -> tuple[str, tuple]:
    """Lock the year's series row (creating it on first use); return its key and state with the active key."""
    key = series_key(year)
    row = tx.lock_series(key)
    if row is None:
        InvoiceSeries.objects.bulk_create([InvoiceSeries(key=key, year=year, province=province(), channel=channel(),
                                                         last_seq=0, last_hash=genesis(key))], ignore_conflicts=True)
        row = tx.lock_series(key)
    return key, row


class _DayTurned(Exception):
    """The day turned while the merged lock statement waited: retry the transaction the plain way."""


def _issue_in_tx(seller: parties.Party, draft: Draft, *, actor=None, request=None, channel_name: str = "api",
                 colour: str = Invoice.BLUE, red_of: Invoice | None = None, red_form_no: str = "",
                 tx: store.IssueTx | None = None, merged: bool = False) -> Invoice:
    """Number, sign, chain and insert one invoice. Must run inside the caller's transaction.

    Locks, in this order: the series row (all issuing of the series queues here, so numbers are
    contiguous), the seller's credit usage row of the month, the audit chain head. With ``tx`` given,
    the caller adds its own writes and calls ``tx.flush()``; otherwise the writes are flushed here.

    ``merged`` (PostgreSQL; for callers that own the transaction and retry on ``_DayTurned``): the three
    locks are taken by one statement, in the same order, for the month of the day the statement
    started. The number and the time are still taken under the series lock; if the day turned while
    the statement waited, ``_DayTurned`` is raised and the caller retries with ``merged=False``.
    """
    own = tx is None
    tx = tx or store.IssueTx()
    tz = timezone.get_default_timezone()  # numbers and months follow the installation's time zone
    started = timezone.now().astimezone(tz)
    held = None
    if merged and tx.vendor == "postgresql":
        day = started.date()
        held = tx.lock_all(series_key(started.year), seller.taxpayer_id, credit.month_of(day), draft.amount, day)
    if held is not None:  # None also when the series has no row yet: nothing was locked, go the plain way
        (year, prov, chan, last_seq, last_hash, key_id), (used, base, temporary, head) = held
        key = series_key(year)
        faults.point("after_lock")
        issued_at = timezone.now().replace(microsecond=0)
        local = issued_at.astimezone(tz)
        if local.date() != day:
            raise _DayTurned
        month = credit.month_of(day)
    else:
        key, (year, prov, chan, last_seq, last_hash, key_id) = _lock_series(tx, started.year)
        faults.point("after_lock")
        issued_at = timezone.now().replace(microsecond=0)
        local = issued_at.astimezone(tz)
        if local.year != year:  # the year turned while we waited for the lock
            key, (year, prov, chan, last_seq, last_hash, key_id) = _lock_series(tx, local.year)
        day = local.date()
        month = credit.month_of(day)
        used, base, temporary, head = tx.usage_and_audit_head(seller.taxpayer_id, month, draft.amount, day)
    credit.check(seller, month, draft.amount, used, base, temporary)
    signing_key = signing.key_by_id(key_id) if key_id else signing.active_key()
    if base is None or not key_id:  # the taxpayer's first line or the first key was recorded in the audit
        head = tx.audit_head()      # chain meanwhile: read its head again
    seq = last_seq + 1
    number = format_invoice_number(year, prov, chan, seq)
    lines = [ln.__dict__ for ln in draft.lines]
    amount, tax, total = draft.amount, draft.tax, draft.total
    red_of_number = red_of.number if red_of else ""
    header = {"number": number, "kind": draft.kind, "colour": colour, "issued_at": issued_at,
              "seller_id": seller.taxpayer_id, "seller_name": seller.name, "buyer_id": draft.buyer_id,
              "buyer_name": draft.buyer_name, "amount": amount, "tax": tax, "total": total,
              "remark": draft.remark, "issuer": draft.issuer, "red_of": red_of_number,
              "red_form_no": red_form_no, "key_id": signing_key.key_id, "prev_hash": last_hash}
    digest = digest_of(header, lines)
    # Positional, in the order of store.INVOICE_FIELDS (the model's own field order; a test keeps them equal).
    invoice = Invoice(number, key, seq, draft.kind, colour, red_of_number or None, red_form_no, issued_at,
                      seller.taxpayer_id, seller.name, seller.vat_status, seller.region_code, seller.industry_code,
                      draft.buyer_id, draft.buyer_name, amount, tax, total, draft.remark, draft.issuer,
                      getattr(actor, "username", "") or "", channel_name, len(lines), signing_key.key_id, last_hash,
                      digest, signing.sign_digest(signing_key, digest))
    if red_of is not None:
        invoice.red_of = red_of
    tx.insert_issued(
        invoice, draft.lines, issued_at if draft.buyer_id else None,
        "red_issued" if colour == Invoice.RED else "issued",
        {"kind": draft.kind, "lines": len(lines), "channel": channel_name, "red_of": red_of_number,
         "rates": sorted({str(ln.tax_rate) for ln in draft.lines}),
         "checks": ["seller_state", "buyer_identifier", "goods_rate", "amounts", "credit_line"]})
    invoice._state.adding, invoice._state.db = False, "default"
    faults.point("after_insert")
    tx.advance_series(key, seq, digest)
    action = "invoice.red_issue" if colour == Invoice.RED else "invoice.issue"
    audit_detail = {"amount": str(amount), "tax": str(tax), "kind": draft.kind, "lines": len(lines), "digest": digest}
    if head is None:  # the very first audit event of the installation creates the chain head
        tx.flush()
        audit.record(action, actor=actor, request=request, object_type="invoice", object_id=number,
                     detail=audit_detail)
    else:
        tx.append_audit(audit.next_event(head, action, actor=actor, request=request, object_type="invoice",
                                         object_id=number, detail=audit_detail))
    if own:
        tx.flush()
    return invoice


def receipt(invoice: Invoice) -> dict:
    """The issue receipt returned to the seller: number, time, digest and signature."""
    return {
        "number": invoice.number,
        "issued_at": timezone.localtime(invoice.issued_at).isoformat(),
        "kind": invoice.kind,
        "colour": invoice.colour,
        "seller_id": invoice.seller_id,
        "buyer_id": invoice.buyer_id,
        "buyer_name": invoice.buyer_name,
        "amount": f"{invoice.amount:.2f}",
        "tax": f"{invoice.tax:.2f}",
        "total": f"{invoice.total:.2f}",
        "lines": invoice.line_count,
        "red_of": invoice.red_of_id or "",
        "digest": invoice.digest,
        "digest_algorithm": "SM3",
        "signature": invoice.signature,
        "signature_algorithm": "SM2-with-SM3 (GB/T 32918, default user id), over the 32-byte digest",
        "key_id": invoice.key_id,
        "prev_hash": invoice.prev_hash,
        "qr": documents.qr_payload(invoice),
    }


# --- issue ------------------------------------------------------------------------------------------

def _actor_label(actor) -> str:
    if actor is None:
        return ""
    return getattr(actor, "display_name", "") or getattr(actor, "username", "")


def _replay_or_none(scope: str, key: str | None, request_hash: str):
    return idempotency.find(scope, key, request_hash)


def issue(*, seller_id: str, data: dict, actor=None, request=None, channel_name: str = "api",
          idempotency_key: str | None = None) -> tuple[int, dict, bool]:
    """Issue one invoice. Returns (HTTP status, receipt, replayed)."""
    key = idempotency.check_key(idempotency_key)
    scope = f"issue:{seller_id}"
    request_hash = idempotency.body_hash(data) if key else ""
    record = _replay_or_none(scope, key, request_hash)
    if record is not None:
        return record.status_code, record.response, True
    seller = parties.seller_profile(seller_id)
    draft = drafting.prepare(seller, data, default_issuer=_actor_label(actor))
    for merged in (True, False):
        try:
            with idempotency.guard(scope, key), idempotency.sqlite_writer(), transaction.atomic():
                record = idempotency.lookup(scope, key, request_hash)
                if record is not None:
                    return record.status_code, record.response, True
                tx = store.IssueTx()
                invoice = _issue_in_tx(seller, draft, actor=actor, request=request, channel_name=channel_name,
                                       tx=tx, merged=merged)
                response = receipt(invoice)
                idempotency.store(scope, key, request_hash, 201, response, tx=tx)
                tx.flush()  # PostgreSQL: every write of the invoice in one round trip
                faults.point("before_commit")
        except _DayTurned:  # rolled back, locks released: once more, the plain way
            continue
        break
    faults.point("after_commit")
    return 201, response, False


def issue_batch(*, seller_id: str, invoices: list, actor=None, request=None, channel_name: str = "batch",
                idempotency_key: str | None = None) -> tuple[int, dict, bool]:
    """Issue several invoices atomically: every one is checked first; one bad field rejects the batch."""
    key = idempotency.check_key(idempotency_key)
    scope = f"batch:{seller_id}"
    request_hash = idempotency.body_hash(invoices) if key else ""
    record = _replay_or_none(scope, key, request_hash)
    if record is not None:
        return record.status_code, record.response, True
    seller = parties.seller_profile(seller_id)
    if not isinstance(invoices, list) or not invoices:
        raise ValidationFailure("invoices", "批量开具至少需要一张发票", "a batch needs at least one invoice", None)
    if len(invoices) > MAX_BATCH_INVOICES:
        raise ValidationFailure("invoices", f"每批最多{MAX_BATCH_INVOICES}张发票", f"at most {MAX_BATCH_INVOICES} "
                                "invoices per batch", len(invoices))
    total_lines = sum(len(d.get("lines") or []) for d in invoices if isinstance(d, dict))
    if total_lines > MAX_BATCH_LINES:
        raise ValidationFailure("invoices", f"每批最多{MAX_BATCH_LINES}行明细", f"at most {MAX_BATCH_LINES} lines "
                                "per batch", total_lines)
    errors = ErrorCollector()
    drafts = [errors.check(drafting.prepare, seller, d, prefix=f"invoices[{i}].", default_issuer=_actor_label(actor))
              for i, d in enumerate(invoices)]
    errors.raise_if_any()
    with idempotency.guard(scope, key), idempotency.sqlite_writer(), transaction.atomic():
        record = idempotency.lookup(scope, key, request_hash)
        if record is not None:
            return record.status_code, record.response, True
        issued = [_issue_in_tx(seller, d, actor=actor, request=request, channel_name=channel_name) for d in drafts]
        response = {"count": len(issued), "amount": f"{sum(i.amount for i in issued):.2f}",
                    "invoices": [receipt(i) for i in issued]}
        idempotency.store(scope, key, request_hash, 201, response)
        faults.point("before_commit")
    faults.point("after_commit")
    return 201, response, False


# --- delivery and downloads --------------------------------------------------------------------------

def create_link(invoice: Invoice, *, actor=None, request=None, days: int = 30) -> tuple[Delivery, str]:
    """A download link for the buyer (交付 by link). Only the token's SM3 digest is stored."""
    token = secrets.token_urlsafe(24)
    with transaction.atomic():
        delivery = Delivery.objects.create(invoice=invoice, channel=Delivery.LINK, recipient=invoice.buyer_id,
                                           token_digest=sm3_hex(token.encode()),
                                           created_by=getattr(actor, "username", "") or "",
                                           expires_at=timezone.now() + timedelta(days=days))
        InvoiceState.objects.filter(pk=invoice.pk).update(delivery_count=F("delivery_count") + 1,
                                                          delivered_at=timezone.now())
        InvoiceEvent.objects.create(kind="delivered", invoice_number=invoice.number, seller_id=invoice.seller_id,
                                    buyer_id=invoice.buyer_id, detail={"channel": "link", "days": days})
        audit.record("invoice.link", actor=actor, request=request, object_type="invoice", object_id=invoice.number,
                     detail={"delivery": delivery.pk, "days": days})
    return delivery, token


def delivery_for_token(token: str) -> Delivery:
    delivery = (Delivery.objects.select_related("invoice").filter(token_digest=sm3_hex(token.encode()),
                                                                  channel=Delivery.LINK).first())
    if delivery is None or (delivery.expires_at and delivery.expires_at <= timezone.now()):
        raise NotFound(token)
    return delivery


def record_download(invoice: Invoice, fmt: str, *, via: str, delivery: Delivery | None = None, actor=None,
                    request=None) -> None:
    with transaction.atomic():
        InvoiceState.objects.filter(pk=invoice.pk).update(download_count=F("download_count") + 1)
        if delivery is not None:
            Delivery.objects.filter(pk=delivery.pk).update(downloads=F("downloads") + 1,
                                                           last_download_at=timezone.now())
        audit.record("invoice.download", actor=actor, request=request, object_type="invoice",
                     object_id=invoice.number, detail={"format": fmt, "via": via})


# --- buyer: booking and usage confirmation (用途确认) -------------------------------------------------

def _state_for_buyer(number: str, buyer_id: str) -> InvoiceState:
    state = InvoiceState.objects.select_for_update().select_related("invoice").filter(invoice_id=number).first()
    if state is None:
        raise NotFound(number)
    if not buyer_id or state.invoice.buyer_id != buyer_id:
        raise ValidationFailure("number", "只有购买方才能对发票进行此操作",
                                "only the buyer may do this with the invoice", number, code="not_buyer")
    return state


def confirm_usage(number: str, *, buyer_id: str, purpose: str, period: str | None = None, actor=None,
                  request=None) -> InvoiceState:
    """The buyer confirms a received special invoice for deduction in a period, or marks it not for deduction."""
    if purpose not in (InvoiceState.DEDUCT, InvoiceState.NOT_DEDUCT):
        raise ValidationFailure("purpose", "用途应为 deduct（抵扣）或 not_deduct（不抵扣）",
                                "purpose must be deduct or not_deduct", purpose)
    today = timezone.localdate()
    current = Period.containing(today, MONTH)
    chosen = parse_period(period, "period") if period else current
    if chosen.kind != MONTH:
        raise ValidationFailure("period", "用途确认所属期应为月份（YYYY-MM）", "the period is a month (YYYY-MM)",
                                period)
    with transaction.atomic():
        state = _state_for_buyer(number, buyer_id)
        invoice = state.invoice
        if invoice.kind != Invoice.SPECIAL or invoice.colour != Invoice.BLUE:
            raise ValidationFailure("number", "只有蓝字增值税专用发票需要用途确认",
                                    "only blue special VAT invoices are confirmed for deduction", number,
                                    code="not_confirmable")
        if state.usage:
            raise ValidationFailure("number", f"该发票已于{timezone.localtime(state.usage_at):%Y-%m-%d}确认用途",
                                    "the invoice's usage is already confirmed", number, code="already_confirmed")
        if state.status == InvoiceState.RED_REVERSED:
            raise ValidationFailure("number", "该发票已全额红冲，不能确认用途", "the invoice is fully red-reversed",
                                    number, code="red_reversed")
        if RedLetterRequest.objects.filter(blue=invoice, status=RedLetterRequest.PENDING).exists():
            raise ValidationFailure("number", "该发票有待确认的红字发票信息确认单", "a red-letter form is pending for "
                                    "this invoice", number, code="red_pending")
        issued_month = Period.containing(timezone.localdate(invoice.issued_at), MONTH)
        if not issued_month <= chosen <= current:
            raise ValidationFailure("period", f"所属期应在开票月份{issued_month}至当前月份{current}之间",
                                    f"the period must be between {issued_month} and {current}", period)
        InvoiceState.objects.filter(pk=state.pk).update(
            usage=purpose, usage_period=str(chosen) if purpose == InvoiceState.DEDUCT else "",
            usage_at=timezone.now(), usage_by=getattr(actor, "username", "") or "")
        InvoiceEvent.objects.create(kind="usage_confirmed", invoice_number=number, seller_id=invoice.seller_id,
                                    buyer_id=invoice.buyer_id, amount=invoice.amount, tax=invoice.tax,
                                    detail={"purpose": purpose, "period": str(chosen)})
        audit.record("invoice.confirm_usage", actor=actor, request=request, object_type="invoice", object_id=number,
                     detail={"purpose": purpose, "period": str(chosen)})
    state.refresh_from_db()
    return state


def revoke_usage(number: str, *, buyer_id: str, actor=None, request=None) -> InvoiceState:
    """Undo a confirmation while its period is still the current month (撤销勾选)."""
    with transaction.atomic():
        state = _state_for_buyer(number, buyer_id)
        current = str(Period.containing(timezone.localdate(), MONTH))
        if not state.usage:
            raise ValidationFailure("number", "该发票尚未确认用途", "the invoice's usage is not confirmed", number)
        confirmed_month = state.usage_period or f"{timezone.localtime(state.usage_at):%Y-%m}"
        if confirmed_month != current:
            raise ValidationFailure("number", "只能撤销当期的用途确认",
                                    "only a confirmation of the current period can be revoked", number,
                                    code="period_closed")
        InvoiceState.objects.filter(pk=state.pk).update(usage="", usage_period="", usage_at=None, usage_by="")
        InvoiceEvent.objects.create(kind="usage_revoked", invoice_number=number, seller_id=state.invoice.seller_id,
                                    buyer_id=buyer_id, detail={"period": confirmed_month})
        audit.record("invoice.revoke_usage", actor=actor, request=request, object_type="invoice", object_id=number)
    state.refresh_from_db()
    return state


def book(number: str, *, buyer_id: str, actor=None, request=None) -> InvoiceState:
    """The buyer marks a received invoice as entered in its accounts (入账)."""
    with transaction.atomic():
        state = _state_for_buyer(number, buyer_id)
        if state.booked_at is None:
            InvoiceState.objects.filter(pk=state.pk).update(booked_at=timezone.now())
            InvoiceEvent.objects.create(kind="booked", invoice_number=number, seller_id=state.invoice.seller_id,
                                        buyer_id=buyer_id)
            audit.record("invoice.book", actor=actor, request=request, object_type="invoice", object_id=number)
    state.refresh_from_db()
    return state


# --- red-letter (红字) ----------------------------------------------------------------------------------

def _reversed_by_line(blue: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    rows = (InvoiceLine.objects.filter(invoice__red_of=blue).values("red_of_line")
            .annotate(a=Sum("amount"), t=Sum("tax")))
    return {r["red_of_line"]: (-fen(r["a"]), -fen(r["t"])) for r in rows}  # SQLite sums as floats: to the fen


def _red_plan(blue: Invoice, full: bool, lines: object) -> tuple[list[dict], Decimal, Decimal]:
    """Which blue lines to reverse by how much: [{"line_no", "amount", "tax", "quantity"}], amount, tax."""
    done = _reversed_by_line(blue)
    blue_lines = {ln.line_no: ln for ln in blue.lines.order_by("line_no")}
    plan: list[dict] = []
    errors = ErrorCollector()
    if full:
        for no, ln in blue_lines.items():
            amount_done, tax_done = done.get(no, (Decimal(0), Decimal(0)))
            if ln.amount - amount_done > 0:
                plan.append({"line_no": no, "amount": ln.amount - amount_done, "tax": ln.tax - tax_done,
                             "quantity": None})
    else:
        if not isinstance(lines, list) or not lines:
            raise ValidationFailure("lines", "部分红冲须列明要冲减的明细行和金额",
                                    "a partial reversal lists the lines and amounts to reverse", None)
        seen = set()
        for i, raw in enumerate(lines):
            name = f"lines[{i}]"
            if not isinstance(raw, dict):
                errors.add(name, "明细行格式不正确", "malformed line", None)
                continue
            try:
                no = int(raw.get("line_no"))
            except (TypeError, ValueError):
                errors.add(f"{name}.line_no", "行号无效", "invalid line number", raw.get("line_no"))
                continue
            ln = blue_lines.get(no)
            if ln is None or no in seen:
                errors.add(f"{name}.line_no", f"蓝字发票没有第{no}行或重复",
                           f"the blue invoice has no line {no}, or it is repeated", raw.get("line_no"))
                continue
            seen.add(no)
            amount = errors.check(to_money, raw.get("amount"), f"{name}.amount", allow_negative=False)
            if amount is None:
                continue
            amount_done, tax_done = done.get(no, (Decimal(0), Decimal(0)))
            remaining = ln.amount - amount_done
            if amount <= 0 or amount > remaining:
                errors.add(f"{name}.amount", f"红冲金额应大于0且不超过该行剩余可冲金额{remaining}",
                           f"the amount to reverse must be positive and at most the line's remaining {remaining}",
                           raw.get("amount"))
                continue
            tax = ln.tax - tax_done if amount == remaining else min(fen(amount * ln.tax_rate), ln.tax - tax_done)
            quantity = errors.check(drafting.parse_decimal, raw.get("quantity"), f"{name}.quantity", "数量",
                                    "quantity")
            if quantity is not None and (ln.quantity is None or quantity > ln.quantity):
                errors.add(f"{name}.quantity", "红冲数量不能超过蓝字发票数量", "the quantity cannot exceed the blue "
                           "line's quantity", raw.get("quantity"))
                continue
            plan.append({"line_no": no, "amount": amount, "tax": tax, "quantity": quantity})
    errors.raise_if_any()
    amount = sum((p["amount"] for p in plan), Decimal("0.00"))
    tax = sum((p["tax"] for p in plan), Decimal("0.00"))
    if amount <= 0:
        raise ValidationFailure("lines", "该发票已无可红冲的金额", "nothing is left to reverse on this invoice",
                                blue.number, code="nothing_to_reverse")
    remaining_total = blue.amount - sum((a for a, _t in done.values()), Decimal(0))
    if amount > remaining_total:
        raise ValidationFailure("lines", "红字发票金额合计不能超过蓝字发票剩余金额",
                                "red invoices may not exceed the blue invoice", str(amount), code="red_exceeds_blue")
    return plan, amount, tax


def _red_draft(blue: Invoice, plan: list[dict], form_no: str) -> Draft:
    blue_lines = {ln.line_no: ln for ln in blue.lines.filter(line_no__in=[p["line_no"] for p in plan])}
    lines = []
    for i, p in enumerate(plan, 1):
        ln = blue_lines[p["line_no"]]
        qty = p.get("quantity")
        price = ln.unit_price if qty is not None else None
        lines.append(DraftLine(i, ln.goods_code, ln.item_name, ln.specification, ln.unit,
                               -qty if qty is not None else None, price, -p["amount"], ln.tax_rate, -p["tax"],
                               red_of_line=ln.line_no))
    remark = f"被红冲蓝字数电发票号码：{blue.number} 红字发票信息确认单编号：{form_no}"
    return Draft(blue.kind, blue.buyer_id, blue.buyer_name, remark, blue.issuer, lines)


def _new_form_no() -> str:
    return f"{province()}{timezone.localtime():%y%m%d}{secrets.randbelow(10**12):012d}"


def _blue_for_update(number: str) -> tuple[Invoice, InvoiceState]:
    state = InvoiceState.objects.select_for_update().select_related("invoice").filter(invoice_id=number).first()
    if state is None:
        raise NotFound(number)
    invoice = state.invoice
    if invoice.colour != Invoice.BLUE:
        raise ValidationFailure("number", "红字发票不能再红冲", "a red invoice cannot be reversed", number,
                                code="not_blue")
    if state.status == InvoiceState.RED_REVERSED:
        raise ValidationFailure("number", "该发票已全额红冲", "the invoice is already fully red-reversed", number,
                                code="red_reversed")
    return invoice, state


def _issue_red(blue: Invoice, state: InvoiceState, req: RedLetterRequest, plan: list[dict], *, actor,
               request) -> Invoice:
    seller = parties.seller_profile(blue.seller_id)
    if seller.state != parties.NORMAL:
        drafting.check_seller(seller)
    red = _issue_in_tx(seller, _red_draft(blue, plan, req.form_no), actor=actor, request=request,
                       channel_name="red", colour=Invoice.RED, red_of=blue, red_form_no=req.form_no)
    red_amount = state.red_amount + req.amount
    status = InvoiceState.RED_REVERSED if red_amount >= blue.amount else InvoiceState.PARTLY_RED
    InvoiceState.objects.filter(pk=state.pk).update(red_amount=red_amount, red_tax=state.red_tax + req.tax,
                                                    status=status)
    if state.usage == InvoiceState.DEDUCT:
        # The buyer deducted the blue invoice: the red one reduces its input tax in the month it is issued.
        InvoiceState.objects.filter(pk=red.pk).update(
            usage=InvoiceState.DEDUCT, usage_period=f"{timezone.localtime(red.issued_at):%Y-%m}",
            usage_at=red.issued_at, usage_by="system")
    RedLetterRequest.objects.filter(pk=req.pk).update(status=RedLetterRequest.ISSUED, red_invoice=red,
                                                      decided_at=req.decided_at or timezone.now())
    return red


def _party_of(invoice: Invoice, taxpayer_id: str) -> str:
    if taxpayer_id and taxpayer_id == invoice.seller_id:
        return RedLetterRequest.SELLER
    if taxpayer_id and taxpayer_id == invoice.buyer_id:
        return RedLetterRequest.BUYER
    raise NotFound(invoice.number)


def _check_reason(reason: str) -> str:
    if reason not in dict(RedLetterRequest.REASONS):
        raise ValidationFailure("reason", "红冲原因应为 error（开票有误）、return（销货退回）、"
                                "suspension（服务中止）或 allowance（销售折让）",
                                "reason must be error, return, suspension or allowance", reason)
    return reason


def request_red_letter(number: str, *, taxpayer_id: str, reason: str, full: bool = True, lines: object = None,
                       actor=None, request=None) -> RedLetterRequest:
    """Raise a 红字发票信息确认单 (either party). When the seller raises it for an invoice the buyer has
    neither confirmed nor booked, no confirmation is needed and the red invoice is issued at once."""
    _check_reason(reason)
    with transaction.atomic():
        blue, state = _blue_for_update(number)
        party = _party_of(blue, taxpayer_id)
        if RedLetterRequest.objects.filter(blue=blue, status=RedLetterRequest.PENDING,
                                           expires_at__gt=timezone.now()).exists():
            raise ValidationFailure("number", "该发票已有待确认的红字发票信息确认单",
                                    "a red-letter form is already pending for this invoice", number, code="red_pending")
        plan, amount, tax = _red_plan(blue, full, lines)
        now = timezone.now()
        direct = party == RedLetterRequest.SELLER and not state.usage and state.booked_at is None
        plan_json = [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in p.items()} for p in plan]
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    req = RedLetterRequest.objects.create(
                        form_no=_new_form_no(), blue=blue, seller_id=blue.seller_id, buyer_id=blue.buyer_id,
                        raised_by_party=party, raised_by=getattr(actor, "username", "") or "", reason=reason,
                        full=full, amount=amount, tax=tax, lines=plan_json, needs_confirmation=not direct,
                        created_at=now, decided_at=now if direct else None,
                        expires_at=now + timedelta(hours=int(config.get("ZHISHUI_RED_REQUEST_HOURS"))))
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 10^12 random numbers per day make this unreachable
            raise RuntimeError("could not allocate a red-letter form number")
        InvoiceEvent.objects.create(kind="red_requested", invoice_number=number, seller_id=blue.seller_id,
                                    buyer_id=blue.buyer_id, amount=amount, tax=tax,
                                    detail={"form_no": req.form_no, "party": party, "reason": reason, "full": full,
                                            "needs_confirmation": not direct})
        audit.record("invoice.red_request", actor=actor, request=request, object_type="red_letter_form",
                     object_id=req.form_no, detail={"blue": number, "amount": str(amount), "party": party,
                                                    "reason": reason, "direct": direct})
        if direct:
            _issue_red(blue, state, req, plan, actor=actor, request=request)
    req.refresh_from_db()
    return req


def reverse_directly(number: str, *, seller_id: str, reason: str = "error", full: bool = True, lines: object = None,
                     actor=None, request=None) -> Invoice:
    """The seller reverses an invoice the buyer has neither confirmed nor booked (no confirmation needed)."""
    with transaction.atomic():
        blue, state = _blue_for_update(number)
        if _party_of(blue, seller_id) != RedLetterRequest.SELLER:
            raise ValidationFailure("number", "只有销售方可以直接红冲", "only the seller may reverse directly", number,
                                    code="not_seller")
        if state.usage or state.booked_at is not None:
            raise ValidationFailure("number", "购买方已确认用途或已入账，须填开红字发票信息确认单并经购买方确认",
                                    "the buyer has confirmed or booked this invoice: raise a red-letter form for the "
                                    "buyer to confirm", number, code="red_requires_form")
        req = request_red_letter(number, taxpayer_id=seller_id, reason=reason, full=full, lines=lines, actor=actor,
                                 request=request)
    return req.red_invoice


def _pending_for_update(form_no: str) -> RedLetterRequest:
    req = RedLetterRequest.objects.select_for_update().filter(form_no=form_no).first()
    if req is None:
        raise NotFound(form_no)
    return req


def _void_if_expired(req: RedLetterRequest, now) -> bool:
    if req.status == RedLetterRequest.PENDING and req.expires_at <= now:
        RedLetterRequest.objects.filter(pk=req.pk).update(status=RedLetterRequest.VOIDED, decided_at=now,
                                                          decided_by="system",
                                                          decision_note="72小时内未确认，自动作废 / "
                                                                        "not confirmed in time")
        InvoiceEvent.objects.create(kind="red_voided", invoice_number=req.blue_id, seller_id=req.seller_id,
                                    buyer_id=req.buyer_id, amount=req.amount, detail={"form_no": req.form_no})
        audit.record("invoice.red_void", object_type="red_letter_form", object_id=req.form_no,
                     reason="not confirmed in time")
        return True
    return False


def _lock_state(number: str) -> InvoiceState:
    state = InvoiceState.objects.select_for_update().select_related("invoice").filter(invoice_id=number).first()
    if state is None:
        raise NotFound(number)
    return state


def _expire_one(form_no: str) -> None:
    with transaction.atomic():
        req = RedLetterRequest.objects.select_for_update().filter(pk=form_no).first()
        if req is not None:
            _void_if_expired(req, timezone.now())


def decide_red_letter(form_no: str, *, taxpayer_id: str, accept: bool, note: str = "", actor=None,
                      request=None) -> RedLetterRequest:
    """The counterparty confirms (the red invoice is issued at once) or rejects a pending form."""
    _expire_one(form_no)  # a form past its 72 hours is voided first, in its own transaction
    blue_id = RedLetterRequest.objects.filter(pk=form_no).values_list("blue_id", flat=True).first()
    if blue_id is None:
        raise NotFound(form_no)
    with transaction.atomic():
        state = _lock_state(blue_id)  # lock order: the blue invoice's state, then the form
        req = RedLetterRequest.objects.select_for_update().get(pk=form_no)
        blue = state.invoice
        party = _party_of(blue, taxpayer_id)
        if party == req.raised_by_party:
            raise ValidationFailure("form_no", "确认单须由对方确认", "the other party must confirm the form", form_no,
                                    code="own_form")
        now = timezone.now()
        if req.status == RedLetterRequest.VOIDED or (req.status == RedLetterRequest.PENDING and req.expires_at <= now):
            raise ValidationFailure("form_no", "确认单已超过72小时未确认，已作废",
                                    "the form was not confirmed in time and is void", form_no, code="form_expired")
        if req.status != RedLetterRequest.PENDING:
            raise ValidationFailure("form_no", "确认单不是待确认状态", "the form is not awaiting confirmation", form_no,
                                    code="form_not_pending")
        who = getattr(actor, "username", "") or ""
        if accept:
            blue, state = _blue_for_update(blue_id)
            plan = [{"line_no": p["line_no"], "amount": Decimal(p["amount"]), "tax": Decimal(p["tax"]),
                     "quantity": Decimal(p["quantity"]) if p.get("quantity") else None} for p in req.lines]
            _plan, amount, _tax = _red_plan(blue, False, [{"line_no": p["line_no"], "amount": str(p["amount"])}
                                                          for p in plan])
            if amount != req.amount:
                raise ValidationFailure("form_no", "蓝字发票剩余金额已变化，确认单不再适用",
                                        "the blue invoice changed since the form was raised", form_no)
            RedLetterRequest.objects.filter(pk=req.pk).update(decided_at=now, decided_by=who, decision_note=note[:300])
            req.decided_at = now
            _issue_red(blue, state, req, plan, actor=actor, request=request)
        else:
            RedLetterRequest.objects.filter(pk=req.pk).update(status=RedLetterRequest.REJECTED, decided_at=now,
                                                              decided_by=who, decision_note=note[:300])
        InvoiceEvent.objects.create(kind="red_confirmed" if accept else "red_rejected", invoice_number=req.blue_id,
                                    seller_id=req.seller_id, buyer_id=req.buyer_id, amount=req.amount,
                                    detail={"form_no": form_no, "party": party})
        audit.record("invoice.red_confirm" if accept else "invoice.red_reject", actor=actor, request=request,
                     object_type="red_letter_form", object_id=form_no, reason=note)
    req.refresh_from_db()
    return req


def withdraw_red_letter(form_no: str, *, taxpayer_id: str, actor=None, request=None) -> RedLetterRequest:
    blue_id = RedLetterRequest.objects.filter(pk=form_no).values_list("blue_id", flat=True).first()
    if blue_id is None:
        raise NotFound(form_no)
    with transaction.atomic():
        _lock_state(blue_id)
        req = _pending_for_update(form_no)
        party = _party_of(req.blue, taxpayer_id)
        if party != req.raised_by_party:
            raise ValidationFailure("form_no", "只有提出方可以撤回确认单", "only the party that raised the form may "
                                    "withdraw it", form_no, code="not_raiser")
        if req.status != RedLetterRequest.PENDING:
            raise ValidationFailure("form_no", "确认单不是待确认状态", "the form is not awaiting confirmation", form_no,
                                    code="form_not_pending")
        RedLetterRequest.objects.filter(pk=req.pk).update(status=RedLetterRequest.WITHDRAWN,
                                                          decided_at=timezone.now(),
                                                          decided_by=getattr(actor, "username", "") or "")
        audit.record("invoice.red_withdraw", actor=actor, request=request, object_type="red_letter_form",
                     object_id=form_no)
    req.refresh_from_db()
    return req


def expire_red_requests(now=None) -> int:
    """Void every form left unconfirmed past its 72 hours (the scheduled job)."""
    now = now or timezone.now()
    count = 0
    for form_no in list(RedLetterRequest.objects.filter(status=RedLetterRequest.PENDING, expires_at__lte=now)
                        .values_list("form_no", flat=True)):
        with transaction.atomic():
            req = RedLetterRequest.objects.select_for_update().get(pk=form_no)
            count += _void_if_expired(req, now)
    return count
