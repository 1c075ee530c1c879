"""Every write of the reform module: validate, lock, write, audit, notify (in-app and e-mail after commit).

Bad input raises ``ValidationFailure`` naming the field, in Chinese and English, before anything is
written. Locks are taken in one order: the plan row, then the assignment row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max

from zhishui import config
from zhishui.core import audit
from zhishui.core.crypto import sm3_hex
from zhishui.core.errors import ErrorCollector, ValidationFailure

from . import access, clock, evidence
from .models import (
    Area,
    Assignment,
    Bulletin,
    Consultation,
    Deliverable,
    Evidence,
    Liaison,
    Meeting,
    Notification,
    Proposal,
    ReformPlan,
    Reminder,
    Report,
    Research,
    Role,
    Status,
    SupervisionNotice,
    Task,
    TaskUnit,
    Unit,
)
from .plan import DEFAULT_DISTRICT, load_plan

MAX_TEXT = 5000


# --------------------------------------------------------------------------------------------------
# Helpers


def current_plan(district_code: str | None = None) -> ReformPlan:
    """The loaded plan of this installation's district, or a clear error telling how to load it."""
    code = district_code or getattr(settings, "ZHISHUI_DISTRICT", DEFAULT_DISTRICT)
    found = ReformPlan.objects.filter(district_code=code).first()
    if found is None:
        raise ValidationFailure("district_code",
                                f"行政区划 {code} 的改革工作方案尚未载入，请运行 zhishui reform load-plan",
                                f"the reform plan of district {code} is not loaded: run `zhishui reform load-plan`",
                                code, code="plan_not_loaded")
    return found


def _require(user, capability: str) -> None:
    if not (user and user.is_authenticated and user.has_perm(f"core.{capability}")):
        raise ValidationFailure("user", "当前角色无权执行此操作", "your role does not allow this", code="forbidden")


def _text(errors: ErrorCollector, name: str, value: str, zh: str, en: str, *, required: bool = True,
          limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, f"{zh}不能为空", f"{en} is required")
    elif len(value) > limit:
        errors.add(name, f"{zh}不能超过 {limit} 个字符", f"{en} is longer than {limit} characters", value)
    return value


def _date(errors: ErrorCollector, name: str, value, zh: str, en: str, *, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            errors.add(name, f"{zh}不能为空", f"{en} is required")
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(name, f"{zh}格式应为 YYYY-MM-DD", f"{en} must be a date YYYY-MM-DD", value)
        return None


def _units(errors: ErrorCollector, plan: ReformPlan, ids, name: str = "units", *, required: bool = True,
           zh: str = "责任单位", en: str = "responsible unit") -> list[Unit]:
    wanted: list[int] = []
    for raw in ids or []:
        try:
            wanted.append(int(raw))
        except (TypeError, ValueError):
            errors.add(name, f"无效的单位：{raw}", f"unknown unit: {raw}", raw)
    found = {u.pk: u for u in Unit.objects.filter(plan=plan, pk__in=wanted)}
    missing = [i for i in wanted if i not in found]
    if missing:
        errors.add(name, f"无效的单位：{missing}", f"unknown units: {missing}", missing)
    if required and not wanted:
        errors.add(name, f"必须指定至少一个{zh}", f"at least one {en} is required")
    return [found[i] for i in dict.fromkeys(wanted) if i in found]


def remind_days() -> list[int]:
    """The configured reminder offsets in days before the due date, largest first."""
    raw = getattr(settings, "ZHISHUI_REFORM_REMIND_DAYS", None) or config.get("ZHISHUI_REFORM_REMIND_DAYS")
    days = sorted({int(str(d).strip()) for d in raw if str(d).strip()}, reverse=True)
    if not days or any(d < 0 for d in days):
        raise ValidationFailure("ZHISHUI_REFORM_REMIND_DAYS", "提醒天数应为非负整数列表，如 30,7,1",
                                "reminder days must be non-negative whole numbers, e.g. 30,7,1", raw)
    return days


def _users_with_role(role: str):
    return list(get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username"))


def active_liaison(unit: Unit):
    binding = Liaison.objects.select_related("user").filter(unit=unit, until__isnull=True).first()
    return binding.user if binding and binding.user.is_active else None


@dataclass
class _Outbox:
    """In-app notifications are written in the transaction; e-mails are sent once it commits."""

    mails: list[EmailMessage] = field(default_factory=list)

    def notify(self, user, title: str, body: str, url: str = "", *, mail: bool = True) -> None:
        Notification.objects.create(user=user, title=title[:200], body=body, url=url[:200], created_at=clock.now())
        if mail and user.email:
            self.mails.append(EmailMessage(subject=f"[智税] {title}", body=f"{body}\n\n{url}".strip(),
                                           from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email]))

    def send_on_commit(self) -> None:
        if self.mails:
            mails = list(self.mails)
            transaction.on_commit(lambda: get_connection(fail_silently=True).send_messages(mails))


def _item_url(assignment: Assignment) -> str:
    return f"/reform/items/{assignment.pk}/"


def _recompute(deliverable: Deliverable) -> None:
    statuses = list(deliverable.assignments.values_list("status", "completed_on"))
    if not statuses:
        status = Status.NOT_STARTED
    elif all(s == Status.DONE for s, _d in statuses):
        status = Status.DONE
    elif any(s == Status.AT_RISK for s, _d in statuses):
        status = Status.AT_RISK
    elif any(s in (Status.IN_PROGRESS, Status.DONE) for s, _d in statuses):
        status = Status.IN_PROGRESS
    else:
        status = Status.NOT_STARTED
    done_on = max(d for _s, d in statuses) if status == Status.DONE else None
    Deliverable.objects.filter(pk=deliverable.pk).update(status=status, done_on=done_on)
    deliverable.status, deliverable.done_on = status, done_on


# --------------------------------------------------------------------------------------------------
# 1. Loading the plan


@dataclass
class LoadResult:
    district_code: str
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # rows the file no longer has, kept for their reports

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())

    def bump(self, kind: str, created: bool) -> None:
        target = self.created if created else self.updated
        target[kind] = target.get(kind, 0) + 1


