"""附加税费: 城建税法第二、四条; 教育费附加 3 %, 地方教育附加 2 %; 财税〔2016〕12号; 2023年第12号第二条."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from zhishui.law.parameters import ParameterNotInForce

from .conftest import amounts, calc


def test_general_taxpayer_in_the_city():
    a = amounts("surcharges", {"period": "2026-03", "vat_paid": "10000", "sales": "1000000"})
    assert (a["urban_maintenance_tax"], a["education_surcharge"], a["local_education_surcharge"], a["total"]) == (
        D("700.00"), D("300.00"), D("200.00"), D("1200.00"))


@pytest.mark.parametrize("location, tax", [("city", "70.00"), ("county_town", "50.00"), ("other", "10.00")])
def test_location_rates(location, tax):
    a = amounts("surcharges", {"period": "2026-03", "vat_paid": "1000", "sales": "200000",
                               "location_class": location})
    assert a["urban_maintenance_tax"] == D(tax)


def test_district_default_location_is_recorded():
    r = calc("surcharges", {"period": "2026-03", "vat_paid": "1000", "sales": "200000"})
    assert r.line("location_class").value == "city"


@pytest.mark.parametrize("period, sales, fees", [("2026-03", "100000.00", "0.00"), ("2026-03", "100000.01", "25.00"),
                                                 ("2026-Q1", "300000.00", "0.00"), ("2026-Q1", "300000.01", "25.00")])
def test_small_sellers_are_exempt_from_the_two_fees_and_halve_the_city_tax(period, sales, fees):
    a = amounts("surcharges", {"period": period, "vat_paid": "1000", "sales": sales, "halving_eligible": True})
    assert a["urban_maintenance_tax"] == D("35.00")
    assert a["education_surcharge"] + a["local_education_surcharge"] == D(fees)  # 15 + 10 when halved


def test_credit_refund_is_deducted_from_the_base():
    r = calc("surcharges", {"period": "2026-03", "vat_paid": "10000", "vat_credit_refund": "4000",
                            "sales": "1000000"})
    assert r.line("base").value == D("6000.00") and r.amounts["urban_maintenance_tax"] == D("420.00")
    r = calc("surcharges", {"period": "2026-03", "vat_paid": "1000", "vat_credit_refund": "4000", "sales": "1"})
    assert r.amounts["total"] == D("0.00") and r.line("refund_carried").value == D("3000.00")


def test_halving_after_2027_fails_loudly_but_the_permanent_levies_do_not():
    payload = {"period": "2028-01", "vat_paid": "1000", "sales": "200000"}
    assert amounts("surcharges", payload)["total"] == D("120.00")
    with pytest.raises(ParameterNotInForce, match=r"relief\.six_taxes_two_fees"):
        calc("surcharges", {**payload, "halving_eligible": True})
    assert amounts("surcharges", {**payload, "period": "2027-12", "halving_eligible": True})["total"] == D("60.00")
