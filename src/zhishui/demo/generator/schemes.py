"""Planted irregularities and legitimate look-alikes.

``plant`` runs after the base population is drawn and before identities are given: it creates the
entities a scheme needs (rings, shells, families, fraudulent exporters, start-ups) with the same
generator as everyone else, and alters existing ones by setting *overrides* that the flows honour
(activity, purchases, declared sales, vanishing month, electricity). ``specs`` then writes the
scheme's own invoices once every party exists, and ``labels`` lists the members.

Nothing here is written to a feed: the only trace of a scheme is the behaviour it causes. See
docs/generator.md for what each kind looks like.
"""

from __future__ import annotations

import numpy as np

from . import flows
from .config import SchemeParams
from .entities import ABNORMAL, DELINQUENT, DILIGENT, REVOKED, add_entities
from .flows import SEASON_NAMES, spec
from .industries import GOODS_INDEX, INDEX
from .people import EMPLOYEE
from .world import ENTERPRISE, INDIVIDUAL, NEVER, Scheme, World

PREFIX = {
    "fake_invoicing_ring": "XK", "shell_company": "KK", "vanished": "ZT", "sales_without_purchases": "JX",
    "invoice_cap": "DE", "export_refund_fraud": "CT", "unreported_sales": "YS", "turnover_splitting": "CF",
    "bought_invoices": "XL", "seasonal": "LS", "startup": "LC", "thin_margin_trader": "LT",
    "near_threshold": "LN", "bookkeeping_agency": "LA",
}
# Label values in truth/labels.csv and truth/lookalikes.csv.
LABELS = {k: k for k in PREFIX}
LOOKALIKE_LABELS = {"seasonal": "legit_seasonal", "startup": "legit_startup",
                    "thin_margin_trader": "legit_thin_margin_trader", "near_threshold": "legit_near_threshold",
                    "bookkeeping_agency": "legit_bookkeeping_agency"}

_TRADE = ("F5164", "F5165", "F5179", "L7224")
_SHELL = ("L7241", "I6513", "F5179", "L7224", "M7484", "L7263")
_SPLIT = ("F5219", "H6210", "F5165", "O8111", "F5232", "H6291")
_BUYERS = ("E4790", "E4813", "E5011", "C3311", "C3484", "C3670", "I6531", "K7010", "H6110", "H6210", "L7113",
           "G5431", "C3021")
_SEASONAL = ("A0112", "A0151", "F5123", "C1351", "E4790", "E5011", "C3021", "L7113")
_STARTUP = ("C3421", "C3484", "C3670", "C3254", "C3512")
_THIN = ("F5164", "L7224", "F5165", "F5121")
_MONTHLY_THRESHOLD = 100_000  # yuan, small-scale VAT exemption (2026年第10号)


def expected_count(world: World, params: SchemeParams) -> int:
    if params.rate <= 0:
        return 0
    base = world.summary["base"][params.base]
    return max(params.min_count, round(params.rate * base / 1000))


def _codes(codes) -> np.ndarray:
    return np.array([INDEX[c] for c in codes], dtype=np.int16)


