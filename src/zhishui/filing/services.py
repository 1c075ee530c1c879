"""Every write of the filing app: pre-fill, cell changes, checks and filing, payment, correction,
batch pre-fill, reminders and abnormal-household decisions."""

from __future__ import annotations

import time as _time
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhishui import config
from zhishui.core import access, audit, liveness
from zhishui.core.errors import ErrorCollector, ValidationFailure
from zhishui.core.money import ZERO, fen, to_money
from zhishui.core.periods import MONTH, Period, parse_period

from . import bulk, calendar, forms, parties, prefill, sources
from .models import CellChange, Payable, Payment, Prefill, PrefillJob, Return
from .payments import channel as bank_channel

VAT_FORMS = (Return.VAT_GENERAL, Return.VAT_SMALL)


# ------------------------------------------------------------------------------------- helpers

def today() -> date:
    return timezone.localdate()


def vat_form_for(profile: parties.Profile) -> str:
    return Return.VAT_GENERAL if profile.vat_status == "general" else Return.VAT_SMALL


def parse_form_period(form_code: str, text: object) -> tuple[forms.Form, Period]:
    form = forms.form(form_code)
    return form, parse_period(text, "period", form.period_kinds)


def _user_name(request) -> str:
    user = getattr(request, "user", None)
    return getattr(user, "username", "") or "system"


def _require_profile(taxpayer_id: str) -> parties.Profile:
    profile = parties.profile(taxpayer_id)
    if profile is None:
        raise ValidationFailure("taxpayer_id", "该纳税人没有税务登记信息", "the taxpayer has no tax registration",
                                taxpayer_id, code="not_found")
    return profile


def _check_period(form: forms.Form, period: Period, profile: parties.Profile, on: date) -> None:
    errors = ErrorCollector()
    if period.end >= on:
        errors.add("period", f"所属期 {period} 尚未结束，不能申报", f"the period {period} has not ended yet",
                   str(period))
    if profile.registered_on and period.end < profile.registered_on:
        errors.add("period", f"所属期 {period} 早于税务登记日期 {profile.registered_on}",
                   f"the period {period} is before the tax registration on {profile.registered_on}", str(period))
    if form.code in VAT_FORMS and profile.vat_status not in ("general", "small_scale"):
        errors.add("form", "该纳税人未登记为增值税纳税人", "the taxpayer is not registered for VAT", form.code)
    elif form.code in VAT_FORMS and form.code != vat_form_for(profile):
        errors.add("form", "申报表与纳税人的增值税纳税人类型不符",
                   "the return does not match the taxpayer's VAT status", form.code)
    errors.raise_if_any()


def _link(ret: Return) -> str:
    return reverse("filing_return", args=[ret.pk])


def filed_return(taxpayer_id: str, form_code: str, period: Period) -> Return | None:
    return (Return.objects.filter(taxpayer_id=taxpayer_id, form=form_code, period=str(period), status=Return.FILED)
            .order_by("-revision").first())


def _small_low_profit(taxpayer_id: str) -> bool | None:
    latest = (Return.objects.filter(taxpayer_id=taxpayer_id, form=Return.CIT_Q, status=Return.FILED)
              .order_by("-period", "-revision").values_list("values", flat=True).first())
    return None if latest is None else latest.get("small_low_profit") == "1"


# ------------------------------------------------------------------------------------- pre-fill

def _previous_vat(taxpayer_id: str, period: Period) -> dict | None:
    prev = filed_return(taxpayer_id, Return.VAT_GENERAL, period - 1)
    if prev is None:
        return None
    return prefill.previous_return(prev.values, prev.period, prev.revision, _link(prev))


