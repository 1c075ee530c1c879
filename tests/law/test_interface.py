"""The JSON interface used by the CLI and the API."""

from __future__ import annotations

import json

import pytest

from zhishui.core.errors import ValidationFailure
from zhishui.law import interface


def test_list_calculators_names_every_tax():
    names = {c["name"] for c in interface.list_calculators()}
    assert names == {"vat_general", "vat_small_scale", "surcharges", "cit_annual", "cit_quarterly", "iit_annual",
                     "iit_withholding", "iit_bonus", "iit_business", "stamp", "property", "land_use", "lat", "deed",
                     "vehicle", "env"}


def test_run_returns_two_decimal_strings_breakdown_and_citations():
    out = interface.run("vat_small_scale", {"period": "2026-03", "sales_3": "100000.01"})
    json.dumps(out, ensure_ascii=False)
    assert out["amounts"]["line_20"] == "1000.00"
    assert out["amounts"]["line_1"] == "100000.01"
    line = next(b for b in out["breakdown"] if b["key"] == "exempt")
    assert line["value"] is False and "vat.small_scale.threshold_month" in line["params"]
    param = next(p for p in out["parameters"] if p["name"] == "vat.small_scale.threshold_month")
    assert param["value"] == "100000" and param["start"] == "2026-01-01" and param["end"] == "2027-12-31"
    assert "2026年第10号" in param["citation"] and param["confidence"] == "核"


def test_unconfirmed_parameters_are_repeated_as_warnings():
    out = interface.run("deed", {"date": "2026-05-01", "price": "1000000"})
    assert out["amounts"]["tax"] == "30000.00"
    [warning] = out["warnings"]
    assert warning["parameter"] == "deed.rate" and warning["confidence"] == "疑"
    assert "未经核实" in warning["message_zh"] and "unconfirmed" in warning["message_en"]


def test_overlay_changes_the_result_and_is_reported():
    payload = {"period": "2027", "wages": "200000"}
    base = interface.run("iit_annual", payload)
    what_if = interface.run("iit_annual", payload, overlay={"iit.basic_deduction": [{"start": "2027-01-01",
                                                                                     "value": 72000}]})
    assert base["amounts"]["tax"] == "11480.00"  # (200000 − 60000) × 10 % − 2520
    assert what_if["amounts"]["tax"] == "10280.00"  # (200000 − 72000) × 10 % − 2520
    assert what_if["overlays"] == ["overlay"]
    assert any(w["confidence"] == "假设" for w in what_if["warnings"])


def test_schema_and_errors_are_json_ready():
    assert interface.schema("iit_bonus")["required"] == ["period", "bonus"]
    with pytest.raises(ValidationFailure) as exc:
        interface.run("no_such", {})
    assert exc.value.code == "not_found"
    with pytest.raises(ValidationFailure) as exc:
        interface.run("vat_small_scale", {"period": "2028-01", "sales_3": "1"})
    body = exc.value.as_dict()
    assert body["code"] == "no_parameter" and "no parameter in force for 2028-01" in body["message_en"]
