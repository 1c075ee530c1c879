"""发票总额度 — the monthly credit line on the total amount (excl. VAT) a taxpayer may invoice.

One service function changes a line: ``adjust`` (permanent: a new monthly line; temporary: an
extra amount, positive or negative, valid between two dates). Staff call it with a reason; the
risk and credit modules call the same function with ``source="risk"``/``"credit"`` and the rule
that decided. Every change, the automatic initial line included, is a ``CreditAdjustment`` row
with before/after, reason, rule and detail, plus an audit event and an ``InvoiceEvent``.

Issuing consumes the line inside the issuing transaction: one upsert adds the invoice to the month's
usage (locking its row) and returns the line, and ``check`` refuses the invoice beyond it, which rolls
the transaction back; red invoices give the amount back in the month they are issued.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from zhishui import config
from zhishui.core import audit
from zhishui.core.errors import ValidationFailure
from zhishui.core.money import MAX_AMOUNT, fen, format_money, to_money

from .models import CreditAdjustment, CreditLine, CreditUsage, InvoiceEvent
from .parties import SMALL_SCALE, Party

DEFAULTS = Path(__file__).resolve().parent / "data" / "credit_defaults.yaml"
SOURCES = ("system", "staff", "risk", "credit")


@lru_cache(maxsize=1)
def _defaults() -> dict:
    return yaml.safe_load(DEFAULTS.read_text(encoding="utf-8"))


def initial_amount(party: Party) -> tuple[Decimal, str, dict]:
    """(amount, rule, detail) of the initial line for a taxpayer of this VAT status and industry."""
    d = _defaults()
    status = SMALL_SCALE if party.vat_status == SMALL_SCALE else "general"
    setting = "ZHISHUI_INVOICE_CREDIT_SMALL_SCALE" if status == SMALL_SCALE else "ZHISHUI_INVOICE_CREDIT_GENERAL"
    base = Decimal(int(config.get(setting)))
    section = (party.industry_code or "")[:1].upper()
    factor = Decimal(d["industry_factors"].get(section, d["industry_factors"]["default"]))
    amount = (base * factor).quantize(Decimal("0.01"))
    return amount, f"initial:{status}:{section or '-'}", {"base": str(base), "factor": str(factor),
                                                         "vat_status": status, "industry_section": section}


def ensure_line(party: Party) -> CreditLine:
    """The taxpayer's line, created with its initial amount (and recorded) when missing."""
    line = CreditLine.objects.filter(taxpayer_id=party.taxpayer_id).first()
    if line is not None:
        return line
    amount, rule, detail = initial_amount(party)
    with transaction.atomic():
        line, created = CreditLine.objects.get_or_create(taxpayer_id=party.taxpayer_id,
                                                        defaults={"base_amount": amount})
        if created:
            reason = (f"初始额度：{'小规模纳税人' if detail['vat_status'] == SMALL_SCALE else '一般纳税人'}基数"
                      f"{format_money(Decimal(detail['base']))}元 × 行业（{detail['industry_section'] or '未知'}）系数"
                      f"{detail['factor']} / initial line by VAT status and industry")
            _record(party.taxpayer_id, CreditAdjustment.INITIAL, "system", None, None, Decimal(0), amount, amount,
                    None, None, reason, rule, detail)
    return line


def temporary_total(taxpayer_id: str, day: date) -> Decimal:
    total = (CreditAdjustment.objects.filter(taxpayer_id=taxpayer_id, kind=CreditAdjustment.TEMPORARY)
             .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day))
             .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
             .aggregate(s=Sum("amount"))["s"])
    return fen(total) if total else Decimal("0.00")  # SQLite sums in binary floats: back to the fen


def limit_for(line: CreditLine, day: date) -> Decimal:
    return max(Decimal(0), line.base_amount + temporary_total(line.taxpayer_id, day))


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def check(party: Party, month: str, amount: Decimal, used: Decimal, base: Decimal | None,
          temporary: Decimal) -> None:
    """Refuse an invoice that takes the month's usage (``used``, this invoice included) over the line.

    ``base`` is None for a taxpayer without a line yet: its initial line is set (and recorded) now."""
    if amount <= 0:
        return
    if base is None:
        base = ensure_line(party).base_amount
    limit = max(Decimal(0), base + temporary)
    if used > limit:
        before = used - amount
        remaining = max(Decimal(0), limit - before)
        raise ValidationFailure(
            "amount", f"超出发票总额度：{month}月额度{format_money(limit)}元，已开具{format_money(before)}元，"
                      f"剩余{format_money(remaining)}元，本次{format_money(amount)}元。如需调整请联系主管税务机关",
            f"over the invoice credit line: {month} line {limit}, used {before}, remaining {remaining}, "
            f"this invoice {amount}", str(amount), code="credit_line_exceeded")


