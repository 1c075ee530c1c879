import json

import pytest

from tests.conftest import login, make_user
from zhishui.core.api_auth import issue_token
from zhishui.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_openapi_schema_is_served():
    from django.test import Client

    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"].startswith("智税")
    assert "/api/v1/ids/check" in schema["paths"]


def test_unauthenticated_gets_401_with_both_languages(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message_zh"] and body["message_en"]


def test_token_auth_and_me(client):
    user = make_user("api1", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "test")
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    body = response.json()
    assert body["roles"] == ["taxpayer"] and body["taxpayer_id"] == "914403001922038216"
    assert "taxpayer_portal" in body["capabilities"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer zs_wrong").status_code == 401


def test_session_user_issues_a_token_once(client):
    user = make_user("api2", "taxpayer", taxpayer_id="914403001922038216")
    login(client, user)
    response = client.post("/api/v1/tokens", json.dumps({"name": "ERP 对接"}), content_type="application/json")
    assert response.status_code == 201
    raw = response.json()["token"]
    assert raw.startswith("zs_")
    assert AuditEvent.objects.filter(action="api.token_issued", actor="api2").exists()
    from django.test import Client

    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").json()["username"] == "api2"


def test_staff_session_without_second_factor_is_refused(client):
    from tests.conftest import PASSWORD

    make_user("api3", "risk")
    client.post("/accounts/login/", {"username": "api3", "password": PASSWORD})
    response = client.get("/api/v1/me")
    assert response.status_code == 403 and response.json()["code"] == "otp_required"


def test_ids_check_reports_each_identifier(client):
    user = make_user("api4", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "t")
    response = client.post("/api/v1/ids/check", json.dumps({"values": ["914403001922038216",
                                                                        "9144030071526726X7",
                                                                        "11010519491231002X"]}),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    rows = response.json()
    assert [(r["kind"], r["valid"]) for r in rows] == [("uscc", True), ("uscc", False), ("id_number", True)]


@pytest.mark.parametrize(("body", "field"), [
    ({}, "values"),
    ({"values": "not-a-list"}, "values"),
    ({"values": ["x"] * 1001}, "values"),
])
def test_bad_input_gets_field_errors_in_both_languages(client, body, field):
    user = make_user("api5", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "t")
    response = client.post("/api/v1/ids/check", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "invalid"
    assert payload["errors"][0]["field"] == field
    assert payload["errors"][0]["message_zh"] and payload["errors"][0]["message_en"]


def test_malformed_json_is_422_not_500(client):
    user = make_user("api6", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "t")
    response = client.post("/api/v1/ids/check", "{not json", content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert 400 <= response.status_code < 500


def test_unknown_region_is_422_naming_the_field(client):
    user = make_user("api7", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "t")
    ok = client.get("/api/v1/regions/610303", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200 and ok.json()["name"] == "金台区"
    bad = client.get("/api/v1/regions/999999", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert bad.status_code == 422 and bad.json()["errors"][0]["message_zh"]


def _token_client(client, *roles, username="apix", taxpayer_id=""):
    user = make_user(username, *roles, taxpayer_id=taxpayer_id)
    _, raw = issue_token(user, "t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize(("period", "status", "months"), [
    ("2026-03", 200, ["2026-03"]), ("2026-Q2", 200, ["2026-04", "2026-05", "2026-06"]),
    ("2026", 200, [f"2026-{m:02d}" for m in range(1, 13)]), ("2026-13", 422, None), ("2026-Q5", 422, None),
    ("26-01", 422, None)])
def test_period_endpoint(client, period, status, months):
    auth = _token_client(client, "taxpayer", taxpayer_id="914403001922038216")
    response = client.get(f"/api/v1/periods/{period}", **auth)
    assert response.status_code == status
    if months:
        assert response.json()["months"] == months
    else:
        assert response.json()["errors"][0]["field"] == "period"


@pytest.mark.parametrize(("amount", "status", "capital"), [
    ("12345.67", 200, "壹万贰仟叁佰肆拾伍元陆角柒分"), ("1,234.00", 422, None), ("1.234", 422, None),
    ("abc", 422, None), ("", 422, None)])
def test_money_endpoint(client, amount, status, capital):
    auth = _token_client(client, "taxpayer", taxpayer_id="914403001922038216")
    response = client.post("/api/v1/money/capital", json.dumps({"amount": amount}), content_type="application/json",
                           **auth)
    assert response.status_code == status
    body = response.json()
    if capital:
        assert body["capital"] == capital
    else:
        assert body["errors"][0]["field"] == "amount" and body["errors"][0]["message_zh"]


def test_user_api_field_errors(client):
    auth = _token_client(client, "sysadmin", username="sysapi")
    bad = client.post("/api/v1/users", json.dumps({"username": "x" * 151, "password": "Strong-Passw0rd",
                                                   "roles": ["service"]}), content_type="application/json", **auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "username"
    assert "150" in bad.json()["errors"][0]["message_zh"]
    missing = client.post("/api/v1/users", json.dumps({"username": "a"}), content_type="application/json", **auth)
    assert missing.status_code == 422
    assert {e["field"] for e in missing.json()["errors"]} == {"password", "roles"}
    assert all(e["message_zh"] == "缺少必填字段" for e in missing.json()["errors"])
    bad_tp = client.post("/api/v1/users", json.dumps({"username": "tp9", "password": "Strong-Passw0rd",
                                                      "roles": ["taxpayer"], "taxpayer_id": "9150010807MGZHI002"}),
                         content_type="application/json", **auth)
    assert bad_tp.status_code == 422 and bad_tp.json()["errors"][0]["field"] == "taxpayer_id"
    ok = client.post("/api/v1/users", json.dumps({"username": "svc9", "password": "Strong-Passw0rd",
                                                  "roles": ["service"]}), content_type="application/json", **auth)
    assert ok.status_code == 201 and ok.json()["roles"] == ["service"]


def test_user_api_refuses_non_admins(client):
    auth = _token_client(client, "auditor", username="audapi")
    response = client.post("/api/v1/users", json.dumps({"username": "zz", "password": "Strong-Passw0rd",
                                                        "roles": ["service"]}), content_type="application/json", **auth)
    assert response.status_code == 403 and response.json()["message_en"]
