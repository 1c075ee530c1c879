"""Who sells how much to whom, month by month: the plan that invoices, returns and utilities share.

``plan`` turns each entity's annual sales into a monthly matrix (season, noise, life span and the
overrides planted schemes set), split into business sales, consumer sales (partly invoiced) and
exports, with the invoiced purchases it needs. ``local_and_consumer`` and ``incoming`` then draw
invoice *specifications* (seller, buyer, month, amount) along supply chains: a seller picks a small
set of regular customers among the industries that buy from its industry, weighted by how much
they buy; a buyer sources what local sellers did not supply from firms outside the district in its
upstream industries. All of it is arrays; no Python loop runs per invoice.
"""

from __future__ import annotations

import numpy as np

from .industries import INDEX, SEASONS
from .world import NEVER, World

SEASON_NAMES = list(SEASONS)

B2B_LOCAL, B2B_EXTERNAL, B2C, INCOMING, POWER, WATER, PROPERTY, SCHEME = range(8)
FLOW_NAMES = ("b2b_local", "b2b_external", "b2c", "incoming", "power", "water", "property", "scheme")

SPEC_FIELDS = {
    "seller": np.int64, "buyer": np.int64, "person": np.int64, "month": np.int16, "day": np.int32,
    "sec": np.int32, "amount": np.int64, "goods": np.int16, "special": np.int8, "lines": np.int8,
    "flow": np.int8, "fast": bool, "quantity": np.int64,
}

_SERVICES_ONLY = ("H6210", "L7241", "K7040", "I6513", "L7259")


def spec(n: int, **values) -> dict[str, np.ndarray]:
    """Invoice specifications with defaults: anonymous buyer, automatic day, goods, type and lines."""
    defaults = {"buyer": -1, "person": -1, "day": -1, "sec": -1, "goods": -1, "special": -1, "lines": -1,
                "fast": False, "quantity": -1, "month": 0, "flow": SCHEME}
    out = {}
    for name, dtype in SPEC_FIELDS.items():
        value = values.get(name, defaults.get(name))
        arr = np.asarray(value, dtype=dtype)
        out[name] = np.full(n, arr, dtype=dtype) if arr.ndim == 0 else arr
    return out


