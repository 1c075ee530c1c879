"""Input validation and the JSON Schema derived from the input dataclasses."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from zhishui.core.errors import ValidationFailure
from zhishui.law.calculators.iit import IitAnnualInput
from zhishui.law.registry import all_calculators, get

from .conftest import calc


def _errors(name: str, payload: dict) -> list:
    with pytest.raises(ValidationFailure) as exc:
        calc(name, payload)
    return exc.value.errors


def test_negative_wages_are_refused_naming_the_field_in_chinese_and_english():
    [err] = _errors("iit_annual", {"period": "2026", "wages": "-1.00"})
    assert err.field == "wages"
    assert "工资、薪金所得收入" in err.message_zh and "不能为负数" in err.message_zh
    assert "wages and salaries" in err.message_en and "negative" in err.message_en


def test_unknown_and_missing_fields_and_bad_period_are_reported_together():
    errs = _errors("iit_bonus", {"period": "2026-13", "bonnus": "1"})
    by_field = {e.field: e for e in errs}
    assert set(by_field) == {"period", "bonnus", "bonus"}
    assert "未知字段" in by_field["bonnus"].message_zh and "unknown field" in by_field["bonnus"].message_en
    assert "缺少必填字段" in by_field["bonus"].message_zh and "missing required field" in by_field["bonus"].message_en
    assert "纳税年度" in by_field["period"].message_zh and "YYYY" in by_field["period"].message_en


@pytest.mark.parametrize("name, payload, field", [
    ("vat_small_scale", {"period": "2026", "sales_3": "1"}, "period"),  # a year is not a VAT period
    ("vat_small_scale", {"period": "2026-03", "sales_3": 100000.5}, "sales_3"),  # float money
    ("vat_small_scale", {"period": "2026-03", "sales_3": "1.005"}, "sales_3"),
    ("vat_small_scale", {"period": "2026-03", "sales_3": "1,000"}, "sales_3"),
    ("stamp", {"documents": [{"item": "sale", "amount": "1", "date": "2026-02-30"}]}, "documents[0].date"),
    ("stamp", {"documents": [{"item": "bribe", "amount": "1", "date": "2026-02-01"}]}, "documents[0].item"),
    ("stamp", {"documents": []}, "documents"),
    ("land_use", {"period": "2026", "area_m2": "-5", "grade": 1}, "area_m2"),
    ("land_use", {"period": "2026", "area_m2": "5", "grade": True}, "grade"),
    ("property", {"period": "2026", "months_by_value": 13}, "months_by_value"),
    ("surcharges", {"period": "2026-03", "vat_paid": "1", "sales": "1", "halving_eligible": "yes"},
     "halving_eligible"),
    ("cit_annual", {"period": "2026", "income_before_rd": "1", "employees_by_quarter": [{"start": 1}],
                    "assets_by_quarter": [{"start": 1, "end": 1}]}, "employees_by_quarter[0].end"),
])
def test_bad_values_name_the_field(name, payload, field):
    assert field in {e.field for e in _errors(name, payload)}


def test_payload_must_be_an_object():
    with pytest.raises(ValidationFailure, match="JSON"):
        calc("iit_bonus", ["2026", "1"])


def test_dataclass_input_is_validated_like_a_payload():
    with pytest.raises(ValidationFailure, match="wages"):
        get("iit_annual").calculate(IitAnnualInput(period="2026", wages=Decimal("-5")))


def test_quantity_accepts_json_numbers_but_money_does_not():
    assert calc("land_use", {"period": "2026", "area_m2": 100.5, "grade": 1}).amounts["tax"] == Decimal("1206.00")


def test_every_calculator_has_a_schema_matching_its_fields():
    for c in all_calculators():
        s = c.schema
        assert s["type"] == "object" and s["additionalProperties"] is False
        assert c.title_zh in s["title"]
        for name, prop in s["properties"].items():
            assert prop["title"] and prop["description"], (c.name, name)
        assert set(s["required"]) <= set(s["properties"])


def test_schema_patterns_accept_what_the_parser_accepts():
    s = get("vat_small_scale").schema["properties"]
    assert re.match(s["period"]["pattern"], "2026-03") and re.match(s["period"]["pattern"], "2026-Q1")
    assert not re.match(s["period"]["pattern"], "2026")
    assert re.match(s["sales_3"]["pattern"], "100000.01") and not re.match(s["sales_3"]["pattern"], "-1")
    nested = get("stamp").schema["properties"]["documents"]
    assert nested["type"] == "array" and nested["minItems"] == 1
    assert set(nested["items"]["required"]) == {"item", "amount", "date"}
    assert get("deed").schema["properties"]["area_m2"]["default"] is None