class Planter:
    def __init__(self, world: World):
        self.w = world
        self.e = world.entities
        self.m = world.n_months
        self.counters: dict[str, int] = {}
        self.group = 0

    # --- helpers ----------------------------------------------------------------------------
    def rng(self, kind: str) -> np.random.Generator:
        return self.w.rng(f"scheme:{kind}")

    def new_id(self, kind: str) -> str:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return f"{PREFIX[kind]}-{self.counters[kind]:04d}"

    def add(self, kind: str, members, start: int, end: int, lookalike: bool = False, **kw) -> Scheme:
        s = Scheme(kind=kind, scheme_id=self.new_id(kind), members=[int(i) for i in members], start=int(start),
                   end=int(end), lookalike=lookalike, **kw)
        self.w.schemes.append(s)
        col = self.e.scheme
        col[np.asarray(members, dtype=np.int64)] = len(self.w.schemes) - 1
        self.e.scheme = col
        return s

    def eligible(self, mask: np.ndarray) -> np.ndarray:
        e = self.e
        return np.flatnonzero(mask & (e.scheme < 0) & (e.group < 0) & ~e.planted)

    def pick(self, rng, mask: np.ndarray, n: int, fallback: np.ndarray | None = None) -> np.ndarray:
        pool = self.eligible(mask)
        if len(pool) < n and fallback is not None:
            pool = np.union1d(pool, self.eligible(fallback))
        n = min(n, len(pool))
        return np.sort(rng.choice(pool, size=n, replace=False)) if n else np.array([], dtype=np.int64)

    def set(self, column: str, idx, value) -> None:
        col = getattr(self.e, column)
        col[np.asarray(idx, dtype=np.int64)] = value
        setattr(self.e, column, col)

    def months_mask(self, start: int, end: int) -> np.ndarray:
        mask = np.zeros(self.m, dtype=bool)
        mask[max(start, 0):end + 1] = True
        return mask

    def steady(self) -> np.ndarray:
        """Entities that exist throughout the span and started before it."""
        e = self.e
        return (e.est < self.w.span_start - 180) & (e.closed >= NEVER) & e.has_uscc

    def in_codes(self, codes) -> np.ndarray:
        return np.isin(self.e.ind, _codes(codes))

    def new_group(self, kind: str, controllers: int = 2) -> int:
        g = self.group
        self.group += 1
        self.w.results.setdefault("groups", {})[g] = {"kind": kind, "controllers_n": controllers}
        return g

    def month_day(self, k: int) -> int:
        return int(self.w.month_start[min(max(k, 0), self.m)])


def plant(world: World) -> None:
    p = Planter(world)
    cfg = world.config
    world.results["scheme_params"] = {}
    for name, fn in (("fake_invoicing_ring", _rings), ("shell_company", _shells), ("vanished", _vanished),
                     ("sales_without_purchases", _no_purchases), ("invoice_cap", _cap),
                     ("export_refund_fraud", _export_fraud), ("unreported_sales", _unreported),
                     ("turnover_splitting", _splitting), ("bought_invoices", _bought)):
        params = getattr(cfg.schemes, name)
        fn(p, expected_count(world, params), params.strength)
    for name, fn in (("seasonal", _seasonal), ("startup", _startup), ("thin_margin_trader", _thin),
                     ("near_threshold", _near_threshold)):
        params = getattr(cfg.lookalikes, name)
        fn(p, expected_count(world, params), params.strength)


# --- irregularities ------------------------------------------------------------------------------

def _rings(p: Planter, count: int, strength: float) -> None:
    """虚开 rings: 3-6 trading companies controlled by the same two people invoice each other in
    circles, sell the invoices to buyers, and take fake inputs from outside."""
    rng, w = p.rng("ring"), p.w
    for _ in range(count):
        k = int(rng.integers(3, 7))
        start = int(rng.integers(0, max(p.m - 4, 1)))
        vanish = rng.random() < 0.5
        end = min(p.m - 1, start + int(rng.integers(4, 10))) if vanish else p.m - 1
        est = p.month_day(start) - rng.integers(20, 240, size=k)
        group = p.new_group("ring")
        room = int(rng.integers(300, 2000))
        idx = add_entities(w, ENTERPRISE, rng.choice(_codes(_TRADE), size=k), f"ring:{group}", est=est,
                           revenue=rng.uniform(2e7, 8e7, size=k), general=True, si_payer=False,
                           exporter=False, export_share=0.0, group=group, kwh_f=0.03, compliance=DILIGENT,
                           capital=np.round(rng.uniform(1e6, 1e7, size=k), -5), planted=True,
                           shared_room=room + np.arange(k), employees=rng.integers(0, 3, size=k), b2c=0.0)
        _silence(p, idx)
        if vanish and end < p.m - 1:
            _vanish(p, idx, end + 1)
        volume = strength * rng.uniform(2e6, 9e6, size=k)
        p.add("fake_invoicing_ring", idx, start, end, extra=f"volume={int(volume.mean())}")
        w.results["scheme_params"][w.schemes[-1].scheme_id] = {"volume": volume.tolist()}