def concat(specs: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    specs = [s for s in specs if len(s["seller"])]
    if not specs:
        return spec(0, seller=np.array([], dtype=np.int64), amount=np.array([], dtype=np.int64))
    return {k: np.concatenate([s[k] for s in specs]) for k in SPEC_FIELDS}


def plan(world: World) -> None:
    e, cat = world.entities, world.cat
    n, m = len(e), world.n_months
    rng = world.rng("plan")
    cal = np.array([mo - 1 for _, mo in world.months])
    season = cat.season[e.ind][:, cal]
    custom = np.flatnonzero(e.season >= 0)
    if len(custom):
        table = np.array([SEASONS[k] for k in SEASON_NAMES], dtype=np.float64)
        table /= table.mean(axis=1, keepdims=True)
        season[custom] = table[e.season[custom]][:, cal]
    alive = world.alive_fraction(e.est, e.closed)
    vanish = np.full(n, m, dtype=np.int64)
    for i, v in world.override("vanish").items():
        vanish[i] = int(v[0])
        alive[i, int(v[0]):] = 0
    noise = rng.lognormal(-0.0113, 0.15, size=(n, m))
    sales = e.revenue[:, None] / 12 * season * noise * alive
    for i, mult in world.override("activity").items():
        sales[i] *= mult
    for i, fixed in world.override("fixed_sales").items():
        sales[i] = fixed * (alive[i] > 0)
    exports = sales * e.export_share[:, None]
    consumer = (sales - exports) * e.b2c[:, None]
    consumer_inv = consumer * e.b2c_inv[:, None]
    business = sales - exports - consumer
    business_inv = business.copy()
    for i, off in world.override("invoicing_off").items():  # a scheme issues this entity's invoices
        business_inv[i, off.astype(bool)] = 0
        consumer_inv[i, off.astype(bool)] = 0
    purchases = sales * (e.inputs * e.inv_input)[:, None]
    for i, f in world.override("purchases").items():
        purchases[i] *= f
    world.results["plan"] = {"sales": sales, "exports": exports, "consumer": consumer,
                             "consumer_inv": consumer_inv, "business": business_inv,
                             "purchases": purchases, "alive": alive, "vanish": vanish}


# --- helpers ----------------------------------------------------------------------------------------

def ranges(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each k in ``counts``, concatenated."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.cumsum(counts) - counts
    return np.arange(total, dtype=np.int64) - np.repeat(starts, counts)


def draw_rows(rng: np.random.Generator, weights: np.ndarray, owners: np.ndarray,
              chunk: int = 1_000_000) -> np.ndarray:
    """For each owner, a column index drawn in proportion to ``weights[owner]`` (rows must be > 0)."""
    cum = np.cumsum(weights, axis=1)
    total = cum[:, -1:].copy()
    total[total <= 0] = 1
    cum /= total
    out = np.empty(len(owners), dtype=np.int16)
    for s in range(0, len(owners), chunk):
        o = owners[s:s + chunk]
        u = rng.random(len(o))
        out[s:s + chunk] = np.minimum((cum[o] < u[:, None]).sum(axis=1), weights.shape[1] - 1)
    return out


def fit_to_plan(owner: np.ndarray, month: np.ndarray, amount: np.ndarray, plan_yuan: np.ndarray) -> np.ndarray:
    """Rescale amounts (fen) so each owner's invoices of a month add up to its plan for that month:
    the invoice sizes stay random, the monthly totals follow the economy (and stay under thresholds)."""
    if not len(owner):
        return amount
    m = plan_yuan.shape[1]
    key = owner * m + month.astype(np.int64)
    got = np.bincount(key, weights=amount, minlength=plan_yuan.size)
    want = plan_yuan.reshape(-1) * 100
    factor = np.where(got > 0, want / np.maximum(got, 1), 0)
    return np.maximum(np.floor(amount * factor[key]), 100).astype(np.int64)


def partner_sets(rng: np.random.Generator, groups: np.ndarray, sizes: np.ndarray, candidates) -> tuple:
    """For each owner, ``sizes[o]`` partners drawn from ``candidates(group) -> (indices, weights)``.

    Returns ``(offsets, flat)``; an owner's partners are ``flat[offsets[o]:offsets[o + 1]]`` (-1
    where its group has no candidate)."""
    sizes = np.asarray(sizes, dtype=np.int64)
    offsets = np.zeros(len(groups) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sizes)
    flat = np.full(int(offsets[-1]), -1, dtype=np.int64)
    order = np.argsort(groups, kind="stable")
    bounds = np.flatnonzero(np.diff(groups[order])) + 1
    for owners in np.split(order, bounds):
        if not len(owners):
            continue
        cand, w = candidates(int(groups[owners[0]]))
        if len(cand) == 0 or w.sum() <= 0:
            continue
        cum = np.cumsum(w, dtype=np.float64)
        cum /= cum[-1]
        k = sizes[owners]
        picks = cand[np.minimum(np.searchsorted(cum, rng.random(int(k.sum())), side="right"), len(cand) - 1)]
        flat[np.repeat(offsets[owners], k) + ranges(k)] = picks
    return offsets, flat


def pick_from_sets(rng, offsets, flat, owner, skew) -> np.ndarray:
    size = offsets[owner + 1] - offsets[owner]
    pos = np.floor(size * rng.random(len(owner)) ** skew).astype(np.int64)
    pos = np.minimum(pos, np.maximum(size - 1, 0))
    out = np.where(size > 0, flat[np.minimum(offsets[owner] + pos, len(flat) - 1)] if len(flat) else -1, -1)
    return out


def days_in(world: World, month: np.ndarray, est: np.ndarray, closed: np.ndarray, u: np.ndarray) -> np.ndarray:
    """A day of ``month`` within [est, closed], drawn with ``u`` in [0, 1)."""
    lo = np.maximum(world.month_start[month], est)
    hi = np.minimum(world.month_start[month + 1] - 1, closed)
    hi = np.maximum(hi, lo)
    return (lo + np.floor(u * (hi - lo + 1))).astype(np.int64)


def weekday_shift(day: np.ndarray, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Move most weekend business invoices to the nearest weekday inside [lo, hi]."""
    dow = (day + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    back = np.where(dow == 5, 1, np.where(dow == 6, 2, 0))
    fwd = np.where(dow == 5, 2, np.where(dow == 6, 1, 0))
    move = (back > 0) & (u < 0.85)
    cand = np.where(day - back >= lo, day - back, np.where(day + fwd <= hi, day + fwd, day))
    return np.where(move, cand, day)


# --- flows -------------------------------------------------------------------------------------------

class Parties:
    """Local entities first, then the external firms: one index space for sellers and buyers."""

    def __init__(self, world: World):
        e, x = world.entities, world.externals
        self.n_local = len(e)
        self.n = len(e) + len(x)
        self.ind = np.concatenate([e.ind, x.ind]).astype(np.int64)
        self.general = np.concatenate([e.general, x.general])
        self.est = np.concatenate([e.est, np.full(len(x), world.span_start - 3650)]).astype(np.int64)
        closed = e.closed.astype(np.int64).copy()
        for i, v in world.override("vanish").items():
            closed[i] = min(closed[i], world.month_start[int(v[0])] - 1)
        self.closed = np.concatenate([closed, np.full(len(x), NEVER)])
        self.local = np.arange(self.n) < self.n_local


def ticket_scale(revenue: np.ndarray, ref: float, power: float, lo: float, hi: float) -> np.ndarray:
    return np.clip((np.maximum(revenue, 1.0) / ref) ** power, lo, hi)


def local_and_consumer(world: World, parties: Parties, targets: tuple[int, int]) -> tuple[dict, dict]:
    """B2B invoices of local sellers (to local and outside buyers) and their consumer invoices."""
    e, cat, x = world.entities, world.cat, world.externals
    p = world.results["plan"]
    rng = world.rng("flows:sales")
    n = len(e)
    business = p["business"]
    consumer = p["consumer_inv"]
    v_b = business.sum(axis=1)
    v_c = consumer.sum(axis=1)
    t_b = cat.num["t_b2b"][e.ind] * ticket_scale(e.revenue, 3e6, 0.35, 0.3, 25)
    t_c = cat.num["t_b2c"][e.ind] * ticket_scale(e.revenue, 3e5, 0.15, 0.5, 3)
    lam_b = v_b / t_b
    lam_c = v_c / t_c
    g_b = max(lam_b.sum() / max(targets[0], 1), 1e-9)
    g_c = max(lam_c.sum() / max(targets[1], 1), 1e-9)
    n_b = rng.poisson(lam_b / g_b)
    n_b = np.where((v_b > 0) & (n_b == 0) & (rng.random(n) < 0.5), 1, n_b)
    n_c = rng.poisson(lam_c / g_c)
    world.summary["ticket_scale"] = {"b2b": round(float(g_b), 4), "b2c": round(float(g_c), 4)}

    # business invoices
    owner = np.repeat(np.arange(n), n_b)
    month = draw_rows(rng, business, owner)
    mean = np.where(n_b > 0, v_b / np.maximum(n_b, 1), 0)[owner]
    amount = np.maximum(np.round(mean * rng.lognormal(-0.245, 0.7, size=len(owner)) * 100), 100).astype(np.int64)
    amount = fit_to_plan(owner, month, amount, business)
    cap = (p["purchases"].sum(axis=1)) ** 0.8
    ext_cap = x.capacity

    def local_candidates(k: int):
        w = cat.upstream[e.ind, k] * cap
        idx = np.flatnonzero(w > 0)
        return idx, w[idx]

    def external_candidates(k: int):
        w = cat.upstream[x.ind, k] * ext_cap
        if w.sum() <= 0:
            w = np.ones(len(x))
        idx = np.flatnonzero(w > 0)
        return idx + n, w[idx]

    wide = np.zeros(n, dtype=bool)
    for i in world.override("wide_customers"):
        wide[i] = True
    sizes = np.minimum(1 + rng.poisson(1.5 + 0.9 * np.log1p(n_b)), 60)
    sizes = np.where(wide, 60, sizes)
    off_l, flat_l = partner_sets(rng, e.ind.astype(np.int64), sizes, local_candidates)
    off_x, flat_x = partner_sets(rng, e.ind.astype(np.int64), np.maximum(sizes, 2), external_candidates)
    skew = np.full(len(owner), 1.7)
    for i, months in world.override("wide_customers").items():
        sel = owner == i
        skew[sel] = np.where(months[month[sel]].astype(bool), 1.0, 4.0)
    go_local = rng.random(len(owner)) < e.local[owner]
    buyer_l = pick_from_sets(rng, off_l, flat_l, owner, skew)
    buyer_x = pick_from_sets(rng, off_x, flat_x, owner, skew)
    u = rng.random(len(owner))
    day = days_in(world, month.astype(np.int64), parties.est[owner], parties.closed[owner], u)
    lo = np.maximum(world.month_start[month], parties.est[owner])
    hi = np.minimum(world.month_start[month + 1] - 1, parties.closed[owner])
    day = weekday_shift(day, lo, hi, rng.random(len(owner)))
    ok_local = go_local & (buyer_l >= 0) & (buyer_l != owner)
    bl = np.maximum(buyer_l, 0)
    ok_local &= (parties.est[bl] <= day) & (parties.closed[bl] >= day)
    buyer = np.where(ok_local, buyer_l, buyer_x)
    flow = np.where(ok_local, B2B_LOCAL, B2B_EXTERNAL)
    b2b = spec(len(owner), seller=owner, buyer=buyer, month=month, day=day, amount=amount, flow=flow)

    # consumer invoices
    owner_c = np.repeat(np.arange(n), n_c)
    month_c = draw_rows(rng, consumer, owner_c)
    mean_c = np.where(n_c > 0, v_c / np.maximum(n_c, 1), 0)[owner_c]
    amount_c = np.maximum(np.round(mean_c * rng.lognormal(-0.32, 0.8, size=len(owner_c)) * 100), 100)
    amount_c = fit_to_plan(owner_c, month_c, amount_c, consumer)
    day_c = days_in(world, month_c.astype(np.int64), parties.est[owner_c], parties.closed[owner_c],
                    rng.random(len(owner_c)))
    named = rng.random(len(owner_c)) < world.config.economy.b2c_named_buyer_share
    person = np.where(named, rng.integers(0, len(world.persons), size=len(owner_c)), -1)
    b2c = spec(len(owner_c), seller=owner_c, person=person, month=month_c, day=day_c,
               amount=amount_c.astype(np.int64), flow=B2C)
    return b2b, b2c


def incoming(world: World, parties: Parties, bought: np.ndarray, target: int) -> dict:
    """Purchases from outside the district: what each local buyer needs beyond its local supply.

    ``bought`` is the (entities, months) matrix of what local sellers already invoiced to each buyer
    (yuan)."""
    e, cat, x = world.entities, world.cat, world.externals
    p = world.results["plan"]
    rng = world.rng("flows:incoming")
    n = len(e)
    need = np.maximum(p["purchases"] - bought, 0)
    v = need.sum(axis=1)
    up_ticket = cat.upstream @ cat.num["t_b2b"]
    t = up_ticket[e.ind] * ticket_scale(e.revenue, 3e6, 0.3, 0.2, 20)
    lam = v / t
    g = max(lam.sum() / max(target, 1), 1e-9)
    count = rng.poisson(lam / g)
    owner = np.repeat(np.arange(n), count)
    month = draw_rows(rng, need, owner)
    mean = np.where(count > 0, v / np.maximum(count, 1), 0)[owner]
    amount = np.maximum(np.round(mean * rng.lognormal(-0.245, 0.7, size=len(owner)) * 100), 100).astype(np.int64)
    amount = fit_to_plan(owner, month, amount, need)
    unrelated = np.zeros(n, dtype=bool)
    for i in world.override("unrelated_inputs"):
        unrelated[i] = True
    services = np.array([INDEX[c] for c in _SERVICES_ONLY])

    def suppliers(k: int):
        if k < 0:
            w = np.isin(x.ind, services) * x.capacity
        else:
            w = cat.upstream[k, x.ind] * x.capacity
        if w.sum() <= 0:
            w = np.ones(len(x))
        idx = np.flatnonzero(w > 0)
        return idx + n, w[idx]

    groups = np.where(unrelated, -1, e.ind.astype(np.int64))
    sizes = np.minimum(1 + rng.poisson(1.2 + 0.8 * np.log1p(count)), 40)
    off, flat = partner_sets(rng, groups, sizes, suppliers)
    seller = pick_from_sets(rng, off, flat, owner, np.full(len(owner), 1.6))
    day = days_in(world, month.astype(np.int64), parties.est[owner], parties.closed[owner], rng.random(len(owner)))
    lo = np.maximum(world.month_start[month], parties.est[owner])
    hi = np.minimum(world.month_start[month + 1] - 1, parties.closed[owner])
    day = weekday_shift(day, lo, hi, rng.random(len(owner)))
    keep = seller >= 0
    return spec(int(keep.sum()), seller=seller[keep], buyer=owner[keep], month=month[keep], day=day[keep],
                amount=amount[keep], flow=INCOMING)
