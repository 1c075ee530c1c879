"""Reports with evidence: files checked by content and size, stored outside the web root under a random
name, SM3-hashed, served only through the permission-checked view, never overwritten or deleted."""

from __future__ import annotations

import os
import stat

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import login, make_user
from tests.reform.conftest import PNG, docx_bytes, liaison_of, pdf_bytes, upload, xlsx_bytes
from zhishui.core.errors import ValidationFailure
from zhishui.reform import evidence, services
from zhishui.reform.models import Assignment, Evidence, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(plan):
    return Assignment.objects.get(deliverable__task__number=5, unit__code="tax")


@pytest.fixture
def tax(plan):
    return liaison_of(plan, "tax")


def _stored_files():
    root = evidence.evidence_dir()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _refused(tax, item, files, status="done"):
    with pytest.raises(ValidationFailure) as exc:
        services.submit_report(by=tax, assignment=item, status=status, narrative="已完成", files=files)
    assert not Report.objects.exists() and not Evidence.objects.exists() and _stored_files() == []
    return exc.value.errors


def test_accepted_kinds_are_stored_hashed_and_read_only(tax, item, today):
    files = [upload("通知.pdf", pdf_bytes()), upload("方案.docx", docx_bytes()), upload("台账.xlsx", xlsx_bytes()),
             upload("现场.png", PNG)]
    report = services.submit_report(by=tax, assignment=item, status="done", narrative="已完成", files=files)
    stored = list(report.evidence.order_by("id"))
    assert [e.kind for e in stored] == ["pdf", "docx", "xlsx", "png"]
    for e, f in zip(stored, files, strict=True):
        f.seek(0)
        data = f.read()
        path = evidence.path_of(e.stored_name)
        assert path.read_bytes() == data and e.size == len(data)
        assert e.sm3 == __import__("zhishui.core.crypto", fromlist=["sm3_hex"]).sm3_hex(data)
        assert "." not in e.stored_name and e.original_name not in str(path)
        assert str(path).startswith(str(settings.MEDIA_ROOT)) and not str(path).startswith(str(settings.STATIC_ROOT))
        assert not (stat.S_IMODE(os.stat(path).st_mode) & 0o222), "evidence files are read-only"


def test_too_large_is_refused(tax, item, today, monkeypatch):
    monkeypatch.setattr(evidence, "MAX_BYTES", 1024)
    errors = _refused(tax, item, [upload("大文件.pdf", pdf_bytes("x" * 2000))])
    assert errors[0].field == "evidence" and "超过" in errors[0].message_zh and "larger than" in errors[0].message_en


def test_wrong_type_is_refused(tax, item, today):
    errors = _refused(tax, item, [upload("run.exe", b"MZ\x90\x00" + b"\x00" * 100)])
    assert errors[0].field == "evidence" and "不允许" in errors[0].message_zh


@pytest.mark.parametrize("name,data", [
    ("通知.pdf", b"MZ\x90\x00 this is a program"),          # an executable renamed .pdf
    ("方案.docx", None),                                    # a spreadsheet renamed .docx
    ("照片.jpg", PNG),                                      # a PNG named .jpg
    ("材料.docx", b"PK\x03\x04not really a zip"),           # a broken archive
])
def test_disguised_files_are_refused(tax, item, today, name, data):
    errors = _refused(tax, item, [upload(name, data if data is not None else xlsx_bytes())])
    assert errors[0].field == "evidence" and "扩展名" in errors[0].message_zh
    assert "does not match" in errors[0].message_en


def test_one_bad_file_stores_nothing_of_the_others(tax, item, today):
    _refused(tax, item, [upload("好.pdf", pdf_bytes()), upload("坏.pdf", b"<html>")])