def _sync(model, lookup: dict, values: dict, result: LoadResult, kind: str):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        result.bump(kind, True)
        return obj
    changed = [k for k, v in values.items() if _value(obj, k) != _pk(v)]
    if changed:
        for k in changed:
            setattr(obj, k, values[k])
        obj.save(update_fields=changed)
        result.bump(kind, False)
    return obj


def _value(obj, name: str):
    f = obj._meta.get_field(name)
    return getattr(obj, f.attname)


def _pk(value):
    return value.pk if hasattr(value, "_meta") else value


def _plan_dates(plan) -> tuple[date, date]:
    """The plan's start (1 January of the year of its earliest milestone or of its document, whichever is
    earlier: the Jintai plan of 2022 still sets targets “2021年底前”) and the task force's establishment
    (the document's date, else 1 January of the year in its number)."""
    years = [m.due.year for _t, m in plan.milestones()]
    match = re.search(r"〔(\d{4})〕", plan.document.number)
    doc_year = int(match.group(1)) if match else min(years)
    start = date(min([*years, doc_year]), 1, 1)
    established = plan.document.issued or date(doc_year, 1, 1)
    return start, max(start, established)


@transaction.atomic
def load_plan_into_db(district_code: str = DEFAULT_DISTRICT, *, plans_dir: Path | None = None, by=None,
                      request=None) -> LoadResult:
    """Load (or update) a district's plan. Idempotent: a second run changes nothing; a changed file
    updates texts and dates in place, keeping every report; rows the file dropped stay while they have
    reports and are listed in ``kept``."""
    plan = load_plan(district_code, plans_dir=plans_dir)
    result = LoadResult(plan.district_code)
    source = sm3_hex(plan.source.read_bytes())
    start, established = _plan_dates(plan)
    tf = plan.task_force
    rp = _sync(ReformPlan, {"district_code": plan.district_code}, {
        "district_name": plan.district_name, "title": plan.document.title, "number": plan.document.number,
        "issuer": plan.document.issuer, "task_force_name": tf.name if tf else "",
        "leader": tf.leader if tf else "", "deputy_leaders": list(tf.deputy_leaders) if tf else [],
        "office_seat": tf.office.seat.short if tf and tf.office.seat else "",
        "horizon": plan.horizon, "start_on": start, "established_on": established, "source_sm3": source,
    }, result, "plan")
    rp = ReformPlan.objects.select_for_update().get(pk=rp.pk)

    areas = {a.number: _sync(Area, {"plan": rp, "number": a.number}, {"numeral": a.numeral, "title": a.title},
                             result, "areas") for a in plan.areas}
    members = {u.code for u in tf.members} if tf else set()
    units = {u.code: _sync(Unit, {"plan": rp, "code": u.code}, {
        "short": u.short, "name": u.name, "name_en": u.name_en, "member": u.code in members, "position": i,
    }, result, "units") for i, u in enumerate(plan.units)}

    plan_numbers = set()
    for t in plan.tasks:
        plan_numbers.add(t.number)
        clauses = [{"text": c.text, "attribution": c.attribution, "lead": [u.code for u in c.lead],
                    "responsible": [u.code for u in c.responsible], "all_members": c.all_members} for c in t.clauses]
        task = _sync(Task, {"plan": rp, "number": t.number}, {
            "area": areas[t.area.number], "title": t.title, "text": t.text, "clauses": clauses,
            "all_members": t.all_members, "origin": Task.Origin.PLAN, "start_on": start,
        }, result, "tasks")
        wanted = [(units[u.code], Role.LEAD) for u in t.lead_units]
        wanted += [(units[u.code], Role.RESPONSIBLE) for u in t.responsible_units]
        existing = {(tu.unit_id, tu.role): tu for tu in task.task_units.all()}
        for pos, (unit, role) in enumerate(wanted):
            tu = existing.pop((unit.pk, role), None)
            if tu is None:
                TaskUnit.objects.create(task=task, unit=unit, role=role, position=pos)
                result.bump("task units", True)
            elif tu.position != pos:
                TaskUnit.objects.filter(pk=tu.pk).update(position=pos)
        for tu in existing.values():
            TaskUnit.objects.filter(pk=tu.pk).delete()
            result.bump("task units", False)

        keys = set()
        for i, m in enumerate(t.milestones, 1):
            key = f"m{i}"
            keys.add(key)
            d = _sync(Deliverable, {"task": task, "key": key}, {
                "plan": rp, "kind": Deliverable.Kind.MILESTONE, "text": m.text, "start_on": start, "due_on": m.due,
                "implied": m.implied,
            }, result, "deliverables")
            clause = t.clauses[m.clause - 1] if m.clause else None
            if clause is not None and clause.units:
                lead, resp = clause.lead, clause.responsible
            else:
                lead, resp = t.lead_units, t.responsible_units
            roles: dict[str, str] = {}
            for u in lead:
                roles.setdefault(u.code, Role.LEAD)
            for u in resp:
                roles.setdefault(u.code, Role.RESPONSIBLE)
            current = {a.unit_id: a for a in d.assignments.all()}
            for code, role in roles.items():
                a = current.pop(units[code].pk, None)
                if a is None:
                    Assignment.objects.create(deliverable=d, unit=units[code], role=role)
                    result.bump("assignments", True)
                elif a.role != role:
                    Assignment.objects.filter(pk=a.pk).update(role=role)
                    result.bump("assignments", False)
            for a in current.values():
                if a.reports.exists():
                    result.kept.append(f"task {t.number} {key} {a.unit.short}")
                else:
                    Assignment.objects.filter(pk=a.pk).delete()
                    result.bump("assignments", False)
            _recompute(d)
        for d in task.deliverables.exclude(key__in=keys):
            if Report.objects.filter(assignment__deliverable=d).exists():
                result.kept.append(f"task {t.number} {d.key}")
            else:
                Assignment.objects.filter(deliverable=d).delete()
                Deliverable.objects.filter(pk=d.pk).delete()
                result.bump("deliverables", False)
    for task in Task.objects.filter(plan=rp, origin=Task.Origin.PLAN).exclude(number__in=plan_numbers):
        if Report.objects.filter(assignment__deliverable__task=task).exists():
            result.kept.append(f"task {task.number}")
        else:
            Assignment.objects.filter(deliverable__task=task).delete()
            Deliverable.objects.filter(task=task).delete()
            TaskUnit.objects.filter(task=task).delete()
            Task.objects.filter(pk=task.pk).delete()
            result.bump("tasks", False)
    if result.changed:
        ReformPlan.objects.filter(pk=rp.pk).update(loaded_at=clock.now())
        audit.record("reform.load_plan", request=request, actor=by, obj=rp, username="" if by or request else "zhishui",
                     detail={"district": plan.district_code, "created": result.created, "updated": result.updated,
                             "kept": result.kept, "source_sm3": source})
    return result


