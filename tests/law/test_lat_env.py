"""土地增值税 and 环境保护税."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from .conftest import amounts, calc


def test_lat_textbook_office_building():
    """Classic CPA《税法》textbook example (写字楼, 单位万元): proceeds 10,000; land 1,000; development cost
    3,000; interest 500 of which 50 penalty interest (excluded); taxes 555; expense ratio 5 %; developer.
    Deductions 6,005; value added 3,995; ratio 66.53 % → 3,995 × 40 % − 6,005 × 5 % = 1,297.75 万元."""
    r = calc("lat", {"date": "2026-06-30", "proceeds": "100000000", "land_cost": "10000000",
                     "development_cost": "30000000", "interest": "4500000", "interest_allocable": True,
                     "taxes": "5550000", "developer": True})
    assert r.line("development_expenses").value == D("6500000.00")
    assert r.line("developer_extra").value == D("8000000.00")
    assert (r.amounts["deductions"], r.amounts["value_added"]) == (D("60050000.00"), D("39950000.00"))
    assert r.amounts["tax"] == D("12977500.00")


def test_lat_expenses_without_allocable_interest():
    r = calc("lat", {"date": "2026-06-30", "proceeds": "2000000", "land_cost": "500000",
                     "development_cost": "500000", "interest": "99999", "developer": False})
    assert r.line("development_expenses").value == D("100000.00")  # 10 %, interest not separately
    assert r.amounts["deductions"] == D("1100000.00") and r.amounts["tax"] == D("305000.00")  # 900k×40%−1.1M×5%


# land 400,000 + development 600,000 + expenses 5 % (allocable interest 0) = deductions 1,050,000
SEAM = {"date": "2026-01-01", "land_cost": "400000", "development_cost": "600000", "interest_allocable": True}


@pytest.mark.parametrize("proceeds, tax", [("1575000", "157500.00"), ("2100000", "367500.00"),
                                           ("3150000", "892500.00"), ("4200000", "1522500.00")])
def test_lat_band_seams(proceeds, tax):
    """条例第七条 bands; at ratios 50 %, 100 %, 200 % both neighbouring formulas agree."""
    assert amounts("lat", {**SEAM, "proceeds": proceeds})["tax"] == D(tax)


@pytest.mark.parametrize("proceeds, tax", [("1260000", "0.00"), ("1260000.01", "63000.00"), ("900000", "0.00")])
def test_ordinary_housing_exempt_up_to_20_percent(proceeds, tax):
    """条例第八条第（一）项: 增值额未超过扣除项目金额20%的免征."""
    assert amounts("lat", {**SEAM, "proceeds": proceeds, "ordinary_housing": True})["tax"] == D(tax)


def test_environmental_tax_official_air_example():
    """环境保护税法解读示例: one outlet, SO2 and fluoride 100 kg each, CO 200 kg, HCl 80 kg at 1.2 元;
    top three by equivalents 114.94 (F), 105.26 (SO2), 11.98 (CO) → 137.93 + 126.31 + 14.38 = 278.62."""
    air = [{"outlet": "DA001", "pollutant": p, "emission_kg": kg} for p, kg in
           (("sulfur_dioxide", "100"), ("fluoride", "100"), ("carbon_monoxide", "200"), ("hydrogen_chloride", "80"))]
    r = calc("env", {"period": "2026-03", "air": air})
    assert [r.line(f"air_DA001_{p}").value for p in ("fluoride", "sulfur_dioxide", "carbon_monoxide")] == [
        D("137.93"), D("126.31"), D("14.38")]
    assert r.amounts["air_tax"] == D("278.62")
    assert not any(line.key == "air_DA001_hydrogen_chloride" for line in r.lines)


@pytest.mark.parametrize("ratio, tax", [("0.5", "6.00"), ("0.51", "9.00"), ("0.7", "9.00"), ("0.71", "12.00")])
def test_concentration_reductions(ratio, tax):
    """环境保护税法第十三条: ≤ 50 % of the standard → 50 %; ≤ 70 % → 75 % (boundary reading 疑)."""
    air = [{"outlet": "1", "pollutant": "general_dust", "emission_kg": "40", "concentration_ratio": ratio}]
    assert amounts("env", {"period": "2026-03", "air": air})["air_tax"] == D(tax)  # 10 equivalents × 1.2


def test_water_top_items_and_one_oxygen_demand_measure():
    water = [{"outlet": "W1", "pollutant": f"class2:{p}", "emission_kg": kg} for p, kg in
             (("cod", "100"), ("bod5", "60"), ("ammonia_nitrogen", "40"), ("suspended_solids", "80"),
              ("petroleum", "1"))]
    water += [{"outlet": "W1", "pollutant": "class1:total_lead", "emission_kg": "0.5"}]
    r = calc("env", {"period": "2026-03", "water": water})
    taxed = {line.key for line in r.lines if line.key.startswith("water_W1_") and line.kind == "money"}
    # class II: BOD5 (120 eq) beats COD (100) so COD is dropped; then ammonia 50, SS 20; petroleum 10 is 4th
    assert taxed == {"water_W1_bod5", "water_W1_ammonia_nitrogen", "water_W1_suspended_solids",
                     "water_W1_total_lead"}
    assert r.amounts["water_tax"] == D("294.00")  # (120 + 50 + 20 + 20) × 1.4


def test_solid_waste_and_noise():
    """税目税额表: hazardous waste 1,000/t; noise 4–6 dB 700/month, halved when < 15 days."""
    payload = {"period": "2026-03", "solid_waste": [{"kind": "hazardous_waste", "tonnes": "1.5"}],
               "noise": [{"point": "东-昼", "over_db": 5, "days_over": 15}, {"point": "东-夜", "over_db": 16,
                                                                              "days_over": 14}]}
    a = amounts("env", payload)
    assert (a["solid_waste_tax"], a["noise_tax"], a["total"]) == (D("1500.00"), D("6300.00"), D("7800.00"))


def test_env_tax_refuses_a_water_pollutant_in_the_air_list():
    with pytest.raises(Exception, match="不属于大气"):
        calc("env", {"period": "2026-03", "air": [{"outlet": "1", "pollutant": "class2:cod", "emission_kg": "1"}]})
