"""Planted schemes: present at the configured rate, labelled only in truth/, visible only as behaviour."""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from .exchange_validator import IRREGULAR_LABELS, LOOKALIKE_LABELS


def _expected(district, params) -> int:
    if params.rate <= 0:
        return 0
    base = district.summary["base"][params.base]
    return max(params.min_count, round(params.rate * base / 1000))


def _period(row) -> list[str]:
    first, last = re.search(r"period=(\d{4}-\d{2})\.\.(\d{4}-\d{2})", row["note"]).groups()
    return [first, last]


def test_labels_name_only_generated_taxpayers_and_never_overlap(district):
    registered = {r["taxpayer_id"] for r in district.rows("tax_registrations")}
    labelled = {r["taxpayer_id"] for r in district.labels}
    legit = {r["taxpayer_id"] for r in district.lookalikes}
    assert labelled and legit
    assert labelled <= registered and legit <= registered
    assert not labelled & legit
    assert {r["label"] for r in district.labels} == IRREGULAR_LABELS
    assert {r["label"] for r in district.lookalikes} <= LOOKALIKE_LABELS


@pytest.mark.parametrize("kind", sorted(IRREGULAR_LABELS))
def test_each_scheme_is_planted_at_the_configured_rate(district, kind):
    params = getattr(district.config.schemes, kind)
    assert len(district.members(kind)) == _expected(district, params)


@pytest.mark.parametrize("kind", ["seasonal", "startup", "thin_margin_trader", "near_threshold"])
def test_each_lookalike_is_present_at_the_configured_rate(district, kind):
    params = getattr(district.config.lookalikes, kind)
    assert len(district.members(f"legit_{kind}")) == _expected(district, params)


def test_labels_never_leak_into_the_feeds(district):
    ids = {r["scheme_id"] for r in district.labels + district.lookalikes}
    for path in district.path.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not any(i in text for i in ids), path.name
        for word in ("虚开", "空壳", "走逃", "骗税", "shell", "fake"):
            assert word not in text, (path.name, word)


def _months(district, first, last):
    return [m for m in district.months if first <= m <= last]


def test_fake_invoicing_rings_circulate_among_entities_of_the_same_controllers(district):
    rings = district.members("fake_invoicing_ring")
    relations = defaultdict(set)
    for r in district.rows("relations"):
        relations[r["entity_id"]].add(r["person_id"])
    for _scheme, rows in rings.items():
        members = {r["taxpayer_id"] for r in rows}
        assert 3 <= len(members) <= 6
        controllers = set(re.search(r"controllers=(\S+)", rows[0]["note"]).group(1).split("/"))
        assert all(relations[m] & controllers for m in members)  # the same people behind every member
        circular = [r for r in district.rows("invoices") if r["seller_id"] in members and r["buyer_id"] in members]
        sellers = {r["seller_id"] for r in circular}
        assert sellers == members and all(r["invoice_type"] == "special" for r in circular)
        for m in members:
            assert sum(district.kwh[m].values()) < 1000  # next to no power for millions invoiced


def test_shell_companies_invoice_heavily_with_no_staff_and_no_power(district):
    staff = {r["entity_id"] for r in district.rows("social_insurance")}
    for _scheme, rows in district.members("shell_company").items():
        tid = rows[0]["taxpayer_id"]
        first, last = _period(rows[0])
        sold = sum(district.sold[tid].get(m, 0) for m in _months(district, first, last))
        assert sold > 500_000
        assert tid not in staff
        assert sum(district.kwh.get(tid, {}).values()) == 0
        assert sum(district.bought.get(tid, {}).values()) < Decimal("0.05") * sold


def test_vanished_taxpayers_burst_then_stop(district):
    for _scheme, rows in district.members("vanished").items():
        tid = rows[0]["taxpayer_id"]
        first, last = _period(rows[0])
        gone = re.search(r"vanished=(\d{4}-\d{2})", rows[0]["note"]).group(1)
        sold = district.sold[tid]
        before = [sold.get(m, 0) for m in district.months if m < first]
        burst = [sold.get(m, 0) for m in _months(district, first, last)]
        assert max(burst) > 2 * (sum(before) / max(len(before), 1))
        assert all(sold.get(m, 0) == 0 for m in district.months if m >= gone)
        assert all(v == 0 for m, v in district.kwh.get(tid, {}).items() if m >= gone)
        unfiled = [r for r in district.returns_of(tid) if r["period"] >= last and not r["filed_at"]]
        assert unfiled


def test_sales_without_purchases(district):
    for _scheme, rows in district.members("sales_without_purchases").items():
        tid = rows[0]["taxpayer_id"]
        months = _months(district, *_period(rows[0]))
        sold = sum(district.sold[tid].get(m, 0) for m in months)
        bought = sum(district.bought[tid].get(m, 0) for m in months)
        assert sold > 0 and bought < Decimal("0.35") * sold