# --------------------------------------------------------------------------------------------------
# 2. Liaisons


@transaction.atomic
def bind_liaison(*, by=None, unit: Unit, user, since=None, request=None) -> Liaison:
    """Make ``user`` the unit's liaison from ``since``, ending the unit's (and the user's) previous binding.
    ``by`` is the office user; ``None`` for the command line and the demo set-up."""
    if by is not None:
        _require(by, "manage_reform")
    errors = ErrorCollector()
    since = _date(errors, "since", since or clock.today(), "起始日期", "start date")
    errors.raise_if_any()
    if not (user.is_active and "liaison" in user.role_codes):
        raise ValidationFailure("user", f"用户 {user.username} 没有“部门联络员”角色", f"user {user.username} does not "
                                "hold the department liaison role", user.username)
    if not unit.member:
        raise ValidationFailure("unit", f"{unit.short}不是工作专班成员单位", f"{unit.short} is not a task-force member",
                                unit.short)
    current = Liaison.objects.select_for_update().filter(unit=unit, until__isnull=True).first()
    if current is not None and current.user_id == user.pk:
        return current
    Liaison.objects.filter(unit=unit, until__isnull=True).update(until=since)
    Liaison.objects.filter(user=user, until__isnull=True).update(until=since)
    binding = Liaison.objects.create(unit=unit, user=user, since=since, created_by=by, created_at=clock.now())
    audit.record("reform.liaison_bind", request=request, actor=by, obj=binding, username="" if by else "zhishui",
                 detail={"unit": unit.code, "user": user.username,
                         "replaced": current.user.username if current else ""})
    return binding


# --------------------------------------------------------------------------------------------------
# 3. Progress reports and review


