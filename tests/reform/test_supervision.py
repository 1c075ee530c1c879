"""Supervision (督办): reminders before the due date at the configured offsets, escalation of overdue
items to the office and the leaders, all idempotent, on a frozen clock; supervision notices."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from tests.conftest import make_user
from tests.reform.conftest import liaison_of, pdf_bytes, pdf_title, unit, upload
from zhishui.core.errors import ValidationFailure
from zhishui.reform import clock, documents, services
from zhishui.reform.models import Assignment, Notification, Reminder

pytestmark = pytest.mark.django_db

DUE = date(2026, 12, 31)


@pytest.fixture
def decision(plan, office):
    with clock.frozen(date(2026, 10, 1)):
        meeting = services.convene_meeting(by=office, presided_by="区政府办副主任", held_on=date(2026, 9, 30),
                                           attendee_ids=[unit(plan, "finance").pk], minutes="研究经费保障。")
        d = services.add_decision(by=office, meeting=meeting, text="制定税费共治经费保障办法", due_on=DUE,
                                  unit_ids=[unit(plan, "finance").pk])
    return d.assignments.get()


_capture = None


@pytest.fixture(autouse=True)
def _mail_on_commit(django_capture_on_commit_callbacks):
    # Mails go out when the transaction commits; the test's transaction never does, so run them here.
    global _capture
    _capture = django_capture_on_commit_callbacks
    yield
    _capture = None


def _run(day: date):
    with clock.frozen(day), _capture(execute=True):
        return services.run_reminders()


def _mine(item):
    return list(Reminder.objects.filter(assignment=item).order_by("sent_at").values_list("kind", "days", "sent_on"))


def test_reminders_fire_once_per_offset_and_overdue_escalates(plan, office, leader, decision):
    liaison = liaison_of(plan, "finance", email="finance@example.org")
    _run(DUE - timedelta(days=31))
    assert _mine(decision) == []
    _run(DUE - timedelta(days=30))
    assert _mine(decision) == [("due", 30, DUE - timedelta(days=30))]
    mine = [m for m in mail.outbox if m.to == ["finance@example.org"] and "2026年12月31日到期" in m.subject]
    assert len(mine) == 1 and "还有30天" in mine[0].subject
    _run(DUE - timedelta(days=30))      # the same day again: nothing new
    _run(DUE - timedelta(days=20))      # inside the 30-day window, already reminded
    assert len(_mine(decision)) == 1
    _run(DUE - timedelta(days=7))
    _run(DUE - timedelta(days=5))
    _run(DUE - timedelta(days=1))
    _run(DUE)                           # due today: the 1-day reminder already went
    assert [(k, d) for k, d, _ in _mine(decision)] == [("due", 30), ("due", 7), ("due", 1)]
    assert Notification.objects.filter(user=liaison, title__contains="2026年12月31日到期").count() == 3
    assert Assignment.objects.get(pk=decision.pk).escalated_at is None
    _run(DUE + timedelta(days=1))
    assert _mine(decision)[-1] == ("overdue", 0, DUE + timedelta(days=1))
    assert Assignment.objects.get(pk=decision.pk).escalated_at is not None
    for user in (office, leader, liaison):
        assert Notification.objects.filter(user=user, title__contains="已于2026年12月31日到期未完成").exists(), user
    assert any(m.to == ["office@example.org"] and "2026年12月31日到期未完成" in m.subject for m in mail.outbox)
    count = Reminder.objects.count()
    _run(DUE + timedelta(days=2))
    assert Reminder.objects.count() == count


def test_a_done_item_is_neither_reminded_nor_escalated(plan, office, decision):
    liaison = liaison_of(plan, "finance")
    with clock.frozen(DUE - timedelta(days=40)):
        report = services.submit_report(by=liaison, assignment=decision, status="done", narrative="办法已印发",
                                        files=[upload("办法.pdf", pdf_bytes())])
        services.review_report(by=office, report=report, accept=True)
    for day in (DUE - timedelta(days=30), DUE - timedelta(days=1), DUE + timedelta(days=3)):
        _run(day)
    assert _mine(decision) == []


def test_a_unit_without_liaison_alerts_the_office(plan, office, decision):
    result = _run(DUE - timedelta(days=6))
    assert "区财政局" in result.without_liaison
    assert Notification.objects.filter(user=office, title__contains="区财政局").exists()


def test_offsets_come_from_the_setting(plan, decision, settings):
    settings.ZHISHUI_REFORM_REMIND_DAYS = ["14", "3"]
    liaison_of(plan, "finance")
    _run(DUE - timedelta(days=20))
    assert _mine(decision) == []
    _run(DUE - timedelta(days=14))
    _run(DUE - timedelta(days=3))
    assert [d for _k, d, _s in _mine(decision)] == [14, 3]


def test_the_command_is_idempotent_and_escalates_the_plans_overdue_items(plan, office):
    liaison_of(plan, "tax")
    out = StringIO()
    call_command("reform", "remind", "--date", "2026-11-26", stdout=out)
    escalated = Reminder.objects.filter(kind="overdue").count()
    assert escalated == Assignment.objects.filter(deliverable__plan=plan).count()  # every 2021–2025 item is late
    assert f"逾期升级 {escalated} 条" in out.getvalue()
    out = StringIO()
    call_command("reform", "remind", "--date", "2026-11-26", stdout=out)
    assert "提醒 0 条，逾期升级 0 条" in out.getvalue() and Reminder.objects.count() == escalated


def test_supervision_notice_numbered_pdf_and_answered_by_a_report(plan, office, today):
    liaison = liaison_of(plan, "tax", email="tax@example.org")
    item = Assignment.objects.get(deliverable__task__number=27)
    with pytest.raises(ValidationFailure) as exc:
        services.issue_notice(by=office, assignment=item, reply_due=today, text="请说明原因")
    assert exc.value.errors[0].field == "reply_due"
    notice = services.issue_notice(by=office, assignment=item, reply_due=today + timedelta(days=10),
                                   text="请说明未按期完成的原因和整改措施。")
    second = services.issue_notice(by=office, assignment=item, reply_due=today + timedelta(days=10), text="再次督办")
    assert notice.number == "金台区税改专班督〔2026〕1号" and second.number == "金台区税改专班督〔2026〕2号"
    assert Notification.objects.filter(user=liaison, title__startswith="督办通知").count() == 2
    pdf = documents.notice_pdf(notice)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert pdf_title(pdf) == "督办通知 金台区税改专班督〔2026〕1号"
    report = services.submit_report(by=liaison, assignment=item, status="in_progress", narrative="正在整改")
    notice.refresh_from_db()
    assert notice.answered_by_id == report.pk


def test_supervision_pages(client, plan, office, today):
    from tests.conftest import login

    liaison_of(plan, "tax")
    login(client, office)
    page = client.get("/reform/supervision/").content.decode()
    assert 'data-testid="overdue-supervision"' in page and "提升绩效考核评价" in page
    response = client.post("/reform/supervision/remind/")
    assert response.status_code == 302 and Reminder.objects.filter(kind="overdue").exists()
    item = Assignment.objects.get(deliverable__task__number=27)
    response = client.post(f"/reform/items/{item.pk}/notice/", {"text": "", "reply_due": "2026-11-01"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "督办要求不能为空" in body and "回复期限应晚于今天" in body
    response = client.post(f"/reform/items/{item.pk}/notice/", {"text": "请说明原因", "reply_due": "2026-12-06"})
    assert response.status_code == 302
    pdf = client.get(response["Location"] + "pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert make_user  # the notice page is readable by leaders too (see test_access)
