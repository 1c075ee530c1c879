"""A strict validator of a feed directory against /work/shared/EXCHANGE.md (version 1).

Written from the contract, independently of the generator (it imports nothing from it), so a
generator bug cannot hide behind a shared definition. ``validate(path)`` returns a list of
problems, each naming the file, line, column and reason; an empty list means the directory
passes. It checks the rules for every feed (encoding, canonical headers, types, enums, keys), the
invoice invariants (line sums to the fen, the 6-fen tolerance, red invoices), references between
feeds, the manifest's row counts and checksums, and the truth files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from zhishui.core import regions
from zhishui.core.errors import ValidationFailure
from zhishui.core.identifiers import classify, parse_id_number, parse_invoice_number, parse_uscc

MONEY = re.compile(r"^-?\d{1,16}(\.\d{1,2})?$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
RATE = re.compile(r"^\d(\.\d+)?$")
INTEGER = re.compile(r"^-?\d+$")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$")
INDUSTRY = re.compile(r"^[A-T]\d{4}$")
GOODS = re.compile(r"^\d{19}$")
HS = re.compile(r"^\d{8,10}$")
ISO2 = re.compile(r"^[A-Z]{2}$")
DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2})?$")

# feed -> [(column, type, required)]; enum types are tuples of values
R, O = True, False  # noqa: E741 - required / optional, read as a table
SCHEMA: dict[str, list[tuple[str, object, bool]]] = {
    "market_entities": [("uscc", "uscc", R), ("name", "text", R),
                        ("entity_type", ("enterprise", "individual_business", "other"), R),
                        ("established_on", "date", R), ("status", ("active", "deregistered", "revoked"), R),
                        ("deregistered_on", "date", O), ("registered_capital", "money", O),
                        ("industry_code", "industry", R), ("region_code", "region9", R), ("address", "text", R),
                        ("legal_rep_id", "id_number", R), ("phone", "text", O)],
    "tax_registrations": [("taxpayer_id", "taxpayer_id", R), ("name", "text", R),
                          ("taxpayer_kind", ("enterprise", "individual_business", "natural_person", "other"), R),
                          ("vat_status", ("general", "small_scale", "none"), R), ("registered_on", "date", R),
                          ("tax_office", "text", R), ("officer_id", "text", R),
                          ("state", ("normal", "abnormal", "deregistered"), R),
                          ("urban_class", ("city", "county_town", "other"), R)],
    "persons": [("id_number", "id_number", R), ("name", "text", R), ("region_code", "region", R),
                ("phone", "text", O)],
    "relations": [("person_id", "id_number", R), ("entity_id", "taxpayer_id", R),
                  ("role", ("legal_rep", "shareholder", "finance", "tax_agent", "employee"), R),
                  ("share_ratio", "rate", O), ("start_on", "date", R), ("end_on", "date", O)],
    "social_insurance": [("entity_id", "taxpayer_id", R), ("month", "month", R), ("insured_count", "integer", R),
                         ("wage_base", "money", R), ("contribution", "money", R)],
    "utilities": [("entity_id", "taxpayer_id", R), ("month", "month", R), ("electricity_kwh", "decimal", R),
                  ("water_m3", "decimal", R)],
    "real_estate": [("transaction_id", "text", R), ("property_id", "text", R), ("seller_id", "taxpayer_id", R),
                    ("buyer_id", "taxpayer_id", R),
                    ("property_type", ("residential", "commercial", "industrial", "land"), R),
                    ("area_m2", "decimal", R), ("contract_price", "money", R), ("signed_on", "date", R),
                    ("registered_on", "date", O), ("buyer_first_home", ("true", "false"), O)],
    "property_holdings": [("property_id", "text", R), ("owner_id", "taxpayer_id", R),
                          ("property_type", ("residential", "commercial", "industrial", "land"), R),
                          ("land_area_m2", "decimal", R), ("land_grade", "integer", R),
                          ("original_value", "money", R), ("annual_rent", "money", O), ("acquired_on", "date", R)],
    "customs_exports": [("declaration_no", "text", R), ("exporter_id", "uscc", R), ("export_date", "date", R),
                        ("hs_code", "hs", R), ("goods_name", "text", R), ("fob_cny", "money", R),
                        ("destination", "iso2", R)],
    "invoices": [("invoice_no", "invoice_no", R), ("invoice_type", ("special", "ordinary"), R),
                 ("issued_at", "datetime", R), ("seller_id", "taxpayer_id", R), ("buyer_id", "taxpayer_id", O),
                 ("buyer_name", "text", R), ("amount", "money", R), ("tax", "money", R),
                 ("status", ("normal", "red_reversed", "partly_red"), R), ("red_of", "invoice_no", O),
                 ("deduction_confirmed_on", "date", O)],
    "invoice_lines": [("invoice_no", "invoice_no", R), ("line_no", "integer", R), ("goods_code", "goods", R),
                      ("item_name", "text", R), ("unit", "text", O), ("quantity", "decimal", O),
                      ("unit_price", "decimal", O), ("amount", "money", R), ("tax_rate", "rate", R),
                      ("tax", "money", R)],
    "returns": [("taxpayer_id", "taxpayer_id", R),
                ("tax_type", ("vat", "cit", "iit_business", "property_behaviour", "surcharges", "social_insurance"), R),
                ("period", "period", R), ("declared_sales", "money", O), ("tax_payable", "money", O),
                ("tax_paid", "money", O), ("filed_at", "datetime", O), ("paid_at", "datetime", O)],
}
KEYS = {
    "market_entities": ("uscc",), "tax_registrations": ("taxpayer_id",), "persons": ("id_number",),
    "relations": ("person_id", "entity_id", "role", "start_on"), "social_insurance": ("entity_id", "month"),
    "utilities": ("entity_id", "month"), "real_estate": ("transaction_id",), "property_holdings": ("property_id",),
    "customs_exports": ("declaration_no",), "invoices": ("invoice_no",), "invoice_lines": ("invoice_no", "line_no"),
    "returns": ("taxpayer_id", "tax_type", "period", "filed_at"),
}
TRUTH_HEADER = ["taxpayer_id", "label", "scheme_id", "note"]
IRREGULAR_LABELS = {"fake_invoicing_ring", "shell_company", "vanished", "sales_without_purchases", "invoice_cap",
                    "export_refund_fraud", "unreported_sales", "turnover_splitting", "bought_invoices"}
LOOKALIKE_LABELS = {"legit_seasonal", "legit_startup", "legit_thin_margin_trader", "legit_near_threshold",
                    "legit_bookkeeping_agency"}


class Report:
    def __init__(self, limit: int = 200):
        self.problems: list[str] = []
        self.limit = limit

    def add(self, where: str, message: str) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(f"{where}: {message}")


class _Cache:
    """Identifier checks are the slow part: validate each distinct value once."""

    def __init__(self):
        self.seen: dict[tuple[str, str], str | None] = {}

    def check(self, kind: str, value: str) -> str | None:
        key = (kind, value)
        if key not in self.seen:
            self.seen[key] = self._check(kind, value)
        return self.seen[key]

    @staticmethod
    def _check(kind: str, value: str) -> str | None:
        try:
            if kind == "uscc":
                if parse_uscc(value).code != value:
                    return "not in canonical form"
            elif kind == "id_number":
                if len(value) != 18 or parse_id_number(value).number != value:
                    return "not an 18-character ID number in canonical form"
            elif kind == "taxpayer_id":
                c = classify(value)
                if not c.valid:
                    return f"invalid taxpayer id ({c.detail})"
                if c.kind == "legacy_taxpayer_no":
                    return "legacy taxpayer number (the generator never writes one)"
            elif kind == "invoice_no":
                parse_invoice_number(value)
            elif kind == "region9":
                if len(value) != 9 or regions.resolve(value).level != regions.TOWNSHIP:
                    return "not a 9-digit township code"
            elif kind == "region":
                if len(value) not in (6, 9):
                    return "not a 6- or 9-digit code"
                regions.resolve(value)
        except ValidationFailure as exc:
            return exc.errors[0].message_en
        return None


def _check_value(kind, value: str, cache: _Cache) -> str | None:
    if isinstance(kind, tuple):
        return None if value in kind else f"not one of {', '.join(kind)}"
    if kind == "text":
        return None if value.strip() == value and value else "blank or padded text"
    if kind == "money":
        return None if MONEY.match(value) else "not a money string (at most 2 decimals, no separators)"
    if kind == "decimal":
        return None if DECIMAL.match(value) else "not a decimal"
    if kind == "rate":
        return None if RATE.match(value) and Decimal(value) <= 1 else "not a rate"
    if kind == "integer":
        return None if INTEGER.match(value) else "not an integer"
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "not a YYYY-MM-DD date"
        return None if len(value) == 10 else "not a YYYY-MM-DD date"
    if kind == "datetime":
        if not DATETIME.match(value):
            return "not an ISO 8601 datetime"
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return "not an ISO 8601 datetime"
        return None
    if kind == "month":
        return None if MONTH.match(value) else "not YYYY-MM"
    if kind == "period":
        return None if PERIOD.match(value) else "not YYYY-MM, YYYY-Qn or YYYY"
    if kind == "industry":
        return None if INDUSTRY.match(value) else "not a GB/T 4754 class with its section letter"
    if kind == "goods":
        return None if GOODS.match(value) else "not a 19-digit goods code"
    if kind == "hs":
        return None if HS.match(value) else "not an 8-10 digit HS code"
    if kind == "iso2":
        return None if ISO2.match(value) else "not an ISO 3166 alpha-2 code"
    return cache.check(kind, value)


def read_feed(path: Path, feed: str, report: Report, cache: _Cache) -> list[dict[str, str]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        report.add(path.name, f"not UTF-8: {exc}")
        return []
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        report.add(path.name, "CR line endings")
    reader = csv.reader(text.splitlines())
    header = next(reader, [])
    expected = [c for c, _, _ in SCHEMA[feed]]
    if header != expected:
        report.add(path.name, f"header {header} is not the canonical {expected}")
        return []
    rows = []
    for lineno, cells in enumerate(reader, start=2):
        if len(cells) != len(header):
            report.add(f"{path.name}:{lineno}", f"{len(cells)} cells, expected {len(header)}")
            continue
        row = dict(zip(header, cells, strict=True))
        for column, kind, required in SCHEMA[feed]:
            value = row[column]
            if value == "":
                if required:
                    report.add(f"{path.name}:{lineno}:{column}", "required value missing")
                continue
            problem = _check_value(kind, value, cache)
            if problem:
                report.add(f"{path.name}:{lineno}:{column}", f"{value!r}: {problem}")
        row["_line"] = str(lineno)
        rows.append(row)
    keys = KEYS[feed]
    seen = set()
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key in seen:
            report.add(f"{path.name}:{row['_line']}", f"duplicate key {key}")
        seen.add(key)
    return rows


def validate(directory: str | Path, *, district: str | None = None) -> list[str]:
    d = Path(directory)
    report = Report()
    cache = _Cache()
    data: dict[str, list[dict[str, str]]] = {}
    for feed in SCHEMA:
        path = d / f"{feed}.csv"
        if not path.exists():
            report.add(feed, "feed file missing")
            data[feed] = []
            continue
        data[feed] = read_feed(path, feed, report, cache)
    manifest = _manifest(d, report)
    extracted = manifest.get("extracted_at", "")
    as_of = date.fromisoformat(extracted[:10]) if extracted else date.max
    _registers(data, report, as_of, district)
    _invoices(data, report, as_of)
    _others(data, report, as_of)
    _truth(d, data, report)
    return report.problems


def _manifest(d: Path, report: Report) -> dict:
    path = d / "manifest.json"
    if not path.exists():
        report.add("manifest.json", "missing")
        return {}
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key in ("source", "extracted_at", "period", "feeds"):
        if key not in manifest:
            report.add("manifest.json", f"missing {key}")
    if set(manifest) - {"source", "extracted_at", "period", "feeds"}:
        report.add("manifest.json", f"keys outside the contract: {sorted(set(manifest))}")
    if not PERIOD.match(manifest.get("period", "")):
        report.add("manifest.json", "period is not a period")
    try:
        datetime.fromisoformat(manifest.get("extracted_at", ""))
    except ValueError:
        report.add("manifest.json", "extracted_at is not ISO 8601")
    for feed, info in manifest.get("feeds", {}).items():
        path = d / f"{feed}.csv"
        if feed not in SCHEMA or not path.exists():
            report.add("manifest.json", f"lists {feed}, which is not a feed file here")
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
        if info.get("sha256") != digest:
            report.add("manifest.json", f"{feed}: sha256 does not match the file")
        if info.get("rows") != rows:
            report.add("manifest.json", f"{feed}: rows {info.get('rows')} but the file has {rows}")
    missing = set(SCHEMA) - set(manifest.get("feeds", {}))
    if missing:
        report.add("manifest.json", f"feeds not listed: {sorted(missing)}")
    return manifest


def _registers(data, report: Report, as_of: date, district: str | None) -> None:
    persons = {r["id_number"] for r in data["persons"]}
    taxpayers = {r["taxpayer_id"]: r for r in data["tax_registrations"]}
    for r in data["market_entities"]:
        where = f"market_entities.csv:{r['_line']}"
        if r["legal_rep_id"] not in persons:
            report.add(where, "legal_rep_id is not in persons")
        if r["uscc"] not in taxpayers:
            report.add(where, "market entity without a tax registration")
        closed = r["status"] in ("deregistered", "revoked")
        if closed != bool(r["deregistered_on"]):
            report.add(where, "deregistered_on must be set exactly when deregistered or revoked")
        if r["deregistered_on"] and r["deregistered_on"] < r["established_on"]:
            report.add(where, "deregistered before it was established")
        if r["established_on"] > as_of.isoformat():
            report.add(where, "established after the extraction date")
        if district and not r["region_code"].startswith(district):
            report.add(where, f"region {r['region_code']} outside district {district}")
        if r["uscc"][:2] != {"enterprise": "91", "individual_business": "92", "other": "93"}[r["entity_type"]]:
            report.add(where, "USCC type code does not match entity_type")
    for r in data["tax_registrations"]:
        if r["registered_on"] > as_of.isoformat():
            report.add(f"tax_registrations.csv:{r['_line']}", "registered after the extraction date")
    shares: dict[str, Decimal] = defaultdict(Decimal)
    for r in data["relations"]:
        where = f"relations.csv:{r['_line']}"
        if r["person_id"] not in persons:
            report.add(where, "person_id is not in persons")
        if r["entity_id"] not in taxpayers:
            report.add(where, "entity_id is not a registered taxpayer")
        if (r["role"] == "shareholder") != bool(r["share_ratio"]):
            report.add(where, "share_ratio is for shareholders only (and they need one)")
        if r["end_on"] and r["end_on"] < r["start_on"]:
            report.add(where, "ends before it starts")
        if r["start_on"] > as_of.isoformat():
            report.add(where, "starts after the extraction date")
        if r["role"] == "shareholder" and not r["end_on"]:
            shares[r["entity_id"]] += Decimal(r["share_ratio"])
    for entity, total in shares.items():
        if total > Decimal("1.0001"):
            report.add("relations.csv", f"current shares of {entity} add up to {total} > 1")


def _invoices(data, report: Report, as_of: date) -> None:
    invoices = {r["invoice_no"]: r for r in data["invoices"]}
    sums: dict[str, list] = {}
    for r in data["invoice_lines"]:
        where = f"invoice_lines.csv:{r['_line']}"
        no = r["invoice_no"]
        if no not in invoices:
            report.add(where, "line of an unknown invoice")
            continue
        amount, tax, rate = Decimal(r["amount"]), Decimal(r["tax"]), Decimal(r["tax_rate"])
        if abs(tax - amount * rate) > Decimal("0.06"):
            report.add(where, f"|tax - amount x rate| = {abs(tax - amount * rate)} > 0.06")
        s = sums.setdefault(no, [Decimal(0), Decimal(0), []])
        s[0] += amount
        s[1] += tax
        s[2].append(int(r["line_no"]))
        if r["quantity"] and r["unit_price"]:
            if abs(Decimal(r["quantity"]) * Decimal(r["unit_price"]) - amount) > Decimal("0.01") + abs(
                    Decimal(r["quantity"])) * Decimal("0.000001"):
                report.add(where, "quantity x unit_price differs from amount")
    reds: dict[str, Decimal] = defaultdict(Decimal)
    for no, r in invoices.items():
        where = f"invoices.csv:{r['_line']}"
        s = sums.get(no)
        if s is None:
            report.add(where, "invoice without lines")
            continue
        if s[0] != Decimal(r["amount"]) or s[1] != Decimal(r["tax"]):
            report.add(where, f"lines add up to {s[0]} / {s[1]}, invoice says {r['amount']} / {r['tax']}")
        if sorted(s[2]) != list(range(1, len(s[2]) + 1)):
            report.add(where, "line numbers are not 1..n")
        issued = datetime.fromisoformat(r["issued_at"]).date()
        if issued > as_of:
            report.add(where, "issued after the extraction date")
        if str(issued.year % 100).zfill(2) != no[:2]:
            report.add(where, "the number's year is not the year of issue")
        if r["invoice_type"] == "special" and not r["buyer_id"]:
            report.add(where, "a special invoice needs the buyer's taxpayer id")
        if r["deduction_confirmed_on"]:
            confirmed = date.fromisoformat(r["deduction_confirmed_on"])
            if confirmed < issued or confirmed > as_of:
                report.add(where, "deduction confirmed outside [issued, extracted]")
            if r["invoice_type"] != "special" or r["red_of"]:
                report.add(where, "deduction confirmation of a red or ordinary invoice")
        if r["red_of"]:
            blue = invoices.get(r["red_of"])
            if blue is None:
                report.add(where, "red_of names no invoice in the file")
                continue
            if blue["red_of"]:
                report.add(where, "red_of names a red invoice")
            if blue["seller_id"] != r["seller_id"] or blue["buyer_id"] != r["buyer_id"]:
                report.add(where, "red invoice of another seller or buyer")
            if Decimal(r["amount"]) >= 0:
                report.add(where, "red invoice amount is not negative")
            if int(blue["_line"]) > int(r["_line"]):
                report.add(where, "red invoice precedes its blue invoice in the file")
            if datetime.fromisoformat(r["issued_at"]) < datetime.fromisoformat(blue["issued_at"]):
                report.add(where, "red invoice issued before its blue invoice")
            reds[r["red_of"]] += -Decimal(r["amount"])
        elif Decimal(r["amount"]) < 0:
            report.add(where, "negative amount on a blue invoice")
    for no, r in invoices.items():
        if r["red_of"]:
            continue
        reversed_ = reds.get(no, Decimal(0))
        amount = Decimal(r["amount"])
        where = f"invoices.csv:{r['_line']}"
        if reversed_ > amount:
            report.add(where, f"red invoices reverse {reversed_}, more than the blue {amount}")
        expected = "normal" if not reversed_ else ("red_reversed" if reversed_ == amount else "partly_red")
        if r["status"] != expected:
            report.add(where, f"status {r['status']} but reversed {reversed_} of {amount}")


def _others(data, report: Report, as_of: date) -> None:
    taxpayers = {r["taxpayer_id"] for r in data["tax_registrations"]}
    for feed in ("social_insurance", "utilities"):
        for r in data[feed]:
            if r["entity_id"] not in taxpayers:
                report.add(f"{feed}.csv:{r['_line']}", "entity_id is not a registered taxpayer")
            if r["month"] >= as_of.isoformat()[:7]:
                report.add(f"{feed}.csv:{r['_line']}", "month not before the extraction month")
    for r in data["social_insurance"]:
        if int(r["insured_count"]) <= 0:
            report.add(f"social_insurance.csv:{r['_line']}", "no insured staff")
    for r in data["returns"]:
        where = f"returns.csv:{r['_line']}"
        if r["taxpayer_id"] not in taxpayers:
            report.add(where, "taxpayer is not registered")
        filed = bool(r["filed_at"])
        amounts = [r["declared_sales"], r["tax_payable"], r["tax_paid"]]
        if not filed and (any(amounts) or r["paid_at"]):
            report.add(where, "a return never filed carries amounts")
        if filed and not all(amounts):
            report.add(where, "a filed return without its amounts")
        if filed and datetime.fromisoformat(r["filed_at"]).date() > as_of:
            report.add(where, "filed after the extraction date")
        if filed and Decimal(r["tax_paid"]) > Decimal(r["tax_payable"]):
            report.add(where, "paid more than payable")
    for r in data["customs_exports"]:
        where = f"customs_exports.csv:{r['_line']}"
        if not re.match(r"^\d{18}$", r["declaration_no"]):
            report.add(where, "declaration number is not 18 digits")
        if r["exporter_id"] not in taxpayers:
            report.add(where, "exporter is not registered")
    for r in data["real_estate"]:
        where = f"real_estate.csv:{r['_line']}"
        if (r["property_type"] == "residential") != bool(r["buyer_first_home"]):
            report.add(where, "buyer_first_home is for residential property only")
        if r["registered_on"] and r["registered_on"] < r["signed_on"]:
            report.add(where, "registered before signing")


def _truth(d: Path, data, report: Report) -> None:
    taxpayers = {r["taxpayer_id"] for r in data["tax_registrations"]}
    for name, allowed in (("labels.csv", IRREGULAR_LABELS), ("lookalikes.csv", LOOKALIKE_LABELS)):
        path = d / "truth" / name
        if not path.exists():
            report.add(f"truth/{name}", "missing")
            continue
        rows = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        if rows[0] != TRUTH_HEADER:
            report.add(f"truth/{name}", f"header {rows[0]}")
        for lineno, row in enumerate(rows[1:], start=2):
            if row[0] not in taxpayers:
                report.add(f"truth/{name}:{lineno}", "names a taxpayer that was not generated")
            if row[1] not in allowed:
                report.add(f"truth/{name}:{lineno}", f"unknown label {row[1]}")
            if not re.search(r"period=\d{4}-\d{2}\.\.\d{4}-\d{2}", row[3]):
                report.add(f"truth/{name}:{lineno}", "note without the scheme's period")