def submit_report(*, by, assignment: Assignment, status: str, narrative: str, reported_on=None, files=(),
                  request=None) -> Report:
    """A liaison's report on its unit's assignment, with evidence files. Nothing is stored on any error."""
    errors = ErrorCollector()
    if not access.may_report(by, assignment):
        unit = assignment.unit.short
        errors.add("unit", f"只能报送本单位的任务：此事项由{unit}承担，你不是{unit}的联络员",
                   f"you can report only on your own unit's items: this one belongs to {unit}, whose liaison "
                   "you are not", unit)
        errors.raise_if_any(code="forbidden")
    if status not in Status.values:
        errors.add("status", "进展状态无效", "unknown status", status)
    narrative = _text(errors, "narrative", narrative, "进展情况", "narrative")
    today = clock.today()
    day = _date(errors, "reported_on", reported_on or today, "报送日期", "report date")
    if day is not None:
        if day > today:
            errors.add("reported_on", "报送日期不能晚于今天", "the report date cannot be in the future", str(day))
        elif day < assignment.deliverable.start_on:
            errors.add("reported_on", f"报送日期早于任务开始日期 {assignment.deliverable.start_on}",
                       f"the report date is before the task's start {assignment.deliverable.start_on}", str(day))
    assignment.refresh_from_db(fields=["pending_review", "status"])
    if assignment.pending_review:
        errors.add("assignment", "该事项已有一份报告待专班办公室审核，审核后再报",
                   "a report on this item is awaiting the office's review; report again after it is reviewed")
    checked = evidence.check_files(files, errors)
    if status == Status.DONE and not checked and not errors.errors:
        errors.add("evidence", "报告“已完成”须附佐证材料（如印发的文件）",
                   "a report of completion needs evidence (such as the documents issued)")
    errors.raise_if_any()

    stored: list[str] = []
    try:
        for item in checked:
            stored.append(evidence.store(item, today.year))
        with transaction.atomic():
            locked = Assignment.objects.select_for_update().select_related("deliverable", "unit").get(pk=assignment.pk)
            if locked.pending_review:
                raise ValidationFailure("assignment", "该事项已有一份报告待审核", "a report on this item is awaiting "
                                        "review")
            now = clock.now()
            report = Report.objects.create(assignment=locked, status=status, narrative=narrative, reported_on=day,
                                           submitted_by=by, submitted_at=now)
            for item, name in zip(checked, stored, strict=True):
                Evidence.objects.create(report=report, original_name=item.name, kind=item.kind.code,
                                        content_type=item.kind.content_type, size=len(item.data), sm3=item.sm3,
                                        stored_name=name, uploaded_at=now)
            Assignment.objects.filter(pk=locked.pk).update(pending_review=True, last_reported_on=day)
            SupervisionNotice.objects.filter(assignment=locked, answered_by__isnull=True).update(answered_by=report)
            audit.record("reform.report_submit", request=request, actor=by, obj=report,
                         detail={"assignment": locked.pk, "unit": locked.unit.code, "status": status,
                                 "evidence": [{"name": i.name, "sm3": i.sm3} for i in checked]})
            outbox = _Outbox()
            for office in _users_with_role("taskforce"):
                outbox.notify(office, f"{locked.unit.short}报送了进展，待审核", f"{locked.deliverable.text[:80]}",
                              _item_url(locked), mail=False)
            outbox.send_on_commit()
    except BaseException:
        evidence.discard(stored)
        raise
    assignment.pending_review, assignment.last_reported_on = True, day
    return report


@transaction.atomic
def review_report(*, by, report: Report, accept: bool, comment: str = "", request=None) -> Report:
    _require(by, "manage_reform")
    errors = ErrorCollector()
    comment = _text(errors, "review_comment", comment, "审核意见", "review comment", required=not accept)
    if report.review != Report.Review.PENDING:
        errors.add("review", "该报告已审核过", "this report has already been reviewed", report.review)
    errors.raise_if_any()
    assignment = (Assignment.objects.select_for_update().select_related("deliverable", "unit")
                  .get(pk=report.assignment_id))
    report = Report.objects.get(pk=report.pk)
    if report.review != Report.Review.PENDING:
        raise ValidationFailure("review", "该报告已审核过", "this report has already been reviewed", report.review)
    report.review = Report.Review.ACCEPTED if accept else Report.Review.RETURNED
    report.reviewed_by, report.reviewed_at, report.review_comment = by, clock.now(), comment
    report.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_comment"])
    updates = {"pending_review": False}
    if accept:
        updates["status"] = report.status
        updates["completed_on"] = report.reported_on if report.status == Status.DONE else None
    Assignment.objects.filter(pk=assignment.pk).update(**updates)
    _recompute(assignment.deliverable)
    audit.record("reform.report_accept" if accept else "reform.report_return", request=request, actor=by, obj=report,
                 reason=comment, detail={"assignment": assignment.pk, "unit": assignment.unit.code,
                                         "status": report.status})
    liaison = active_liaison(assignment.unit)
    if liaison is not None:
        outbox = _Outbox()
        verdict = "已通过审核" if accept else "被退回，请补充后重新报送"
        outbox.notify(liaison, f"进展报告{verdict}", f"{assignment.deliverable.text[:80]}\n{comment}".strip(),
                      _item_url(assignment))
        outbox.send_on_commit()
    return report


