"""The calculators through the API and the web pages (the law package has its own tests)."""

import json

import pytest

from tests.conftest import login, make_user
from zhishui.core.api_auth import issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def auth(db):
    user = make_user("calc_tp", "taxpayer", taxpayer_id="914403001922038216")
    _, raw = issue_token(user, "t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, name, body, auth):
    return client.post(f"/api/v1/calc/{name}", json.dumps(body), content_type="application/json", **auth)


def test_api_lists_and_describes_calculators(client, auth):
    names = {c["name"] for c in client.get("/api/v1/calc", **auth).json()}
    assert {"vat_small_scale", "iit_annual", "surcharges", "stamp", "lat", "deed"} <= names
    schema = client.get("/api/v1/calc/vat_small_scale/schema", **auth).json()
    assert "period" in schema["required"]


def test_api_small_scale_threshold_boundary(client, auth):
    exempt = _post(client, "vat_small_scale", {"period": "2026-03", "sales_3": "100000.00"}, auth).json()
    taxed = _post(client, "vat_small_scale", {"period": "2026-03", "sales_3": "100000.01"}, auth).json()
    assert exempt["amounts"]["line_20"] == "0.00"
    assert taxed["amounts"]["line_20"] == "1000.00"
    assert any(line["params"] for line in taxed["breakdown"])
    assert all(p["citation"] for p in taxed["parameters"])


@pytest.mark.parametrize(("name", "body", "field"), [
    ("vat_small_scale", {"period": "2026/03", "sales_3": "1.00"}, "period"),
    ("vat_small_scale", {"sales_3": "1.00"}, "period"),
    ("vat_small_scale", {"period": "2026-03", "sales_3": "1,000.00"}, "sales_3"),
    ("vat_small_scale", {"period": "2028-01", "sales_3": "1.00"}, None),
    ("no_such_calculator", {}, None),
])
def test_api_bad_input_is_422_in_both_languages(client, auth, name, body, field):
    response = _post(client, name, body, auth)
    assert response.status_code == 422
    payload = response.json()
    assert payload["message_zh"] and payload["message_en"]
    if field:
        assert payload["errors"][0]["field"] == field


def test_calculator_page_shows_breakdown_and_citations(client):
    login(client, make_user("calc_staff", "collection"))
    page = client.get("/law/calc/vat_small_scale/")
    assert page.status_code == 200 and 'name="sales_3"' in page.content.decode()
    result = client.post("/law/calc/vat_small_scale/", {"period": "2026-Q1", "sales_3": "300000.01"},
                         HTTP_HX_REQUEST="true")
    text = result.content.decode()
    assert result.status_code == 200 and 'data-testid="calc-result"' in text
    assert "3000.00" in text and "2026年第10号" in text
    bad = client.post("/law/calc/vat_small_scale/", {"period": "2026-13"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422 and "period" in bad.content.decode()


def test_parameters_page_lists_history_and_citations(client):
    login(client, make_user("calc_staff2", "service"))
    page = client.get("/law/parameters/").content.decode()
    assert "vat.small_scale.threshold_month" in page
    assert "2027-12-31" in page and "增值税法" in page
    filtered = client.get("/law/parameters/?q=iit").content.decode()
    assert "vat.small_scale.threshold_month" not in filtered


def test_taxpayer_cannot_browse_parameters_but_can_calculate(client):
    login(client, make_user("calc_tp2", "taxpayer", taxpayer_id="914403001922038216"))
    assert client.get("/law/parameters/").status_code == 403
    assert client.get("/law/calc/").status_code == 200
