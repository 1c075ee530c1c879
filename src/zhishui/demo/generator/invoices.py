"""From invoice specifications to invoices and lines: type, lines, goods, amounts, VAT, red
invoices, numbers and the buyers' deduction confirmations.

Amounts are integer fen throughout. Line amounts are split from the invoice amount so that they add
up to it exactly; each line's tax is its amount times its rate, rounded half-up to the fen, and the
invoice's tax is the sum of its lines' taxes. A red invoice negates lines of a blue invoice of the
same seller and buyer, never more than the blue amount.
"""

from __future__ import annotations

import numpy as np

from . import flows
from .flows import B2B_EXTERNAL, B2B_LOCAL, B2C, INCOMING, POWER, PROPERTY, SCHEME, WATER, Parties, ranges
from .world import World

NORMAL, RED_REVERSED, PARTLY_RED = 0, 1, 2
_LAMBDA = {B2B_LOCAL: 0.8, B2B_EXTERNAL: 0.8, B2C: 0.35, INCOMING: 0.7, POWER: 0.0, WATER: 0.0,
           PROPERTY: 0.0, SCHEME: 0.4}


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _clock(rng: np.random.Generator, flow: np.ndarray) -> np.ndarray:
    n = len(flow)
    business = 30_600 + np.floor(rng.beta(2.2, 2.2, size=n) * 34_200)
    consumer = 32_400 + np.floor(rng.beta(2.5, 1.8, size=n) * 46_800)
    batch = 7_200 + np.floor(rng.random(n) * 7_200)
    sec = np.where(flow == B2C, consumer, np.where((flow == POWER) | (flow == WATER), batch, business))
    return sec.astype(np.int32)


def materialize(world: World, parties: Parties, sp: dict[str, np.ndarray]) -> tuple[dict, dict]:
    """Blue invoices and their lines from specifications."""
    cat = world.cat
    rng = world.rng("invoices:lines")
    n = len(sp["seller"])
    seller, buyer, flow = sp["seller"], sp["buyer"], sp["flow"]
    sgen = parties.general[seller]
    has_buyer = buyer >= 0
    bgen = np.where(has_buyer, parties.general[np.maximum(buyer, 0)], False)
    u = rng.random(n)
    auto = np.where(~has_buyer, False, np.where(sgen, np.where(bgen, u < 0.95, u < 0.08), bgen & (u < 0.4)))
    special = np.where(sp["special"] >= 0, sp["special"] == 1, auto)
    lam = np.zeros(n)
    for f, v in _LAMBDA.items():
        lam[flow == f] = v
    nl = np.where(sp["lines"] > 0, sp["lines"], 1 + np.minimum(rng.poisson(lam), 6)).astype(np.int64)
    nl = np.where(sp["amount"] < 100 * nl, 1, nl)
    nl = np.where(sp["quantity"] >= 0, 1, nl)
    inv = np.repeat(np.arange(n), nl)
    starts = np.zeros(n, dtype=np.int64)
    starts[1:] = np.cumsum(nl)[:-1]
    m = len(inv)
    # goods: the seller's business or consumer assortment, unless the specification names it
    goods = np.empty(m, dtype=np.int64)
    ind_line = parties.ind[seller][inv]
    consumer_line = (flow == B2C)[inv]
    chunk = 2_000_000
    for s in range(0, m, chunk):
        sl = slice(s, s + chunk)
        il = ind_line[sl]
        cl = consumer_line[sl]
        cum = np.where(cl[:, None], cat.goods_b2c_cum[il], cat.goods_b2b_cum[il])
        idx = np.where(cl[:, None], cat.goods_b2c[il], cat.goods_b2b[il])
        k = (cum < rng.random(len(il))[:, None]).sum(axis=1)
        k = np.minimum(k, idx.shape[1] - 1)
        pick = idx[np.arange(len(il)), k]
        goods[sl] = np.where(pick >= 0, pick, idx[:, 0])
    fixed_goods = sp["goods"][inv]
    goods = np.where(fixed_goods >= 0, fixed_goods, goods)
    # line amounts add up exactly to the invoice amount
    total = sp["amount"]
    w = rng.exponential(1.0, size=m)
    wsum = np.add.reduceat(w, starts) if m else np.zeros(0)
    share = w / wsum[inv]
    amount = np.floor((total[inv] - nl[inv]) * share).astype(np.int64) + 1
    rest = total - np.add.reduceat(amount, starts) if m else total
    amount[starts] += rest
    # rates: general taxpayers by the goods, small-scale at the 1 % levy (3 % on some special
    # invoices), farm producers and vegetables exempt
    rate = cat.goods_rate_bp[goods]
    small = ~sgen[inv]
    three = (rng.random(n) < 0.25) & special
    rate = np.where(small, np.where(three[inv], 300, 100), rate)
    exempt = cat.goods_exempt[goods]
    producer = cat.section[parties.ind[seller]] == "A"
    rate = np.where((exempt == 2) | ((exempt == 1) & producer[inv]), 0, rate)
    tax = (amount * rate + 5000) // 10000
    # quantity (thousandths) and unit price (millionths of a yuan)
    price = cat.goods_price_fen[goods] * rng.lognormal(0, 0.25, size=m)
    qty = np.maximum(1, np.round(amount / np.maximum(price, 1))).astype(np.int64) * 1000
    qty = np.minimum(qty, 10**12)
    fixed_qty = sp["quantity"][inv]
    qty = np.where(fixed_qty >= 0, fixed_qty, qty)
    unit_price = (amount * 10_000_000 * 2 + qty) // (2 * qty)
    invoices = {
        "seller": seller, "buyer": buyer, "person": sp["person"], "flow": flow, "special": special,
        "day": sp["day"].astype(np.int32), "sec": np.where(sp["sec"] >= 0, sp["sec"], _clock(rng, flow)),
        "amount": total, "tax": np.add.reduceat(tax, starts) if m else np.zeros(0, dtype=np.int64),
        "status": np.zeros(n, dtype=np.int8), "red_of": np.full(n, -1, dtype=np.int64),
        "fast": sp["fast"], "line_start": starts, "nl": nl,
    }
    lines = {"inv": inv, "goods": goods, "qty": qty, "unit_price": unit_price, "amount": amount, "rate": rate,
             "tax": tax}
    return invoices, lines