# --------------------------------------------------------------------------------------------------
# 4. Supervision: reminders, escalation, notices


@dataclass
class RemindResult:
    today: date
    reminded: int = 0
    escalated: int = 0
    without_liaison: list[str] = field(default_factory=list)


def run_reminders(*, today: date | None = None, plan: ReformPlan | None = None) -> RemindResult:
    """Remind liaisons of items coming due and escalate overdue ones. Idempotent: each reminder (item,
    offset) and each escalation is sent at most once, however often this runs."""
    today = today or clock.today()
    plan = plan or current_plan()
    days = remind_days()
    horizon = today + timedelta(days=max(days))
    result = RemindResult(today)
    candidates = (Assignment.objects.select_related("deliverable", "deliverable__task", "deliverable__meeting", "unit")
                  .filter(deliverable__plan=plan, deliverable__due_on__lte=horizon)
                  .exclude(status=Status.DONE).order_by("deliverable__due_on", "id"))
    office = _users_with_role("taskforce")
    leaders = _users_with_role("leader")
    sent_before = set(Reminder.objects.filter(assignment__deliverable__plan=plan)
                      .values_list("assignment_id", "kind", "days"))
    for a in candidates:
        left = (a.deliverable.due_on - today).days
        if left >= 0:
            offset = min(d for d in days if d >= left)
            if (a.pk, Reminder.Kind.DUE, offset) in sent_before:
                continue
            if a.pending_review and a.reports.filter(review=Report.Review.PENDING, status=Status.DONE).exists():
                continue  # already reported done; the office has it
            if _send_reminder(a, Reminder.Kind.DUE, offset, today, office, [], result):
                result.reminded += 1
        elif (a.pk, Reminder.Kind.OVERDUE, 0) not in sent_before:
            if _send_reminder(a, Reminder.Kind.OVERDUE, 0, today, office, leaders, result):
                result.escalated += 1
    return result


def _send_reminder(a: Assignment, kind: str, offset: int, today: date, office, leaders, result) -> bool:
    d = a.deliverable
    source = d.source_label
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(assignment=a, kind=kind, days=offset, sent_on=today, sent_at=clock.now())
            outbox = _Outbox()
            liaison = active_liaison(a.unit)
            recipients = []
            if kind == Reminder.Kind.DUE:
                title = (f"督办提醒：{a.unit.short}承担的事项将于{d.due_on:%Y年%m月%d日}到期"
                         f"（还有{(d.due_on - today).days}天）"
                         if d.due_on > today else f"督办提醒：{a.unit.short}承担的事项今天到期")
                body = (f"{source}\n{d.text}\n"
                        "请在完成时限前将完成情况和佐证材料（包括印发的文件等）报送工作专班办公室。\n"
                        f"Reminder: this item of {a.unit.name_en or a.unit.short} is due on {d.due_on}; report the "
                        "results and evidence to the task-force office before the deadline.")
                targets = [liaison] if liaison else office
            else:
                title = f"逾期督办：{a.unit.short}承担的事项已于{d.due_on:%Y年%m月%d日}到期未完成"
                body = (f"{source}\n{d.text}\n已逾期 {(today - d.due_on).days} 天，已提交工作专班办公室和领导督办。\n"
                        f"Overdue since {d.due_on}: escalated to the task-force office and the leaders.")
                targets = ([liaison] if liaison else []) + list(office) + list(leaders)
                Assignment.objects.filter(pk=a.pk).update(escalated_at=clock.now())
            if liaison is None:
                result.without_liaison.append(a.unit.short)
            seen = set()
            for user in targets:
                if user.pk in seen:
                    continue
                seen.add(user.pk)
                outbox.notify(user, title, body, _item_url(a))
                recipients.append(user.username)
            Reminder.objects.filter(pk=reminder.pk).update(recipients=",".join(recipients))
            audit.record("reform.remind" if kind == Reminder.Kind.DUE else "reform.escalate", obj=a,
                         username="zhishui reform remind",
                         detail={"unit": a.unit.code, "due": str(d.due_on), "days": offset, "to": recipients})
            outbox.send_on_commit()
    except IntegrityError:
        return False  # a concurrent run sent it
    return True


def notice_number(plan: ReformPlan, year: int, seq: int) -> str:
    return f"{plan.district_name}税改专班督〔{year}〕{seq}号"


