"""Who sees and does what: a liaison sees and reports only its unit's items; leaders and staff read all;
only the office reviews."""

from __future__ import annotations

import pytest

from tests.conftest import login, make_user
from tests.reform.conftest import liaison_of, pdf_bytes, upload
from zhishui.core.errors import ValidationFailure
from zhishui.core.models import AuditEvent
from zhishui.reform import services
from zhishui.reform.models import Assignment, Report

pytestmark = pytest.mark.django_db


def _item(task: int, unit: str) -> Assignment:
    return Assignment.objects.filter(deliverable__task__number=task, unit__code=unit).first()


def test_liaison_sees_only_its_units_items(client, plan, today):
    finance = liaison_of(plan, "finance")
    login(client, finance)
    page = client.get("/reform/tasks/").content.decode()
    # 区财政局 is named in tasks 6, 7, 12, 19 and 21 only.
    assert sorted(int(n) for n in __import__("re").findall(r'data-task="(\d+)"', page)) == [6, 7, 12, 19, 21]
    assert client.get(f"/reform/items/{_item(6, 'finance').pk}/").status_code == 200
    other = _item(6, "tax")
    assert client.get(f"/reform/items/{other.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=finance.username,
                                     object_id=str(other.pk)).exists()
    assert client.get("/reform/tasks/1/").status_code == 404
    items = client.get("/api/v1/reform/items").json()
    assert items and {i["unit"] for i in items} == {"区财政局"}
    assert {t["number"] for t in client.get("/api/v1/reform/tasks").json()} == {6, 7, 12, 19, 21}


def test_liaison_cannot_report_for_another_unit(client, plan, today):
    finance = liaison_of(plan, "finance")
    other = _item(6, "tax")
    with pytest.raises(ValidationFailure) as exc:
        services.submit_report(by=finance, assignment=other, status="in_progress", narrative="越权报送")
    error = exc.value.errors[0]
    assert error.field == "unit" and "区税务局" in error.message_zh and "your own unit" in error.message_en
    login(client, finance)
    response = client.post(f"/api/v1/reform/items/{other.pk}/reports",
                           {"status": "in_progress", "narrative": "越权报送"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "unit"
    assert client.post(f"/reform/items/{other.pk}/report/", {"status": "in_progress",
                                                             "narrative": "x"}).status_code == 404
    assert not Report.objects.exists()


def test_a_liaison_without_a_unit_sees_nothing(client, plan, today):
    login(client, make_user("lonely", "liaison"))
    assert client.get("/api/v1/reform/items").json() == []
    assert "你尚未被指定为任何单位的联络员" in client.get("/reform/").content.decode()


def test_leader_reads_everything_but_cannot_write(client, plan, leader, today):
    login(client, leader)
    assert len(client.get("/api/v1/reform/tasks").json()) == 27
    assert client.get(f"/reform/items/{_item(6, 'tax').pk}/").status_code == 200
    assert client.get("/reform/").status_code == 200
    for path in ("/reform/supervision/", "/reform/review/", "/reform/export/", "/reform/liaisons/"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/api/v1/reform/items/{_item(6, 'tax').pk}/reports",
                       {"status": "done", "narrative": "x"}).status_code == 403
    assert client.post("/reform/meetings/", {"form": "meeting"}).status_code == 404


def test_only_the_office_reviews(plan, leader, office, today):
    tax = liaison_of(plan, "tax")
    report = services.submit_report(by=tax, assignment=_item(5, "tax"), status="in_progress", narrative="推进中")
    with pytest.raises(ValidationFailure) as exc:
        services.review_report(by=leader, report=report, accept=True)
    assert exc.value.code == "forbidden"
    services.review_report(by=office, report=report, accept=True)
    assert Assignment.objects.get(pk=report.assignment_id).status == "in_progress"


def test_other_staff_read_but_taxpayers_do_not(client, plan, today):
    login(client, make_user("svc", "service"))
    assert client.get("/reform/").status_code == 200
    client.post("/accounts/logout/")
    login(client, make_user("tp", "taxpayer", taxpayer_id="914403001922038216"))
    assert client.get("/reform/").status_code == 403
    assert client.get("/api/v1/reform/items").status_code == 403


def test_liaison_reports_through_the_page(client, plan, today):
    tax = liaison_of(plan, "tax")
    login(client, tax)
    item = _item(5, "tax")
    response = client.post(f"/reform/items/{item.pk}/report/", {
        "status": "done", "narrative": "已完成，文件已印发。", "reported_on": "2026-11-20",
        "evidence": [upload("印发文件.pdf", pdf_bytes())]})
    assert response.status_code == 302
    report = Report.objects.get(assignment=item)
    assert report.evidence.count() == 1 and str(report.reported_on) == "2026-11-20"
