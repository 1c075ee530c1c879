"""Pages of the reform task force. Thin: read through ``access``/``progress``, write through ``services``."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhishui.core import audit
from zhishui.core.decorators import capability_required
from zhishui.core.errors import ValidationFailure

from . import access, clock, documents, evidence, forms, progress, services
from .models import (
    Area,
    Assignment,
    Consultation,
    Evidence,
    Liaison,
    Meeting,
    Notification,
    Proposal,
    Report,
    Research,
    Status,
    SupervisionNotice,
    Task,
    TaskUnit,
    Unit,
)

READ = ("view_reform",)
MANAGE = ("manage_reform",)


def _message(request, exc: ValidationFailure) -> str:
    zh = request.LANGUAGE_CODE.startswith("zh")
    return "；".join(e.message_zh if zh else e.message_en for e in exc.errors)


def _apply(request, form, exc: ValidationFailure) -> None:
    zh = request.LANGUAGE_CODE.startswith("zh")
    for err in exc.errors:
        target = err.field if err.field in form.fields else None
        form.add_error(target, err.message_zh if zh else err.message_en)


def _plan_or_page(request):
    try:
        return services.current_plan(), None
    except ValidationFailure as exc:
        return None, render(request, "reform/not_loaded.html", {"message": _message(request, exc)}, status=503)


def _status_label(code: str) -> str:
    labels = {"overdue": _("overdue"), **{c.value: c.label for c in Status}}
    return str(labels.get(code, code))


# --------------------------------------------------------------------------------------------------
# Dashboard


@capability_required(*READ)
def dashboard(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    today = clock.today()
    data = progress.overview(plan, today, request.user)
    charts = progress.chart_data(data)
    charts["labels"] = {**{b: _status_label(b) for b in progress.BUCKETS}, "decisions": _("Meeting decisions")}
    return render(request, "reform/dashboard.html", {
        "plan": plan, "data": data, "charts": charts, "scope": access.unit_scope(request.user),
        "units": plan.units.filter(pk__in=access.liaison_units(request.user)) if access.unit_scope(request.user)
        is not None else [],
    })


# --------------------------------------------------------------------------------------------------
# Tasks and items


@capability_required(*READ)
def task_list(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    today = clock.today()
    scope = access.unit_scope(request.user)
    filters = {k: request.GET.get(k, "").strip() for k in ("area", "unit", "status")}
    rows = list(progress.items(plan, request.user))
    if filters["unit"].isdigit():
        rows = [r for r in rows if r["unit_id"] == int(filters["unit"])]
    per_task: dict[int, list[dict]] = defaultdict(list)
    decisions = []
    for r in rows:
        r["bucket"] = progress.bucket(r["status"], r["deliverable__due_on"], today)
        if r["deliverable__task__number"] is None:
            decisions.append(r)
        else:
            per_task[r["deliverable__task__number"]].append(r)
    tasks = (Task.objects.filter(plan=plan).select_related("area")
             .prefetch_related(Prefetch("task_units", queryset=TaskUnit.objects.select_related("unit"))))
    if filters["area"].isdigit():
        tasks = tasks.filter(area__number=int(filters["area"]))
    out = []
    for task in tasks:
        items = per_task.get(task.number, [])
        if (scope is not None or filters["unit"]) and not items:
            continue
        buckets = [i["bucket"] for i in items]
        worst = next((b for b in ("overdue", "at_risk", "in_progress", "not_started", "done") if b in buckets),
                     "not_started")
        if filters["status"] and filters["status"] not in buckets:
            continue
        pending = [i for i in items if i["bucket"] != "done"]
        named: dict[int, tuple[str, str]] = {}
        for tu in task.task_units.all():
            named.setdefault(tu.unit_id, (tu.unit.short, tu.role))
        out.append({"task": task, "items": items, "units": list(named.values()), "done": buckets.count("done"),
                    "total": len(items),
                    "overdue": buckets.count("overdue"), "worst": worst,
                    "next_due": min((i["deliverable__due_on"] for i in pending), default=None)})
    if filters["status"]:
        decisions = [d for d in decisions if d["bucket"] == filters["status"]]
    if filters["area"]:
        decisions = []
    return render(request, "reform/tasks.html", {
        "plan": plan, "rows": out, "decisions": decisions, "filters": filters, "today": today,
        "areas": Area.objects.filter(plan=plan),
        "units": Unit.objects.filter(plan=plan, member=True) if scope is None else
        Unit.objects.filter(pk__in=scope),
        "statuses": [(b, _status_label(b)) for b in progress.BUCKETS],
    })


@capability_required(*READ)
def task_detail(request, number: int):
    plan, page = _plan_or_page(request)
    if page:
        return page
    task = get_object_or_404(Task.objects.select_related("area"), plan=plan, number=number)
    scope = access.unit_scope(request.user)
    units = list(task.task_units.select_related("unit"))
    assignments = (Assignment.objects.filter(deliverable__task=task)
                   .select_related("unit", "deliverable").order_by("deliverable__due_on", "deliverable_id", "id"))
    if scope is not None:
        if not any(tu.unit_id in scope for tu in units) and not assignments.filter(unit_id__in=scope).exists():
            access.deny(request, "reform.Task", task.number)
        assignments = assignments.filter(unit_id__in=scope)
    deliverables: dict[int, dict] = {}
    today = clock.today()
    for a in assignments:
        entry = deliverables.setdefault(a.deliverable_id, {"d": a.deliverable, "assignments": []})
        a.bucket = progress.bucket(a.status, a.deliverable.due_on, today)
        entry["assignments"].append(a)
    proposal = Proposal.objects.filter(task=task).select_related("research", "meeting").first()
    return render(request, "reform/task_detail.html", {
        "plan": plan, "task": task, "units": units, "deliverables": list(deliverables.values()), "today": today,
        "proposal": proposal})


def _assignment(request, pk: int) -> Assignment:
    a = get_object_or_404(Assignment.objects.select_related("deliverable", "deliverable__task",
                                                            "deliverable__meeting", "unit"), pk=pk)
    access.require_unit(request, a.unit_id, what="reform.Assignment", object_id=pk)
    return a


def _item_context(request, a: Assignment, report_form=None, notice_form=None, review_forms=None) -> dict:
    today = clock.today()
    reports = list(a.reports.select_related("submitted_by", "reviewed_by").prefetch_related("evidence"))
    siblings = []
    if access.unit_scope(request.user) is None:
        siblings = list(a.deliverable.assignments.exclude(pk=a.pk).select_related("unit"))
        for s in siblings:
            s.bucket = progress.bucket(s.status, a.deliverable.due_on, today)
    can_report = access.may_report(request.user, a)
    return {
        "a": a, "d": a.deliverable, "bucket": progress.bucket(a.status, a.deliverable.due_on, today),
        "reports": reports, "siblings": siblings, "today": today,
        "days_left": (a.deliverable.due_on - today).days,
        "days_late": (today - a.deliverable.due_on).days,
        "liaison": services.active_liaison(a.unit),
        "notices": list(a.notices.select_related("issued_by")),
        "reminders": list(a.reminders.all()[:20]),
        "can_report": can_report and not a.pending_review,
        "can_manage": access.can_manage(request.user),
        "report_form": report_form or forms.ReportForm(initial={"reported_on": today.isoformat(),
                                                               "status": a.status}),
        "notice_form": notice_form or forms.NoticeForm(initial={"reply_due": (today + timedelta(days=7)).isoformat()}),
        "review_form": forms.ReviewForm(),
        "review_errors": review_forms or {},
    }


@capability_required(*READ)
def item_detail(request, pk: int):
    a = _assignment(request, pk)
    return render(request, "reform/item.html", _item_context(request, a))


@require_POST
@capability_required("report_reform")
def report_submit(request, pk: int):
    a = _assignment(request, pk)
    form = forms.ReportForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.submit_report(by=request.user, assignment=a, status=request.POST.get("status", ""),
                               narrative=request.POST.get("narrative", ""),
                               reported_on=request.POST.get("reported_on", ""),
                               files=request.FILES.getlist("evidence"), request=request)
    except ValidationFailure as exc:
        form = forms.ReportForm(request.POST)
        _apply(request, form, exc)
        return render(request, "reform/item.html", _item_context(request, a, report_form=form), status=400)
    messages.success(request, _("Your report was submitted to the task-force office for review."))
    return redirect("reform:item", pk=a.pk)


@require_POST
@capability_required(*MANAGE)
def report_review(request, pk: int):
    report = get_object_or_404(Report.objects.select_related("assignment"), pk=pk)
    accept = request.POST.get("decision") == "accept"
    try:
        services.review_report(by=request.user, report=report, accept=accept,
                               comment=request.POST.get("review_comment", ""), request=request)
    except ValidationFailure as exc:
        messages.error(request, _message(request, exc))
    else:
        messages.success(request, _("Report accepted.") if accept else _("Report returned to the unit."))
    target = request.POST.get("next", "")
    if target == "queue":
        return redirect("reform:review")
    return redirect("reform:item", pk=report.assignment_id)


@capability_required(*MANAGE)
def review_queue(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    reports = (Report.objects.filter(assignment__deliverable__plan=plan, review=Report.Review.PENDING)
               .select_related("assignment__unit", "assignment__deliverable__task", "assignment__deliverable__meeting",
                               "submitted_by")
               .prefetch_related("evidence").order_by("submitted_at", "id"))
    return render(request, "reform/review.html", {"reports": reports, "review_form": forms.ReviewForm()})


@capability_required(*READ)
def evidence_download(request, pk: int):
    item = get_object_or_404(Evidence.objects.select_related("report__assignment"), pk=pk)
    access.require_unit(request, item.report.assignment.unit_id, what="reform.Evidence", object_id=pk)
    data = evidence.read_verified(item.stored_name, item.sm3)
    if data is None:
        audit.record("reform.evidence_corrupt", request=request, obj=item, outcome="failure",
                     detail={"sm3": item.sm3})
        return HttpResponse(_("This file is missing or no longer matches its SM3 digest; it is not served."),
                            status=410, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=item.content_type)
    ascii_name = f"evidence-{item.pk}.{item.kind}"
    response["Content-Disposition"] = (f"attachment; filename=\"{ascii_name}\"; "
                                       f"filename*=UTF-8''{quote(item.original_name)}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --------------------------------------------------------------------------------------------------
# Supervision


@capability_required(*MANAGE)
def supervision(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    today = clock.today()
    days = services.remind_days()
    horizon = today + timedelta(days=max(days))
    base = (Assignment.objects.filter(deliverable__plan=plan).exclude(status=Status.DONE)
            .select_related("unit", "deliverable", "deliverable__task", "deliverable__meeting"))
    coming = list(base.filter(deliverable__due_on__gte=today, deliverable__due_on__lte=horizon)
                  .order_by("deliverable__due_on", "id"))
    overdue = list(base.filter(deliverable__due_on__lt=today).order_by("deliverable__due_on", "id"))
    for a in coming:
        a.days_left = (a.deliverable.due_on - today).days
    for a in overdue:
        a.days_late = (today - a.deliverable.due_on).days
    notices = (SupervisionNotice.objects.filter(plan=plan)
               .select_related("assignment__unit", "assignment__deliverable", "answered_by")[:50])
    return render(request, "reform/supervision.html", {
        "plan": plan, "coming": coming, "overdue": overdue, "notices": notices, "days": days, "today": today})


@require_POST
@capability_required(*MANAGE)
def remind_now(request):
    try:
        result = services.run_reminders()
    except ValidationFailure as exc:
        messages.error(request, _message(request, exc))
    else:
        messages.success(request, _("Reminders sent: %(r)d; overdue items escalated: %(e)d.")
                         % {"r": result.reminded, "e": result.escalated})
    return redirect("reform:supervision")


@require_POST
@capability_required(*MANAGE)
def notice_issue(request, pk: int):
    a = _assignment(request, pk)
    form = forms.NoticeForm(request.POST)
    form.is_valid()
    try:
        notice = services.issue_notice(by=request.user, assignment=a, reply_due=request.POST.get("reply_due", ""),
                                       text=request.POST.get("text", ""), request=request)
    except ValidationFailure as exc:
        _apply(request, form, exc)
        return render(request, "reform/item.html", _item_context(request, a, notice_form=form), status=400)
    messages.success(request, _("Supervision notice %(n)s issued.") % {"n": notice.number})
    return redirect("reform:notice", pk=notice.pk)


def _notice(request, pk: int) -> SupervisionNotice:
    notice = get_object_or_404(SupervisionNotice.objects.select_related(
        "plan", "assignment__unit", "assignment__deliverable__task", "assignment__deliverable__meeting",
        "issued_by", "answered_by"), pk=pk)
    access.require_unit(request, notice.assignment.unit_id, what="reform.SupervisionNotice", object_id=pk)
    return notice


@capability_required(*READ)
def notice_detail(request, pk: int):
    notice = _notice(request, pk)
    return render(request, "reform/notice.html", {"notice": notice, "a": notice.assignment,
                                                  "can_report": access.may_report(request.user, notice.assignment)})


@capability_required(*READ)
def notice_pdf(request, pk: int):
    notice = _notice(request, pk)
    body = documents.notice_pdf(notice)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = (f"attachment; filename=\"notice-{notice.pk}.pdf\"; "
                                       f"filename*=UTF-8''{quote(notice.number + '.pdf')}")
    return response


# --------------------------------------------------------------------------------------------------
# Meetings and consultations


def _meeting_form(plan, data=None):
    form = forms.MeetingForm(data, initial={"held_on": clock.today().isoformat()})
    form.fields["presided_by"].choices = [(d, d) for d in plan.deputy_leaders]
    form.fields["attendees"].choices = forms.unit_choices(plan)
    return form


def _consultation_form(plan, data=None):
    form = forms.ConsultationForm(data, initial={"held_on": clock.today().isoformat()})
    form.fields["units"].choices = forms.unit_choices(plan)
    return form


@capability_required(*READ)
def meetings(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    meeting_form, consultation_form, status = _meeting_form(plan), _consultation_form(plan), 200
    if request.method == "POST":
        if not access.can_manage(request.user):
            access.deny(request, "reform.Meeting", "new")
        try:
            if request.POST.get("form") == "consultation":
                consultation_form = _consultation_form(plan, request.POST)
                services.open_consultation(by=request.user, topic=request.POST.get("topic", ""),
                                           unit_ids=request.POST.getlist("units"),
                                           positions=request.POST.get("positions", ""),
                                           held_on=request.POST.get("held_on", ""), plan=plan, request=request)
                messages.success(request, _("Consultation recorded."))
                return redirect("reform:meetings")
            meeting_form = _meeting_form(plan, request.POST)
            meeting = services.convene_meeting(
                by=request.user, presided_by=request.POST.get("presided_by", ""),
                held_on=request.POST.get("held_on", ""), attendee_ids=request.POST.getlist("attendees"),
                minutes=request.POST.get("minutes", ""), title=request.POST.get("title", ""),
                place=request.POST.get("place", ""), other_attendees=request.POST.get("other_attendees", ""),
                minutes_number=request.POST.get("minutes_number", ""), plan=plan, request=request)
            messages.success(request, _("Meeting recorded. Add its decisions below."))
            return redirect("reform:meeting", pk=meeting.pk)
        except ValidationFailure as exc:
            target = consultation_form if request.POST.get("form") == "consultation" else meeting_form
            target.is_valid()
            _apply(request, target, exc)
            status = 400
    rows = Meeting.objects.filter(plan=plan).select_related("convener").prefetch_related("attendees", "decisions")
    consultations = (Consultation.objects.filter(plan=plan).select_related("meeting")
                     .prefetch_related("units"))
    settle = forms.SettleForm()
    settle.fields["meeting"].choices = [("", "—")] + [(str(m.pk), m.title) for m in rows]
    return render(request, "reform/meetings.html", {
        "plan": plan, "meetings": rows, "consultations": consultations, "meeting_form": meeting_form,
        "consultation_form": consultation_form, "settle_form": settle, "can_manage": access.can_manage(request.user)},
        status=status)


@capability_required(*READ)
def meeting_detail(request, pk: int):
    plan, page = _plan_or_page(request)
    if page:
        return page
    meeting = get_object_or_404(Meeting.objects.select_related("convener"), plan=plan, pk=pk)
    form, status = forms.DecisionForm(), 200
    form.fields["units"].choices = forms.unit_choices(plan)
    if request.method == "POST":
        if not access.can_manage(request.user):
            access.deny(request, "reform.Meeting", pk)
        form = forms.DecisionForm(request.POST)
        form.fields["units"].choices = forms.unit_choices(plan)
        form.is_valid()
        try:
            services.add_decision(by=request.user, meeting=meeting, text=request.POST.get("text", ""),
                                  due_on=request.POST.get("due_on", ""), unit_ids=request.POST.getlist("units"),
                                  request=request)
        except ValidationFailure as exc:
            _apply(request, form, exc)
            status = 400
        else:
            messages.success(request, _("Decision added and assigned."))
            return redirect("reform:meeting", pk=meeting.pk)
    today = clock.today()
    decisions = []
    scope = access.unit_scope(request.user)
    with_units = Prefetch("assignments", queryset=Assignment.objects.select_related("unit"))
    for d in meeting.decisions.prefetch_related(with_units):
        shown = [a for a in d.assignments.all() if scope is None or a.unit_id in scope]
        for a in shown:
            a.bucket = progress.bucket(a.status, d.due_on, today)
        decisions.append({"d": d, "assignments": shown})
    return render(request, "reform/meeting.html", {
        "plan": plan, "meeting": meeting, "decisions": decisions, "form": form,
        "attendees": meeting.attendees.all(), "consultations": meeting.consultations.all(),
        "can_manage": access.can_manage(request.user)}, status=status)


@require_POST
@capability_required(*MANAGE)
def consultation_settle(request, pk: int):
    c = get_object_or_404(Consultation, pk=pk)
    meeting = None
    if request.POST.get("meeting", "").isdigit():
        meeting = Meeting.objects.filter(plan=c.plan, pk=int(request.POST["meeting"])).first()
    try:
        services.settle_consultation(by=request.user, consultation=c, outcome=request.POST.get("outcome", ""),
                                     meeting=meeting, request=request)
    except ValidationFailure as exc:
        messages.error(request, _message(request, exc))
    else:
        messages.success(request, _("Consultation updated."))
    return redirect("reform:meetings")


# --------------------------------------------------------------------------------------------------
# Field research


def _research_form(plan, data=None):
    form = forms.ResearchForm(data, initial={"conducted_on": clock.today().isoformat()})
    form.fields["units"].choices = forms.unit_choices(plan)
    return form


@capability_required(*READ)
def research(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    form, status = _research_form(plan), 200
    if request.method == "POST":
        if not access.can_manage(request.user):
            access.deny(request, "reform.Research", "new")
        form = _research_form(plan, request.POST)
        form.is_valid()
        try:
            r = services.record_research(by=request.user, title=request.POST.get("title", ""),
                                         conducted_on=request.POST.get("conducted_on", ""),
                                         unit_ids=request.POST.getlist("units"),
                                         findings=request.POST.get("findings", ""),
                                         demands=request.POST.get("demands", ""), plan=plan, request=request)
        except ValidationFailure as exc:
            _apply(request, form, exc)
            status = 400
        else:
            messages.success(request, _("Research recorded."))
            return redirect("reform:research_detail", pk=r.pk)
    rows = Research.objects.filter(plan=plan).prefetch_related("units", "proposals")
    halves = progress.half_years(plan, clock.today(), [r.conducted_on for r in rows])
    return render(request, "reform/research.html", {
        "plan": plan, "rows": rows, "halves": halves, "form": form, "can_manage": access.can_manage(request.user)},
        status=status)


def _proposal_form(plan, data=None):
    form = forms.ProposalForm(data)
    form.fields["area"].choices = [(str(a.pk), str(a)) for a in plan.areas.all()]
    form.fields["units"].choices = forms.unit_choices(plan)
    return form


def _decide_form(plan):
    form = forms.DecideForm()
    form.fields["meeting"].choices = [("", "—")] + [(str(m.pk), m.title) for m in plan.meetings.all()]
    return form


@capability_required(*READ)
def research_detail(request, pk: int):
    plan, page = _plan_or_page(request)
    if page:
        return page
    r = get_object_or_404(Research.objects.select_related("created_by"), plan=plan, pk=pk)
    form, status = _proposal_form(plan), 200
    if request.method == "POST":
        if not access.can_manage(request.user):
            access.deny(request, "reform.Research", pk)
        form = _proposal_form(plan, request.POST)
        form.is_valid()
        try:
            services.propose_measure(by=request.user, research=r, title=request.POST.get("title", ""),
                                     text=request.POST.get("text", ""), area_id=request.POST.get("area", ""),
                                     unit_ids=request.POST.getlist("units"), due_on=request.POST.get("due_on", ""),
                                     request=request)
        except ValidationFailure as exc:
            _apply(request, form, exc)
            status = 400
        else:
            messages.success(request, _("Measure proposed to the task force."))
            return redirect("reform:research_detail", pk=r.pk)
    proposals = r.proposals.select_related("area", "task", "meeting").prefetch_related("units")
    return render(request, "reform/research_detail.html", {
        "plan": plan, "r": r, "proposals": proposals, "form": form, "decide_form": _decide_form(plan),
        "units": r.units.all(), "can_manage": access.can_manage(request.user)}, status=status)


@require_POST
@capability_required(*MANAGE)
def proposal_decide(request, pk: int):
    p = get_object_or_404(Proposal.objects.select_related("research"), pk=pk)
    meeting = None
    if request.POST.get("meeting", "").isdigit():
        meeting = Meeting.objects.filter(plan=p.research.plan, pk=int(request.POST["meeting"])).first()
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide_proposal(by=request.user, proposal=p, approve=approve, meeting=meeting,
                                 note=request.POST.get("decision_note", ""), request=request)
    except ValidationFailure as exc:
        messages.error(request, _message(request, exc))
    else:
        messages.success(request, _("Measure approved and added as task %(n)s.") % {"n": p.task.number}
                         if approve else _("Measure rejected."))
    return redirect("reform:research_detail", pk=p.research_id)


# --------------------------------------------------------------------------------------------------
# Liaisons, export, reminders inbox


@capability_required(*MANAGE)
def liaisons(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    users = get_user_model().objects.filter(groups__name="liaison", is_active=True).order_by("username")
    form = forms.LiaisonForm(request.POST or None, initial={"since": clock.today().isoformat()})
    form.fields["unit"].choices = forms.unit_choices(plan)
    form.fields["user"].choices = [(str(u.pk), f"{u.label()}（{u.username}）") for u in users]
    status = 200
    if request.method == "POST":
        form.is_valid()
        unit = Unit.objects.filter(plan=plan, pk=request.POST.get("unit") or 0).first()
        user = users.filter(pk=request.POST.get("user") or 0).first()
        try:
            if unit is None or user is None:
                raise ValidationFailure("unit" if unit is None else "user", "请选择单位和联络员",
                                        "choose a unit and a liaison")
            services.bind_liaison(by=request.user, unit=unit, user=user, since=request.POST.get("since") or None,
                                  request=request)
        except ValidationFailure as exc:
            _apply(request, form, exc)
            status = 400
        else:
            messages.success(request, _("Liaison of %(unit)s set.") % {"unit": unit.short})
            return redirect("reform:liaisons")
    active = Liaison.objects.filter(unit__plan=plan, until__isnull=True).select_related("user")
    bindings = {b.unit_id: b for b in active}
    rows = [{"unit": u, "binding": bindings.get(u.pk)} for u in plan.units.filter(member=True)]
    return render(request, "reform/liaisons.html", {"plan": plan, "rows": rows, "form": form}, status=status)


@capability_required(*MANAGE)
def export(request):
    plan, page = _plan_or_page(request)
    if page:
        return page
    if request.method == "POST":
        try:
            _bulletin, body, filename = services.issue_bulletin(by=request.user, fmt=request.POST.get("format", ""),
                                                                plan=plan, request=request)
        except ValidationFailure as exc:
            messages.error(request, _message(request, exc))
            return redirect("reform:export")
        kind = ("application/pdf" if filename.endswith(".pdf") else
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response = HttpResponse(body, content_type=kind)
        response["Content-Disposition"] = (f"attachment; filename=\"reform-progress.{filename.rsplit('.', 1)[1]}\"; "
                                           f"filename*=UTF-8''{quote(filename)}")
        return response
    content = documents.report_content(plan, clock.today())
    return render(request, "reform/export.html", {"plan": plan, "content": content,
                                                  "bulletins": plan.bulletins.select_related("created_by")[:20]})


@capability_required("report_reform", "manage_reform")
def inbox(request):
    if request.method == "POST":
        ids = request.POST.getlist("id")
        services.mark_read(user=request.user, ids=ids or None)
        return redirect("reform:inbox")
    notes = Notification.objects.filter(user=request.user)[:100]
    return render(request, "reform/inbox.html", {"notes": notes})