@dataclass
class Summary:
    taxpayer_id: str
    base: Decimal
    temporary: Decimal
    limit: Decimal
    used: Decimal
    remaining: Decimal
    month: str


def summary(taxpayer_id: str, day: date | None = None) -> Summary | None:
    day = day or timezone.localdate()
    line = CreditLine.objects.filter(taxpayer_id=taxpayer_id).first()
    if line is None:
        return None
    month = month_of(day)
    used = CreditUsage.objects.filter(taxpayer_id=taxpayer_id, month=month).values_list("used", flat=True).first()
    used = fen(used) if used else Decimal("0.00")
    temporary = temporary_total(taxpayer_id, day)
    limit = max(Decimal(0), line.base_amount + temporary)
    return Summary(taxpayer_id, line.base_amount, temporary, limit, used, max(Decimal(0), limit - used), month)


def _record(taxpayer_id, kind, source, actor, request, before, after, amount, valid_from, valid_until, reason, rule,
            detail) -> CreditAdjustment:
    actor_name = getattr(actor, "username", "") if actor is not None else ""
    adj = CreditAdjustment.objects.create(taxpayer_id=taxpayer_id, kind=kind, source=source, actor=actor_name,
                                          before=before, after=after, amount=amount, valid_from=valid_from,
                                          valid_until=valid_until, reason=reason, rule=rule, detail=detail or {})
    audit.record("invoice.credit_line", actor=actor, request=request, object_type="credit_line",
                 object_id=taxpayer_id, reason=reason,
                 detail={"kind": kind, "source": source, "before": str(before), "after": str(after),
                         "amount": str(amount), "rule": rule,
                         "valid_until": valid_until.isoformat() if valid_until else None})
    InvoiceEvent.objects.create(kind="credit_changed", seller_id=taxpayer_id, amount=amount,
                                detail={"adjustment": adj.pk, "kind": kind, "source": source, "rule": rule,
                                        "before": str(before), "after": str(after)})
    return adj


def adjust(taxpayer_id: str, *, kind: str, amount: object, reason: str, source: str = "staff", actor=None,
           request=None, valid_from: date | None = None, valid_until: date | None = None, rule: str = "",
           detail: dict | None = None, party: Party | None = None) -> CreditAdjustment:
    """Change a credit line. ``permanent``: ``amount`` is the new monthly line. ``temporary``: ``amount`` is
    added (or, negative, taken away) from ``valid_from`` (default today) to ``valid_until`` (required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailure("reason", "调整发票总额度必须说明理由", "a reason is required to change a credit line",
                                reason)
    if source not in SOURCES:
        raise ValidationFailure("source", "来源无效", "invalid source", source)
    if kind not in (CreditAdjustment.PERMANENT, CreditAdjustment.TEMPORARY):
        raise ValidationFailure("kind", "调整方式应为 permanent（长期）或 temporary（临时）",
                                "kind must be permanent or temporary", kind)
    value = to_money(amount, "amount", allow_negative=kind == CreditAdjustment.TEMPORARY)
    if abs(value) > MAX_AMOUNT:
        raise ValidationFailure("amount", "金额过大", "the amount is too large", str(amount))
    today = timezone.localdate()
    if kind == CreditAdjustment.TEMPORARY:
        valid_from = valid_from or today
        if valid_until is None or valid_until < valid_from:
            raise ValidationFailure("valid_until", "临时调整须填写不早于开始日期的截止日期",
                                    "a temporary change needs an end date on or after its start", str(valid_until))
    with transaction.atomic():
        line = CreditLine.objects.select_for_update().filter(taxpayer_id=taxpayer_id).first()
        if line is None:
            if party is None:
                from .parties import lookup

                party = lookup(taxpayer_id)
            if party is None:
                raise ValidationFailure("taxpayer_id", f"纳税人“{taxpayer_id}”未在本平台登记",
                                        f"taxpayer {taxpayer_id} is not registered here", taxpayer_id)
            ensure_line(party)
            line = CreditLine.objects.select_for_update().get(taxpayer_id=taxpayer_id)
        before = limit_for(line, today)
        if kind == CreditAdjustment.PERMANENT:
            CreditLine.objects.filter(pk=line.pk).update(base_amount=value, updated_at=timezone.now())
            line.base_amount = value
            after_line = value + temporary_total(taxpayer_id, today)
        else:
            after_line = before + (value if valid_from <= today else Decimal(0))
        return _record(taxpayer_id, kind, source, actor, request, before, max(Decimal(0), after_line), value,
                       valid_from if kind == CreditAdjustment.TEMPORARY else None,
                       valid_until if kind == CreditAdjustment.TEMPORARY else None, reason, rule, detail)
