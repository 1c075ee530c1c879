"""Department feeds that follow from the economy: electricity and water, social insurance, property
holdings, real-estate transactions, customs exports, and the history of filed returns."""

from __future__ import annotations

import numpy as np

from . import flows
from .entities import DELINQUENT, DILIGENT, SLOPPY
from .flows import POWER, PROPERTY, WATER, spec
from .industries import GOODS_INDEX, INDEX
from .people import EMPLOYEE, make_persons
from .world import ENTERPRISE, INDIVIDUAL, NEVER, Columns, World

DESTINATIONS = np.array(["KZ", "UZ", "RU", "US", "DE", "VN", "IN", "ID", "TH", "AE", "SA", "BR", "KG", "PK",
                         "MY", "TR", "EG", "NG"])
DEST_P = np.array([12, 8, 12, 9, 6, 7, 7, 6, 5, 5, 5, 4, 4, 5, 3, 2, 1, 1], dtype=np.float64)
CUSTOMS_OFFICE = "9016"  # synthetic 4-digit customs office code of the declaration number


def registry_alive(world: World) -> np.ndarray:
    e = world.entities
    return world.alive_fraction(e.est, e.closed) > 0


# --- electricity and water ------------------------------------------------------------------------

def utilities(world: World) -> dict:
    """Monthly consumption of metered entities, roughly proportional to what they produce or sell;
    the suppliers' invoices follow from it."""
    e, cat = world.entities, world.cat
    p = world.results["plan"]
    rng = world.rng("facts:utilities")
    n, m = len(e), world.n_months
    exists = registry_alive(world) & e.meter[:, None]
    sales = p["sales"]
    base_kwh = np.where(e.kind == ENTERPRISE, 250 * np.clip(e.revenue / 2e6, 0.3, 30) ** 0.5, 220.0)
    base_w = np.where(e.kind == ENTERPRISE, 12 * np.clip(e.revenue / 2e6, 0.3, 30) ** 0.5, 6.0)
    running = (p["alive"] > 0).astype(np.float64)
    factor = np.ones((n, m))
    for i, f in world.override("kwh").items():
        factor[i] = f
    noise = rng.lognormal(0, 0.12, size=(n, m))
    kwh = (base_kwh[:, None] * running + sales / 1e4 * cat.num["kwh"][e.ind][:, None]) * e.kwh_f[:, None]
    kwh = np.round(kwh * factor * noise)
    water = (base_w[:, None] * running + sales / 1e4 * cat.num["water"][e.ind][:, None]) * e.kwh_f[:, None]
    water = np.round(water * factor * rng.lognormal(0, 0.15, size=(n, m)), 1)
    kwh = np.where(exists, kwh, 0).astype(np.int64)
    water10 = np.where(exists, np.round(water * 10), 0).astype(np.int64)  # tenths of m³
    rows_e, rows_m = np.nonzero(exists)
    world.results["utilities"] = {"entity": rows_e, "month": rows_m, "kwh": kwh[rows_e, rows_m],
                                  "water10": water10[rows_e, rows_m]}
    return world.results["utilities"]


def utility_invoices(world: World, parties: flows.Parties) -> dict:
    u = world.results["utilities"]
    rng = world.rng("facts:utility_invoices")
    e = world.entities
    n_local = parties.n_local
    out = []
    for flow, key, supplier, price, scale in ((POWER, "kwh", 0, 0.68, 1000), (WATER, "water10", 1, 4.2, 100)):
        sel = u[key] > 0
        ent, month, qty = u["entity"][sel], u["month"][sel], u[key][sel]
        industrial = np.isin(world.cat.section[e.ind[ent]], ["B", "C", "D"])
        unit = price * np.where(industrial, 0.92, 1.0)
        amount = np.maximum(np.round(qty / (1 if key == "kwh" else 10) * unit * 100), 1).astype(np.int64)
        last = world.month_start[month + 1] - 1
        day = np.minimum(last - rng.integers(0, 4, size=len(ent)), parties.closed[ent])
        day = np.maximum(day, np.maximum(world.month_start[month], parties.est[ent]))
        out.append(spec(len(ent), seller=n_local + supplier, buyer=ent, month=month, day=day, amount=amount,
                        goods=GOODS_INDEX["power" if key == "kwh" else "water"], lines=1, flow=flow,
                        quantity=qty * scale))
    return flows.concat(out)