def _shells(p: Planter, count: int, strength: float) -> None:
    """空壳: new companies at a business-secretary address, no staff, no electricity, a few months
    of heavy invoicing to many buyers, then gone."""
    rng, w = p.rng("shell"), p.w
    made = 0
    while made < count:
        k = min(int(rng.integers(1, 4)), count - made)
        group = p.new_group("shell", controllers=1)
        start = int(rng.integers(0, max(p.m - 3, 1)))
        life = int(rng.integers(3, 9))
        end = min(p.m - 1, start + life - 1)
        est = p.month_day(start) - rng.integers(5, 60, size=k)
        room = int(rng.integers(100, 3000))
        idx = add_entities(w, ENTERPRISE, rng.choice(_codes(_SHELL), size=k), f"shell:{group}", est=est,
                           revenue=rng.uniform(1e7, 4e7, size=k), general=rng.random(k) < 0.6, si_payer=False,
                           exporter=False, export_share=0.0, group=group, kwh_f=0.0, compliance=DELINQUENT,
                           capital=np.round(rng.uniform(1e5, 1e6, size=k), -4), planted=True,
                           shared_room=room + np.arange(k), employees=0, b2c=0.0)
        _silence(p, idx)
        if end < p.m - 1:
            _vanish(p, idx, end + 1)
            if end < p.m - 3:  # revoked by the market regulator three months after disappearing
                p.set("status", idx, REVOKED)
                p.set("closed", idx, p.month_day(end + 3))
        declared = np.full(p.m, np.nan)
        declared[start:end + 1] = rng.uniform(0.02, 0.15)
        for i in idx:
            w.override("declared")[int(i)] = declared
        for i in idx:
            s = p.add("shell_company", [i], start, end)
            w.results["scheme_params"][s.scheme_id] = {"volume": float(strength * rng.uniform(1.5e6, 5e6)),
                                                       "group": group}
        made += k


def _silence(p: Planter, idx: np.ndarray) -> None:
    """No genuine business: the entity's invoices all come from its scheme."""
    for i in idx:
        p.w.override("activity")[int(i)] = np.zeros(p.m)
        p.w.override("purchases")[int(i)] = np.zeros(p.m)


def _vanish(p: Planter, idx, month: int) -> None:
    for i in np.atleast_1d(idx):
        p.w.override("vanish")[int(i)] = np.array([month])
        kwh = p.w.override("kwh").get(int(i), np.ones(p.m)).copy()
        kwh[month:] = 0
        p.w.override("kwh")[int(i)] = kwh
    p.set("tax_state", idx, ABNORMAL)


def _vanished(p: Planter, count: int, strength: float) -> None:
    """走逃失联: an established general taxpayer issues several times its usual volume to many new
    buyers for up to three months, then stops invoicing, filing, paying wages and using power."""
    rng, e = p.rng("vanished"), p.e
    goods = np.isin(p.w.cat.section[e.ind], ["C", "F"]) | p.in_codes(("L7224", "G5431"))
    mask = p.steady() & (e.kind == ENTERPRISE) & e.general & goods & (e.revenue < 8e7)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == ENTERPRISE))
    for i in chosen:
        v = int(rng.integers(max(2, p.m // 2), p.m))
        first = max(0, v - 3)
        mult = np.ones(p.m)
        mult[first:v] = 1 + strength * rng.uniform(3, 7)
        p.w.override("activity")[int(i)] = mult
        wide = np.zeros(p.m, dtype=bool)
        wide[first:v] = True
        p.w.override("wide_customers")[int(i)] = wide
        _vanish(p, [i], v)
        p.add("vanished", [i], first, v - 1, extra=f"vanished={p.w.month_label(v) if v < p.m else ''}")


def _no_purchases(p: Planter, count: int, strength: float) -> None:
    """进销不匹配: a wholesaler keeps selling goods while buying almost nothing of them; what it
    does buy is meals, rent and bookkeeping."""
    rng, e = p.rng("no_purchases"), p.e
    wholesale = np.char.startswith(p.w.cat.codes[e.ind], "F51") | p.in_codes(("L7224",))
    mask = p.steady() & (e.kind == ENTERPRISE) & wholesale & (e.revenue > 1e6)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == ENTERPRISE) & wholesale)
    for i in chosen:
        length = int(rng.integers(min(6, p.m), p.m + 1))
        start = int(rng.integers(0, p.m - length + 1))
        f = np.ones(p.m)
        f[start:start + length] = max(0.02, 1 - 0.9 * strength)
        p.w.override("purchases")[int(i)] = f
        p.w.override("unrelated_inputs")[int(i)] = np.ones(1)
        p.add("sales_without_purchases", [i], start, start + length - 1)


def _cap(p: Planter, count: int, strength: float) -> None:
    """顶额开票: month after month, invoicing ends just below the taxpayer's credit line."""
    rng, e = p.rng("cap"), p.e
    sections = np.isin(p.w.cat.section[e.ind], ["F", "L", "I", "M", "E"])
    mask = p.steady() & (e.kind == ENTERPRISE) & sections & (e.revenue > 3e6) & (e.revenue < 4e7)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == ENTERPRISE))
    caps = np.array([1e6, 2e6, 3e6, 5e6])
    for i in chosen:
        cap = float(caps[np.argmin(np.abs(caps - e.revenue[i] / 12 * 1.3))])
        length = int(rng.integers(min(6, p.m), p.m + 1))
        start = p.m - length
        off = p.months_mask(start, p.m - 1)
        p.w.override("invoicing_off")[int(i)] = off
        s = p.add("invoice_cap", [i], start, p.m - 1, extra=f"cap={int(cap)}")
        p.w.results["scheme_params"][s.scheme_id] = {"cap": cap, "closeness": min(0.03 / strength, 0.2)}


