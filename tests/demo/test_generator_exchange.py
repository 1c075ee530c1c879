"""The generated district follows EXCHANGE.md exactly (checked by an independent strict validator)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from zhishui.core.identifiers import parse_id_number
from zhishui.demo.generator import GeneratorConfig, generate

from .conftest import AS_OF
from .exchange_validator import SCHEMA, validate

MONEY_2 = re.compile(r"^-?\d+\.\d{2}$")


def test_generated_district_passes_the_strict_validator(district):
    assert validate(district.path, district="610303") == []


def test_every_feed_and_the_manifest_are_written(district):
    names = {p.name for p in district.path.iterdir()}
    assert {f"{feed}.csv" for feed in SCHEMA} | {"manifest.json", "truth"} <= names
    manifest = (district.path / "manifest.json").read_text(encoding="utf-8")
    assert '"extracted_at": "2026-11-26T08:00:00+08:00"' in manifest
    assert '"period": "2026-10"' in manifest
    raw = (district.path / "invoices.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw


def test_money_has_exactly_two_decimals_and_no_separators(district):
    money = {feed: [c for c, kind, _ in cols if kind == "money"] for feed, cols in SCHEMA.items()}
    for feed, columns in money.items():
        for row in district.rows(feed):
            for column in columns:
                value = row[column]
                assert value == "" or MONEY_2.match(value), (feed, column, value)


def test_invoice_lines_add_up_and_respect_the_six_fen_tolerance(district):
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    worst = Decimal(0)
    for line in district.rows("invoice_lines"):
        amount, tax, rate = Decimal(line["amount"]), Decimal(line["tax"]), Decimal(line["tax_rate"])
        worst = max(worst, abs(tax - amount * rate))
        s = sums[line["invoice_no"]]
        s[0] += amount
        s[1] += tax
    assert worst <= Decimal("0.005")  # half-up rounding of each line: well inside the 6 fen
    for inv in district.rows("invoices"):
        assert sums[inv["invoice_no"]] == [Decimal(inv["amount"]), Decimal(inv["tax"])], inv["invoice_no"]


def test_red_invoices_reverse_blue_ones_of_the_same_parties(district):
    invoices = {r["invoice_no"]: r for r in district.rows("invoices")}
    reversed_ = defaultdict(Decimal)
    reds = [r for r in invoices.values() if r["red_of"]]
    assert 0.005 < len(reds) / len(invoices) < 0.02
    for red in reds:
        blue = invoices[red["red_of"]]
        assert (blue["seller_id"], blue["buyer_id"]) == (red["seller_id"], red["buyer_id"])
        assert not blue["red_of"] and Decimal(red["amount"]) < 0
        reversed_[blue["invoice_no"]] -= Decimal(red["amount"])
    statuses = set()
    for no, amount in reversed_.items():
        blue = invoices[no]
        assert amount <= Decimal(blue["amount"])
        assert blue["status"] == ("red_reversed" if amount == Decimal(blue["amount"]) else "partly_red")
        statuses.add(blue["status"])
    assert statuses == {"red_reversed", "partly_red"}


def test_invoice_numbers_are_20_digit_and_unique_in_order_of_issue(district):
    rows = district.rows("invoices")
    numbers = [r["invoice_no"] for r in rows]
    assert len(set(numbers)) == len(numbers) and numbers == sorted(numbers)
    local = {r["taxpayer_id"] for r in district.rows("tax_registrations")}
    for r in rows:
        assert len(r["invoice_no"]) == 20 and r["invoice_no"][:2] == r["issued_at"][2:4]
        if r["seller_id"] in local:
            assert r["invoice_no"][2:4] == "61"


def _law_rate(code: str) -> set[str]:
    """Rates a general taxpayer may apply to a goods code (增值税法第十条), by the code's chapter."""
    nine = ("1030101", "1030103", "1030104", "1030107", "1100301", "10602", "301", "305", "501", "3040502")
    if code.startswith("1010"):
        return {"0.09", "0.00"}
    if code.startswith(nine):
        return {"0.09"}
    if code.startswith(("2", "3040501", "1")):
        return {"0.13"}
    return {"0.06"}


def test_vat_rates_fit_the_goods(district):
    vat = {r["taxpayer_id"]: r["vat_status"] for r in district.rows("tax_registrations")}
    seller = {r["invoice_no"]: r["seller_id"] for r in district.rows("invoices")}
    seen = set()
    for line in district.rows("invoice_lines"):
        rate, code = line["tax_rate"], line["goods_code"]
        status = vat.get(seller[line["invoice_no"]])
        allowed = _law_rate(code) | {"0.01", "0.03"}
        if status == "general":
            allowed = _law_rate(code)
        elif status == "small_scale":
            allowed = {"0.01", "0.03", "0.00"} if code.startswith("1010") else {"0.01", "0.03"}
        assert rate in allowed, (line, status)
        seen.add(rate)
    assert {"0.13", "0.09", "0.06", "0.01"} <= seen


def test_item_names_and_goods_codes(district):
    for line in district.rows("invoice_lines")[:5000]:
        assert re.match(r"^\*[^*]+\*[^*]+$", line["item_name"]) and len(line["goods_code"]) == 19


def test_persons_have_plausible_births_and_district_region_codes(district):
    ages, local = [], 0
    for row in district.rows("persons"):
        born = parse_id_number(row["id_number"], today=AS_OF).birth_date
        ages.append((AS_OF - born).days / 365.25)
        local += row["id_number"].startswith("610303")
    assert 16 <= min(ages) and max(ages) <= 80
    assert local / len(ages) > 0.6


def test_deregistration_dates_and_extraction_date(district):
    for row in district.rows("market_entities"):
        if row["deregistered_on"]:
            assert row["established_on"] <= row["deregistered_on"] < AS_OF.isoformat()
    for row in district.rows("invoices"):
        assert row["issued_at"] < AS_OF.isoformat()
        if row["deduction_confirmed_on"]:
            assert row["issued_at"][:10] <= row["deduction_confirmed_on"] < AS_OF.isoformat()
    assert all(date.fromisoformat(r["signed_on"]) < AS_OF for r in district.rows("real_estate"))


def test_the_validator_catches_broken_invariants(tmp_path):
    """The validator is only worth its silence if it speaks up: break a tiny district in known ways."""
    broken = tmp_path / "broken"
    generate(GeneratorConfig(scale=0.003, seed=5, as_of=AS_OF), broken)
    assert validate(broken) == []
    lines = (broken / "invoice_lines.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[7] = str(Decimal(cells[7]) + Decimal("0.01"))  # line amount off by a fen
    lines[1] = ",".join(cells)
    (broken / "invoice_lines.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    entities = (broken / "market_entities.csv").read_text(encoding="utf-8").splitlines()
    first = entities[1]
    uscc = first.split(",")[0]
    bad = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    entities[1] = first.replace(uscc, bad, 1)
    entities[2] = entities[2].replace(".00,", ".000,", 1)
    (broken / "market_entities.csv").write_text("\n".join(entities) + "\n", encoding="utf-8")
    problems = "\n".join(validate(broken))
    assert "lines add up to" in problems
    assert "check character" in problems
    assert "not a money string" in problems
    assert "sha256 does not match" in problems