def test_invoicing_sits_at_the_credit_line(district):
    for _scheme, rows in district.members("invoice_cap").items():
        tid = rows[0]["taxpayer_id"]
        cap = Decimal(re.search(r"cap=(\d+)", rows[0]["note"]).group(1))
        months = _months(district, *_period(rows[0]))
        assert len(months) >= 6
        for m in months:
            assert cap * Decimal("0.90") <= district.sold[tid].get(m, 0) <= cap, (tid, m)


def test_export_refund_patterns_export_far_more_than_they_buy(district):
    exports = defaultdict(Decimal)
    for r in district.rows("customs_exports"):
        exports[r["exporter_id"]] += Decimal(r["fob_cny"])
    for _scheme, rows in district.members("export_refund_fraud").items():
        tid = rows[0]["taxpayer_id"]
        assert exports[tid] > 0 and sum(district.bought[tid].values()) < Decimal("0.5") * exports[tid]


def test_unreported_sales_declare_less_than_invoiced(district):
    for _scheme, rows in district.members("unreported_sales").items():
        tid = rows[0]["taxpayer_id"]
        first, last = _period(rows[0])
        declared = invoiced = Decimal(0)
        for r in district.returns_of(tid):
            months = _quarter_months(r["period"]) if "Q" in r["period"] else [r["period"]]
            if r["declared_sales"] and any(first <= m <= last for m in months):
                declared += Decimal(r["declared_sales"])
                invoiced += sum(district.sold[tid].get(m, 0) for m in months)
        assert invoiced > 0 and declared < Decimal("0.8") * invoiced


def _quarter_months(period: str) -> list[str]:
    y, q = period.split("-Q")
    return [f"{y}-{3 * (int(q) - 1) + k:02d}" for k in (1, 2, 3)]


def test_turnover_splitting_keeps_each_member_under_the_threshold(district):
    phones = {r["uscc"]: (r["phone"], r["address"], r["region_code"], r["industry_code"])
              for r in district.rows("market_entities")}
    for _scheme, rows in district.members("turnover_splitting").items():
        members = [r["taxpayer_id"] for r in rows]
        assert 3 <= len(members) <= 6
        assert len({phones[m][0] for m in members}) == 1  # one family's phone
        assert len({phones[m][2] for m in members}) == 1 and len({phones[m][3] for m in members}) == 1
        total = Decimal(0)
        for m in members:
            for r in district.returns_of(m):
                if r["declared_sales"]:
                    limit = 300_000 if "Q" in r["period"] else 100_000
                    assert Decimal(r["declared_sales"]) <= limit
                    total += Decimal(r["declared_sales"])
        assert total > 0


def test_bought_invoices_inflate_costs_from_suspicious_sellers(district):
    ring_or_shell = {r["taxpayer_id"] for r in district.labels
                     if r["label"] in ("fake_invoicing_ring", "shell_company")}
    for _scheme, rows in district.members("bought_invoices").items():
        tid = rows[0]["taxpayer_id"]
        months = _months(district, *_period(rows[0]))
        received = [r for r in district.rows("invoices") if r["buyer_id"] == tid and r["issued_at"][:7] in months]
        from_suspects = [r for r in received if r["seller_id"] in ring_or_shell]
        sellers = re.search(r"sellers=(\S+)", rows[0]["note"]).group(1)
        assert from_suspects or sellers == "outside"


def test_lookalikes_look_unusual_but_are_not_labelled(district):
    seasonal = district.members("legit_seasonal")
    for _scheme, rows in seasonal.items():
        sold = district.sold[rows[0]["taxpayer_id"]]
        values = sorted((sold.get(m, 0) for m in district.months), reverse=True)
        assert sum(values[:3]) > Decimal("0.6") * sum(values)
    for _scheme, rows in district.members("legit_startup").items():
        tid = rows[0]["taxpayer_id"]
        first, last = _period(rows[0])
        early = _months(district, first, last)
        assert sum(district.bought[tid].get(m, 0) for m in early) > 3 * sum(district.sold[tid].get(m, 0) for m in early)


def test_strength_and_rate_are_parameters(tmp_path):
    from zhishui.demo.generator import GeneratorConfig, generate

    from .conftest import AS_OF

    base = GeneratorConfig(scale=0.01, seed=11, as_of=AS_OF)
    schemes = dataclasses.replace(base.schemes, shell_company=dataclasses.replace(base.schemes.shell_company,
                                                                                rate=12.0, strength=2.0),
                                  vanished=dataclasses.replace(base.schemes.vanished, rate=0.0))
    summary = generate(dataclasses.replace(base, schemes=schemes), tmp_path)
    n_ent = summary["base"]["enterprises"]
    assert summary["schemes"]["shell_company"]["schemes"] == max(1, round(12.0 * n_ent / 1000))
    assert "vanished" not in summary["schemes"]
    labels = (tmp_path / "truth" / "labels.csv").read_text(encoding="utf-8")
    assert ",vanished," not in labels and ",shell_company," in labels