def add_reds(world: World, parties: Parties, inv: dict, lines: dict) -> tuple[dict, dict]:
    """Red invoices: full or partial reversals of some blue invoices, issued days to weeks later
    while both parties still exist."""
    econ = world.config.economy
    rng = world.rng("invoices:red")
    n = len(inv["seller"])
    last = np.minimum(world.span_end, parties.closed[inv["seller"]])
    last = np.minimum(last, np.where(inv["buyer"] >= 0, parties.closed[np.maximum(inv["buyer"], 0)], last))
    eligible = ~np.isin(inv["flow"], [POWER, WATER]) & (inv["day"] <= last - 2)
    pick = np.flatnonzero(eligible & (rng.random(n) < econ.red_rate))
    if not len(pick):
        return inv, lines
    lag = 1 + np.minimum(rng.geometric(1 / 12, size=len(pick)), 90)
    red_day = np.minimum(inv["day"][pick] + lag, last[pick])
    nl = inv["nl"][pick]
    start = inv["line_start"][pick]
    last = start + nl - 1
    q_last = lines["qty"][last]
    full = (rng.random(len(pick)) < econ.red_full_share) | ((nl == 1) & (q_last <= 1000))
    # full reversal: every line negated
    f_inv = np.flatnonzero(full)
    f_lines = np.repeat(start[f_inv], nl[f_inv]) + ranges(nl[f_inv])
    f_owner = np.repeat(np.arange(len(f_inv)), nl[f_inv])
    # partial: some units of the last line, or the whole last line of a multi-line invoice
    p_inv = np.flatnonzero(~full)
    p_line = last[p_inv]
    q = lines["qty"][p_line]
    units = np.where(q > 1000, np.maximum(1, np.floor(q / 1000 * rng.uniform(0.1, 0.7, size=len(p_inv)))) * 1000,
                     q).astype(np.int64)
    p_amount = np.where(units >= q, lines["amount"][p_line],
                        (lines["amount"][p_line] * units * 2 + q) // (2 * q))
    p_amount = np.maximum(p_amount, 1)
    p_rate = lines["rate"][p_line]
    p_tax = (p_amount * p_rate + 5000) // 10000
    # assemble red invoices (full ones first, then partial)
    order = np.concatenate([f_inv, p_inv])
    blue = pick[order]
    k = len(order)
    red_nl = np.concatenate([nl[f_inv], np.ones(len(p_inv), dtype=np.int64)])
    base = len(lines["inv"])
    red_start = base + np.concatenate([[0], np.cumsum(red_nl)[:-1]]).astype(np.int64)
    new_idx = n + np.arange(k)
    r_lines = {
        "inv": np.concatenate([new_idx[f_owner], new_idx[len(f_inv):]]),
        "goods": np.concatenate([lines["goods"][f_lines], lines["goods"][p_line]]),
        "qty": -np.concatenate([lines["qty"][f_lines], units]),
        "unit_price": np.concatenate([lines["unit_price"][f_lines], lines["unit_price"][p_line]]),
        "amount": -np.concatenate([lines["amount"][f_lines], p_amount]),
        "rate": np.concatenate([lines["rate"][f_lines], p_rate]),
        "tax": -np.concatenate([lines["tax"][f_lines], p_tax]),
    }
    r_amount = np.concatenate([-inv["amount"][pick[f_inv]], -p_amount])
    r_tax = np.concatenate([-inv["tax"][pick[f_inv]], -p_tax])
    status = inv["status"]
    status[pick[f_inv]] = RED_REVERSED
    status[pick[p_inv]] = PARTLY_RED
    r_day = red_day[order].astype(np.int32)
    r_flow = inv["flow"][blue]
    red = {
        "seller": inv["seller"][blue], "buyer": inv["buyer"][blue], "person": inv["person"][blue],
        "flow": r_flow, "special": inv["special"][blue], "day": r_day, "sec": _clock(rng, np.full(k, B2B_LOCAL)),
        "amount": r_amount, "tax": r_tax, "status": np.zeros(k, dtype=np.int8), "red_of": blue,
        "fast": np.zeros(k, dtype=bool), "line_start": red_start, "nl": red_nl,
    }
    out_inv = {key: np.concatenate([inv[key], red[key]]) for key in inv}
    out_lines = {key: np.concatenate([lines[key], r_lines[key]]) for key in lines}
    return out_inv, out_lines


def number(world: World, parties: Parties, inv: dict, province: np.ndarray, channel: np.ndarray) -> None:
    """20-digit 数电票 numbers: year, province, channel, and a sequence in order of issue."""
    rng = world.rng("invoices:numbers")
    n = len(inv["seller"])
    ts = inv["day"].astype(np.int64) * 86_400 + inv["sec"]
    order = np.lexsort((rng.random(n), ts))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    base = int(rng.integers(10**11, 10**12))
    inv["seq"] = base + rank
    yy = _year(inv["day"].astype(np.int64)) % 100
    inv["head"] = yy * 1000 + province[inv["seller"]].astype(np.int64) * 10 + channel[inv["seller"]]


def confirm(world: World, parties: Parties, inv: dict) -> None:
    """Buyers' 用途确认 of special invoices received by local general taxpayers."""
    econ = world.config.economy
    rng = world.rng("invoices:confirm")
    n = len(inv["seller"])
    buyer = inv["buyer"]
    local = (buyer >= 0) & (buyer < parties.n_local)
    b = np.maximum(buyer, 0)
    blue = inv["red_of"] < 0
    ok = blue & inv["special"] & local & parties.general[b] & (inv["status"] != RED_REVERSED)
    ok &= inv["fast"] | (rng.random(n) < econ.deduction_confirm_rate)
    lag = np.where(inv["fast"], rng.integers(0, 4, size=n), np.minimum(rng.geometric(1 / 9, size=n) - 1, 45))
    day = inv["day"].astype(np.int64) + lag
    ok &= (day < world.as_of_day) & (day <= parties.closed[b])
    inv["confirm"] = np.where(ok, day, -1).astype(np.int32)


def aggregate(world: World, parties: Parties, inv: dict) -> None:
    """Per local entity and month: invoiced sales and tax, special-invoice tax, confirmed input tax."""
    n, m = parties.n_local, world.n_months
    month = world.month_of(inv["day"].astype(np.int64))
    inside = (month >= 0) & (month < m)
    seller = inv["seller"]
    sel = inside & (seller < n)
    key = seller[sel] * m + month[sel]
    out_amount = np.bincount(key, weights=inv["amount"][sel], minlength=n * m).reshape(n, m)
    out_tax = np.bincount(key, weights=inv["tax"][sel], minlength=n * m).reshape(n, m)
    sp = sel & inv["special"]
    key_sp = seller[sp] * m + month[sp]
    special_tax = np.bincount(key_sp, weights=inv["tax"][sp], minlength=n * m).reshape(n, m)
    special_amount = np.bincount(key_sp, weights=inv["amount"][sp], minlength=n * m).reshape(n, m)
    conf = inv["confirm"].astype(np.int64)
    cm = world.month_of(np.where(conf >= 0, conf, 0))
    cs = (conf >= 0) & (cm >= 0) & (cm < m)
    key_c = inv["buyer"][cs] * m + cm[cs]
    in_tax = np.bincount(key_c, weights=inv["tax"][cs], minlength=n * m).reshape(n, m)
    buyer = inv["buyer"]
    bsel = inside & (buyer >= 0) & (buyer < n)
    key_b = buyer[bsel] * m + month[bsel]
    in_amount = np.bincount(key_b, weights=inv["amount"][bsel], minlength=n * m).reshape(n, m)
    world.results["agg"] = {"out_amount": np.round(out_amount).astype(np.int64),
                            "out_tax": np.round(out_tax).astype(np.int64),
                            "special_tax": np.round(special_tax).astype(np.int64),
                            "special_amount": np.round(special_amount).astype(np.int64),
                            "in_tax": np.round(in_tax).astype(np.int64),
                            "in_amount": np.round(in_amount).astype(np.int64)}


def bought_locally(world: World, b2b: dict) -> np.ndarray:
    """(entities, months) yuan that local sellers invoiced to each local buyer."""
    n, m = len(world.entities), world.n_months
    sel = b2b["flow"] == B2B_LOCAL
    key = b2b["buyer"][sel] * m + b2b["month"][sel].astype(np.int64)
    return np.bincount(key, weights=b2b["amount"][sel] / 100, minlength=n * m).reshape(n, m)


__all__ = ["add_reds", "aggregate", "bought_locally", "confirm", "flows", "materialize", "number"]
