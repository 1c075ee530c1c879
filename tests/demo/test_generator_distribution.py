"""The district behaves like Jintai: industry mix, size tail, places, people, compliance."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import numpy as np

from zhishui.core import regions
from zhishui.demo.generator.industries import INDUSTRIES

VA = {ind.code: ind.va for ind in INDUSTRIES}


def _sector(code: str) -> int:
    return 1 if code[0] == "A" else 2 if code[0] in "BCDE" else 3


def _planted(district) -> set[str]:
    return {r["taxpayer_id"] for r in district.labels + district.lookalikes}


def test_value_added_mix_matches_the_configured_sectors(district):
    target = district.config.economy.sector_value_added
    band = district.config.economy.sector_band
    for got, want in zip(district.summary["sector_value_added"], target, strict=True):
        assert abs(got - want) <= band
    # the same mix, measured from what the feeds say: declared VAT sales x value-added ratio
    industry = {r["uscc"]: r["industry_code"] for r in district.rows("market_entities")}
    planted = _planted(district)
    va = defaultdict(Decimal)
    for r in district.rows("returns"):
        code = industry.get(r["taxpayer_id"])
        if r["tax_type"] == "vat" and r["declared_sales"] and code and r["taxpayer_id"] not in planted:
            va[_sector(code)] += Decimal(r["declared_sales"]) * Decimal(str(VA[code]))
    total = sum(va.values())
    for s, want in zip((1, 2, 3), target, strict=True):
        assert abs(float(va[s] / total) - want) <= 2 * band, (s, float(va[s] / total))


def test_manufacturing_of_machinery_materials_and_food_stands_out(district):
    codes = Counter(r["industry_code"] for r in district.rows("market_entities") if r["industry_code"][0] == "C")
    groups = Counter()
    for code, n in codes.items():
        key = "machinery" if code[1:3] in ("34", "35", "36", "37") else "materials" if code[1:3] in (
            "30", "31", "32", "33") else "food" if code[1:3] in ("13", "14", "15") else "other"
        groups[key] += n
    assert groups["machinery"] + groups["materials"] + groups["food"] > 2 * groups["other"]


def test_firm_sizes_are_heavy_tailed(district):
    sales = defaultdict(Decimal)
    planted = _planted(district)
    for r in district.rows("returns"):
        if r["tax_type"] == "vat" and r["declared_sales"] and r["taxpayer_id"] not in planted:
            sales[r["taxpayer_id"]] += Decimal(r["declared_sales"])
    values = np.array(sorted((float(v) for v in sales.values() if v > 0), reverse=True))
    top = max(1, len(values) // 100)
    assert values[:top].sum() / values.sum() >= district.config.economy.top1_share_min
    assert np.median(values) < 1_000_000  # most taxpayers are micro
    assert district.summary["top1_sales_share"] >= district.config.economy.top1_share_min


def test_individual_businesses_outnumber_enterprises_three_to_one(district):
    kinds = Counter(r["entity_type"] for r in district.rows("market_entities"))
    assert 2.6 <= kinds["individual_business"] / kinds["enterprise"] <= 3.4
    assert kinds["other"] > 0
    registrations = district.rows("tax_registrations")
    by_id = [r for r in registrations if len(r["taxpayer_id"]) == 18 and r["taxpayer_id"][6:8] in ("19", "20")
             and r["taxpayer_kind"] == "individual_business"]
    assert by_id, "some individual businesses are registered by the owner's ID number"
    assert len(by_id) < 0.15 * kinds["individual_business"]


def test_streets_are_denser_in_services_and_towns_in_farming_and_industry(district):
    kind = {t.code: t.kind for t in regions.townships("610303")}
    assert len(kind) == 11
    tallies = {"街道": Counter(), "镇": Counter()}
    used = set()
    for r in district.rows("market_entities"):
        used.add(r["region_code"])
        section = r["industry_code"][0]
        tallies[kind[r["region_code"]]]["primary+industry" if section in "AC" else
                                        "services" if section not in "BDE" else "other"] += 1
    assert used == set(kind)
    street, town = tallies["街道"], tallies["镇"]
    assert street["services"] / sum(street.values()) > town["services"] / sum(town.values()) + 0.15
    assert town["primary+industry"] / sum(town.values()) > street["primary+industry"] / sum(street.values()) + 0.15


def test_entities_are_founded_and_closed_over_time(district):
    first = district.months[0] + "-01"
    rows = district.rows("market_entities")
    founded = [r for r in rows if r["established_on"] >= first]
    closed = [r for r in rows if r["deregistered_on"] and r["deregistered_on"] >= first]
    closed_before = [r for r in rows if r["deregistered_on"] and r["deregistered_on"] < first]
    n = len(rows)
    assert 0.05 < len(founded) / n < 0.2 and 0.02 < len(closed) / n < 0.12 and closed_before


def test_people_sit_behind_several_entities(district):
    legal, agents = Counter(), Counter()
    roles = Counter()
    for r in district.rows("relations"):
        roles[r["role"]] += 1
        if r["role"] == "legal_rep":
            legal[r["person_id"]] += 1
        if r["role"] == "tax_agent":
            agents[r["person_id"]] += 1
    assert set(roles) == {"legal_rep", "shareholder", "finance", "tax_agent", "employee"}
    assert sum(1 for n in legal.values() if n >= 2) > 0.02 * len(legal)
    assert max(agents.values()) >= 8  # a bookkeeping clerk files for many small firms
    persons = {r["id_number"] for r in district.rows("persons")}
    assert {r["legal_rep_id"] for r in district.rows("market_entities")} <= persons


def _deadline(period: str, tax_type: str) -> date:
    y = int(period[:4])
    m = int(period[-1]) * 3 if "Q" in period else int(period[5:7])
    if tax_type == "social_insurance":
        return date(y, m, calendar.monthrange(y, m)[1])
    return date(y + (m == 12), m % 12 + 1, 15)


def test_filing_compliance_within_the_configured_bands(district):
    c = district.config.compliance
    counts = Counter()
    for r in district.rows("returns"):
        if not r["filed_at"]:
            counts["never"] += 1
        elif date.fromisoformat(r["filed_at"][:10]) <= _deadline(r["period"], r["tax_type"]):
            counts["on_time"] += 1
        else:
            counts["late"] += 1
    n = sum(counts.values())
    for key, (lo, hi) in (("on_time", c.on_time_band), ("late", c.late_band), ("never", c.never_band)):
        assert lo <= counts[key] / n <= hi, (key, counts[key] / n)


def test_returns_follow_the_filing_calendar(district):
    vat = {r["taxpayer_id"]: r["vat_status"] for r in district.rows("tax_registrations")}
    kinds = {r["taxpayer_id"]: r["taxpayer_kind"] for r in district.rows("tax_registrations")}
    seen = Counter()
    for r in district.rows("returns"):
        t, p = r["tax_type"], r["period"]
        seen[t] += 1
        if t == "vat":
            assert ("Q" in p) == (vat[r["taxpayer_id"]] == "small_scale"), r
        if t == "cit":
            assert "Q" in p and kinds[r["taxpayer_id"]] == "enterprise"
        if t == "iit_business":
            assert "Q" in p and kinds[r["taxpayer_id"]] == "individual_business"
    assert set(seen) == {"vat", "surcharges", "cit", "iit_business", "social_insurance"}


def test_declared_sales_cover_invoiced_sales_for_honest_taxpayers(district):
    planted = _planted(district)
    below = total = 0
    for r in district.rows("returns"):
        if r["tax_type"] != "vat" or not r["declared_sales"] or "Q" in r["period"] or r["taxpayer_id"] in planted:
            continue
        invoiced = district.sold[r["taxpayer_id"]].get(r["period"], Decimal(0))
        total += 1
        below += Decimal(r["declared_sales"]) + Decimal("0.05") < invoiced
    assert total and below == 0


def test_invoice_volume_and_flows(district):
    n = len(district.rows("invoices"))
    assert abs(n - 5_000_000 * 0.02) < 0.1 * 5_000_000 * 0.02
    types = Counter(r["invoice_type"] for r in district.rows("invoices"))
    assert 0.15 < types["special"] / n < 0.45
    consumers = sum(1 for r in district.rows("invoices") if not r["buyer_id"])
    assert 0.2 < consumers / n < 0.6


def test_special_invoices_to_local_general_taxpayers_are_mostly_confirmed(district):
    general = {r["taxpayer_id"] for r in district.rows("tax_registrations") if r["vat_status"] == "general"}
    eligible = [r for r in district.rows("invoices") if r["invoice_type"] == "special" and not r["red_of"]
                and r["buyer_id"] in general and r["status"] != "red_reversed"]
    confirmed = sum(1 for r in eligible if r["deduction_confirmed_on"])
    assert confirmed / len(eligible) > 0.85


def test_electricity_follows_activity(district):
    kinds = {r["uscc"]: r["entity_type"] for r in district.rows("market_entities")}
    xs, ys = [], []
    for tid, months in district.kwh.items():
        if kinds.get(tid) != "enterprise":
            continue
        sold = district.sold.get(tid, {})
        xs.append(float(sum(sold.values())))
        ys.append(sum(months.values()))
    rank = lambda v: np.argsort(np.argsort(v))  # noqa: E731
    assert np.corrcoef(rank(np.array(xs)), rank(np.array(ys)))[0, 1] > 0.4


def test_exporters_declare_customs_and_property_and_real_estate_exist(district):
    exporters = {r["exporter_id"] for r in district.rows("customs_exports")}
    kinds = {r["uscc"]: r["entity_type"] for r in district.rows("market_entities")}
    assert exporters and all(kinds[e] == "enterprise" for e in exporters)
    types = Counter(r["property_type"] for r in district.rows("real_estate"))
    assert types["residential"] > types["commercial"] > 0
    holdings = Counter(r["property_type"] for r in district.rows("property_holdings"))
    assert {"commercial", "industrial"} <= set(holdings)
    assert sum(1 for r in district.rows("real_estate") if not r["registered_on"]) > 0  # presales not yet registered


def test_social_insurance_matches_employee_relations(district):
    for r in district.rows("social_insurance")[:2000]:
        assert int(r["insured_count"]) > 0
        base, paid = Decimal(r["wage_base"]), Decimal(r["contribution"])
        assert Decimal("0.28") * base <= paid <= Decimal("0.35") * base
        assert Decimal(3800) * int(r["insured_count"]) <= base
