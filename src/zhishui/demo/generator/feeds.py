"""The feeds of EXCHANGE.md built from a generated world, column by column, in key order.

Repeated strings (taxpayer ids, names, goods codes) are Arrow lookup tables indexed by integer
arrays, so a five-million-row feed never builds five million Python strings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from . import schemes
from .entities import ABNORMAL, DEREGISTERED, REVOKED, TAX_DEREGISTERED
from .facts import CUSTOMS_OFFICE
from .flows import ranges
from .people import ROLES
from .world import World
from .writer import (
    _join,
    dates,
    datetimes,
    fixed,
    integers,
    money,
    padded,
    table,
    take,
    write_feed,
    write_rows,
)

FEEDS = ("market_entities", "tax_registrations", "persons", "relations", "social_insurance", "utilities",
         "real_estate", "property_holdings", "customs_exports", "invoices", "invoice_lines", "returns")
HEADERS = {
    "market_entities": ["uscc", "name", "entity_type", "established_on", "status", "deregistered_on",
                        "registered_capital", "industry_code", "region_code", "address", "legal_rep_id", "phone"],
    "tax_registrations": ["taxpayer_id", "name", "taxpayer_kind", "vat_status", "registered_on", "tax_office",
                          "officer_id", "state", "urban_class"],
    "persons": ["id_number", "name", "region_code", "phone"],
    "relations": ["person_id", "entity_id", "role", "share_ratio", "start_on", "end_on"],
    "social_insurance": ["entity_id", "month", "insured_count", "wage_base", "contribution"],
    "utilities": ["entity_id", "month", "electricity_kwh", "water_m3"],
    "real_estate": ["transaction_id", "property_id", "seller_id", "buyer_id", "property_type", "area_m2",
                    "contract_price", "signed_on", "registered_on", "buyer_first_home"],
    "property_holdings": ["property_id", "owner_id", "property_type", "land_area_m2", "land_grade",
                          "original_value", "annual_rent", "acquired_on"],
    "customs_exports": ["declaration_no", "exporter_id", "export_date", "hs_code", "goods_name", "fob_cny",
                        "destination"],
    "invoices": ["invoice_no", "invoice_type", "issued_at", "seller_id", "buyer_id", "buyer_name", "amount", "tax",
                 "status", "red_of", "deduction_confirmed_on"],
    "invoice_lines": ["invoice_no", "line_no", "goods_code", "item_name", "unit", "quantity", "unit_price",
                      "amount", "tax_rate", "tax"],
    "returns": ["taxpayer_id", "tax_type", "period", "declared_sales", "tax_payable", "tax_paid", "filed_at",
                "paid_at"],
}
TRUTH_HEADER = ["taxpayer_id", "label", "scheme_id", "note"]
KIND = table(["enterprise", "individual_business", "other"])
STATUS = table(["active", "deregistered", "revoked"])
STATE = table(["normal", "abnormal", "deregistered"])
PROPERTY_TYPES = table(["residential", "commercial", "industrial", "land"])
INVOICE_STATUS = table(["normal", "red_reversed", "partly_red"])  # invoices.NORMAL, RED_REVERSED, PARTLY_RED
INVOICE_TYPE = table(["ordinary", "special"])
BOOL = table(["false", "true"])


class Tables:
    """Lookup tables of one world."""

    def __init__(self, world: World):
        r, e, x, p, cat = world.results, world.entities, world.externals, world.persons, world.cat
        self.n_local = len(e)
        self.n_party = len(e) + len(x)
        self.tid = table(r["taxpayer_id"])
        self.party_id = table(np.concatenate([r["taxpayer_id"], x.id]))
        self.party_name = table(np.concatenate([r["entity_name"], x.name]))
        self.entity_name = table(r["entity_name"])
        self.person_id = table(p.id)
        self.person_name = table(p.name)
        self.months = table([world.month_label(k) for k in range(world.n_months)])
        self.industry = table(cat.codes)
        self.towns = table([t.code for t in world.townships])
        self.goods_code = table(cat.goods_code)
        self.goods_item = table(cat.goods_item)
        self.goods_unit = table(cat.goods_unit)
        self.goods_name = table(cat.goods_name)
        self.goods_hs = table(cat.goods_hs)
        # buyers: parties, then persons, then the anonymous consumer
        self.buyer_id = table(np.concatenate([r["taxpayer_id"], x.id, p.id, [""]]))
        self.buyer_name = table(np.concatenate([r["entity_name"], x.name, p.name, ["个人"]]))


def write_all(world: World, out: Path, progress) -> dict:
    files = {}
    r = world.results
    e = world.entities
    ids = r["taxpayer_id"]
    persons = world.persons
    t = Tables(world)

    # --- registers ------------------------------------------------------------------------------
    market = np.flatnonzero(e.has_uscc)
    market = market[np.argsort(ids[market], kind="stable")]
    closed_status = np.isin(e.status, [DEREGISTERED, REVOKED])
    address, phone, capital = table(r["entity_address"]), table(r["entity_phone"]), np.round(e.capital * 100)
    files["market_entities"] = write_feed(
        out / "market_entities.csv", HEADERS["market_entities"], len(market),
        lambda i: [take(t.tid, i), take(t.entity_name, i), take(KIND, e.kind[i]), dates(e.est[i]),
                   take(STATUS, e.status[i]), dates(np.where(closed_status[i], e.closed[i], -1)),
                   money(capital[i].astype(np.int64)), take(t.industry, e.ind[i]), take(t.towns, e.town[i]),
                   take(address, i), take(t.person_id, r["legal_rep"][i]), take(phone, i)], order=market)
    progress.advance("market_entities")
    offset = world.rng("feeds:registration").integers(0, 25, size=len(e))
    registered_on = np.minimum(e.est + offset, np.minimum(e.closed, world.as_of_day - 1))
    taxpayers = np.argsort(ids, kind="stable")
    state = np.where(e.tax_state == TAX_DEREGISTERED, 2, np.where(e.tax_state == ABNORMAL, 1, 0))
    urban = table(["city" if tw.urban else "county_town" for tw in world.townships])
    vat = table(["small_scale", "general"])
    office, officer = table(r["tax_office"]), table(r["officer_id"])
    files["tax_registrations"] = write_feed(
        out / "tax_registrations.csv", HEADERS["tax_registrations"], len(taxpayers),
        lambda i: [take(t.tid, i), take(t.entity_name, i), take(KIND, e.kind[i]), take(vat, e.general[i]),
                   dates(registered_on[i]), take(office, i), take(officer, i), take(STATE, state[i]),
                   take(urban, e.town[i])], order=taxpayers)
    progress.advance("tax_registrations")
    order = np.argsort(persons.id, kind="stable")
    region, mobile = table(persons.region), table(persons.phone)
    files["persons"] = write_feed(
        out / "persons.csv", HEADERS["persons"], len(order),
        lambda i: [take(t.person_id, i), take(t.person_name, i), take(region, i), take(mobile, i)], order=order)
    rel = world.relations
    keep = np.flatnonzero(rel.start < world.as_of_day)
    end = np.where(rel.end >= 0, np.maximum(rel.end, rel.start), -1)
    end = np.where(end >= world.as_of_day, -1, end)
    roles = table(ROLES)
    order = keep[np.lexsort((rel.start[keep], persons.id[rel.person[keep]], rel.role[keep], ids[rel.entity[keep]]))]
    files["relations"] = write_feed(
        out / "relations.csv", HEADERS["relations"], len(order),
        lambda i: [take(t.person_id, rel.person[i]), take(t.tid, rel.entity[i]), take(roles, rel.role[i]),
                   fixed(rel.share_bp[i], 4, null=rel.share_bp[i] < 0), dates(rel.start[i]), dates(end[i])],
        order=order)
    progress.advance("persons and relations")

    # --- department feeds ---------------------------------------------------------------------------
    si = r["social_insurance"]
    order = np.lexsort((si["month"], ids[si["entity"]]))
    files["social_insurance"] = write_feed(
        out / "social_insurance.csv", HEADERS["social_insurance"], len(order),
        lambda i: [take(t.tid, si["entity"][i]), take(t.months, si["month"][i]), integers(si["count"][i]),
                   money(si["base"][i]), money(si["contribution"][i])], order=order)
    u = r["utilities"]
    order = np.lexsort((u["month"], ids[u["entity"]]))
    files["utilities"] = write_feed(
        out / "utilities.csv", HEADERS["utilities"], len(order),
        lambda i: [take(t.tid, u["entity"][i]), take(t.months, u["month"][i]), integers(u["kwh"][i]),
                   fixed(u["water10"][i], 1)], order=order)
    progress.advance("social insurance and utilities")
    files["real_estate"] = _real_estate(world, out, t)
    files["property_holdings"] = _holdings(world, out, t)
    files["customs_exports"] = _customs(world, out, t)
    progress.advance("property and customs")
    files.update(_invoices(world, out, t, progress))
    files["returns"] = _returns(world, out, t)
    progress.advance("returns")
    return files


def _party_or_person(party: np.ndarray, person: np.ndarray, n_party: int) -> np.ndarray:
    """Index into the buyer tables: a party, else a person (after the parties)."""
    return np.where(party >= 0, party, n_party + np.maximum(person, 0))


def _real_estate(world: World, out: Path, t: Tables) -> dict:
    d = world.results["real_estate"]
    n = len(d.get("price", []))
    if not n:
        return write_feed(out / "real_estate.csv", HEADERS["real_estate"], 0, lambda i: [])
    month = np.datetime_as_string(d["signed"].astype("datetime64[D]"), unit="M")
    prefix = np.where(d["kind"] == 0, "YS", np.where(d["kind"] == 1, "CS", "ZR"))
    tid = table(np.char.add(np.char.add(np.char.add(world.district_code, prefix), np.char.replace(month, "-", "")),
                            np.char.zfill(d["seq"].astype(str), 6)))
    seller = _party_or_person(d["seller_party"], d["seller_person"], t.n_party)
    buyer = _party_or_person(d["buyer_party"], d["buyer_person"], t.n_party)
    prop = table(d["property"])
    area = np.round(d["area"] * 100).astype(np.int64)
    return write_feed(
        out / "real_estate.csv", HEADERS["real_estate"], n,
        lambda i: [take(tid, i), take(prop, i), take(t.buyer_id, seller[i]), take(t.buyer_id, buyer[i]),
                   take(PROPERTY_TYPES, d["type"][i]), fixed(area[i], 2), money(d["price"][i]),
                   dates(d["signed"][i]), dates(d["registered"][i]),
                   take(BOOL, d["first_home"][i], null=d["first_home"][i] < 0)])


def _holdings(world: World, out: Path, t: Tables) -> dict:
    d = world.results["property_holdings"]
    owner = np.where(d["owner_entity"] >= 0, d["owner_entity"], t.n_party + np.maximum(d["owner_person"], 0))
    order = np.argsort(d["property"], kind="stable")
    prop = table(d["property"])
    area = np.round(d["land_area"] * 100).astype(np.int64)
    return write_feed(
        out / "property_holdings.csv", HEADERS["property_holdings"], len(order),
        lambda i: [take(prop, i), take(t.buyer_id, owner[i]), take(PROPERTY_TYPES, d["type"][i]),
                   fixed(area[i], 2), integers(d["grade"][i]), money(d["value"][i]),
                   money(d["rent"][i], null=d["rent"][i] < 0), dates(d["acquired"][i])], order=order)


def _customs(world: World, out: Path, t: Tables) -> dict:
    c = world.results["customs"]
    n = len(c["entity"])
    years = c["day"].astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    seq = int(world.rng("feeds:customs").integers(10**7, 5 * 10**7)) + np.arange(n)
    dest = table(c["dest"])
    return write_feed(
        out / "customs_exports.csv", HEADERS["customs_exports"], n,
        lambda i: [_join(pa.scalar(CUSTOMS_OFFICE), integers(years[i]), pa.scalar("0"), padded(seq[i], 9)),
                   take(t.tid, c["entity"][i]), dates(c["day"][i]), take(t.goods_hs, c["goods"][i]),
                   take(t.goods_name, c["goods"][i]), money(c["fob"][i]), take(dest, i)])


def _number(head: np.ndarray, seq: np.ndarray) -> pa.Array:
    return _join(padded(head, 5), padded(seq, 15))


def _invoices(world: World, out: Path, t: Tables, progress) -> dict:
    inv, lines = world.results["invoices"], world.results["lines"]
    n = len(inv["seller"])
    order = np.lexsort((inv["seq"], inv["head"]))
    head, seq = inv["head"], inv["seq"]
    buyer = np.where(inv["buyer"] >= 0, inv["buyer"],
                     np.where(inv["person"] >= 0, t.n_party + inv["person"], t.n_party + len(world.persons)))
    anonymous = (inv["buyer"] < 0) & (inv["person"] < 0)
    red_of = inv["red_of"]
    blue = np.maximum(red_of, 0)
    numbers = _number(head, seq)  # built once, taken by invoices, red_of and lines
    files = {}
    files["invoices"] = write_feed(
        out / "invoices.csv", HEADERS["invoices"], n,
        lambda i: [take(numbers, i), take(INVOICE_TYPE, inv["special"][i].astype(np.int64)),
                   datetimes(inv["day"][i], inv["sec"][i]), take(t.party_id, inv["seller"][i]),
                   take(t.buyer_id, buyer[i], null=anonymous[i]), take(t.buyer_name, buyer[i]),
                   money(inv["amount"][i]), money(inv["tax"][i]), take(INVOICE_STATUS, inv["status"][i]),
                   take(numbers, blue[i], null=red_of[i] < 0), dates(inv["confirm"][i])],
        order=order)
    progress.advance("invoices")
    nl = inv["nl"]
    line_order = np.repeat(inv["line_start"][order], nl[order]) + ranges(nl[order])
    line_inv = lines["inv"]
    line_no = np.empty(len(line_inv), dtype=np.int64)
    line_no[np.repeat(inv["line_start"], nl) + ranges(nl)] = ranges(nl) + 1
    goods = lines["goods"]
    files["invoice_lines"] = write_feed(
        out / "invoice_lines.csv", HEADERS["invoice_lines"], len(line_order),
        lambda i: [take(numbers, line_inv[i]), integers(line_no[i]),
                   take(t.goods_code, goods[i]), take(t.goods_item, goods[i]), take(t.goods_unit, goods[i]),
                   fixed(lines["qty"][i], 3, trim=True), fixed(lines["unit_price"][i], 6, trim=True),
                   money(lines["amount"][i]), fixed(np.asarray(lines["rate"][i]) // 100, 2), money(lines["tax"][i])],
        order=line_order)
    progress.advance("invoice lines")
    return files


def _returns(world: World, out: Path, t: Tables) -> dict:
    d = world.results["returns"]
    ids = world.results["taxpayer_id"]
    first = d["first"]
    quarterly = d["last"] != first
    labels = [world.month_label(k) for k in range(world.n_months)]
    labels += [f"{y:04d}-Q{(mo - 1) // 3 + 1}" for y, mo in world.months]
    periods = table(labels)
    period = np.where(quarterly, world.n_months + first, first)
    types = sorted(set(d["tax_type"].tolist()))
    type_table = table(types)
    type_idx = np.searchsorted(np.array(types), d["tax_type"])
    order = np.lexsort((d["filed"], np.array(labels)[period], d["tax_type"], ids[d["entity"]]))
    unfiled = d["filed"] < 0
    unpaid = d["paid_day"] < 0
    return write_feed(
        out / "returns.csv", HEADERS["returns"], len(order),
        lambda i: [take(t.tid, d["entity"][i]), take(type_table, type_idx[i]), take(periods, period[i]),
                   money(d["sales"][i], null=unfiled[i]), money(d["payable"][i], null=unfiled[i]),
                   money(d["paid"][i], null=unfiled[i]), datetimes(d["filed"][i], d["filed_sec"][i]),
                   datetimes(d["paid_day"][i], d["paid_sec"][i], null=unfiled[i] | unpaid[i])], order=order)


def write_truth(world: World, out: Path) -> dict:
    truth = out / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    return {
        "labels": write_rows(truth / "labels.csv", TRUTH_HEADER, schemes.label_rows(world, False)),
        "lookalikes": write_rows(truth / "lookalikes.csv", TRUTH_HEADER, schemes.label_rows(world, True)),
    }