def vat_payments(period: Period, taxpayer_ids: list[str] | None = None) -> dict[str, list[dict]]:
    """VAT paid on the platform within ``period`` on general returns of earlier periods, by taxpayer, in
    order (for lines 30 and 31: ``prefill.paid``); every taxpayer when ``taxpayer_ids`` is None."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.start, time.min, tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=tz)
    qs = Payable.objects.filter(item__in=("vat", "vat_immediate_refund"), status=Payable.PAID, paid_at__gte=start,
                                paid_at__lt=end, ret__form=Return.VAT_GENERAL, ret__period__lt=str(period))
    if taxpayer_ids is not None:
        qs = qs.filter(taxpayer_id__in=taxpayer_ids)
    out: dict[str, list[dict]] = {}
    for row in qs.order_by("taxpayer_id", "paid_at", "id").values("taxpayer_id", "item", "paid", "paid_at", "ret_id",
                                                                  "ret__period", "ret__revision"):
        out.setdefault(row["taxpayer_id"], []).append(
            {"item": row["item"], "amount": f"{row['paid']:.2f}", "period": row["ret__period"],
             "revision": row["ret__revision"], "paid_on": timezone.localtime(row["paid_at"]).date().isoformat(),
             "link": reverse("filing_return", args=[row["ret_id"]])})
    return out


def _headcount(profile: parties.Profile, period: Period) -> dict:
    if not parties.registry_installed():
        return {}
    from zhishui.registry.models import SocialInsurance

    months = [str(m) for m in period.month_periods()]
    rows = dict(SocialInsurance.objects.filter(entity_id=profile.pk, month__in=months)
                .values_list("month", "insured_count"))
    out = {}
    for which, month in (("first", months[0]), ("last", months[-1])):
        if month in rows:
            out[which] = {"month": month, "count": rows[month]}
    return out


def _holdings(profile: parties.Profile, period: Period) -> tuple[list[dict], list[dict]]:
    if not parties.registry_installed():
        return [], []
    from django.db.models import Q

    from zhishui.registry.models import PropertyHolding, RealEstateTransaction

    holdings = list(PropertyHolding.objects.filter(owner_id=profile.pk, acquired_on__lte=period.end)
                    .values("property_id", "original_value", "annual_rent", "land_area_m2", "land_grade",
                            "acquired_on").order_by("property_id"))
    deals = []
    for t in (RealEstateTransaction.objects.filter(Q(seller_id=profile.pk) | Q(buyer_id=profile.pk),
                                                   signed_on__gte=period.start, signed_on__lte=period.end)
              .order_by("signed_on", "transaction_id")):
        deals.append({"transaction_id": t.transaction_id, "contract_price": t.contract_price,
                      "signed_on": t.signed_on.isoformat(), "role": "buyer" if t.buyer_id == profile.pk else "seller"})
    return holdings, deals


def propose(form_code: str, profile: parties.Profile, period: Period,
            rows: dict[str, list] | None = None, previous: dict | None = None) -> tuple[dict, dict, dict]:
    """Cells, traces and the profile facts of a proposal (no database writes)."""
    tid = profile.taxpayer_id
    profile_data = prefill.profile_facts(profile, _small_low_profit(tid))
    if form_code == Return.VAT_GENERAL:
        rows = rows if rows is not None else sources.rows_for(period, tid)
        b = prefill.vat_general(rows, previous if previous is not None else _previous_vat(tid, period),
                                vat_payments(period, [tid]).get(tid, []), period)
    elif form_code == Return.VAT_SMALL:
        b = prefill.vat_small(rows if rows is not None else sources.rows_for(period, tid))
    elif form_code == Return.CIT_Q:
        ytd = sources.rows_for(sources.YearToDate(period), tid)
        earlier = [{"period": r.period, "values": r.values, "link": _link(r)}
                   for r in Return.objects.filter(taxpayer_id=tid, form=Return.CIT_Q, status=Return.FILED,
                                                  period__in=[str(Period.quarter(period.year, q))
                                                              for q in range(1, period.index)]).order_by("period")]
        profile_data["cit_quarters"] = [{k: r["values"][k] for k in ("employees_start", "employees_end",
                                                                      "assets_start", "assets_end")} for r in earlier]
        b = prefill.cit(ytd, period, earlier, _headcount(profile, period))
    else:
        holdings, deals = _holdings(profile, period)
        b = prefill.property_behaviour(period, holdings, deals, sources.rows_for(period, tid))
    cells, traces = b.result()
    return cells, traces, profile_data


def _values_from(ret: Return) -> dict[str, Decimal]:
    form = forms.form(ret.form)
    return {key: Decimal(ret.values.get(key, "0")) for key in form.editable}


def recompute(ret: Return, *, trace: bool = True) -> forms.Computed | None:
    """Recompute the derived cells of ``ret`` from its editable cells; store values, payable, problems."""
    ret.values, ret.warnings, ret.payable, comp = forms.evaluate(ret.form, _values_from(ret),
                                                                 parse_period(ret.period), ret.profile, trace=trace)
    return comp


def _cells(form_code: str, cells: dict) -> dict[str, str]:
    form = forms.form(form_code)
    return {k: forms.render(form, k, v) for k, v in cells.items()}


def _store_prefill(ret: Return, cells: dict, traces: dict, by: str) -> Prefill:
    version = (ret.prefills.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    return Prefill.objects.create(ret=ret, version=version, created_by=by, cells=_cells(ret.form, cells),
                                  traces=traces)


def prefill_return(taxpayer_id: str, form_code: str, period_text: object, *, request=None, by: str = "",
                   on: date | None = None) -> Return:
    """Create (or refresh) the proposal for a return and store the pre-fill as a new version.

    A filed period is returned as it is (a change needs ``start_correction``). Cells the taxpayer
    already changed keep the taxpayer's value when the pre-fill is refreshed."""
    form, period = parse_form_period(form_code, period_text)
    profile = _require_profile(taxpayer_id)
    _check_period(form, period, profile, on or today())
    with transaction.atomic():
        current = (Return.objects.select_for_update()
                   .filter(taxpayer_id=taxpayer_id, form=form.code, period=str(period))
                   .order_by("-revision").first())
        if current is not None and current.status != Return.PROPOSED:
            return current
        cells, traces, profile_data = propose(form.code, profile, period)
        if current is None:
            current = Return(taxpayer_id=taxpayer_id, taxpayer_name=profile.name, form=form.code,
                             period=str(period), due_on=calendar.deadline(period))
            kept = {}
        else:
            changed = set(current.changes.values_list("cell", flat=True))
            kept = {k: current.values[k] for k in changed if k in current.values}
        current.profile = profile_data
        current.values = {**_cells(form.code, cells), **kept}
        recompute(current)
        current.save()
        _store_prefill(current, cells, traces, by or _user_name(request))
        audit.record("filing.prefill", request=request, obj=current,
                     detail={"form": form.code, "period": str(period), "payable": str(current.payable)})
    return current