def _export_fraud(p: Planter, count: int, strength: float) -> None:
    """骗取出口退税 pattern: a young trading company declares large exports each month while its
    invoiced purchases cover only a fraction of them, bought from young or shell suppliers."""
    rng, w = p.rng("export"), p.w
    for _ in range(count):
        start = int(rng.integers(0, max(p.m - 6, 1)))
        est = p.month_day(start) - int(rng.integers(30, 200))
        fob = strength * rng.uniform(1e6, 5e6)
        idx = add_entities(w, ENTERPRISE, rng.choice(_codes(("F5179", "F5164", "L7224"))), "export",
                           est=est, revenue=fob * 12 / 0.95, general=True, exporter=True, export_share=0.95,
                           b2c=0.0, si_payer=True, employees=int(rng.integers(1, 4)), kwh_f=0.1, planted=True)
        f = np.ones(p.m)
        f[start:] = max(0.05, 1 - 0.8 * strength)
        w.override("purchases")[int(idx[0])] = f
        act = np.zeros(p.m)
        act[start:] = 1
        w.override("activity")[int(idx[0])] = act
        w.override("fresh_suppliers")[int(idx[0])] = np.ones(1)
        p.add("export_refund_fraud", idx, start, p.m - 1, extra=f"fob={int(fob)}")


def _unreported(p: Planter, count: int, strength: float) -> None:
    """隐瞒收入: for some months the returns declare well under what the taxpayer invoiced."""
    rng, e = p.rng("unreported"), p.e
    invoicing = (e.b2c < 0.5) | (e.b2c_inv > 0.3)
    mask = p.steady() & invoicing & (e.revenue > 6e5) & (e.kind != 2)
    chosen = p.pick(rng, mask, count)
    for i in chosen:
        length = int(rng.integers(min(3, p.m), min(9, p.m) + 1))
        start = int(rng.integers(0, p.m - length + 1))
        declared = np.full(p.m, np.nan)
        declared[start:start + length] = 1 - min(0.95, strength * rng.uniform(0.3, 0.7))
        p.w.override("declared")[int(i)] = declared
        p.add("unreported_sales", [i], start, start + length - 1)