@transaction.atomic
def issue_notice(*, by, assignment: Assignment, reply_due, text: str, request=None) -> SupervisionNotice:
    _require(by, "manage_reform")
    errors = ErrorCollector()
    text = _text(errors, "text", text, "督办要求", "requirements")
    today = clock.today()
    reply = _date(errors, "reply_due", reply_due, "回复期限", "reply deadline")
    if reply is not None and reply <= today:
        errors.add("reply_due", "回复期限应晚于今天", "the reply deadline must be after today", str(reply))
    if assignment.status == Status.DONE:
        errors.add("assignment", "该事项已完成，无需督办", "this item is done; no supervision notice is needed")
    errors.raise_if_any()
    plan = ReformPlan.objects.select_for_update().get(pk=assignment.deliverable.plan_id)
    seq = (SupervisionNotice.objects.filter(plan=plan, year=today.year).aggregate(m=Max("seq"))["m"] or 0) + 1
    notice = SupervisionNotice.objects.create(
        plan=plan, assignment=assignment, year=today.year, seq=seq, number=notice_number(plan, today.year, seq),
        text=text, reply_due=reply, issued_by=by, issued_at=clock.now(), issued_on=today)
    audit.record("reform.notice_issue", request=request, actor=by, obj=notice,
                 detail={"number": notice.number, "assignment": assignment.pk, "unit": assignment.unit.code,
                         "reply_due": str(reply)})
    outbox = _Outbox()
    liaison = active_liaison(assignment.unit)
    for user in [liaison] if liaison else []:
        outbox.notify(user, f"督办通知 {notice.number}：请于{reply:%Y年%m月%d日}前回复",
                      f"{assignment.deliverable.text[:120]}\n{text}", f"/reform/notices/{notice.pk}/")
    outbox.send_on_commit()
    return notice


# --------------------------------------------------------------------------------------------------
# 5. Meetings, decisions, consultations


@transaction.atomic
def convene_meeting(*, by, presided_by: str, held_on, attendee_ids, minutes: str, title: str = "", place: str = "",
                    other_attendees: str = "", minutes_number: str = "", plan: ReformPlan | None = None,
                    request=None) -> Meeting:
    """Record a task-force meeting. The office records it on behalf of the deputy leader who convened it."""
    _require(by, "manage_reform")
    plan = plan or current_plan()
    errors = ErrorCollector()
    presided_by = (presided_by or "").strip()
    if plan.deputy_leaders and presided_by not in plan.deputy_leaders:
        errors.add("presided_by", f"工作专班会议由副组长召集：{'、'.join(plan.deputy_leaders)}",
                   f"task-force meetings are convened by a deputy leader: {', '.join(plan.deputy_leaders)}",
                   presided_by)
    day = _date(errors, "held_on", held_on, "会议日期", "meeting date")
    if day is not None and day > clock.today():
        errors.add("held_on", "会议纪要只能在会后登记，会议日期不能晚于今天", "minutes are recorded after the meeting: "
                   "the date cannot be in the future", str(day))
    if day is not None and day < plan.established_on:
        errors.add("held_on", f"会议日期早于工作专班成立（{plan.established_on}）",
                   f"the meeting is before the task force was set up ({plan.established_on})", str(day))
    units = _units(errors, plan, attendee_ids, "attendees", zh="参会单位", en="attending unit")
    minutes = _text(errors, "minutes", minutes, "会议纪要", "minutes", limit=20000)
    title = _text(errors, "title", title, "会议名称", "title", required=False, limit=200)
    place = _text(errors, "place", place, "地点", "place", required=False, limit=100)
    other_attendees = _text(errors, "other_attendees", other_attendees, "列席人员", "other attendees", required=False,
                            limit=300)
    minutes_number = _text(errors, "minutes_number", minutes_number, "纪要编号", "minutes number", required=False,
                           limit=60)
    errors.raise_if_any()
    plan = ReformPlan.objects.select_for_update().get(pk=plan.pk)
    seq = (Meeting.objects.filter(plan=plan).aggregate(m=Max("seq"))["m"] or 0) + 1
    meeting = Meeting.objects.create(
        plan=plan, seq=seq, title=title or f"{plan.task_force_name}第{seq}次会议", held_on=day, place=place,
        presided_by=presided_by, convener=by, other_attendees=other_attendees, minutes=minutes,
        minutes_number=minutes_number, created_at=clock.now())
    meeting.attendees.set(units)
    audit.record("reform.meeting_record", request=request, actor=by, obj=meeting,
                 detail={"seq": seq, "held_on": str(day), "presided_by": presided_by,
                         "attendees": [u.code for u in units]})
    return meeting


@transaction.atomic
def add_decision(*, by, meeting: Meeting, text: str, due_on, unit_ids, request=None) -> Deliverable:
    """A decision of the meeting (议定事项), owned by units (the first is the lead) and due on a date;
    tracked like any deliverable."""
    _require(by, "manage_reform")
    errors = ErrorCollector()
    text = _text(errors, "text", text, "议定事项", "decision")
    due = _date(errors, "due_on", due_on, "完成时限", "due date")
    if due is not None and due < meeting.held_on:
        errors.add("due_on", f"完成时限早于事项开始日期（会议日期 {meeting.held_on}）",
                   f"the due date is before the item's start (the meeting date {meeting.held_on})", str(due))
    units = _units(errors, meeting.plan, unit_ids, "units", zh="承办单位", en="owner unit")
    errors.raise_if_any()
    n = meeting.decisions.count() + 1
    d = Deliverable.objects.create(plan=meeting.plan, kind=Deliverable.Kind.DECISION, meeting=meeting, key=f"d{n}",
                                   text=text, start_on=meeting.held_on, due_on=due, created_at=clock.now())
    outbox = _Outbox()
    for i, unit in enumerate(units):
        a = Assignment.objects.create(deliverable=d, unit=unit, role=Role.LEAD if i == 0 else Role.RESPONSIBLE)
        liaison = active_liaison(unit)
        if liaison:
            outbox.notify(liaison, f"新的会议议定事项：{meeting.title}", f"{text}\n完成时限：{due}", _item_url(a))
    audit.record("reform.decision_add", request=request, actor=by, obj=d,
                 detail={"meeting": meeting.pk, "due": str(due), "units": [u.code for u in units]})
    outbox.send_on_commit()
    return d


