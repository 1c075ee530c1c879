"""Pages: 我的申报 (to-do, proposals, history), the return form with its traces, exports, and the staff
views of filing status, non-filers, late payers, 非正常户 candidates and batch pre-fill jobs."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhishui.core import access
from zhishui.core.decorators import capability_required
from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, Period, parse_period

from . import calendar, exports, followup, forms, jobs, parties, present, services, sources, tasks
from .models import AbnormalDecision, PrefillJob, Reminder, Return


def _english(request) -> bool:
    return request.LANGUAGE_CODE.startswith("en")


@capability_required("file_returns")
def my_filing(request):
    tid = request.user.taxpayer_id
    on = services.today()
    profile = parties.profile(tid) if tid else None
    context = {"profile": profile, "todo": followup.todo(tid, on) if tid else [],
               "history": Return.objects.filter(taxpayer_id=tid).order_by("-period", "form", "-revision")[:100],
               "reminders": Reminder.objects.filter(taxpayer_id=tid).order_by("-created_at")[:10],
               "default_period": str(Period.containing(on, MONTH) - 1), "forms": forms.FORMS.values(),
               "vat_form": services.vat_form_for(profile) if profile else ""}
    return render(request, "filing/my_filing.html", context)


@require_POST
@capability_required("file_returns")
def start_prefill(request):
    form_code = request.POST.get("form", "")
    try:
        ret = services.prefill_return(request.user.taxpayer_id, form_code, request.POST.get("period", ""),
                                      request=request)
    except ValidationFailure as exc:
        for e in exc.errors:
            messages.error(request, e.message_en if _english(request) else e.message_zh)
        return redirect("filing_home")
    return redirect("filing_return", ret.pk)


def _return_context(request, ret: Return, errors=None) -> dict:
    data = present.return_data(ret, english=_english(request))
    may_file = services.may_file(request.user, ret)
    adjustable = may_file and ret.status == Return.PROPOSED
    # item, line, this period (+ year to date), the 即征即退 pair, pre-filled, adjust
    columns = 3 + data["has_ytd"] + 2 * data["has_refund_column"] + 1 + adjustable
    history = Return.objects.filter(taxpayer_id=ret.taxpayer_id, form=ret.form, period=ret.period).order_by("revision")
    return {"ret": ret, "data": data, "errors": errors or [], "may_file": may_file, "adjustable": adjustable,
            "columns": columns, "revisions": history, "english": _english(request)}


@capability_required("file_returns", "view_all_taxpayers")
def return_page(request, pk: int):
    ret = present.get_return(request, pk)
    return render(request, "filing/return.html", _return_context(request, ret))


@require_POST
@capability_required("file_returns")
def change_cell(request, pk: int):
    ret = present.get_return(request, pk)
    try:
        ret = services.change_cell(ret, request.POST.get("cell", ""), request.POST.get("value", ""),
                                   request.POST.get("reason", ""), request=request)
    except ValidationFailure as exc:
        return render(request, "filing/return.html", _return_context(request, ret, exc.errors), status=422)
    return redirect("filing_return", ret.pk)


@capability_required("file_returns", "view_all_taxpayers")
def trace_page(request, pk: int, cell: str):
    ret = present.get_return(request, pk)
    context = {"ret": ret, "t": present.trace(ret, cell), "english": _english(request)}
    template = "filing/_trace.html" if request.headers.get("HX-Request") else "filing/trace.html"
    return render(request, template, context)


@require_POST
@capability_required("file_returns")
def file_return(request, pk: int):
    ret = present.get_return(request, pk)
    try:
        ret = services.file_return(ret, request=request)
    except ValidationFailure as exc:
        ret.refresh_from_db()
        return render(request, "filing/return.html", _return_context(request, ret, exc.errors), status=422)
    messages.success(request, _("The return has been filed."))
    return redirect("filing_return", ret.pk)


@require_POST
@capability_required("file_returns")
def pay(request, pk: int):
    ret = present.get_return(request, pk)
    try:
        payment = services.pay(ret, request=request)
    except ValidationFailure as exc:
        return render(request, "filing/return.html", _return_context(request, ret, exc.errors), status=422)
    messages.success(request, _("Paid %(amount)s through %(channel)s, reference %(ref)s.")
                     % {"amount": payment.amount, "channel": payment.channel, "ref": payment.reference})
    return redirect("filing_return", ret.pk)


@require_POST
@capability_required("file_returns")
def correct(request, pk: int):
    ret = present.get_return(request, pk)
    try:
        new = services.start_correction(ret, request=request, reason=request.POST.get("reason", ""))
    except ValidationFailure as exc:
        return render(request, "filing/return.html", _return_context(request, ret, exc.errors), status=422)
    return redirect("filing_return", new.pk)


@capability_required("file_returns", "view_all_taxpayers")
def export(request, pk: int, fmt: str):
    ret = present.get_return(request, pk)
    if ret.status == Return.PROPOSED:
        raise Http404
    data = present.return_data(ret)
    name = f"{ret.taxpayer_id}-{ret.form}-{ret.period}-r{ret.revision}"
    if fmt == "xlsx":
        response = HttpResponse(exports.xlsx(data), content_type="application/vnd.openxmlformats-officedocument."
                                "spreadsheetml.sheet")
    else:
        response = HttpResponse(exports.pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@capability_required("file_returns", "view_all_taxpayers")
def invoice(request, source: str, number: str):
    inv = sources.invoice_detail(source, number)
    if inv is None:
        raise Http404
    if not (access.may_read_taxpayer(request.user, inv["seller_id"])
            or (inv["buyer_id"] and access.may_read_taxpayer(request.user, inv["buyer_id"]))):
        access.require_taxpayer(request, inv["seller_id"], what="invoice")
    return render(request, "filing/invoice.html", {"inv": inv})


@capability_required("file_returns", "view_filing_status")
def calendar_page(request):
    year = int(request.GET.get("year", services.today().year))
    rows = []
    for m in range(1, 13):
        period = Period.month(year, m) - 1
        info = calendar.deadline_info(period)
        rows.append({"month": f"{year:04d}-{m:02d}", "period": period, "info": info,
                     "quarter": period.index % 3 == 0})
    return render(request, "filing/calendar.html", {"rows": rows, "year": year})


# --------------------------------------------------------------------------------------------- staff

def _period_param(request, default: Period) -> Period:
    try:
        return parse_period(request.GET.get("period") or str(default), "period", (MONTH,))
    except ValidationFailure:
        return default


@capability_required("view_filing_status")
def status(request):
    on = services.today()
    period = _period_param(request, services.vat_period_due(on))
    street, officer = request.GET.get("street", ""), request.GET.get("officer", "")
    required = followup.required_vat(period)
    periods = sorted({str(due) for _p, due in required.values()}) or [str(period)]
    counts = dict(Return.objects.filter(period__in=periods, form__in=services.VAT_FORMS)
                  .values_list("status").annotate(n=Count("id")).order_by())
    missing = followup.non_filers(period, street=street, officer=officer)
    by_street: dict[str, dict] = {}
    for p, _due in required.values():
        row = by_street.setdefault(p.region_code or "—", {"required": 0, "missing": 0})
        row["required"] += 1
    for r in followup.non_filers(period):
        by_street.setdefault(r["street"] or "—", {"required": 0, "missing": 0})["missing"] += 1
    context = {"period": period, "street": street, "officer": officer, "counts": counts,
               "required": len(required), "non_filers": missing[:500], "non_filer_count": len(missing),
               "late": followup.late_payers(on, street=street, officer=officer)[:500],
               "by_street": sorted(by_street.items()), "due": calendar.deadline(period),
               "jobs": PrefillJob.objects.all()[:5], "periods": periods}
    return render(request, "filing/status.html", context)


@capability_required("view_filing_status")
def abnormal(request):
    on = services.today()
    as_of = _period_param(request, services.vat_period_due(on))
    errors = None
    if request.method == "POST":
        try:
            followup.decide_abnormal(request.POST.get("taxpayer_id", ""), as_of, request.POST.get("decision", ""),
                                     request.POST.get("reason", ""), request=request)
            messages.success(request, _("Decision recorded."))
            return redirect(f"{request.path}?period={as_of}")
        except ValidationFailure as exc:
            errors = exc.errors
    context = {"as_of": as_of, "candidates": followup.abnormal_candidates(as_of)[:500], "errors": errors,
               "decisions": AbnormalDecision.objects.filter(as_of=str(as_of))[:200]}
    return render(request, "filing/abnormal.html", context, status=422 if errors else 200)


@capability_required("view_filing_status")
def jobs_page(request):
    if request.method == "POST":
        try:
            job = jobs.start(request.POST.get("period", ""), by=request.user.username)
        except ValidationFailure as exc:
            for e in exc.errors:
                messages.error(request, e.message_en if _english(request) else e.message_zh)
            return redirect("filing_jobs")
        messages.success(request, _("The batch pre-fill for %(period)s is queued; a background worker runs it and "
                                    "this page shows its progress.") % {"period": job.period})
        return redirect(f"{request.path}?job={job.pk}")
    jobs.close_abandoned()  # the page must not show a job as running whose process is gone
    recent = list(PrefillJob.objects.all()[:20])
    for job in recent:
        job.waiting = jobs.waiting(job)
    context = {"jobs": recent, "polling": any(job.status in tasks.OPEN for job in recent),
               "default_period": str(services.vat_period_due(services.today()))}
    template = "filing/_jobs.html" if request.headers.get("HX-Request") else "filing/jobs.html"
    return render(request, template, context)