# --- real estate ---------------------------------------------------------------------------------

def _property_ids(world: World, rng: np.random.Generator, n: int, land_only: np.ndarray | None = None) -> np.ndarray:
    counter = world.results.setdefault("property_seq", [0])
    seq = counter[0] + np.arange(n) + 1
    counter[0] += n
    land = land_only if land_only is not None else np.zeros(n, dtype=bool)
    zone = np.where(land, 1 + (seq // 99_999) % 11, rng.integers(1, 12, size=n))
    sub = rng.integers(1, 30, size=n)
    parcel = np.where(land, seq % 99_999 + 1, (seq // 40) % 99_999 + 1)  # a land parcel's number is its own
    unit = np.where(land, 0, seq)
    kind = np.where(land, "W", "F")
    head = np.char.add(np.char.add(world.district_code, np.char.zfill(zone.astype(str), 3)),
                       np.char.zfill(sub.astype(str), 3))
    body = np.char.add(np.char.add(np.char.add(head, "GB"), np.char.zfill(parcel.astype(str), 5)), kind)
    return np.char.add(body, np.char.zfill(unit.astype(str), 8))


def real_estate(world: World, parties: flows.Parties) -> dict:
    """New homes sold by local developers to residents (with the developers' invoices), resales
    between residents, and transfers of commercial and industrial property between businesses."""
    cfg, e = world.config, world.entities
    econ = cfg.economy
    rng = world.rng("facts:real_estate")
    years = world.n_months / 12
    span = world.span_end - world.span_start + 1
    rows: list[dict] = []
    invoices = []
    developers = np.flatnonzero((e.ind == INDEX["K7010"]) & (e.closed >= NEVER) & (e.est < world.span_start)
                                & e.general)
    n_new = round(econ.new_homes_full_scale * cfg.scale * years) if len(developers) else 0
    if n_new:
        dev_w = e.revenue[developers] / e.revenue[developers].sum()
        seller = rng.choice(developers, size=n_new, p=dev_w)
        commercial = rng.random(n_new) < 0.1
        area = np.where(commercial, rng.uniform(30, 300, size=n_new),
                        np.clip(rng.lognormal(np.log(105), 0.25, size=n_new), 45, 220))
        area = np.round(area, 2)
        ppm = np.where(commercial, rng.uniform(9000, 14000, size=n_new), rng.uniform(7200, 9800, size=n_new))
        price = np.round(area * ppm / 1.09).astype(np.int64) * 100
        signed = world.span_start + rng.integers(0, span, size=n_new)
        buyers = np.where(rng.random(n_new) < 0.7, -1, rng.integers(0, len(world.persons), size=n_new))
        new_b = buyers < 0
        buyers[new_b] = make_persons(world, int(new_b.sum()), "home_buyers", ages=(23, 60))
        registered = signed + rng.integers(30, 400, size=n_new)
        rows.append({"kind": np.zeros(n_new, dtype=np.int8), "seller_party": seller,
                     "seller_person": np.full(n_new, -1), "buyer_party": np.full(n_new, -1),
                     "buyer_person": buyers, "type": np.where(commercial, 1, 0), "area": area, "price": price,
                     "signed": signed, "registered": registered,
                     "first_home": np.where(commercial, -1, (rng.random(n_new) < 0.62).astype(np.int64)),
                     "property": _property_ids(world, rng, n_new)})
        inv_day = np.minimum(signed + rng.integers(0, 20, size=n_new), world.span_end)
        invoices.append(spec(n_new, seller=seller, person=buyers, month=world.month_of(inv_day), day=inv_day,
                             amount=price, goods=np.where(commercial, GOODS_INDEX["commercial_property"],
                                                          GOODS_INDEX["housing"]),
                             lines=1, special=0, flow=PROPERTY, quantity=np.round(area * 1000).astype(np.int64)))
    n_res = round(econ.resales_full_scale * cfg.scale * years)
    if n_res:
        area = np.round(np.clip(rng.lognormal(np.log(92), 0.25, size=n_res), 40, 200), 2)
        price = np.round(area * rng.uniform(5500, 8200, size=n_res)).astype(np.int64) * 100
        signed = world.span_start + rng.integers(0, span, size=n_res)
        sellers = rng.integers(0, len(world.persons), size=n_res)
        buyers = make_persons(world, n_res, "resale_buyers", ages=(23, 65))
        rows.append({"kind": np.ones(n_res, dtype=np.int8), "seller_party": np.full(n_res, -1),
                     "seller_person": sellers, "buyer_party": np.full(n_res, -1), "buyer_person": buyers,
                     "type": np.zeros(n_res, dtype=np.int64), "area": area, "price": price, "signed": signed,
                     "registered": signed + rng.integers(15, 90, size=n_res),
                     "first_home": (rng.random(n_res) < 0.45).astype(np.int64),
                     "property": _property_ids(world, rng, n_res)})
    sellers_ok = np.flatnonzero(e.general & (e.closed >= NEVER) & (e.est < world.span_start - 365)
                                & (e.kind == ENTERPRISE) & (e.group < 0))
    n_com = round(econ.commercial_transfers_full_scale * cfg.scale * years) if len(sellers_ok) else 0
    if n_com:
        seller = rng.choice(sellers_ok, size=n_com)
        ptype = rng.choice([1, 2, 3], size=n_com, p=[0.55, 0.3, 0.15])
        area = np.round(np.where(ptype == 1, rng.uniform(60, 1500, size=n_com), rng.uniform(800, 20000, size=n_com)), 2)
        ppm = np.where(ptype == 1, rng.uniform(7000, 13000, size=n_com),
                       np.where(ptype == 2, rng.uniform(1500, 3200, size=n_com), rng.uniform(500, 1200, size=n_com)))
        price = np.round(area * ppm).astype(np.int64) * 100
        signed = world.span_start + rng.integers(0, span, size=n_com)
        to_firm = rng.random(n_com) < 0.8
        buyer_firm = rng.integers(0, len(e), size=n_com)
        buyer_firm = np.where(buyer_firm == seller, (buyer_firm + 1) % len(e), buyer_firm)
        alive_buyer = (e.est[buyer_firm] <= signed) & (e.closed[buyer_firm] >= signed) & e.has_uscc[buyer_firm]
        to_firm &= alive_buyer
        buyer_person = np.where(to_firm, -1, rng.integers(0, len(world.persons), size=n_com))
        rows.append({"kind": np.full(n_com, 2, dtype=np.int8), "seller_party": seller,
                     "seller_person": np.full(n_com, -1), "buyer_party": np.where(to_firm, buyer_firm, -1),
                     "buyer_person": buyer_person, "type": ptype, "area": area, "price": price,
                     "signed": signed, "registered": signed + rng.integers(20, 120, size=n_com),
                     "first_home": np.full(n_com, -1), "property": _property_ids(world, rng, n_com, ptype == 3)})
        inv_day = np.minimum(signed + rng.integers(0, 15, size=n_com), world.span_end)
        goods = np.where(ptype == 1, GOODS_INDEX["commercial_property"], GOODS_INDEX["industrial_property"])
        ok = (parties.closed[seller] >= inv_day) & (np.where(to_firm, parties.closed[buyer_firm], NEVER) >= inv_day)
        invoices.append({k: v[ok] for k, v in spec(
            n_com, seller=seller, buyer=np.where(to_firm, buyer_firm, -1), person=buyer_person,
            month=world.month_of(inv_day), day=inv_day, amount=price, goods=goods, lines=1, flow=PROPERTY,
            special=np.where(to_firm, 1, 0), quantity=np.round(area * 1000).astype(np.int64)).items()})
    if rows:
        table = {k: np.concatenate([r[k] for r in rows]) for k in rows[0]}
        registered = table["registered"]
        table["registered"] = np.where(registered < world.as_of_day, registered, -1)
        seq = np.arange(len(table["price"]))
        order = np.lexsort((seq, table["signed"]))
        table = {k: v[order] for k, v in table.items()}
        table["seq"] = np.arange(len(order)) + 1
    else:
        table = {}
    world.results["real_estate"] = table
    return flows.concat(invoices)


# --- property holdings ---------------------------------------------------------------------------

def property_holdings(world: World) -> None:
    e, cat = world.entities, world.cat
    rng = world.rng("facts:property")
    n = len(e)
    section = cat.section[e.ind]
    code = cat.codes[e.ind]
    p_own = np.select([section == "C", np.isin(code, ["K7010", "K7040"]), np.char.startswith(code, "F51"),
                       section == "F", section == "H", section == "E"], [0.7, 1.0, 0.3, 0.25, 0.3, 0.2], 0.12)
    p_own = np.where(e.kind == INDIVIDUAL, 0.04, p_own)
    owner = (rng.random(n) < p_own) & (e.closed >= world.span_end) & (e.group < 0) & e.has_uscc
    for s in world.schemes:
        if s.kind == "startup":
            owner[s.members] = True
        if s.kind in ("fake_invoicing_ring", "shell_company", "export_refund_fraud"):
            owner[s.members] = False
    owners = np.flatnonzero(owner)
    count = np.where(np.isin(code[owners], ["K7010", "K7040"]), rng.integers(2, 6, size=len(owners)), 1)
    own = np.repeat(owners, count)
    k = len(own)
    industrial = section[own] == "C"
    land = industrial & (rng.random(k) < 0.25)
    size = np.clip(e.revenue[own] / 1e7, 0.05, 50) ** 0.6
    area = np.where(industrial, rng.uniform(1500, 8000, size=k) * size, rng.uniform(60, 900, size=k) * size ** 0.5)
    area = np.round(area, 2)
    urban = np.array([world.townships[t].urban for t in e.town[own]])
    grade = np.where(urban, rng.integers(1, 4, size=k), rng.integers(3, 6, size=k))
    unit_cost = np.where(industrial, rng.uniform(1500, 3000, size=k), rng.uniform(5000, 11000, size=k))
    value = np.where(land, 0, np.round(area * 0.7 * unit_cost)).astype(np.int64) * 100
    rent = np.where((np.isin(code[own], ["K7040", "K7010"]) | (rng.random(k) < 0.15)) & ~land,
                    np.round(value / 100 * rng.uniform(0.04, 0.07, size=k)).astype(np.int64) * 100, -1)
    lo = np.maximum(e.est[own], world.span_start - 25 * 365)
    acquired = lo + (rng.random(k) * np.maximum(world.span_end - 30 - lo, 1)).astype(np.int64)
    acquired = np.where(e.est[own] >= world.span_start, e.est[own] + rng.integers(0, 30, size=k), acquired)
    acquired = np.minimum(acquired, world.span_end)
    ptype = np.where(land, 3, np.where(industrial, 2, 1))
    # residents who let shops to individual businesses
    n_p = round(0.04 * int((e.kind == INDIVIDUAL).sum()))
    persons = rng.integers(0, len(world.persons), size=n_p)
    p_area = np.round(rng.uniform(30, 200, size=n_p), 2)
    p_value = np.round(p_area * rng.uniform(6000, 12000, size=n_p)).astype(np.int64) * 100
    table = {
        "owner_entity": np.concatenate([own, np.full(n_p, -1)]),
        "owner_person": np.concatenate([np.full(k, -1), persons]),
        "type": np.concatenate([ptype, np.ones(n_p, dtype=np.int64)]),
        "land_area": np.concatenate([area, np.round(p_area * 0.3, 2)]),
        "grade": np.concatenate([grade, rng.integers(1, 5, size=n_p)]),
        "value": np.concatenate([value, p_value]),
        "rent": np.concatenate([rent, np.round(p_value / 100 * rng.uniform(0.04, 0.07, size=n_p)).astype(np.int64)
                                * 100]),
        "acquired": np.concatenate([acquired, world.span_start - rng.integers(200, 7000, size=n_p)]),
        "property": _property_ids(world, rng, k + n_p, np.concatenate([land, np.zeros(n_p, dtype=bool)])),
    }
    world.results["property_holdings"] = table


# --- customs ---------------------------------------------------------------------------------------

def customs(world: World) -> None:
    e, cat = world.entities, world.cat
    p = world.results["plan"]
    rng = world.rng("facts:customs")
    x = np.round(p["exports"])
    ent, month = np.nonzero(x > 0)
    value = x[ent, month]
    ticket = 3e5 * np.clip(e.revenue[ent] / 2e7, 0.2, 10) ** 0.3
    count = np.minimum(1 + rng.poisson(value / ticket), 30)
    owner = np.repeat(np.arange(len(ent)), count)
    w = rng.dirichlet([2.0], size=len(owner))[:, 0] if len(owner) == 0 else rng.gamma(2.0, size=len(owner))
    wsum = np.bincount(owner, weights=w, minlength=len(ent))
    fob = np.maximum(np.round(value[owner] * w / wsum[owner] * 100), 10_000).astype(np.int64)
    ents, months = ent[owner], month[owner]
    goods = np.empty(len(owner), dtype=np.int64)
    fallback = np.array([GOODS_INDEX["machinery"]])
    for ind in np.unique(e.ind[ents]):
        sel = e.ind[ents] == ind
        pool = cat.exportable.get(int(ind), fallback)
        goods[sel] = rng.choice(pool, size=int(sel.sum()))
    lo = np.maximum(world.month_start[months], e.est[ents])
    hi = np.minimum(world.month_start[months + 1] - 1, np.minimum(e.closed[ents], world.span_end))
    day = flows.weekday_shift(lo + np.floor(rng.random(len(owner)) * (np.maximum(hi, lo) - lo + 1)).astype(np.int64),
                              lo, np.maximum(hi, lo), rng.random(len(owner)))
    order = np.lexsort((rng.random(len(owner)), day))
    dest = rng.choice(DESTINATIONS, size=len(owner), p=DEST_P / DEST_P.sum())
    world.results["customs"] = {"entity": ents[order], "day": day[order], "goods": goods[order],
                                "fob": fob[order], "dest": dest[order]}


# --- social insurance ------------------------------------------------------------------------------

def social_insurance(world: World) -> None:
    e, rel = world.entities, world.relations
    econ = world.config.economy
    rng = world.rng("facts:social_insurance")
    n, m = len(e), world.n_months
    emp = (rel.role == EMPLOYEE) & e.si_payer[rel.entity]
    ent, wage = rel.entity[emp], rel.wage[emp]
    start, end = rel.start[emp].astype(np.int64), rel.end[emp].astype(np.int64)
    count = np.zeros((n, m), dtype=np.int64)
    base = np.zeros((n, m), dtype=np.int64)
    for k in range(m):
        last = world.month_start[k + 1] - 1
        active = (start <= last) & ((end < 0) | (end >= last))
        count[:, k] = np.bincount(ent[active], minlength=n)
        base[:, k] = np.bincount(ent[active], weights=wage[active], minlength=n).astype(np.int64)
    alive = world.results["plan"]["alive"] > 0
    count = np.where(alive, count, 0)
    lo, hi = econ.contribution_rate
    rate = rng.uniform(lo, hi, size=n)
    rows_e, rows_m = np.nonzero(count > 0)
    b = base[rows_e, rows_m]
    contribution = np.round(b * rate[rows_e]).astype(np.int64)
    world.results["social_insurance"] = {"entity": rows_e, "month": rows_m, "count": count[rows_e, rows_m],
                                         "base": b, "contribution": contribution}


# --- returns ----------------------------------------------------------------------------------------

_IIT_BANDS = ((3e4, 0.05, 0), (9e4, 0.10, 1500), (3e5, 0.20, 10500), (5e5, 0.30, 40500), (np.inf, 0.35, 65500))


def _iit_annual(income: np.ndarray) -> np.ndarray:
    tax = np.zeros_like(income)
    lower = 0.0
    for upper, rate, quick in _IIT_BANDS:
        sel = (income > lower) & (income <= upper)
        tax[sel] = income[sel] * rate - quick
        lower = upper
    return np.maximum(tax, 0)


def returns(world: World) -> None:
    """VAT (monthly for general taxpayers, quarterly for small-scale), surcharges with it, quarterly
    CIT prepayments of enterprises, business IIT of individual businesses, and monthly social
    insurance; most filed on time, some late, some never."""
    e, cat = world.entities, world.cat
    comp = world.config.compliance
    agg, plan = world.results["agg"], world.results["plan"]
    rng = world.rng("facts:returns")
    n, m = len(e), world.n_months
    uninvoiced = np.round((plan["consumer"] - plan["consumer_inv"] + plan["exports"]) * 100).astype(np.int64)
    declared = agg["out_amount"] + uninvoiced
    factor = np.ones((n, m))
    for i, f in world.override("declared").items():
        mask = ~np.isnan(f)
        factor[i, mask] = f[mask]
    concealed = factor < 1
    declared = np.where(concealed, np.round(agg["out_amount"] * factor), declared)
    avg_rate = cat.goods_rate_bp[np.maximum(cat.goods_b2c[:, 0], 0)][e.ind] / 10_000
    consumer_untaxed = np.round((plan["consumer"] - plan["consumer_inv"]) * 100).astype(np.int64)
    output_general = agg["out_tax"] + np.round(consumer_untaxed * avg_rate[:, None]).astype(np.int64)
    output_general = np.where(concealed, np.round(agg["out_tax"] * factor), output_general).astype(np.int64)
    registered = registry_alive(world)
    vanish = world.results["plan"]["vanish"]
    rows: list[dict] = []
    general = e.general
    urban = np.array([t.urban for t in world.townships])[e.town]
    sur_rate = np.where(urban, 0.12, 0.10) * np.where(general, 1.0, 0.5)
    # VAT of general taxpayers: monthly, with input credit carried forward
    carry = np.zeros(n, dtype=np.int64)
    for k in range(m):
        out_t, in_t = output_general[:, k], agg["in_tax"][:, k]
        payable = np.maximum(out_t - in_t - carry, 0)
        carry = np.maximum(carry + in_t - out_t, 0)
        sel = np.flatnonzero(general & registered[:, k])
        rows.append(_rows(sel, "vat", k, k, declared[sel, k], payable[sel]))
        rows.append(_rows(sel, "surcharges", k, k, payable[sel], np.round(payable[sel] * sur_rate[sel])))
    # quarters wholly inside the span
    quarters = [(k, k + 2) for k in range(m - 2) if world.months[k][1] in (1, 4, 7, 10)]
    for q0, q1 in quarters:
        sales = declared[:, q0:q1 + 1].sum(axis=1)
        inv_tax = agg["out_tax"][:, q0:q1 + 1].sum(axis=1)
        sp_tax = agg["special_tax"][:, q0:q1 + 1].sum(axis=1)
        untaxed = np.maximum(sales - agg["out_amount"][:, q0:q1 + 1].sum(axis=1), 0)
        over = sales > 30_000_000
        payable = np.where(over, inv_tax + np.round(untaxed * 0.01), sp_tax).astype(np.int64)
        any_reg = registered[:, q0:q1 + 1].any(axis=1)
        small = np.flatnonzero(~general & any_reg & (e.kind != 2) | (~general & any_reg & (e.kind == 2)))
        rows.append(_rows(small, "vat", q0, q1, sales[small], payable[small]))
        rows.append(_rows(small, "surcharges", q0, q1, payable[small], np.round(payable[small] * sur_rate[small])))
        # enterprises prepay CIT on the quarter's profit; individual businesses prepay business IIT
        cost_fake = np.zeros(n)
        for s in world.schemes:
            if s.kind == "bought_invoices" and s.start <= q1 and s.end >= q0:
                i = s.members[0]
                cost_fake[i] = agg["in_amount"][i, q0:q1 + 1].sum() * 0.5
        profit = np.maximum(sales * e.margin * rng.lognormal(0, 0.3, size=n) - cost_fake, 0)
        ent = np.flatnonzero((e.kind == ENTERPRISE) & any_reg)
        small_profit = profit * 4 <= 300_000_000
        cit = np.where(small_profit, profit * 0.05, profit * 0.25)
        rows.append(_rows(ent, "cit", q0, q1, sales[ent], np.round(cit[ent])))
        ib = np.flatnonzero((e.kind == INDIVIDUAL) & any_reg)
        annual = profit[ib] / 100 * 4 - 60_000
        iit = _iit_annual(np.maximum(annual, 0)) / 4 * 0.5
        rows.append(_rows(ib, "iit_business", q0, q1, sales[ib], np.round(iit * 100)))
    si = world.results["social_insurance"]
    for k in range(m):
        sel = si["month"] == k
        rows.append({"entity": si["entity"][sel], "tax_type": np.full(int(sel.sum()), "social_insurance"),
                     "first": np.full(int(sel.sum()), k), "last": np.full(int(sel.sum()), k),
                     "sales": si["base"][sel], "payable": si["contribution"][sel]})
    table = {key: np.concatenate([r[key] for r in rows]) for key in rows[0]}
    _file(world, table, comp, vanish, rng)


def _rows(idx, tax_type: str, first: int, last: int, sales, payable) -> dict:
    k = len(idx)
    return {"entity": np.asarray(idx, dtype=np.int64), "tax_type": np.full(k, tax_type),
            "first": np.full(k, first), "last": np.full(k, last),
            "sales": np.maximum(np.asarray(sales, dtype=np.int64), 0),
            "payable": np.maximum(np.asarray(payable, dtype=np.int64), 0)}


def _file(world: World, t: dict, comp, vanish: np.ndarray, rng: np.random.Generator) -> None:
    """When each return was filed (on time, late, never) and paid."""
    e = world.entities
    n = len(t["entity"])
    ent = t["entity"]
    period_end = world.month_start[t["last"] + 1] - 1
    si = t["tax_type"] == "social_insurance"
    deadline = np.where(si, period_end, period_end + 15)
    cls = e.compliance[ent]
    late_p = np.select([cls == DILIGENT, cls == SLOPPY, cls == DELINQUENT],
                       [comp.diligent_late, comp.sloppy_late, comp.delinquent_late])
    never_p = np.select([cls == DILIGENT, cls == SLOPPY, cls == DELINQUENT],
                        [comp.diligent_never, comp.sloppy_never, comp.delinquent_never])
    u = rng.random(n)
    never = u < never_p
    late = ~never & (u < never_p + late_p)
    # a taxpayer that vanished files nothing due after it left; deregistered ones owe nothing after
    gone = (vanish[ent] < world.n_months) & (world.month_start[vanish[ent]] <= deadline)
    never |= gone
    late &= ~gone
    early_days = np.where(si, rng.integers(0, 20, size=n), rng.integers(0, 14, size=n))
    earliest = np.where(si, world.month_start[t["first"]] + 5, period_end + 1)  # social insurance: in the month
    on_time_day = np.maximum(deadline - early_days, earliest)
    late_day = deadline + 1 + np.minimum(rng.geometric(1 / comp.late_mean_days, size=n), 200)
    filed = np.where(never, -1, np.where(late, late_day, on_time_day))
    filed = np.where(filed >= world.as_of_day, -1, filed)
    due = deadline < world.as_of_day
    closed = e.closed[ent]
    keep = (due | (filed >= 0)) & (closed >= period_end - 27)
    sec = (32_400 + rng.integers(0, 30_600, size=n)).astype(np.int64)
    payable = t["payable"]
    arrears = (rng.random(n) < comp.arrears_share) & (payable > 0)
    partial = arrears & (rng.random(n) < 0.5)
    paid = np.where(partial, np.round(payable * rng.uniform(0.3, 0.9, size=n)), payable).astype(np.int64)
    paid_day = np.where(arrears & ~partial, filed + rng.integers(10, 60, size=n), filed)
    paid_ok = (payable > 0) & (filed >= 0) & (paid_day < world.as_of_day)
    paid = np.where(paid_ok | (payable == 0), paid, 0)
    world.results["returns"] = {
        "entity": ent[keep], "tax_type": t["tax_type"][keep], "first": t["first"][keep], "last": t["last"][keep],
        "sales": t["sales"][keep], "payable": payable[keep], "paid": paid[keep], "filed": filed[keep],
        "filed_sec": sec[keep], "paid_day": np.where(paid_ok, paid_day, -1)[keep],
        "paid_sec": (sec + rng.integers(60, 1800, size=n))[keep], "deadline": deadline[keep],
    }


__all__ = ["Columns", "customs", "property_holdings", "real_estate", "returns", "social_insurance", "utilities",
           "utility_invoices"]