@transaction.atomic
def open_consultation(*, by, topic: str, unit_ids, positions: str, held_on, plan: ReformPlan | None = None,
                      request=None) -> Consultation:
    _require(by, "manage_reform")
    plan = plan or current_plan()
    errors = ErrorCollector()
    topic = _text(errors, "topic", topic, "会商事项", "topic", limit=200)
    positions = _text(errors, "positions", positions, "各方意见", "positions")
    day = _date(errors, "held_on", held_on, "会商日期", "date")
    if day is not None and day > clock.today():
        errors.add("held_on", "会商日期不能晚于今天", "the date cannot be in the future", str(day))
    units = _units(errors, plan, unit_ids, "units", zh="参与会商单位", en="unit")
    errors.raise_if_any()
    c = Consultation.objects.create(plan=plan, topic=topic, positions=positions, held_on=day, opened_by=by,
                                    created_at=clock.now())
    c.units.set(units)
    audit.record("reform.consultation_open", request=request, actor=by, obj=c,
                 detail={"units": [u.code for u in units]})
    return c


@transaction.atomic
def settle_consultation(*, by, consultation: Consultation, outcome: str, meeting: Meeting | None = None,
                        request=None) -> Consultation:
    """Close a consultation with its agreed outcome, or (with ``meeting``) escalate the disagreement to the
    task-force meeting that will decide it."""
    _require(by, "manage_reform")
    errors = ErrorCollector()
    outcome = _text(errors, "outcome", outcome, "会商结果", "outcome")
    if consultation.state != Consultation.State.OPEN:
        errors.add("state", "该会商已办结", "this consultation is already closed", consultation.state)
    if meeting is not None and meeting.held_on < consultation.held_on:
        errors.add("meeting", "提交审议的会议早于会商日期", "the meeting is before the consultation",
                   str(meeting.held_on))
    errors.raise_if_any()
    consultation.state = Consultation.State.ESCALATED if meeting else Consultation.State.RESOLVED
    consultation.outcome, consultation.meeting = outcome, meeting
    consultation.save(update_fields=["state", "outcome", "meeting"])
    audit.record("reform.consultation_" + ("escalate" if meeting else "resolve"), request=request, actor=by,
                 obj=consultation, detail={"meeting": meeting.pk if meeting else None})
    return consultation


# --------------------------------------------------------------------------------------------------
# 6. Field research and new measures


@transaction.atomic
def record_research(*, by, title: str, conducted_on, unit_ids, findings: str, demands: str = "",
                    plan: ReformPlan | None = None, request=None) -> Research:
    _require(by, "manage_reform")
    plan = plan or current_plan()
    errors = ErrorCollector()
    title = _text(errors, "title", title, "调研题目", "title", limit=200)
    findings = _text(errors, "findings", findings, "调研发现", "findings")
    demands = _text(errors, "demands", demands, "纳税人缴费人诉求", "taxpayers' demands", required=False)
    day = _date(errors, "conducted_on", conducted_on, "调研日期", "date")
    if day is not None and day > clock.today():
        errors.add("conducted_on", "调研日期不能晚于今天", "the date cannot be in the future", str(day))
    units = _units(errors, plan, unit_ids, "units", zh="调研单位", en="unit visited")
    errors.raise_if_any()
    r = Research.objects.create(plan=plan, title=title, conducted_on=day, findings=findings, demands=demands,
                                created_by=by, created_at=clock.now())
    r.units.set(units)
    audit.record("reform.research_record", request=request, actor=by, obj=r, detail={"on": str(day)})
    return r


@transaction.atomic
def propose_measure(*, by, research: Research, title: str, text: str, area_id, unit_ids, due_on,
                    request=None) -> Proposal:
    _require(by, "manage_reform")
    errors = ErrorCollector()
    title = _text(errors, "title", title, "措施名称", "title", limit=200)
    text = _text(errors, "text", text, "措施内容", "measure")
    due = _date(errors, "due_on", due_on, "完成时限", "due date")
    if due is not None and due < research.conducted_on:
        errors.add("due_on", "完成时限早于调研日期", "the due date is before the research", str(due))
    area = Area.objects.filter(plan=research.plan, pk=area_id).first() if str(area_id or "").isdigit() else None
    if area is None:
        errors.add("area", "请选择任务所属领域", "choose the area of the measure", area_id)
    units = _units(errors, research.plan, unit_ids, "units")
    errors.raise_if_any()
    p = Proposal.objects.create(research=research, title=title, text=text, area=area, due_on=due)
    p.units.set(units)
    audit.record("reform.measure_propose", request=request, actor=by, obj=p, detail={"research": research.pk})
    return p


