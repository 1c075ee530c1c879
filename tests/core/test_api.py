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
