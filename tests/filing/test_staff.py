"""Staff pages and endpoints: filing status, non-filers, late payers, 非正常户 candidates, batch jobs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from tests.conftest import login, make_user
from tests.filing import factory
from zhishui.filing import services
from zhishui.filing.models import AbnormalDecision, Payable, PrefillJob, Return

pytestmark = pytest.mark.django_db

ON = date(2026, 10, 20)


@pytest.fixture
def district(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: ON)
    filed, missing, silent = factory.taxpayer(1), factory.taxpayer(2, street="610303002"), factory.taxpayer(3)
    ret = Return.objects.create(taxpayer_id=filed.tax_id, form="vat_general", period="2026-09", status="filed",
                                due_on=date(2026, 10, 22))
    late = Return.objects.create(taxpayer_id=filed.tax_id, form="vat_general", period="2026-08", status="filed",
                                 due_on=date(2026, 9, 15))
    Payable.objects.create(ret=late, taxpayer_id=filed.tax_id, item="vat", amount=Decimal("88.00"),
                           due_on=date(2026, 9, 15))
    factory.historical_return(missing, "2026-08")
    return {"filed": filed, "missing": missing, "silent": silent, "ret": ret}


def test_status_page_lists_non_filers_and_late_payers_by_street(client, district, django_assert_max_num_queries):
    login(client, make_user("coll", "collection"))
    with django_assert_max_num_queries(20):
        page = client.get("/filing/status/?period=2026-09").content.decode()
    assert district["missing"].tax_id in page and district["silent"].tax_id in page
    assert "88.00" in page and 'data-testid="non-filer-count">2<' in page
    page = client.get("/filing/status/?period=2026-09&street=610303002").content.decode()
    assert district["missing"].tax_id in page and district["silent"].tax_id not in page.split("non-filers")[1]


def test_staff_api_lists(client, district):
    login(client, make_user("coll", "collection"))
    rows = client.get("/api/v1/filing/non-filers?period=2026-09").json()
    assert {r["taxpayer_id"] for r in rows} == {district["missing"].tax_id, district["silent"].tax_id}
    assert client.get("/api/v1/filing/late-payers").json()[0]["amount"] == "88.00"
    cands = client.get("/api/v1/filing/abnormal-candidates?as_of=2026-09").json()
    assert [c["taxpayer_id"] for c in cands] == [district["silent"].tax_id]
    assert client.get("/api/v1/filing/calendar?year=2026").json()[9]["deadline"] == "2026-10-22"


def test_taxpayers_cannot_see_staff_lists(client, district):
    login(client, make_user("tp", "taxpayer", taxpayer_id=district["filed"].tax_id))
    assert client.get("/api/v1/filing/non-filers?period=2026-09").status_code == 403
    assert client.get("/filing/status/").status_code == 403


def test_abnormal_page_records_the_decision_with_a_reason(client, district):
    login(client, make_user("coll", "collection"))
    page = client.get("/filing/abnormal/?period=2026-09").content.decode()
    assert district["silent"].tax_id in page
    r = client.post("/filing/abnormal/?period=2026-09", {"taxpayer_id": district["silent"].tax_id,
                                                          "decision": "mark", "reason": ""})
    assert r.status_code == 422 and not AbnormalDecision.objects.exists()
    r = client.post("/filing/abnormal/?period=2026-09", {"taxpayer_id": district["silent"].tax_id,
                                                          "decision": "mark", "reason": "三个月无申报，实地核查无经营"})
    assert r.status_code == 302 and AbnormalDecision.objects.get().decision == "mark"


def test_jobs_page_shows_progress_and_refuses_an_open_period(client, district):
    login(client, make_user("coll", "collection"))
    PrefillJob.objects.create(period="2026-09", status="running", total=10, done=4)
    page = client.get("/filing/jobs/").content.decode()
    assert 'value="40"' in page and 'hx-trigger="every 2s"' in page
    r = client.post("/filing/jobs/", {"period": "2026-10"})
    assert r.status_code == 302 and PrefillJob.objects.count() == 1


def test_calendar_page(client, district):
    login(client, make_user("tp", "taxpayer", taxpayer_id=district["filed"].tax_id))
    page = client.get("/filing/calendar/?year=2026").content.decode()
    assert "2026-10-22" in page and "2026-02-24" in page


def test_filing_pages_label_every_field_and_speak_english(client, district):
    from tests.web.test_accessibility import _unlabelled

    login(client, make_user("coll", "collection"))
    for path in ("/filing/status/", "/filing/abnormal/?period=2026-09", "/filing/jobs/"):
        assert _unlabelled(client.get(path).content.decode()) == [], path
    client.logout()
    me = district["missing"]
    factory.invoice(me, factory.outsider(9), datetime(2026, 9, 3), [("1", "10.00", "0.13")])
    ret = services.prefill_return(me.tax_id, "vat_general", "2026-09", on=ON)
    login(client, make_user("tp", "taxpayer", taxpayer_id=me.tax_id))
    for path in ("/filing/", f"/filing/returns/{ret.pk}/"):
        assert _unlabelled(client.get(path).content.decode()) == [], path
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get(f"/filing/returns/{ret.pk}/").content.decode()
    assert "output tax" in page and "Confirm and file" in page