# ------------------------------------------------------------------------------------- taxpayer acts

def may_file(user, ret: Return) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("core.file_returns")
                and user.taxpayer_id == ret.taxpayer_id)


def _require_filer(request, ret: Return) -> None:
    access.require_taxpayer(request, ret.taxpayer_id, what="return")
    if not may_file(request.user, ret):
        audit.record("access.denied", request=request, obj=ret, outcome="denied", detail={"act": "file"})
        raise PermissionDenied


def _parse_cell(form: forms.Form, key: str, raw: object) -> Decimal:
    try:
        cell = form.cell(key)
    except KeyError:
        raise ValidationFailure(key, f"申报表没有栏次「{key}」", f"the return has no cell '{key}'", key) from None
    label = f"第{cell.no}栏 {cell.label_zh}"
    if cell.kind == forms.DERIVED:
        raise ValidationFailure(key, f"{label}由其他栏次计算得出，不能直接修改",
                                f"line {cell.no} ({cell.label_en}) is computed from other lines and cannot be "
                                "typed", raw)
    if cell.kind_of_value in ("count", "quantity"):
        try:
            value = Decimal(str(raw).strip())
        except Exception:
            raise ValidationFailure(key, f"{label}必须是数字", f"line {cell.no} must be a number", raw) from None
        if value < 0 or (cell.kind_of_value == "count" and value != value.to_integral()):
            raise ValidationFailure(key, f"{label}必须是非负{'整数' if cell.kind_of_value == 'count' else '数'}",
                                    f"line {cell.no} must be a non-negative "
                                    f"{'whole number' if cell.kind_of_value == 'count' else 'number'}", raw)
        return value
    try:
        return to_money(raw, key, allow_negative=cell.negative)
    except ValidationFailure as exc:
        e = exc.errors[0]
        raise ValidationFailure(key, f"{label}：{e.message_zh}", f"line {cell.no} ({cell.label_en}): {e.message_en}",
                                raw) from None


