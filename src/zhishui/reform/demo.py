"""Demo data for the reform task force: the plan loaded, and a made-up but plausible history of its
supervision up to today — reports with evidence, reviews, meetings and their decisions, consultations,
half-yearly research (with one half-year missed), supervision notices. DEMO DATA ONLY: generated
deterministically from the seed, through the same services as real use, with non-login demo actors
(``demo_seed_*``, unusable passwords).

``seed()`` runs as a ``zhishui demo`` pipeline step, before the demo accounts exist. After they are
created, ``bind_demo_liaison()`` makes ``demo_liaison`` the liaison of 区财政局 and runs today's
reminders, so the demo office, leader and liaison accounts find their reminders waiting.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from zhishui.core.errors import ValidationFailure

from . import clock, services
from .models import Assignment, Deliverable, Meeting, Report, Status, Unit

DEMO_LIAISON = "demo_liaison"
DEMO_UNIT = "finance"  # 区财政局: a few plan tasks, a late one, and decisions coming due
OFFICE = "demo_seed_office"


def _user(username: str, name: str, role: str):
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(username=username, password=None, display_name=name)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.set(Group.objects.filter(name=role))
    return user


def _pdf(title: str, lines: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from zhishui.core.pdf import cjk_font

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    c.setFont(cjk_font(), 15)
    c.drawCentredString(A4[0] / 2, A4[1] - 90, title[:40])
    c.setFont(cjk_font(), 10)
    y = A4[1] - 130
    for line in ["（演示数据 / demo data）", *lines]:
        c.drawString(70, y, line[:48])
        y -= 18
    c.save()
    return buf.getvalue()


def _evidence(unit: Unit, d: Deliverable, kind: str) -> SimpleUploadedFile:
    subject = d.task.title if d.task_id else "会议议定事项"
    if kind == "issued":
        title = f"{unit.short}关于印发《{subject}实施方案》的通知"
    else:
        title = f"{unit.short}关于{subject}落实情况的报告"
    lines = [d.text[i:i + 46] for i in range(0, min(len(d.text), 184), 46)]
    return SimpleUploadedFile(f"{title}.pdf", _pdf(title, lines))


def _day(d: date, today: date) -> date:
    return min(d, today - timedelta(days=1))


def _report(a: Assignment, by, status: str, day: date, text: str, files=()) -> Report:
    with clock.frozen(clock.at(day, 10)):
        return services.submit_report(by=by, assignment=a, status=status, narrative=text, reported_on=day,
                                      files=list(files))


def _review(report: Report, office, day: date, accept: bool = True, comment: str = "") -> None:
    with clock.frozen(clock.at(day, 15)):
        services.review_report(by=office, report=report, accept=accept, comment=comment)


def _history(a: Assignment, liaison, office, rng: random.Random, today: date, outcome: str) -> None:
    """Reports and reviews of one item: progress, then completion (on time or late) or trouble."""
    d = a.deliverable
    start = max(d.start_on, date(2022, 2, 1))
    mid = _day(start + timedelta(days=rng.randint(30, 200)), today)
    if d.due_on > mid:
        mid = min(mid, d.due_on - timedelta(days=10))
    r = _report(a, liaison, Status.IN_PROGRESS, mid,
                f"已制定工作方案，明确分管领导和责任科室，正按节点推进：{d.text[:40]}。")
    _review(r, office, _day(mid + timedelta(days=rng.randint(1, 6)), today))
    if outcome in ("on_time", "late"):
        done = (d.due_on - timedelta(days=rng.randint(0, 45)) if outcome == "on_time"
                else d.due_on + timedelta(days=rng.randint(15, 120)))
        done = _day(max(done, mid + timedelta(days=7)), today - timedelta(days=8))
        files = [_evidence(a.unit, d, "issued")] + ([_evidence(a.unit, d, "report")] if rng.random() < 0.4 else [])
        if rng.random() < 0.12:
            r = _report(a, liaison, Status.DONE, done, "已完成相关工作。", files[:1])
            _review(r, office, _day(done + timedelta(days=2), today), accept=False,
                    comment="佐证材料不足，请补充印发文件和落实情况说明后重新报送。")
            done = _day(done + timedelta(days=rng.randint(5, 12)), today)
            files = [_evidence(a.unit, d, "issued"), _evidence(a.unit, d, "report")]
        r = _report(a, liaison, Status.DONE, done,
                    f"已完成：{d.text[:50]}。相关文件已印发执行，佐证材料附后。", files)
        _review(r, office, _day(done + timedelta(days=rng.randint(1, 7)), today))
    elif outcome == "at_risk":
        day = _day(d.due_on - timedelta(days=rng.randint(5, 40)), today)
        if day > mid:
            r = _report(a, liaison, Status.AT_RISK, day,
                        "受系统对接和部门数据口径不一致影响，进度滞后，已提请工作专班办公室协调解决。")
            _review(r, office, _day(day + timedelta(days=3), today))
    elif outcome == "pending":
        day = _day(today - timedelta(days=rng.randint(2, 6)), today)
        _report(a, liaison, Status.DONE, day, f"已完成：{d.text[:50]}。请审核。", [_evidence(a.unit, d, "issued")])


def _outcome(a: Assignment, rng: random.Random, today: date) -> str:
    due = a.deliverable.due_on
    if due >= today:
        return "open" if rng.random() < 0.6 else "on_time"
    p = rng.random()
    if due.year <= 2023:
        return "on_time" if p < 0.86 else ("late" if p < 0.97 else "at_risk")
    for limit, outcome in ((0.62, "on_time"), (0.78, "late"), (0.88, "at_risk"), (0.94, "pending")):
        if p < limit:
            return outcome
    return "open"


DECISIONS = [
    # (meeting index, text, due offset from meeting in days or a fixed date, unit codes)
    (0, "各成员单位确定1名联络员，报工作专班办公室备案，并建立工作台账", 30, ["tax", "drc", "finance"]),
    (0, "区税务局牵头制定深化税收征管改革任务分解表，明确各项任务的时间节点和责任单位", 45, ["tax"]),
    (1, "区财政局会同区税务局研究建立税费共治工作经费保障机制，报区政府审定", 120, ["finance", "tax"]),
    (1, "区市场监管局与区税务局完成市场主体登记与税务登记信息日常交换接口联调", 150, ["market_regulation", "tax"]),
    (2, "区住建局、区自然资源和规划分局与区税务局实现存量房交易网签备案与不动产登记办税信息实时共享", 180,
     ["housing", "natural_resources", "tax"]),
    (2, "金台公安分局与区税务局完善税警协作联络机制，按季通报涉税案件线索办理情况", 90, ["police", "tax"]),
    (3, "区财政局牵头梳理财政支付与电子发票入账归档衔接事项，形成工作方案报工作专班", "soon", ["finance", "tax"]),
    (3, "区行政审批服务局将电子税务局高频事项接入区政务服务平台", "month", ["admin_approval", "tax"]),
    (3, "区税务局会同区统计局建立税收经济运行季度联合分析制度", "late", ["tax", "statistics"]),
    (3, "各相关单位对照年度任务开展自查，形成自查报告报工作专班办公室", "later", ["finance", "drc", "tax"]),
]


@transaction.atomic
def seed(*, seed: int = 610303, stdout=None, **_ignored) -> dict:
    """Load the plan and, once, generate the demo history up to today."""
    result = services.load_plan_into_db()
    plan = services.current_plan()
    if Report.objects.filter(assignment__deliverable__plan=plan).exists():
        if stdout:
            stdout.write("    改革工作专班演示数据已存在 / reform demo data already present")
        return {}
    rng = random.Random(seed)
    today = clock.today()
    office = _user(OFFICE, "演示专班办公室（数据生成）", "taskforce")
    liaisons = {}
    for unit in plan.units.filter(member=True):
        user = _user(f"demo_seed_{unit.code}", f"演示联络员（{unit.short}）", "liaison")
        services.bind_liaison(unit=unit, user=user, since=plan.established_on)
        liaisons[unit.pk] = user

    # Meetings: three in the plan's years and a recent one, each with decisions.
    held = [date(2022, 3, 15), date(2023, 6, 20), date(2024, 12, 10), today - timedelta(days=69)]
    minutes = [
        "会议传达学习《关于进一步深化税收征管改革的意见》，审议通过工作专班工作规则和任务分解安排，明确联络员制度和督办制度。",
        "会议听取各成员单位任务推进情况汇报，研究部门数据共享和税费共治中的困难问题，部署下半年重点工作。",
        "会议通报年度任务完成情况和督办情况，研究不动产登记办税协作、税警协作等事项，审议调研提出的改革措施。",
        "会议听取2026年改革任务推进情况，研究会商未决事项，审议专题调研提出的新措施，部署年底前重点工作。",
    ]
    meetings: list[Meeting] = []
    for i, day in enumerate(held):
        with clock.frozen(clock.at(day, 16)):
            meetings.append(services.convene_meeting(
                by=office, presided_by=plan.deputy_leaders[i % len(plan.deputy_leaders)], held_on=day,
                attendee_ids=[u.pk for u in plan.units.filter(member=True)[: 8 + 4 * (i % 3)]], minutes=minutes[i],
                place="区政府第三会议室", minutes_number=f"{plan.district_name}税改专班纪要〔{day.year}〕{i + 1}号",
                other_attendees="区委办、区政府督查室（列席）"))
    offsets = {"soon": 19, "month": 4, "late": -26, "later": 125}
    for m_index, text, due, codes in DECISIONS:
        meeting = meetings[m_index]
        due_on = today + timedelta(days=offsets[due]) if isinstance(due, str) else meeting.held_on + timedelta(days=due)
        units = [Unit.objects.get(plan=plan, code=c).pk for c in codes]
        with clock.frozen(clock.at(meeting.held_on, 17)):
            services.add_decision(by=office, meeting=meeting, text=text, due_on=due_on, unit_ids=units)

    # Progress reports on every item, by each unit's liaison.
    items = (Assignment.objects.filter(deliverable__plan=plan)
             .select_related("deliverable", "deliverable__task", "unit")
             .order_by("deliverable__due_on", "id"))
    for a in items:
        outcome = _outcome(a, rng, today)
        if a.deliverable.kind == Deliverable.Kind.DECISION and a.deliverable.due_on >= today:
            outcome = "open" if a.unit.code == DEMO_UNIT or rng.random() < 0.5 else "on_time"
        if a.deliverable.kind == Deliverable.Kind.DECISION and a.deliverable.due_on < today < a.deliverable.due_on + \
                timedelta(days=60):
            outcome = "open"
        if outcome != "open":
            _history(a, liaisons[a.unit_id], office, rng, today, outcome)

    # Consultations: one settled, one escalated to the recent meeting.
    units = {u.code: u.pk for u in plan.units.all()}
    with clock.frozen(clock.at(date(2023, 4, 12))):
        c = services.open_consultation(
            by=office, topic="社保费征收数据交换口径",
            unit_ids=[units["hrss"], units["medical_insurance"], units["tax"]],
            positions="区人社局、区医保局认为应按月交换参保明细；区税务局建议按日增量交换以支持实时征收。",
            held_on=date(2023, 4, 12))
        services.settle_consultation(by=office, consultation=c,
                                     outcome="经协商，按日增量交换参保变动信息，按月全量核对。")
    with clock.frozen(clock.at(meetings[3].held_on - timedelta(days=20))):
        c = services.open_consultation(
            by=office, topic="税费共治工作经费分担方式", unit_ids=[units["finance"], units["tax"], units["drc"]],
            positions="区财政局主张按项目申报列支；区税务局、区发改局主张设立年度专项经费。分歧较大。",
            held_on=meetings[3].held_on - timedelta(days=20))
        services.settle_consultation(by=office, consultation=c, meeting=meetings[3],
                                     outcome="意见分歧较大，提交工作专班第4次会议研究审议。")

    # Field research: one each half-year, except one half-year that was missed (flagged on the dashboard).
    year, half = plan.established_on.year, 1
    gap = (2024, 2)
    research = []
    while (year, half) <= (today.year, 1 if today.month <= 6 else 2):
        day = date(year, 4 if half == 1 else 10, 10 + rng.randint(0, 15))
        if (year, half) != gap and day < today:
            with clock.frozen(clock.at(day, 11)):
                research.append(services.record_research(
                    by=office, conducted_on=day,
                    title=f"{year}年{'上' if half == 1 else '下'}半年深化税收征管改革专题调研",
                    unit_ids=rng.sample(sorted(units.values()), 4),
                    findings="各单位按任务分解表推进，部门间数据共享的频次和口径仍不统一，部分单位联络员变动后交接不及时。",
                    demands="纳税人缴费人希望进一步减少重复报送资料，扩大“非接触式”办税范围，不动产交易办税与登记一窗办结。"))
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    if len(research) >= 2:
        source = research[-2]
        with clock.frozen(clock.at(source.conducted_on, 15)):
            approved = services.propose_measure(
                by=office, research=source, title="推行跨部门涉税信息“一次采集、多方共用”",
                text="区税务局会同区市场监管局、区住建局梳理重复采集的涉税信息，建立一次采集、多方共用清单，减少纳税人重复报送。",
                area_id=plan.areas.get(number=5).pk,
                unit_ids=[units["tax"], units["market_regulation"], units["housing"]],
                due_on=meetings[3].held_on + timedelta(days=270))
        with clock.frozen(clock.at(meetings[3].held_on, 17)):
            services.decide_proposal(by=office, proposal=approved, approve=True, meeting=meetings[3],
                                     note="同意，纳入改革任务。")
        latest = research[-1]
        with clock.frozen(clock.at(latest.conducted_on, 15)):
            services.propose_measure(
                by=office, research=latest, title="建立重点项目“税务管家”服务清单",
                text="对区级重点项目建立一对一“税务管家”服务清单，项目落地前提供涉税事项辅导。",
                area_id=plan.areas.get(number=3).pk, unit_ids=[units["tax"], units["drc"]],
                due_on=today + timedelta(days=200))

    # Supervision notices on two overdue items: one answered, one still waiting.
    overdue = list(Assignment.objects.filter(deliverable__plan=plan, deliverable__due_on__lt=today)
                   .exclude(status=Status.DONE).exclude(pending_review=True).select_related("deliverable", "unit")
                   .order_by("deliverable__due_on", "id"))
    for i, a in enumerate(overdue[:2]):
        issued = today - timedelta(days=30 - 12 * i)
        with clock.frozen(clock.at(issued, 10)):
            services.issue_notice(by=office, assignment=a, reply_due=issued + timedelta(days=10),
                                  text="请说明未按期完成的原因、整改措施和完成时限，并附佐证材料。")
        if i == 0:
            _report(a, liaisons[a.unit_id], Status.IN_PROGRESS, issued + timedelta(days=6),
                    "已召开专题会议研究整改，明确于年底前完成，整改方案附后。",
                    [_evidence(a.unit, a.deliverable, "report")])
    if stdout:
        stdout.write(f"    改革工作专班演示数据已生成 / reform demo history generated "
                     f"({Report.objects.filter(assignment__deliverable__plan=plan).count()} reports, "
                     f"{len(meetings)} meetings, {len(research)} research; plan changes: {result.created or '—'})")
    return {}


def bind_demo_liaison() -> str | None:
    """Bind the ``demo_liaison`` account (made by ``ensure_demo_accounts``) to 区财政局 and send today's
    reminders. Call after the demo accounts exist; returns the unit's short name, or None without the
    account or the plan."""
    user = get_user_model().objects.filter(username=DEMO_LIAISON).first()
    try:
        plan = services.current_plan()
    except ValidationFailure:
        return None
    if user is None:
        return None
    unit = Unit.objects.get(plan=plan, code=DEMO_UNIT)
    services.bind_liaison(unit=unit, user=user)
    services.run_reminders(plan=plan)
    return unit.short
