"""Follow-up of filing: the taxpayer's to-do list, staff lists of non-filers and late payers per street
and officer, automatic reminders, and 非正常户 candidates (no return for any tax for 3 months).

A return counts as filed when it was filed on this platform or the registry's historical returns feed
says it was filed (``TaxReturn.filed_key`` not empty).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from zhishui.core import audit
from zhishui.core.errors import ValidationFailure
from zhishui.core.money import fen
from zhishui.core.periods import MONTH, QUARTER, Period

from . import calendar, parties
from .models import AbnormalDecision, Payable, Reminder, Return

VAT_FORMS = (Return.VAT_GENERAL, Return.VAT_SMALL)


def filed_vat(periods: list[Period], taxpayer: parties.Profile | None = None) -> set[tuple[str, str]]:
    """(taxpayer, period) pairs with a filed VAT return, on the platform or in the returns feed."""
    keys = [str(p) for p in periods]
    mine = Return.objects.filter(form__in=VAT_FORMS, period__in=keys, status__in=[Return.FILED, Return.SUPERSEDED])
    if taxpayer is not None:
        mine = mine.filter(taxpayer_id=taxpayer.taxpayer_id)
    filed = set(mine.values_list("taxpayer_id", "period"))
    if parties.registry_installed():
        from zhishui.registry.models import TaxReturn

        feed = TaxReturn.objects.filter(tax_type="vat", period__in=keys).exclude(filed_key="")
        if taxpayer is not None:
            feed = feed.filter(taxpayer_id=taxpayer.pk)
        for tax_id, key, period in feed.values_list("taxpayer__tax_id", "taxpayer__key", "period"):
            filed.add((tax_id or key, period))
    return filed


def vat_period(profile: parties.Profile, month: Period) -> Period | None:
    """The VAT return a taxpayer owes in the filing season after ``month``: the month for general
    taxpayers; the quarter for small-scale taxpayers (增值税法实施条例第四十三条), due only after a
    quarter's last month."""
    if profile.vat_status == "general":
        return month
    if profile.vat_status == "small_scale" and month.index % 3 == 0:
        return month.quarter_of()
    return None


def required_vat(month: Period, profiles: dict[str, parties.Profile] | None = None
                 ) -> dict[str, tuple[parties.Profile, Period]]:
    """Registered VAT taxpayers (not deregistered) owing a VAT return after ``month``, with its period.
    A quarter given instead of a month selects the small-scale taxpayers' quarterly returns only."""
    out = {}
    for tid, p in (parties.profiles() if profiles is None else profiles).items():
        if p.vat_status not in ("general", "small_scale") or p.state == "deregistered":
            continue
        due = (month if p.vat_status == "small_scale" else None) if month.kind == QUARTER else vat_period(p, month)
        if due is None or (p.registered_on is not None and p.registered_on > due.end):
            continue
        out[tid] = (p, due)
    return out


def non_filers(month: Period, *, street: str = "", officer: str = "") -> list[dict]:
    """Taxpayers owing the VAT return of the filing season after ``month`` who have not filed it
    (general: the month; small-scale: the quarter, when ``month`` ends one), by street, officer, id."""
    required = required_vat(month)
    filed = filed_vat(sorted({due for _p, due in required.values()}, key=str))
    out = []
    for tid, (p, due) in required.items():
        if (tid, str(due)) in filed or (street and p.region_code != street) or (officer and p.officer_id != officer):
            continue
        out.append({"taxpayer_id": tid, "name": p.name, "street": p.region_code, "officer": p.officer_id,
                    "vat_status": p.vat_status, "period": str(due), "due_on": calendar.deadline(due)})
    out.sort(key=lambda r: (r["street"], r["officer"], r["taxpayer_id"]))
    return out


