"""The 一户式 and 一人式 pages and API, personal-data protection per role, search, 数据交换, upload."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from tests.conftest import login, make_user
from tests.registry import feedkit
from zhishui.core.api_auth import issue_token
from zhishui.core.models import AuditEvent
from zhishui.registry import models, pii

pytestmark = pytest.mark.django_db

MASKED_ZHANG = feedkit.ZHANG[:6] + "********" + feedkit.ZHANG[-4:]


def key_of(identifier: str) -> str:
    return models.Taxpayer.objects.get(tax_id=identifier).key


def person_key(number: str) -> str:
    return pii.blind_index(number)


@pytest.fixture
def staff(loaded):
    client = Client()
    login(client, make_user("zhengguan", "collection"))  # may see personal data, after a reason
    return client


@pytest.fixture
def service(loaded):
    client = Client()
    login(client, make_user("nashui", "service"))  # reads all taxpayers, never personal data in full
    return client


def test_the_taxpayer_profile_shows_every_department_s_facts(staff):
    page = staff.get(f"/registry/taxpayers/{feedkit.ACME}/").content.decode()
    for text in (
        "一户式",
        "宝鸡市金台区艾克米机械有限公司",
        "一般纳税人",
        "国家税务总局宝鸡市金台区税务局",
        "G0012",
        "陕西省宝鸡市金台区中山东路街道",
        "张伟",
        "法定代表人",
        "财务负责人",
        "60.00%",
        "宝鸡市金台区贝塔商贸有限公司",  # another entity Zhang is behind
        "2025-01",
        "10,000.00",
        "25612000000000000001",
        "35",
        "12500.5",
        "610303001001GB00001F00020001",
        "JT2025000001",
        "350,000.00",
        "未申报",
        "300.00",
        "测试部门",
    ):
        assert text in page, text
    assert 'id="invoice-chart"' in page and "vendor/echarts-5.6.0.min.js" in page
    assert MASKED_ZHANG in page and feedkit.ZHANG not in page
    assert "138****5678" in page and "13812345678" not in page


def test_people_behind_and_their_other_entities(staff):
    page = staff.get(f"/registry/taxpayers/{feedkit.BETA}/").content.decode()
    assert "宝鸡市金台区艾克米机械有限公司" in page  # Zhang, a shareholder here, is legal rep of ACME
    assert "不在自然人基础信息中" in page  # Zhao is only in the relations feed


def test_the_timeline_shows_a_change_and_its_source(staff, feed_dir):
    from zhishui.registry.importer import import_directory

    data = feedkit.rows()
    data["tax_registrations"][0]["state"] = "abnormal"
    feedkit.write_all(feed_dir, data)
    import_directory(feed_dir)
    page = staff.get(f"/registry/taxpayers/{feedkit.ACME}/").content.decode()
    assert "正常 → 非正常" in page and "测试部门" in page and "非正常" in page


def test_a_person_page_shows_entities_properties_and_returns(staff):
    page = staff.get(f"/registry/persons/{person_key(feedkit.ZHANG)}/").content.decode()
    for text in (
        "一人式",
        "张伟",
        MASKED_ZHANG,
        "宝鸡市金台区艾克米机械有限公司",
        "宝鸡市金台区贝塔商贸有限公司",
        "股东",
        "610303001001GB00001F00010001",
        "JT2025000001",
    ):
        assert text in page, text
    sole = staff.get(f"/registry/persons/{person_key(feedkit.SOLE)}/").content.decode()
    assert "个人所得税（经营所得）" in sole and "2025-Q1" in sole


def test_personal_data_is_shown_only_after_a_reason_and_each_view_is_audited(staff):
    url = f"/registry/taxpayers/{feedkit.ACME}/"
    response = staff.post(url, {"reason": ""})
    assert response.status_code == 400 and "理由" in response.content.decode()
    assert feedkit.ZHANG not in response.content.decode()
    response = staff.post(url, {"reason": "核实法定代表人身份（案件2025-17）"})
    page = response.content.decode()
    assert response.status_code == 200 and feedkit.ZHANG in page and "13812345678" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    event = AuditEvent.objects.get(action="personal_data.view")
    assert event.actor == "zhengguan" and event.reason == "核实法定代表人身份（案件2025-17）"
    assert event.object_id == feedkit.ACME and MASKED_ZHANG in event.detail["shown"]
    staff.post(url, {"reason": "第二次查看"})
    assert AuditEvent.objects.filter(action="personal_data.view").count() == 2
    # The next ordinary view is masked again.
    assert feedkit.ZHANG not in staff.get(url).content.decode()


def test_a_person_s_full_number_birth_date_and_gender_after_a_reason(staff):
    url = f"/registry/persons/{person_key(feedkit.ZHANG)}/"
    page = staff.post(url, {"reason": "约谈前核对身份"}).content.decode()
    assert feedkit.ZHANG in page and "1980-01-01" in page and "男" in page
    assert AuditEvent.objects.filter(action="personal_data.view", object_type="registry.Person").exists()


def test_a_role_without_the_capability_never_sees_personal_data(service):
    url = f"/registry/taxpayers/{feedkit.ACME}/"
    page = service.get(url).content.decode()
    assert MASKED_ZHANG in page and "reveal-form" not in page
    response = service.post(url, {"reason": "想看看"})
    assert response.status_code == 403 and feedkit.ZHANG not in response.content.decode()
    assert AuditEvent.objects.filter(action="access.denied", actor="nashui", outcome="denied").exists()


def test_a_taxpayer_sees_its_own_profile_masked_and_nothing_of_others(loaded):
    client = Client()
    login(client, make_user("acme", "taxpayer", taxpayer_id=feedkit.ACME))
    page = client.get(f"/registry/taxpayers/{feedkit.ACME}/").content.decode()
    assert "宝鸡市金台区艾克米机械有限公司" in page and MASKED_ZHANG in page and feedkit.ZHANG not in page
    assert "宝鸡市金台区贝塔商贸有限公司" not in page.split('id="invoicing"')[0]  # no other entities of its people
    assert client.post(f"/registry/taxpayers/{feedkit.ACME}/", {"reason": "x" * 10}).status_code == 403
    for other in (feedkit.BETA, person_key(feedkit.SOLE), "91610303MA6X00009Z"):
        assert client.get(f"/registry/taxpayers/{other}/").status_code == 404
    denied = AuditEvent.objects.filter(action="access.denied", actor="acme", object_type="taxpayer")
    assert denied.count() == 3 and {e.detail["path"] for e in denied} >= {f"/registry/taxpayers/{feedkit.BETA}/"}
    assert AuditEvent.objects.filter(action="access.denied", actor="acme", object_id=feedkit.ACME).exists()  # reveal
    assert client.get(f"/registry/persons/{person_key(feedkit.ZHANG)}/").status_code == 403


def test_a_taxpayer_cannot_reach_another_s_profile_through_the_api(loaded):
    user = make_user("acme-api", "taxpayer", taxpayer_id=feedkit.ACME)
    _, token = issue_token(user, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    own = client.get(f"/api/v1/registry/taxpayers/{feedkit.ACME}")
    assert own.status_code == 200 and own.json()["identity"]["name"] == "宝鸡市金台区艾克米机械有限公司"
    assert own.json()["linked_entities"] == []
    other = client.get(f"/api/v1/registry/taxpayers/{feedkit.BETA}")
    assert other.status_code == 404 and other.json()["code"] == "not_found"
    assert AuditEvent.objects.filter(action="access.denied", actor="acme-api", object_id=feedkit.BETA).exists()
    reveal = client.post(
        f"/api/v1/registry/taxpayers/{feedkit.ACME}/reveal",
        json.dumps({"reason": "查看"}),
        content_type="application/json",
    )
    assert reveal.status_code == 403


def test_the_api_profile_is_masked_and_reveal_takes_a_reason(loaded):
    user = make_user("risk-api", "risk")
    _, token = issue_token(user, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = client.get(f"/api/v1/registry/taxpayers/{feedkit.ACME}").json()
    assert body["market"]["legal_rep_id"] == MASKED_ZHANG and body["registration"]["vat_status"] == "general"
    assert body["invoicing"]["totals"]["out_count"] == 3
    assert {p["id_number"] for p in body["people"] if p["name"] == "张伟"} == {MASKED_ZHANG}
    missing_reason = client.post(
        f"/api/v1/registry/taxpayers/{feedkit.ACME}/reveal",
        json.dumps({"reason": " "}),
        content_type="application/json",
    )
    assert missing_reason.status_code == 422 and missing_reason.json()["errors"][0]["field"] == "reason"
    revealed = client.post(
        f"/api/v1/registry/taxpayers/{feedkit.ACME}/reveal",
        json.dumps({"reason": "风险应对核实"}),
        content_type="application/json",
    ).json()
    assert revealed["market"]["legal_rep_id"] == feedkit.ZHANG and revealed["revealed"] is True
    assert AuditEvent.objects.filter(action="personal_data.view", actor="risk-api", reason="风险应对核实").exists()
    person = client.get(f"/api/v1/registry/persons/{person_key(feedkit.ZHANG)}").json()
    assert person["identity"]["id_number"] == MASKED_ZHANG and len(person["entities"]) == 3


def test_a_person_sees_only_their_own_one_person_page(loaded):
    client = Client()
    login(client, make_user("zhangwei", "person", taxpayer_id=feedkit.ZHANG))
    assert "张伟" in client.get(f"/registry/persons/{person_key(feedkit.ZHANG)}/").content.decode()
    assert client.get(f"/registry/persons/{person_key(feedkit.LI)}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor="zhangwei").exists()


def test_query_budget_of_the_profile_page(staff, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        assert staff.get(f"/registry/taxpayers/{feedkit.ACME}/").status_code == 200


def test_query_budget_of_the_profile_api(loaded, django_assert_max_num_queries):
    user = make_user("budget", "collection")
    _, token = issue_token(user, "t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    with django_assert_max_num_queries(26):
        assert client.get(f"/api/v1/registry/taxpayers/{feedkit.ACME}").status_code == 200


def test_the_query_count_does_not_grow_with_the_number_of_invoices(staff, feed_dir, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhishui.registry.importer import import_directory

    url = f"/registry/taxpayers/{feedkit.ACME}/"
    with CaptureQueriesContext(connection) as before:
        staff.get(url)
    more = tmp_path / "more"
    more.mkdir()
    invoices, lines = [], []
    for i in range(6, 66):
        number = f"2561200000000000{i:04d}"
        invoices.append(
            {
                "invoice_no": number,
                "invoice_type": "special",
                "issued_at": f"2025-{i % 12 + 1:02d}-02T09:00:00",
                "seller_id": feedkit.ACME,
                "buyer_id": feedkit.BETA,
                "buyer_name": "贝塔",
                "amount": "100.00",
                "tax": "13.00",
                "status": "normal",
            }
        )
        lines.append(
            {
                "invoice_no": number,
                "line_no": "1",
                "goods_code": "1090101010000000000",
                "item_name": "*机械设备*刀具",
                "amount": "100.00",
                "tax_rate": "0.13",
                "tax": "13.00",
            }
        )
    feedkit.write_csv(more, "invoices", invoices)
    feedkit.write_csv(more, "invoice_lines", lines)
    assert import_directory(more).status == "ok"
    with CaptureQueriesContext(connection) as after:
        page = staff.get(url).content.decode()
    assert len(after) == len(before) and "2025-12" in page


def test_search_from_the_header(staff):
    home = staff.get("/").content.decode()
    assert 'action="/registry/search/"' in home  # the header search form on staff pages
    assert staff.get("/registry/search/", {"q": "艾克米"}).content.decode().count("/registry/taxpayers/") >= 1
    assert staff.get("/registry/search/", {"q": feedkit.ACME}).status_code == 302  # an exact identifier opens it
    by_id = staff.get("/registry/search/", {"q": feedkit.ZHANG})
    assert by_id.status_code == 302 and by_id["Location"] == f"/registry/persons/{person_key(feedkit.ZHANG)}/"
    invoice = staff.get("/registry/search/", {"q": "25612000000000000002"}).content.decode()
    assert "25612000000000000002" in invoice and "-100.00" in invoice
    names = staff.get("/registry/search/", {"q": "王"}).content.decode()
    assert "王芳" in names and "王强" in names
    assert "未找到" in staff.get("/registry/search/", {"q": "不存在的名称"}).content.decode()


def test_search_api(loaded):
    user = make_user("search-api", "service")
    _, token = issue_token(user, "t")
    body = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/registry/search", {"q": feedkit.ZHANG}).json()
    assert body["persons"][0]["identifier"] == MASKED_ZHANG and body["count"] == 2  # the person and … as buyer


def test_the_data_exchange_page(staff):
    page = staff.get("/registry/exchange/").content.decode()
    for text in (
        "数据交换",
        "市场主体登记",
        "测试部门",
        "数据质量",
        "本辖区未办理税务登记的销售方开具的发票",
        "宝鸡市金台区伽马科技有限公司",
        "0.00%",
    ):
        assert text in page, text
    assert page.count('data-feed="') == 12
    findings = staff.get("/registry/exchange/", {"kind": "si_after_deregistration"}).content.decode()
    assert "宝鸡市金台区德尔塔餐饮有限公司" in findings and "2024-08" in findings


def test_exchange_api(loaded):
    user = make_user("lead", "leader")
    _, token = issue_token(user, "t")
    body = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/registry/exchange").json()
    feeds = {f["feed"]: f for f in body["feeds"]}
    assert feeds["invoices"]["rows"] == 5 and feeds["invoices"]["stale"] is False
    assert body["departments"][0]["source"] == "测试部门" and body["quality"]["duplicate_person"] == 1


def test_a_liaison_uploads_a_zip_and_reads_the_report(loaded, tmp_path, feed_dir):
    client = Client()
    login(client, make_user("lianluo", "liaison"))
    home = client.get("/").content.decode()
    assert "/registry/exchange/upload/" in home and 'action="/registry/search/"' not in home
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.write(feed_dir / "utilities.csv", "交付/utilities.csv")
        zf.writestr("readme.txt", "x")
    buffer.seek(0)
    buffer.name = "delivery.zip"
    response = client.post("/registry/exchange/upload/", {"files": [buffer], "source": "区供电公司"})
    assert response.status_code == 302
    batch = models.ImportBatch.objects.get(via="web")
    assert batch.by == "lianluo" and batch.source == "区供电公司"
    report = client.get(response["Location"]).content.decode()
    assert "utilities.csv" in report and "readme.txt" in report
    assert models.Load.objects.filter(batch=batch, feed="utilities", source="区供电公司").exists()
    # The liaison may not open profiles.
    assert client.get(f"/registry/taxpayers/{feedkit.ACME}/").status_code == 403


def test_an_upload_with_bad_rows_offers_the_rejected_rows(loaded, tmp_path):
    client = Client()
    login(client, make_user("lianluo2", "liaison"))
    records = feedkit.rows()["social_insurance"]
    records[0]["wage_base"] = "210,000.00"
    directory = tmp_path / "si"
    directory.mkdir()
    path = feedkit.write_csv(directory, "social_insurance", records)
    with path.open("rb") as fh:
        response = client.post("/registry/exchange/upload/", {"files": [fh], "skip_invalid": "on"})
    report = client.get(response["Location"]).content.decode()
    assert "千位分隔符" in report and "rejected" in report
    batch = models.ImportBatch.objects.get(via="web")
    download = client.get(f"/registry/exchange/batches/{batch.pk}/rejected/social_insurance.csv")
    assert download.status_code == 200 and b"210,000.00" in b"".join(download.streaming_content)


def test_an_upload_with_a_wrong_file_name_is_explained(loaded, tmp_path):
    client = Client()
    login(client, make_user("lianluo3", "liaison"))
    upload = io.BytesIO(b"a,b\n1,2\n")
    upload.name = "../../etc/passwd.csv"
    response = client.post("/registry/exchange/upload/", {"files": [upload]})
    report = client.get(response["Location"]).content.decode()
    assert "文件名应为" in report
    assert models.ImportBatch.objects.get(via="web").status == "rejected"


def test_a_zip_bomb_upload_is_not_inflated(loaded, settings):
    settings.ZHISHUI_IMPORT_MAX_BYTES = 32 * 1024**2
    client = Client()
    login(client, make_user("lianluo4", "liaison"))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open("persons.csv", "w") as fh:
        for _ in range(40):
            fh.write(b"0" * (1 << 20))
    buffer.seek(0)
    buffer.name = "bomb.zip"
    response = client.post("/registry/exchange/upload/", {"files": [buffer]})
    report = client.get(response["Location"]).content.decode()
    assert "压缩炸弹" in report
    assert not models.Load.objects.filter(feed="persons", batch__via="web").exists()


def test_stored_personal_identifiers_are_encrypted(loaded):
    from django.db import connection

    plain = [feedkit.ZHANG, feedkit.LI, feedkit.SOLE, "13812345678", "13912345678", "13700001111", feedkit.OLD15]
    with connection.cursor() as cur:
        for model in (
            models.Person,
            models.Relation,
            models.MarketEntity,
            models.Taxpayer,
            models.RealEstateTransaction,
            models.PropertyHolding,
            models.TaxReturn,
            models.RecordVersion,
            models.QualityFinding,
        ):
            table = model._meta.db_table
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608
            text = json.dumps([[str(v) for v in row] for row in cur.fetchall()], ensure_ascii=False)
            for value in plain:
                assert value not in text, (table, value)
    person = models.Person.objects.get(id_bidx=person_key(feedkit.ZHANG))
    assert person.id_masked == MASKED_ZHANG and pii.decrypt(person.id_enc) == feedkit.ZHANG
    assert person.phone_masked == "138****5678"
    sole = models.Taxpayer.objects.get(key=person_key(feedkit.SOLE))
    assert sole.personal and sole.tax_id == "" and pii.decrypt(sole.tax_id_enc) == feedkit.SOLE


def test_nav_and_home_figures(loaded):
    client = Client()
    login(client, make_user("lead2", "leader"))
    home = client.get("/").content.decode()
    assert 'href="/registry/exchange/"' in home and 'data-widget="registered_taxpayers"' in home


def test_every_form_field_on_the_registry_pages_has_a_label(staff):
    from tests.web.test_accessibility import _unlabelled

    for path in ("/registry/exchange/", "/registry/exchange/upload/", "/registry/search/?q=张",
                 f"/registry/taxpayers/{feedkit.ACME}/", f"/registry/persons/{person_key(feedkit.ZHANG)}/"):
        response = staff.get(path)
        assert response.status_code == 200, path
        assert _unlabelled(response.content.decode()) == [], path


def test_pages_in_english(staff):
    staff.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = staff.get(f"/registry/taxpayers/{feedkit.ACME}/").content.decode()
    assert "Identity and registration" in page and "general taxpayer" in page and "legal representative" in page
