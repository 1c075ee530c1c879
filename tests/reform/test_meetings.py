"""Meetings convened by a deputy leader and recorded by the office, decisions tracked like deliverables,
consultations escalated to meetings, half-yearly research and the measures it proposes."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import login
from tests.reform.conftest import liaison_of, pdf_bytes, unit, upload
from zhishui.core.errors import ValidationFailure
from zhishui.reform import clock, progress, services
from zhishui.reform.models import Consultation, Deliverable, Meeting, Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(plan, office, today):
    return services.convene_meeting(by=office, presided_by="区税务局局长", held_on=date(2026, 9, 1),
                                    attendee_ids=[unit(plan, "finance").pk, unit(plan, "tax").pk],
                                    minutes="研究经费保障和数据共享。", minutes_number="纪要〔2026〕1号")


def test_meeting_is_convened_by_a_deputy_leader(plan, office, leader, today):
    with pytest.raises(ValidationFailure) as exc:
        services.convene_meeting(by=office, presided_by="区发改局局长", held_on=date(2026, 9, 1),
                                 attendee_ids=[unit(plan, "tax").pk], minutes="x")
    assert exc.value.errors[0].field == "presided_by" and "副组长" in exc.value.errors[0].message_zh
    with pytest.raises(ValidationFailure):
        services.convene_meeting(by=leader, presided_by="区税务局局长", held_on=date(2026, 9, 1),
                                 attendee_ids=[unit(plan, "tax").pk], minutes="x")
    m = services.convene_meeting(by=office, presided_by="区政府办副主任", held_on=date(2026, 9, 1),
                                 attendee_ids=[unit(plan, "tax").pk], minutes="会议纪要")
    assert m.convener == office and m.seq == 1 and m.title == "金台区进一步深化税收征管改革工作专班第1次会议"
    assert not Meeting.objects.filter(presided_by="区发改局局长").exists()


def test_a_decision_needs_an_owner_and_a_due_date_after_its_start(meeting, office, plan):
    with pytest.raises(ValidationFailure) as exc:
        services.add_decision(by=office, meeting=meeting, text="制定办法", due_on="2026-12-31", unit_ids=[])
    assert exc.value.errors[0].field == "units" and "承办单位" in exc.value.errors[0].message_zh
    assert "owner unit" in exc.value.errors[0].message_en
    with pytest.raises(ValidationFailure) as exc:
        services.add_decision(by=office, meeting=meeting, text="制定办法", due_on="2026-08-01",
                              unit_ids=[unit(plan, "finance").pk])
    assert exc.value.errors[0].field == "due_on" and "早于事项开始日期" in exc.value.errors[0].message_zh
    assert "before the item's start" in exc.value.errors[0].message_en
    assert not Deliverable.objects.filter(kind="decision").exists()


def test_a_decision_is_tracked_like_a_deliverable(meeting, office, plan, today):
    d = services.add_decision(by=office, meeting=meeting, text="制定税费共治经费保障办法", due_on="2026-12-31",
                              unit_ids=[unit(plan, "finance").pk, unit(plan, "tax").pk])
    finance, tax = d.assignments.order_by("id")
    assert (finance.role, tax.role) == ("lead", "responsible")
    liaison = liaison_of(plan, "finance")
    report = services.submit_report(by=liaison, assignment=finance, status="done", narrative="办法已印发",
                                    files=[upload("办法.pdf", pdf_bytes())])
    services.review_report(by=office, report=report, accept=True)
    d.refresh_from_db()
    assert d.status == "in_progress"  # 区税务局's share is still open
    tax_liaison = liaison_of(plan, "tax")
    report = services.submit_report(by=tax_liaison, assignment=tax, status="done", narrative="已配合完成",
                                    files=[upload("函.pdf", pdf_bytes("t"))])
    services.review_report(by=office, report=report, accept=True)
    d.refresh_from_db()
    assert d.status == "done" and d.done_on == today


def test_meeting_pages_show_field_errors(client, plan, office, today):
    login(client, office)
    response = client.post("/reform/meetings/", {"form": "meeting", "presided_by": "区政府办副主任",
                                                 "held_on": "2030-01-01", "minutes": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "会议日期不能晚于今天" in body or "会议纪要只能在会后登记" in body
    assert "必须指定至少一个参会单位" in body and "会议纪要不能为空" in body
    response = client.post("/reform/meetings/", {"form": "meeting", "presided_by": "区政府办副主任",
                                                 "held_on": "2026-11-20", "minutes": "纪要",
                                                 "attendees": [str(unit(plan, "tax").pk)]})
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    response = client.post(f"/reform/meetings/{meeting.pk}/", {"text": "议定事项", "due_on": "2027-01-31"})
    assert response.status_code == 400 and "必须指定至少一个承办单位" in response.content.decode()


def test_consultation_escalated_to_a_meeting(plan, office, meeting):
    c = services.open_consultation(by=office, topic="经费分担", unit_ids=[unit(plan, "finance").pk],
                                   positions="意见分歧较大", held_on=date(2026, 8, 20))
    services.settle_consultation(by=office, consultation=c, outcome="提交专班会议审议", meeting=meeting)
    c.refresh_from_db()
    assert c.state == Consultation.State.ESCALATED and c.meeting == meeting
    with pytest.raises(ValidationFailure):
        services.settle_consultation(by=office, consultation=c, outcome="再次办结")


def test_research_gap_is_flagged_and_a_measure_becomes_a_task(plan, office, meeting):
    for day in (date(2022, 4, 1), date(2022, 10, 1), date(2023, 4, 1)):
        with clock.frozen(day):
            services.record_research(by=office, title=f"{day:%Y}调研", conducted_on=day,
                                     unit_ids=[unit(plan, "tax").pk], findings="发现")
    halves = progress.half_years(plan, date(2026, 11, 26), [date(2022, 4, 1), date(2022, 10, 1), date(2023, 4, 1)])
    missing = [(h["year"], h["half"]) for h in halves if h["state"] == "missing"]
    assert missing[0] == (2023, 2) and (2026, 2) not in missing and halves[-1]["state"] == "current"
    research = services.record_research(by=office, title="2026下半年调研", conducted_on=date(2026, 10, 9),
                                        unit_ids=[unit(plan, "tax").pk], findings="重复报送多",
                                        demands="减少重复报送")
    proposal = services.propose_measure(by=office, research=research, title="一次采集多方共用", text="建立清单",
                                        area_id=plan.areas.get(number=5).pk,
                                        unit_ids=[unit(plan, "tax").pk, unit(plan, "housing").pk],
                                        due_on="2027-06-30")
    with pytest.raises(ValidationFailure) as exc:
        services.decide_proposal(by=office, proposal=proposal, approve=True)
    assert exc.value.errors[0].field == "meeting"
    services.decide_proposal(by=office, proposal=proposal, approve=True, meeting=meeting, note="同意")
    task = Task.objects.get(number=28)
    assert task.origin == "research" and task.start_on == date(2026, 11, 26)
    assert set(task.deliverables.get().assignments.values_list("unit__short", flat=True)) == {"区税务局", "区住建局"}


def test_a_measure_due_before_its_start_is_refused(plan, office, meeting):
    research = services.record_research(by=office, title="调研", conducted_on=date(2026, 3, 1),
                                        unit_ids=[unit(plan, "tax").pk], findings="发现")
    proposal = services.propose_measure(by=office, research=research, title="措施", text="内容",
                                        area_id=plan.areas.get(number=1).pk, unit_ids=[unit(plan, "tax").pk],
                                        due_on="2026-06-30")
    with pytest.raises(ValidationFailure) as exc:
        services.decide_proposal(by=office, proposal=proposal, approve=True, meeting=meeting)
    assert exc.value.errors[0].field == "due_on" and "早于任务开始日期" in exc.value.errors[0].message_zh
    assert not Task.objects.filter(number=28).exists()