def _splitting(p: Planter, count: int, strength: float) -> None:
    """拆分经营: one family runs 3-6 small businesses of the same trade at one address, each kept just
    under the small-scale exemption threshold."""
    rng, w = p.rng("splitting"), p.w
    for _ in range(count):
        k = int(rng.integers(3, 7))
        code = rng.choice(_codes(_SPLIT))
        group = p.new_group("family", controllers=1)
        first = w.span_start - int(rng.integers(60, 400))
        est = first + rng.integers(0, 60, size=k)
        town = int(rng.integers(0, len(w.townships)))
        kind = np.where(rng.random(k) < 0.8, INDIVIDUAL, ENTERPRISE)
        idx = add_entities(w, kind, np.full(k, code), f"split:{group}", est=est, town=town,
                           revenue=np.full(k, 1.1e6), general=False, group=group, planted=True)
        low = 1 - min(0.3, 0.18 / strength)
        for i in idx:
            w.override("fixed_sales")[int(i)] = _MONTHLY_THRESHOLD * rng.uniform(low, 0.995, size=p.m)
        room = int(rng.integers(1, 300))
        p.set("shared_room", idx, room + np.arange(k))
        p.add("turnover_splitting", idx, 0, p.m - 1)


def _bought(p: Planter, count: int, strength: float) -> None:
    """虚列成本: a taxpayer buys invoices (consulting, labour, materials it does not use) from rings,
    shells and invoice sellers outside the district, so its costs and input VAT jump."""
    rng, e = p.rng("bought"), p.e
    mask = p.steady() & (e.kind == ENTERPRISE) & p.in_codes(_BUYERS) & (e.revenue > 2e6)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == ENTERPRISE) & (e.revenue > 1e6))
    general = p.e.general
    general[chosen] = True
    p.e.general = general
    for i in chosen:
        length = int(rng.integers(min(3, p.m), min(8, p.m) + 1))
        start = int(rng.integers(0, p.m - length + 1))
        s = p.add("bought_invoices", [i], start, start + length - 1)
        p.w.results["scheme_params"][s.scheme_id] = {"share": float(strength * rng.uniform(0.3, 0.8))}


# --- look-alikes ----------------------------------------------------------------------------------

def _seasonal(p: Planter, count: int, strength: float) -> None:
    rng, e = p.rng("seasonal"), p.e
    chosen = p.pick(rng, p.steady() & p.in_codes(_SEASONAL) & (e.revenue > 3e5), count,
                    fallback=p.steady() & (e.revenue > 3e5))
    p.set("season", chosen, SEASON_NAMES.index("extreme"))
    for i in chosen:
        p.add("seasonal", [i], 0, p.m - 1, lookalike=True)


def _startup(p: Planter, count: int, strength: float) -> None:
    rng, w = p.rng("startup"), p.w
    for _ in range(count):
        start = int(rng.integers(1, max(p.m - 5, 2)))
        est = p.month_day(start) - int(rng.integers(0, 20))
        revenue = rng.uniform(2e7, 6e7)
        idx = add_entities(w, ENTERPRISE, rng.choice(_codes(_STARTUP)), "startup", est=est, revenue=revenue,
                           general=True, si_payer=True, planted=True, exporter=False, export_share=0.0)
        i = int(idx[0])
        ramp = np.zeros(p.m)
        months = np.arange(p.m) - start
        ramp[months >= 0] = np.minimum(1.0, 0.05 + 0.18 * months[months >= 0])
        w.override("activity")[i] = ramp
        w.override("kwh")[i] = np.maximum(ramp, (months >= 0) * 0.3)
        s = p.add("startup", idx, start, min(p.m - 1, start + 2), lookalike=True)
        w.results["scheme_params"][s.scheme_id] = {"capex": float(strength * revenue * rng.uniform(0.4, 0.9))}


def _thin(p: Planter, count: int, strength: float) -> None:
    rng, e = p.rng("thin"), p.e
    mask = (e.est < p.w.span_start - 5 * 365) & (e.closed >= NEVER) & (e.kind == ENTERPRISE) & p.in_codes(_THIN)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == ENTERPRISE) & p.in_codes(_THIN))
    p.set("revenue", chosen, np.maximum(e.revenue[chosen] * 3, 3e7))
    p.set("margin", chosen, rng.uniform(0.008, 0.03, size=len(chosen)))
    p.set("inputs", chosen, rng.uniform(0.96, 0.99, size=len(chosen)))
    p.set("inv_input", chosen, 1.0)
    p.set("general", chosen, True)
    p.set("employees", chosen, rng.integers(3, 9, size=len(chosen)))
    for i in chosen:
        p.add("thin_margin_trader", [i], 0, p.m - 1, lookalike=True)