def test_completion_needs_evidence_and_the_date_is_checked(tax, item, today):
    errors = _refused(tax, item, [])
    assert errors[0].field == "evidence"
    with pytest.raises(ValidationFailure) as exc:
        services.submit_report(by=tax, assignment=item, status="in_progress", narrative="", reported_on="2030-01-01")
    fields = {e.field for e in exc.value.errors}
    assert fields == {"narrative", "reported_on"}
    with pytest.raises(ValidationFailure) as exc:
        services.submit_report(by=tax, assignment=item, status="in_progress", narrative="x", reported_on="2020-05-01")
    assert exc.value.errors[0].field == "reported_on" and "早于任务开始日期" in exc.value.errors[0].message_zh


def test_reports_and_evidence_are_immutable(tax, item, today):
    report = services.submit_report(by=tax, assignment=item, status="done", narrative="已完成",
                                    files=[upload("通知.pdf", pdf_bytes())])
    ev = report.evidence.get()
    report.narrative = "改写"
    with pytest.raises(PermissionError):
        report.save()
    with pytest.raises(PermissionError):
        Report.objects.filter(pk=report.pk).update(narrative="改写")
    with pytest.raises(PermissionError):
        report.delete()
    ev.original_name = "other.pdf"
    with pytest.raises(PermissionError):
        ev.save()
    with pytest.raises(PermissionError):
        Evidence.objects.filter(pk=ev.pk).update(sm3="0" * 64)
    with pytest.raises(PermissionError):
        Evidence.objects.all().delete()
    # A second report while the first awaits review is refused; after review a new one is a new record.
    with pytest.raises(ValidationFailure) as exc:
        services.submit_report(by=tax, assignment=item, status="done", narrative="再报",
                               files=[upload("通知.pdf", pdf_bytes("2"))])
    assert exc.value.errors[0].field == "assignment"
    office = make_user("office2", "taskforce")
    services.review_report(by=office, report=report, accept=False, comment="请补充印发文件")
    second = services.submit_report(by=tax, assignment=item, status="done", narrative="再报",
                                    files=[upload("通知.pdf", pdf_bytes("2"))])
    assert second.pk != report.pk and Report.objects.get(pk=report.pk).narrative == "已完成"
    first_file, second_file = ev, second.evidence.get()
    assert first_file.stored_name != second_file.stored_name
    assert evidence.path_of(first_file.stored_name).read_bytes() == pdf_bytes()


def test_returning_needs_a_comment(tax, item, office, today):
    report = services.submit_report(by=tax, assignment=item, status="in_progress", narrative="推进中")
    with pytest.raises(ValidationFailure) as exc:
        services.review_report(by=office, report=report, accept=False, comment=" ")
    assert exc.value.errors[0].field == "review_comment"


def test_download_is_an_attachment_checked_against_its_digest(client, tax, item, plan, today):
    report = services.submit_report(by=tax, assignment=item, status="done", narrative="已完成",
                                    files=[upload("印发文件.pdf", pdf_bytes())])
    ev = report.evidence.get()
    login(client, tax)
    response = client.get(f"/reform/evidence/{ev.pk}/")
    assert response.status_code == 200 and response.content == pdf_bytes()
    assert response["Content-Disposition"].startswith("attachment;")
    assert "%E5%8D%B0%E5%8F%91" in response["Content-Disposition"]  # 印发, RFC 5987
    assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
    other = Client()
    login(other, liaison_of(plan, "finance"))
    assert other.get(f"/reform/evidence/{ev.pk}/").status_code == 404
    path = evidence.path_of(ev.stored_name)
    os.chmod(path, 0o640)
    path.write_bytes(pdf_bytes("tampered"))
    assert client.get(f"/reform/evidence/{ev.pk}/").status_code == 410


def test_api_report_with_evidence(client, tax, item, today):
    login(client, tax)
    response = client.post(f"/api/v1/reform/items/{item.pk}/reports",
                           {"status": "done", "narrative": "已完成", "evidence": [upload("a.pdf", pdf_bytes())]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["review"] == "pending" and body["evidence"][0]["name"] == "a.pdf"
    bad = client.post(f"/api/v1/reform/items/{item.pk}/reports",
                      {"status": "done", "narrative": "x", "evidence": [upload("b.docx", pdf_bytes())]})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} >= {"evidence"}