@transaction.atomic
def decide_proposal(*, by, proposal: Proposal, approve: bool, note: str = "", meeting: Meeting | None = None,
                    request=None) -> Proposal:
    """The task force's decision on a proposed measure; an approved one becomes a new task (numbered after
    the plan's) with its deliverable, starting on the day of approval."""
    _require(by, "manage_reform")
    errors = ErrorCollector()
    note = _text(errors, "decision_note", note, "审议意见", "note", required=not approve)
    if proposal.state != Proposal.State.PROPOSED:
        errors.add("state", "该措施已审议", "this measure has already been decided", proposal.state)
    today = clock.today()
    if approve and proposal.due_on < today:
        errors.add("due_on", f"完成时限 {proposal.due_on} 早于任务开始日期（批准之日 {today}）",
                   f"the due date {proposal.due_on} is before the task's start (the approval date {today})",
                   str(proposal.due_on))
    if approve and meeting is None:
        errors.add("meeting", "新的改革措施须经工作专班会议审议，请选择会议",
                   "a new measure is approved by a task-force meeting: choose the meeting")
    errors.raise_if_any()
    plan = ReformPlan.objects.select_for_update().get(pk=proposal.research.plan_id)
    proposal.state = Proposal.State.APPROVED if approve else Proposal.State.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note, proposal.meeting = by, clock.now(), note, meeting
    if approve:
        number = (Task.objects.filter(plan=plan).aggregate(m=Max("number"))["m"] or 0) + 1
        units = list(proposal.units.order_by("position"))
        task = Task.objects.create(plan=plan, number=number, area=proposal.area, title=proposal.title,
                                   text=proposal.text, origin=Task.Origin.RESEARCH, start_on=today,
                                   clauses=[{"text": proposal.text, "attribution": "", "lead": [],
                                             "responsible": [u.code for u in units], "all_members": False}])
        for i, u in enumerate(units):
            TaskUnit.objects.create(task=task, unit=u, role=Role.RESPONSIBLE, position=i)
        d = Deliverable.objects.create(plan=plan, kind=Deliverable.Kind.MILESTONE, task=task, key="m1",
                                       text=proposal.title, start_on=today, due_on=proposal.due_on,
                                       created_at=clock.now())
        for u in units:
            Assignment.objects.create(deliverable=d, unit=u, role=Role.RESPONSIBLE)
        proposal.task = task
    proposal.save(update_fields=["state", "decided_by", "decided_at", "decision_note", "meeting", "task"])
    audit.record("reform.measure_" + ("approve" if approve else "reject"), request=request, actor=by, obj=proposal,
                 reason=note, detail={"task": proposal.task.number if proposal.task else None})
    return proposal


# --------------------------------------------------------------------------------------------------
# In-app notifications


def mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=clock.now())


# --------------------------------------------------------------------------------------------------
# 7. The progress report sent upward


def bulletin_number(plan: ReformPlan, year: int, seq: int) -> str:
    return f"{plan.district_name}税改专班〔{year}〕{seq}号"


def issue_bulletin(*, by=None, fmt: str, plan: ReformPlan | None = None, request=None) -> tuple[Bulletin, bytes, str]:
    """Render the progress report (PDF or Excel) as of today, number it and register it.
    Returns the register entry, the file's bytes and a file name."""
    from . import documents

    if by is not None:
        _require(by, "manage_reform")
    if fmt not in ("pdf", "xlsx"):
        raise ValidationFailure("format", "格式应为 pdf 或 xlsx", "the format is pdf or xlsx", fmt)
    plan = plan or current_plan()
    today = clock.today()
    content = documents.report_content(plan, today)
    with transaction.atomic():
        plan = ReformPlan.objects.select_for_update().get(pk=plan.pk)
        seq = (Bulletin.objects.filter(plan=plan, year=today.year).aggregate(m=Max("seq"))["m"] or 0) + 1
        number = bulletin_number(plan, today.year, seq)
        body = documents.report_pdf(content, number) if fmt == "pdf" else documents.report_xlsx(content, number)
        bulletin = Bulletin.objects.create(plan=plan, year=today.year, seq=seq, number=number, as_of=today, fmt=fmt,
                                           sm3=sm3_hex(body), created_by=by, created_at=clock.now())
        audit.record("reform.report_export", request=request, actor=by, obj=bulletin,
                     username="" if by else "zhishui reform export",
                     detail={"number": number, "format": fmt, "sm3": bulletin.sm3})
    filename = f"{plan.district_name}税收征管改革工作进展情况报告_{today:%Y%m%d}_{seq}.{fmt}"
    return bulletin, body, filename