def late_payers(on: date, *, street: str = "", officer: str = "") -> list[dict]:
    """Open tax payable past its due date, one row per taxpayer."""
    rows = (Payable.objects.filter(status=Payable.OPEN, due_on__lt=on).values("taxpayer_id")
            .annotate(amount=Sum("amount")).order_by("taxpayer_id"))
    profiles = parties.profiles([r["taxpayer_id"] for r in rows]) if rows else {}
    out = []
    for r in rows:
        p = profiles.get(r["taxpayer_id"])
        if p is None or (street and p.region_code != street) or (officer and p.officer_id != officer):
            continue
        out.append({"taxpayer_id": r["taxpayer_id"], "name": p.name, "street": p.region_code,
                    "officer": p.officer_id, "amount": fen(r["amount"])})
    return out


def _filed_any(months: list[Period]) -> dict[str, set[str]]:
    """Per taxpayer, the months of ``months`` covered by a filed return of any tax."""
    keys = {str(m) for m in months} | {str(m.quarter_of()) for m in months}
    covered: dict[str, set[str]] = {}

    def add(tid: str, period_text: str) -> None:
        for m in months:
            if period_text in (str(m), str(m.quarter_of()), str(m.year)):
                covered.setdefault(tid, set()).add(str(m))

    for tid, period_text in (Return.objects.filter(status__in=[Return.FILED, Return.SUPERSEDED], period__in=keys)
                             .values_list("taxpayer_id", "period")):
        add(tid, period_text)
    if parties.registry_installed():
        from zhishui.registry.models import TaxReturn

        for tax_id, key, period_text in (TaxReturn.objects.filter(period__in=keys).exclude(filed_key="")
                                         .values_list("taxpayer__tax_id", "taxpayer__key", "period")):
            add(tax_id or key, period_text)
    return covered


def abnormal_candidates(as_of: Period, *, months: int = 3) -> list[dict]:
    """非正常户 candidates: registered taxpayers in normal state with no return for any tax for the
    ``months`` months ending with ``as_of``, not yet decided by staff for ``as_of``. Staff decide."""
    window = [as_of - i for i in range(months - 1, -1, -1)]
    covered = _filed_any(window)
    decided = set(AbnormalDecision.objects.filter(as_of=str(as_of)).values_list("taxpayer_id", flat=True))
    out = []
    for tid, p in parties.profiles().items():
        if p.state != "normal" or tid in decided or tid in covered:
            continue
        if p.registered_on and p.registered_on > window[0].start:
            continue
        out.append({"taxpayer_id": tid, "name": p.name, "street": p.region_code, "officer": p.officer_id,
                    "months": [str(m) for m in window]})
    out.sort(key=lambda r: (r["street"], r["officer"], r["taxpayer_id"]))
    return out


def decide_abnormal(taxpayer_id: str, as_of: Period, decision: str, reason: str, *, request) -> AbnormalDecision:
    if decision not in (AbnormalDecision.MARK, AbnormalDecision.DISMISS):
        raise ValidationFailure("decision", "决定只能是认定或排除", "decision must be mark or dismiss", decision)
    if not (reason or "").strip():
        raise ValidationFailure("reason", "请填写理由", "a reason is required", reason)
    candidates = {c["taxpayer_id"]: c for c in abnormal_candidates(as_of)}
    if taxpayer_id not in candidates:
        raise ValidationFailure("taxpayer_id", "该纳税人不是本期非正常户候选", "not a candidate for this month",
                                taxpayer_id, code="not_found")
    with transaction.atomic():
        d = AbnormalDecision.objects.create(taxpayer_id=taxpayer_id, as_of=str(as_of), decision=decision,
                                            reason=reason.strip()[:300], evidence=candidates[taxpayer_id],
                                            by=request.user.username)
        audit.record("filing.abnormal_decision", request=request, obj=d, reason=reason,
                     detail={"taxpayer_id": taxpayer_id, "decision": decision, "as_of": str(as_of)})
    return d