def _near_threshold(p: Planter, count: int, strength: float) -> None:
    rng, e = p.rng("near"), p.e
    mask = p.steady() & (e.kind == INDIVIDUAL) & ~e.general & (e.revenue > 4e5)
    chosen = p.pick(rng, mask, count, fallback=p.steady() & (e.kind == INDIVIDUAL) & ~e.general)
    for i in chosen:
        p.w.override("fixed_sales")[int(i)] = _MONTHLY_THRESHOLD * rng.uniform(0.8, 0.98, size=p.m)
        p.add("near_threshold", [i], 0, p.m - 1, lookalike=True)


def after_identify(world: World) -> None:
    """Adjust relations to the schemes (vanished employers' staff leave) and record the
    bookkeeping-agency look-alikes, which only exist once clerks are assigned."""
    rel = world.relations
    end = rel.end
    for i, v in world.override("vanish").items():
        day = int(world.month_start[int(v[0])]) - 1
        sel = (rel.entity == i) & (rel.role == EMPLOYEE) & ((rel.end < 0) | (rel.end > day)) & (rel.start <= day)
        end[sel] = day
        late = (rel.entity == i) & (rel.role == EMPLOYEE) & (rel.start > day)
        end[late] = rel.start[late]
    rel.end = end
    params = world.config.lookalikes.bookkeeping_agency
    count = expected_count(world, params)
    if not count or "clerk_clients" not in world.results:
        return
    served, _clients = world.results["clerk_clients"]
    agency_of = world.results["clerk_agency"]
    clerks, n_clients = np.unique(served, return_counts=True)
    order = np.argsort(-n_clients, kind="stable")
    seen: list[int] = []
    for c in clerks[order]:
        agency = agency_of[int(c)]
        if agency not in seen and world.entities.scheme[agency] < 0:
            seen.append(agency)
        if len(seen) == count:
            break
    p = Planter(world)
    p.counters = {"bookkeeping_agency": 0}
    for agency in seen:
        clients = int(n_clients[np.isin(clerks, [k for k, a in agency_of.items() if a == agency])].sum())
        p.add("bookkeeping_agency", [agency], 0, world.n_months - 1, lookalike=True,
              extra=f"clients={clients}")


# --- the schemes' own invoices ------------------------------------------------------------------