def change_cell(ret: Return, cell: str, raw: object, reason: str = "", *, request) -> Return:
    """The taxpayer changes one editable cell; the old and new value and the reason are kept."""
    _require_filer(request, ret)
    form = forms.form(ret.form)
    value = _parse_cell(form, cell, raw)
    with transaction.atomic():
        ret = Return.objects.select_for_update().get(pk=ret.pk)
        if ret.status != Return.PROPOSED:
            raise ValidationFailure("status", "申报表已申报，不能修改；如需修改请办理更正申报",
                                    "the return has been filed; start a correction (更正申报) to change it",
                                    ret.status, code="conflict")
        old = ret.values.get(cell, "0")
        new = forms.render(form, cell, value)
        if Decimal(old) == value:
            return ret
        latest = ret.latest_prefill
        CellChange.objects.create(ret=ret, cell=cell, old=old, new=new,
                                  prefilled=(latest.cells.get(cell, "") if latest else ""),
                                  reason=(reason or "")[:300], by=_user_name(request))
        ret.values[cell] = new
        recompute(ret)
        ret.save()
        audit.record("filing.change_cell", request=request, obj=ret, reason=reason or "",
                     detail={"cell": cell, "old": old, "new": new})
    return ret


def _tolerance() -> Decimal:
    return Decimal(str(config.get("ZHISHUI_FILING_DEVIATION_TOLERANCE")))


def deviations(ret: Return) -> list[dict]:
    """Editable cells that differ from the latest pre-fill beyond the tolerance (flagged for risk)."""
    latest = ret.latest_prefill
    if latest is None:
        return []
    tol, out = _tolerance(), []
    for key, proposed in latest.cells.items():
        p, v = Decimal(proposed), Decimal(ret.values.get(key, "0"))
        if abs(v - p) > max(abs(p) * tol, Decimal("1.00")):
            out.append({"cell": key, "prefilled": proposed, "value": ret.values.get(key, "0"),
                        "difference": f"{v - p:.2f}"})
    return out


def check(ret: Return, submitted: dict | None = None, *, on: date | None = None) -> tuple[list, list]:
    """表内表间校验: (blocking errors, warnings), each ``{"field", "message_zh", "message_en", "value"}``."""
    from . import checks

    return checks.run(ret, submitted or {}, on or today())


def file_return(ret: Return, *, request, submitted: dict | None = None, reasons: dict | None = None,
                on: date | None = None) -> Return:
    """File the return: apply submitted cells, run the checks, create the tax payable."""
    _require_filer(request, ret)
    on = on or today()
    submitted = dict(submitted or {})
    form = forms.form(ret.form)
    for key, raw in list(submitted.items()):
        if key in form.editable and str(raw) != ret.values.get(key):
            ret = change_cell(ret, key, raw, (reasons or {}).get(key, ""), request=request)
            submitted.pop(key)
    with transaction.atomic():
        ret = Return.objects.select_for_update().get(pk=ret.pk)
        if ret.status != Return.PROPOSED:
            raise ValidationFailure("status", f"{ret.period} 的该申报表已申报；如需修改请办理更正申报",
                                    f"this return for {ret.period} has already been filed; use a correction (更正申报)",
                                    ret.status, code="conflict")
        comp = recompute(ret)
        errors, warnings = check(ret, submitted, on=on)
        if errors:
            raise ValidationFailure(errors=[_fe(e) for e in errors], code="check_failed")
        ret.status = Return.FILED
        ret.filed_at = timezone.now()
        ret.filed_by = _user_name(request)
        ret.late = bool(ret.due_on and on > ret.due_on)
        ret.warnings = warnings
        ret.deviations = deviations(ret)
        ret.save()
        _create_payables(ret, comp)
        if ret.corrects_id:
            Return.objects.filter(pk=ret.corrects_id).update(status=Return.SUPERSEDED)
        audit.record("filing.file", request=request, obj=ret,
                     detail={"form": ret.form, "period": ret.period, "revision": ret.revision,
                             "payable": str(ret.payable), "deviations": ret.deviations})
    return ret