def send_reminders(on: date, *, days_before: int = 3) -> int:
    """Create the reminders due on ``on`` (each at most once): due soon, overdue, unpaid."""
    created = 0
    period = Period.containing(on, MONTH) - 1
    due = calendar.deadline(period)
    if 0 <= (due - on).days <= days_before or on > due:
        kind = "overdue" if on > due else "due_soon"
        for row in non_filers(period):
            due_period = parse(row["period"])
            zh = (f"{due_period.label_zh()}增值税及附加税费申报{'已逾期' if kind == 'overdue' else '将于'}"
                  f"{due:%Y-%m-%d}{'，请尽快申报' if kind == 'overdue' else '截止，预填申报表已生成，请确认申报'}")
            en = (f"The VAT and surcharges return for {due_period} "
                  f"{'is overdue' if kind == 'overdue' else 'is due on'}"
                  f"{'' if kind == 'overdue' else ' ' + due.isoformat()}; the pre-filled return is ready")
            created += _remind(row["taxpayer_id"], "vat", due_period, kind, due, zh, en)
    for p in Payable.objects.filter(status=Payable.OPEN, due_on__lt=on).select_related("ret"):
        created += _remind(p.taxpayer_id, p.ret.form, parse(p.ret.period), "unpaid", p.due_on,
                           f"{p.ret.period} 申报的税款尚未缴纳，缴款期限为 {p.due_on:%Y-%m-%d}",
                           f"tax filed for {p.ret.period} is unpaid (due {p.due_on:%Y-%m-%d})")
    return created


def parse(text: str) -> Period:
    from zhishui.core.periods import parse_period

    return parse_period(text)


def _remind(tid, form, period, kind, due, zh, en) -> int:
    try:
        with transaction.atomic():
            Reminder.objects.create(taxpayer_id=tid, form=form, period=str(period), kind=kind, due_on=due,
                                    message_zh=zh[:300], message_en=en[:300])
        return 1
    except IntegrityError:
        return 0


FORM_LABELS = dict(Return.FORMS)


def todo(taxpayer_id: str, on: date) -> list[dict]:
    """The taxpayer's to-do list: returns due (with the proposal if ready), corrections open, taxes unpaid."""
    profile = parties.profile(taxpayer_id)
    items: list[dict] = []
    if profile is None:
        return items
    wanted: list[tuple[str, Period]] = []
    month = Period.containing(on, MONTH) - 1
    vat_due = vat_period(profile, month)
    vat_form = Return.VAT_GENERAL if profile.vat_status == "general" else Return.VAT_SMALL
    if vat_due is not None and ((taxpayer_id, str(vat_due)) not in filed_vat([vat_due], profile)
                                or Return.objects.filter(taxpayer_id=taxpayer_id, form=vat_form,
                                                         period=str(vat_due), status=Return.PROPOSED).exists()):
        wanted.append((vat_form, vat_due))
    if month.index % 3 == 0:
        from .services import holds_property, is_enterprise

        quarter = month.quarter_of()
        if holds_property(profile.pk, quarter):
            wanted.append((Return.PROPERTY, quarter))
        if is_enterprise(profile):
            wanted.append((Return.CIT_Q, quarter))
    rets = {(r.form, r.period): r for r in Return.objects.filter(taxpayer_id=taxpayer_id,
                                                                 period__in=[str(p) for _f, p in wanted])
            .order_by("revision")}
    for code, period in wanted:
        if profile.registered_on and period.end < profile.registered_on:
            continue
        r = rets.get((code, str(period)))
        if r is not None and r.status != Return.PROPOSED:
            continue
        items.append({"kind": "file", "form": code, "form_label": FORM_LABELS[code], "period": str(period),
                      "due_on": calendar.deadline(period),
                      "ret": r, "overdue": on > calendar.deadline(period)})
    for r in Return.objects.filter(taxpayer_id=taxpayer_id, status=Return.PROPOSED, revision__gt=0):
        items.append({"kind": "correct", "form": r.form, "form_label": FORM_LABELS[r.form], "period": r.period,
                      "due_on": r.due_on, "ret": r,
                      "overdue": False})
    for p in Payable.objects.filter(taxpayer_id=taxpayer_id, status=Payable.OPEN).select_related("ret"):
        items.append({"kind": "pay", "form": p.ret.form, "form_label": FORM_LABELS[p.ret.form], "period": p.ret.period,
                      "due_on": p.due_on, "ret": p.ret,
                      "amount": p.amount, "item": p.item, "overdue": on > p.due_on})
    return items


def mark_read(reminder: Reminder) -> None:
    Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())

