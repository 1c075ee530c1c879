"""印花税, 房产税, 城镇土地使用税, 契税, 车船税."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhishui.core.errors import ValidationFailure
from zhishui.law.parameters import ParameterNotInForce

from .conftest import amounts, calc


@pytest.mark.parametrize("item, tax", [
    ("loan", "50.00"), ("finance_lease", "50.00"), ("sale", "300.00"), ("work", "300.00"),
    ("construction", "300.00"), ("transport", "300.00"), ("technology", "300.00"), ("lease", "1000.00"),
    ("custody", "1000.00"), ("warehousing", "1000.00"), ("property_insurance", "1000.00"),
    ("land_use_grant", "500.00"), ("property_transfer", "500.00"), ("equity_transfer", "500.00"),
    ("ip_transfer", "300.00"), ("business_books", "250.00"),
])
def test_stamp_duty_every_item_on_1_000_000(item, tax):
    """印花税法所附《印花税税目税率表》 (trademark/copyright/patent transfers at 0.3‰, not 0.5‰)."""
    docs = [{"item": item, "amount": "1000000", "date": "2026-04-01"}]
    assert amounts("stamp", {"documents": docs})["total"] == D(tax)


@pytest.mark.parametrize("day, tax", [("2023-08-27", "1000.00"), ("2023-08-28", "500.00")])
def test_securities_duty_halved_from_2023_08_28(day, tax):
    """财政部 税务总局公告2023年第39号."""
    docs = [{"item": "securities", "amount": "1000000", "date": day}]
    assert amounts("stamp", {"documents": docs, "halving_eligible": True})["total"] == D(tax)


def test_stamp_halving_for_small_taxpayers_excludes_securities_and_ends_2027():
    docs = [{"item": "sale", "amount": "1000000", "date": "2027-12-31"},
            {"item": "securities", "amount": "100000", "date": "2027-12-31"}]
    assert amounts("stamp", {"documents": docs, "halving_eligible": True})["total"] == D("200.00")  # 150 + 50
    docs[0]["date"] = "2028-01-01"
    with pytest.raises(ParameterNotInForce) as exc:
        calc("stamp", {"documents": docs, "halving_eligible": True})
    assert exc.value.errors[0].field == "documents[0].date"
    with pytest.raises(ParameterNotInForce, match="only from 2022-07-01"):
        calc("stamp", {"documents": [{"item": "sale", "amount": "1", "date": "2022-06-30"}]})


def test_house_property_tax_on_value_and_rent():
    """房产税暂行条例第三、四条; Shaanxi deduction 30 % (疑): 1,000,000 × 70 % × 1.2 % = 8,400; rent × 12 %."""
    a = amounts("property", {"period": "2026", "original_value": "1000000", "rent": "120000"})
    assert (a["tax"], a["payable"]) == (D("22800.00"), D("22800.00"))
    a = amounts("property", {"period": "2026", "original_value": "1000000", "months_by_value": 6,
                             "halving_eligible": True})
    assert (a["tax"], a["payable"]) == (D("4200.00"), D("2100.00"))


def test_residential_rent_at_4_percent():
    """财税〔2008〕24号第二条."""
    assert amounts("property", {"period": "2026", "rent": "36000", "residential_rent": True})["tax"] == D("1440.00")


def test_land_use_tax_by_grade_and_months():
    a = amounts("land_use", {"period": "2026", "area_m2": "1000", "grade": 1, "months": 6, "halving_eligible": True})
    assert (a["tax"], a["payable"]) == (D("6000.00"), D("3000.00"))
    with pytest.raises(ValidationFailure) as exc:
        calc("land_use", {"period": "2026", "area_m2": "1000", "grade": 9})
    assert exc.value.errors[0].field == "grade" and "610303" in exc.value.errors[0].message_zh


@pytest.mark.parametrize("purpose, area, rate_tax", [
    ("first_home", "140", "10000.00"), ("first_home", "140.01", "15000.00"),
    ("second_home", "140", "10000.00"), ("second_home", "140.01", "20000.00"),
    ("general", None, "30000.00"),
])
def test_deed_tax_individual_housing_since_2024_12_01(purpose, area, rate_tax):
    """财政部 税务总局 住房城乡建设部公告2024年第16号; general rate from the Shaanxi choice (疑)."""
    payload = {"date": "2024-12-01", "price": "1000000", "purpose": purpose}
    if area:
        payload["area_m2"] = area
    assert amounts("deed", payload)["tax"] == D(rate_tax)


def test_deed_tax_before_2024_12_01_used_90_square_metres():
    payload = {"date": "2024-11-30", "price": "1000000", "purpose": "second_home", "area_m2": "100"}
    assert amounts("deed", payload)["tax"] == D("20000.00")
    with pytest.raises(ValidationFailure, match="area_m2"):
        calc("deed", {"date": "2026-01-01", "price": "1", "purpose": "first_home"})


@pytest.mark.parametrize("payload, annual, tax", [
    ({"category": "passenger_car", "displacement_l": "1.0"}, "180.00", "180.00"),
    ({"category": "passenger_car", "displacement_l": "1.6", "acquired_month": 4}, "360.00", "270.00"),
    ({"category": "bus", "seats": 19}, "480.00", "480.00"),
    ({"category": "bus", "seats": 20}, "600.00", "600.00"),
    ({"category": "truck", "curb_weight_t": "10.5"}, "1008.00", "1008.00"),
    ({"category": "trailer", "curb_weight_t": "10"}, "480.00", "480.00"),
    ({"category": "motorcycle", "acquired_month": 12}, "60.00", "5.00"),
    ({"category": "vessel", "net_tonnage": "200"}, "600.00", "600.00"),
    ({"category": "vessel", "net_tonnage": "1500"}, "6000.00", "6000.00"),
    ({"category": "non_motor_barge", "net_tonnage": "300"}, "600.00", "600.00"),
    ({"category": "tug", "power_kw": "1000"}, "1340.00", "1340.00"),
    ({"category": "yacht", "length_m": "12"}, "10800.00", "10800.00"),
    ({"category": "sail_yacht", "length_m": "8", "acquired_month": 7}, "4800.00", "2400.00"),
])
def test_vehicle_and_vessel_tax(payload, annual, tax):
    """车船税法实施条例第四、五、十九条 (vessels, yachts, months); vehicle amounts are Shaanxi choices (疑)."""
    a = amounts("vehicle", {"period": "2026", **payload})
    assert (a["annual_tax"], a["tax"]) == (D(annual), D(tax))


def test_vehicle_needs_its_measure():
    with pytest.raises(ValidationFailure) as exc:
        calc("vehicle", {"period": "2026", "category": "truck"})
    assert exc.value.errors[0].field == "curb_weight_t"