def _fe(e: dict):
    from zhishui.core.errors import FieldError

    return FieldError(e["field"], e["message_zh"], e["message_en"], e.get("value"))


def _create_payables(ret: Return, comp: forms.Computed) -> None:
    items = forms.payable_items(ret.form, comp)
    before: dict[str, Decimal] = {}
    if ret.corrects_id:
        for p in Payable.objects.filter(ret__taxpayer_id=ret.taxpayer_id, ret__form=ret.form, ret__period=ret.period,
                                        ret__revision__lt=ret.revision):
            before[p.item] = before.get(p.item, ZERO) + p.amount
    due = ret.due_on or calendar.deadline(parse_period(ret.period))
    for item, amount in items.items():
        diff = fen(amount - before.get(item, ZERO))
        if diff == 0:
            continue
        Payable.objects.create(ret=ret, taxpayer_id=ret.taxpayer_id, item=item, amount=diff,
                               due_on=max(due, timezone.localdate()) if ret.corrects_id else due,
                               status=Payable.OPEN if diff > 0 else Payable.REFUND)


def pay(ret: Return, *, request, channel_name: str = "demo-bank") -> Payment:
    """Settle the open payables of a filed return through a bank channel."""
    _require_filer(request, ret)
    bank = bank_channel(channel_name)
    with transaction.atomic():
        open_ = list(Payable.objects.select_for_update().filter(ret=ret, status=Payable.OPEN).order_by("id"))
        if not open_:
            raise ValidationFailure("ret", "该申报表没有待缴税款", "nothing is payable on this return", ret.pk,
                                    code="conflict")
        amount = sum((p.amount - p.paid for p in open_), ZERO)
        result = bank.debit(ret.taxpayer_id, amount, f"R{ret.pk}-" + "-".join(str(p.pk) for p in open_))
        payment = Payment.objects.create(ret=ret, taxpayer_id=ret.taxpayer_id, channel=bank.name, amount=amount,
                                         reference=result.reference, status="settled" if result.ok else "declined",
                                         message=result.message_zh, by=_user_name(request))
        if result.ok:
            now = timezone.now()
            for p in open_:
                p.paid, p.status, p.paid_at = p.amount, Payable.PAID, now
                p.save(update_fields=["paid", "status", "paid_at"])
        audit.record("filing.pay", request=request, obj=ret, outcome="success" if result.ok else "failure",
                     detail={"amount": str(amount), "channel": bank.name, "reference": result.reference})
    if not result.ok:
        raise ValidationFailure("payment", result.message_zh, result.message_en, str(amount), code="declined")
    return payment


def start_correction(ret: Return, *, request, reason: str = "") -> Return:
    """更正申报: a new revision proposed with the filed values; the filed return stays as it was."""
    _require_filer(request, ret)
    with transaction.atomic():
        ret = Return.objects.select_for_update().get(pk=ret.pk)
        if ret.status != Return.FILED:
            raise ValidationFailure("status", "只有已申报的申报表可以更正", "only a filed return can be corrected",
                                    ret.status, code="conflict")
        open_ = Return.objects.filter(taxpayer_id=ret.taxpayer_id, form=ret.form, period=ret.period,
                                      status=Return.PROPOSED).first()
        if open_ is not None:
            return open_
        new = Return.objects.create(
            taxpayer_id=ret.taxpayer_id, taxpayer_name=ret.taxpayer_name, form=ret.form, period=ret.period,
            revision=ret.revision + 1, corrects=ret, values=dict(ret.values), profile=ret.profile,
            payable=ret.payable, due_on=ret.due_on)
        latest = ret.latest_prefill
        if latest is not None:
            Prefill.objects.create(ret=new, version=1, created_by=_user_name(request), cells=latest.cells,
                                   traces=latest.traces)
        # Cells the taxpayer changed on the filed return stay changed on the correction.
        for ch in ret.changes.all():
            CellChange.objects.create(ret=new, cell=ch.cell, old=ch.old, new=ch.new, prefilled=ch.prefilled,
                                      reason=ch.reason, by=ch.by)
        audit.record("filing.correct", request=request, obj=new, reason=reason,
                     detail={"corrects": ret.pk, "revision": new.revision})
    return new