def specs(world: World, parties: flows.Parties) -> dict:
    """Invoices the schemes issue and receive, and their customs declarations (``results``)."""
    rng = world.rng("scheme:invoices")
    out: list[dict] = []
    x = world.externals
    n_local = parties.n_local
    ext_general = np.flatnonzero(x.general[2:]) + 2 + n_local
    # invoice vendors outside the district: external firms that sell invoices
    vendors = ext_general[rng.permutation(len(ext_general))[:max(3, len(ext_general) // 40)]]
    fresh = x.fresh
    fresh[vendors - n_local] = True
    x.fresh = fresh
    active: dict[int, list[tuple[int, int, str]]] = {}  # month -> [(seller, scheme kind)]
    by_kind = {}
    for s in world.schemes:
        by_kind.setdefault(s.kind, []).append(s)
    metal = np.array([GOODS_INDEX["rebar"], GOODS_INDEX["steel_plate"]])
    services = np.array([GOODS_INDEX["consulting"], GOODS_INDEX["labour"], GOODS_INDEX["supply_chain"]])
    for s in by_kind.get("fake_invoicing_ring", []):
        vol = np.array(world.results["scheme_params"][s.scheme_id]["volume"])
        mem = np.array(s.members)
        k = len(mem)
        for t in range(s.start, s.end + 1):
            day = int(world.month_start[t]) + int(rng.integers(3, 25))
            sec0 = int(rng.integers(21 * 3600, 23 * 3600))
            for j in range(k):
                amount = vol[j] * rng.uniform(0.8, 1.2)
                n_circ = int(rng.integers(2, 6))
                amounts = _split(rng, amount * 0.6, n_circ, round_to=1000)
                out.append(spec(n_circ, seller=mem[j], buyer=mem[(j + 1) % k], month=t, day=day,
                                sec=sec0 + j * 60 + np.arange(n_circ) * 7, amount=amounts,
                                goods=rng.choice(metal, size=n_circ), special=1, lines=1, fast=True))
                n_out = int(rng.integers(2, 6))
                amounts = _split(rng, amount * 0.4, n_out, round_to=1000)
                out.append(spec(n_out, seller=mem[j], buyer=rng.choice(vendors, size=n_out), month=t,
                                day=day + int(rng.integers(0, 3)), amount=amounts,
                                goods=rng.choice(np.concatenate([metal, services]), size=n_out), special=1))
                n_in = int(rng.integers(1, 4))
                amounts = _split(rng, amount * 0.38, n_in, round_to=1000)
                out.append(spec(n_in, seller=rng.choice(vendors, size=n_in), buyer=mem[j], month=t,
                                day=day - int(rng.integers(0, 3)), amount=amounts,
                                goods=rng.choice(metal, size=n_in), special=1, lines=1, fast=True))
            active.setdefault(t, []).extend((int(m), 0, "ring") for m in mem)
    for s in by_kind.get("shell_company", []):
        i = s.members[0]
        vol = world.results["scheme_params"][s.scheme_id]["volume"]
        goods_pool = np.concatenate([services, metal]) if parties.ind[i] in _codes(_TRADE) else services
        for t in range(s.start, s.end + 1):
            n_out = int(rng.integers(15, 60))
            amounts = _split(rng, vol * rng.uniform(0.7, 1.3), n_out, round_to=100)
            buyers = rng.choice(np.flatnonzero(~x.general[2:]) + 2 + n_local if rng.random() < 0.2 else
                                np.arange(2, len(x)) + n_local, size=n_out)
            day = int(world.month_start[t]) + rng.integers(0, 27, size=n_out)
            out.append(spec(n_out, seller=i, buyer=buyers, month=t, day=day, amount=amounts,
                            goods=rng.choice(goods_pool, size=n_out), special=1))
            active.setdefault(t, []).append((i, 1, "shell"))
    for s in by_kind.get("bought_invoices", []):
        i = s.members[0]
        share = world.results["scheme_params"][s.scheme_id]["share"]
        plan = world.results["plan"]["sales"][i]
        sellers_used = set()
        for t in range(s.start, s.end + 1):
            total = max(plan[t], world.entities.revenue[i] / 12) * share
            n_in = int(rng.integers(2, 8))
            amounts = _split(rng, total, n_in, round_to=100)
            local = [a for a, _, _ in active.get(t, [])]
            pick_local = rng.random(n_in) < (0.7 if local else 0)
            sellers = np.where(pick_local, rng.choice(local, size=n_in) if local else -1,
                               rng.choice(vendors, size=n_in))
            sellers_used.update(world.schemes[world.entities.scheme[a]].scheme_id for a in sellers if a < n_local)
            out.append(spec(n_in, seller=sellers, buyer=i, month=t, amount=amounts,
                            goods=rng.choice(np.concatenate([services, metal]), size=n_in), special=1,
                            fast=True))
        s.extra = "sellers=" + ("/".join(sorted(sellers_used)) or "outside")
    for s in by_kind.get("invoice_cap", []):
        i = s.members[0]
        prm = world.results["scheme_params"][s.scheme_id]
        cap, close = prm["cap"], prm["closeness"]
        goods = world.cat.goods_b2b[parties.ind[i]]
        goods = goods[goods >= 0]
        for t in range(s.start, s.end + 1):
            target = cap * rng.uniform(1 - close, 0.999)
            per = cap / rng.choice([10, 20, 25, 50])
            n_inv = int(np.ceil(target / per))
            amounts = np.full(n_inv, round(per * 100), dtype=np.int64)
            amounts[-1] = round(target * 100) - amounts[:-1].sum()
            amounts = amounts[amounts > 0]
            buyers = rng.choice(np.arange(2, len(x)) + n_local, size=len(amounts))
            out.append(spec(len(amounts), seller=i, buyer=buyers, month=t, amount=amounts,
                            goods=rng.choice(goods, size=len(amounts))))
    for s in by_kind.get("export_refund_fraud", []):
        i = s.members[0]
        shells = [a for t in range(s.start, s.end + 1) for a, kind, _ in active.get(t, []) if kind == 1]
        plan = world.results["plan"]
        for t in range(s.start, s.end + 1):
            need = plan["purchases"][i, t]
            if need <= 0:
                continue
            n_in = int(rng.integers(1, 5))
            amounts = _split(rng, need, n_in, round_to=100)
            sellers = np.where(rng.random(n_in) < (0.5 if shells else 0),
                               rng.choice(shells, size=n_in) if shells else -1, rng.choice(vendors, size=n_in))
            out.append(spec(n_in, seller=sellers, buyer=i, month=t, amount=amounts,
                            goods=rng.choice(world.cat.goods_b2b[parties.ind[i]][:1], size=n_in), special=1,
                            fast=True))
    for s in by_kind.get("startup", []):
        i = s.members[0]
        capex = world.results["scheme_params"][s.scheme_id]["capex"]
        machines = np.array([GOODS_INDEX["lathe"], GOODS_INDEX["machining_center"], GOODS_INDEX["machinery"],
                             GOODS_INDEX["construction"], GOODS_INDEX["installation"]])
        for t in range(s.start, min(s.end + 1, world.n_months)):
            n_in = int(rng.integers(3, 9))
            amounts = _split(rng, capex / 3, n_in, round_to=100)
            out.append(spec(n_in, seller=rng.choice(np.arange(2, len(x)) + n_local, size=n_in), buyer=i,
                            month=t, amount=amounts, goods=rng.choice(machines, size=n_in)))
    result = flows.concat(out)
    # a month's day for rows without one
    need_day = result["day"] < 0
    if need_day.any():
        t = result["month"][need_day].astype(np.int64)
        u = rng.random(int(need_day.sum()))
        lo = world.month_start[t]
        hi = world.month_start[t + 1] - 1
        result["day"][need_day] = (lo + np.floor(u * (hi - lo + 1))).astype(np.int32)
    # keep every row inside both parties' lives and the month's bounds
    t = result["month"].astype(np.int64)
    lo = np.maximum(world.month_start[t], np.maximum(parties.est[result["seller"]], parties.est[result["buyer"]]))
    hi = np.minimum(world.month_start[t + 1] - 1,
                    np.minimum(parties.closed[result["seller"]], parties.closed[result["buyer"]]))
    keep = lo <= hi
    result["day"] = np.clip(result["day"], lo, np.maximum(hi, lo)).astype(np.int32)
    return {k: v[keep] for k, v in result.items()}


def _split(rng: np.random.Generator, total_yuan: float, n: int, round_to: int = 0) -> np.ndarray:
    """``n`` amounts in fen adding up to about ``total_yuan``, optionally round to ``round_to`` yuan."""
    w = rng.dirichlet(np.full(n, 2.0))
    yuan = w * total_yuan
    if round_to:
        yuan = np.maximum(np.round(yuan / round_to) * round_to, round_to)
    return np.maximum(np.round(yuan * 100), 100).astype(np.int64)


# --- truth ---------------------------------------------------------------------------------------

def label_rows(world: World, lookalike: bool) -> list[tuple[str, str, str, str]]:
    ids = world.results["taxpayer_id"]
    rows = []
    for s in world.schemes:
        if s.lookalike != lookalike:
            continue
        label = LOOKALIKE_LABELS[s.kind] if lookalike else LABELS[s.kind]
        period = f"{world.month_label(s.start)}..{world.month_label(s.end)}"
        controllers = ""
        g = int(world.entities.group[s.members[0]])
        if g >= 0:
            ctrl = world.results["groups"][g].get("controllers", [])
            controllers = " controllers=" + "/".join(world.persons.id[c] for c in ctrl)
        extra = f" {s.extra}" if s.extra else ""
        for i in s.members:
            rows.append((str(ids[i]), label, s.scheme_id, f"period={period}{extra}{controllers}"))
    rows.sort(key=lambda r: (r[2], r[0]))
    return rows


def describe(world: World) -> dict:
    out: dict[str, dict] = {}
    for s in world.schemes:
        d = out.setdefault(s.kind, {"schemes": 0, "members": 0, "lookalike": s.lookalike})
        d["schemes"] += 1
        d["members"] += len(s.members)
    return out


__all__ = ["after_identify", "describe", "expected_count", "label_rows", "plant", "specs"]