# ------------------------------------------------------------------------------------- batch

def is_enterprise(profile: parties.Profile) -> bool:
    return profile.taxpayer_kind == "enterprise" or profile.entity_type == "enterprise"


def property_holders(quarter: Period) -> set[int]:
    """Registry keys of taxpayers holding property, or party to a real-estate transaction, in the quarter."""
    if not parties.registry_installed():
        return set()
    from zhishui.registry.models import PropertyHolding, RealEstateTransaction

    keys = set(PropertyHolding.objects.filter(acquired_on__lte=quarter.end).values_list("owner_id", flat=True))
    for seller, buyer in RealEstateTransaction.objects.filter(signed_on__gte=quarter.start, signed_on__lte=quarter.end
                                                              ).values_list("seller_id", "buyer_id"):
        keys.update((seller, buyer))
    return keys


def holds_property(pk: int, quarter: Period) -> bool:
    """One taxpayer's test of ``property_holders``."""
    if not parties.registry_installed():
        return False
    from django.db.models import Q

    from zhishui.registry.models import PropertyHolding, RealEstateTransaction

    return (PropertyHolding.objects.filter(owner_id=pk, acquired_on__lte=quarter.end).exists()
            or RealEstateTransaction.objects.filter(Q(seller_id=pk) | Q(buyer_id=pk), signed_on__gte=quarter.start,
                                                    signed_on__lte=quarter.end).exists())


def batch_prefill(period_text: str, *, job: PrefillJob | None = None, by: str = "batch",
                  on: date | None = None, chunk: int = 2000, quarterly: bool = True) -> PrefillJob:
    """Pre-fill the VAT return every registered VAT taxpayer owes after the month (in bulk: general
    taxpayers for the month; small-scale taxpayers for the quarter, after its last month), and, when the
    month ends a quarter and ``quarterly`` is set, the CIT prepayment of every enterprise and the property
    and behaviour return of every taxpayer holding property or party to a real-estate transaction (one by
    one). Anyone else prepares those from the to-do list."""
    period = parse_period(period_text, "period", (MONTH,))
    on = on or today()
    if period.end >= on:
        raise ValidationFailure("period", f"所属期 {period} 尚未结束", f"the period {period} has not ended yet",
                                str(period))
    job = job or PrefillJob.objects.create(period=str(period), by=by)
    started = _time.perf_counter()
    PrefillJob.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(),
                                                worker=liveness.identity(), heartbeat_at=timezone.now())
    try:
        from .followup import filed_vat, required_vat

        everyone = parties.profiles()
        due = required_vat(period, everyone)  # general: the month; small-scale: the quarter after its last
        # After a quarter's last month also the quarterly returns, one by one: the CIT prepayment of every
        # enterprise, the property and behaviour return of every holder of property or party to a deal.
        quarterly_work = []
        if quarterly and period.index % 3 == 0:
            holders = property_holders(period.quarter_of())
            for tid, (profile, _d) in due.items():
                quarterly_work += [(tid, code) for code, owed in ((Return.PROPERTY, profile.pk in holders),
                                                                  (Return.CIT_Q, is_enterprise(profile))) if owed]
        job.total = len(due) + len(quarterly_work)
        PrefillJob.objects.filter(pk=job.pk).update(total=job.total)
        pk_to_id = {p.pk: tid for tid, p in everyone.items()}
        periods = sorted({d for _p, d in due.values()}, key=str)
        # Left alone: returns already proposed or filed here, and returns the returns feed lists as filed.
        existing = set(Return.objects.filter(period__in=[str(k) for k in periods], form__in=VAT_FORMS)
                       .values_list("taxpayer_id", "period")) | filed_vat(periods)
        prev = {r["taxpayer_id"]: prefill.previous_return(r["values"], r["period"], r["revision"],
                                                          reverse("filing_return", args=[r["id"]]))
                for r in Return.objects.filter(period=str(period - 1), form=Return.VAT_GENERAL, status=Return.FILED)
                .order_by("taxpayer_id", "revision").values("taxpayer_id", "values", "period", "revision", "id")}
        slp = {}
        for tid, values in (Return.objects.filter(form=Return.CIT_Q, status=Return.FILED)
                            .order_by("taxpayer_id", "period", "revision").values_list("taxpayer_id", "values")):
            slp[tid] = values.get("small_low_profit") == "1"
        done = sum(1 for tid, (_p, d) in due.items() if (tid, str(d)) in existing)
        failed = 0

        def progress(n: int, refused: int = 0) -> None:
            nonlocal done, failed
            done += n
            failed += refused
            PrefillJob.objects.filter(pk=job.pk).update(done=done, failed=failed, heartbeat_at=timezone.now())

        work = [(code, vat_period, [(tid, p) for tid, (p, d) in due.items()
                                    if d == vat_period and vat_form_for(p) == code and (tid, str(d)) not in existing])
                for vat_period in periods for code in VAT_FORMS]
        failed, errors = bulk.prefill_vat([w for w in work if w[2]], pk_to_id=pk_to_id, previous=prev,
                                          payments=vat_payments(period), small_low_profit=slp, by=by,
                                          progress=progress, chunk=chunk)
        PrefillJob.objects.filter(pk=job.pk).update(done=done, failed=failed)
        quarter = str(period.quarter_of())
        chunks = [quarterly_work[i:i + ONE_BY_ONE_CHUNK] for i in range(0, len(quarterly_work), ONE_BY_ONE_CHUNK)]
        for n, refused, why in bulk.in_workers(_prefill_each, [(c, quarter, by, on) for c in chunks]):
            errors += why
            progress(n, refused)
        seconds = _time.perf_counter() - started
        PrefillJob.objects.filter(pk=job.pk).update(status="done", done=done, failed=failed, errors=errors[:200],
                                                    finished_at=timezone.now(), seconds=seconds)
        audit.record("filing.batch_prefill", username=by, object_type="filing.PrefillJob", object_id=str(job.pk),
                     detail={"period": str(period), "returns": done, "failed": failed, "seconds": round(seconds, 2)})
    except Exception as exc:
        PrefillJob.objects.filter(pk=job.pk).update(status="failed", errors=[{"error": str(exc)[:500]}],
                                                    finished_at=timezone.now())
        raise
    job.refresh_from_db()
    return job


ONE_BY_ONE_CHUNK = 50  # quarterly returns per task of a worker process (and per progress update)


def _prefill_each(task: tuple[list[tuple[str, str]], str, str, date]) -> tuple[int, int, list[dict]]:
    """``prefill_return`` for each (identifier, form) of a chunk of the batch's quarterly returns (in a worker
    process, or in this one): how many, how many the law refused, and why."""
    work, period, by, on = task
    failed, errors = 0, []
    for tid, code in work:
        try:
            prefill_return(tid, code, period, by=by, on=on)
        except ValidationFailure as exc:
            failed += 1
            errors.append({"taxpayer_id": tid, "form": code, "errors": [e.as_dict() for e in exc.errors]})
    return len(work), failed, errors


# ------------------------------------------------------------------------------------- follow-up

def vat_period_due(on: date) -> Period:
    """The monthly VAT period whose filing season contains ``on`` (the previous month)."""
    return Period.containing(on, MONTH) - 1


def quarter_due(on: date) -> Period | None:
    prev = vat_period_due(on)
    return prev.quarter_of() if prev.index % 3 == 0 else None
