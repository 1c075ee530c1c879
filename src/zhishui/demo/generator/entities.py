"""Market entities: how many, which industry, where, how big, when founded and closed; then their
identities (USCC, name, address, phone, capital) and the people behind them.

``populate`` draws the base district and calibrates sales so that value added by sector matches
the configured 一产:二产:三产 mix. Schemes (schemes.py) then add or alter entities, and
``identify`` gives every entity its identifiers and relations, so planted entities are named and
numbered exactly like everyone else.
"""

from __future__ import annotations

import numpy as np

from zhishui.core import regions
from zhishui.core.identifiers import organisation_code_check_char, uscc_check_char

from . import names, people
from .industries import INDUSTRIES, UTILITY_POWER, UTILITY_WATER
from .people import EMPLOYEE, FINANCE, LEGAL_REP, SHAREHOLDER, TAX_AGENT, make_persons, relate
from .world import ENTERPRISE, INDIVIDUAL, NEVER, OTHER, Columns, World, day_number

ACTIVE, DEREGISTERED, REVOKED = 0, 1, 2              # market status
NORMAL, ABNORMAL, TAX_DEREGISTERED = 0, 1, 2         # tax state
DILIGENT, SLOPPY, DELINQUENT = 0, 1, 2
_ORG_ALNUM = np.array(list("0123456789ABCDEFGHJKLMNPQRTUWXY"))
_USCC_REFORM = day_number(__import__("datetime").date(2015, 10, 1))

_COLUMNS = {
    "kind": np.int8, "ind": np.int16, "town": np.int16, "est": np.int32, "closed": np.int32,
    "status": np.int8, "tax_state": np.int8, "general": bool, "revenue": np.float64, "has_uscc": bool,
    "exporter": bool, "export_share": np.float64, "b2c": np.float64, "b2c_inv": np.float64,
    "local": np.float64, "inputs": np.float64, "inv_input": np.float64, "employees": np.int32,
    "meter": bool, "si_payer": bool, "season": np.int16, "compliance": np.int8, "group": np.int32,
    "kwh_f": np.float64, "capital": np.float64, "shared_room": np.int32, "scheme": np.int32,
    "margin": np.float64, "planted": bool,
}


def _empty() -> Columns:
    return Columns(**{k: np.array([], dtype=t) for k, t in _COLUMNS.items()})


def draw(world: World, kind: np.ndarray, ind: np.ndarray, stream: str, *, est=None, closed=None,
         revenue=None, town=None) -> dict[str, np.ndarray]:
    """Every attribute of new entities of the given kinds and industries, drawn like the base
    population. Keyword arguments fix the founding day, closing day, annual sales or township."""
    rng = world.rng(f"entities:{stream}")
    econ, cat = world.config.economy, world.cat
    n = len(kind)
    kind = np.asarray(kind, dtype=np.int8)
    ind = np.asarray(ind, dtype=np.int16)
    num = cat.num
    # township: streets for urban activities, towns for the rest
    urban_p = num["urban"][ind]
    is_urban = rng.random(n) < urban_p
    street_idx = np.array([i for i, t in enumerate(world.townships) if t.urban] or range(len(world.townships)))
    town_idx = np.array([i for i, t in enumerate(world.townships) if not t.urban] or range(len(world.townships)))
    sizes = world.rng("townships").lognormal(0, 0.35, size=len(world.townships))
    ps = sizes[street_idx] / sizes[street_idx].sum()
    pt = sizes[town_idx] / sizes[town_idx].sum()
    if town is None:
        town = np.where(is_urban, rng.choice(street_idx, size=n, p=ps), rng.choice(town_idx, size=n, p=pt))
    # lifecycle
    if est is None:
        mean_age = np.where(kind == ENTERPRISE, 8.0, np.where(kind == INDIVIDUAL, 6.0, 7.0))
        age = np.clip(rng.exponential(mean_age), 0.3, 30.0)
        est = world.span_start - (age * 365.25).astype(np.int64)
    if closed is None:
        closed = np.full(n, NEVER)
    est = np.asarray(est, dtype=np.int64) * np.ones(n, dtype=np.int64)
    closed = np.asarray(closed, dtype=np.int64) * np.ones(n, dtype=np.int64)
    # size
    if revenue is None:
        z = np.minimum(rng.pareto(econ.enterprise_pareto_alpha, size=n) + 1.0, 600.0)
        rev_ent = num["rev_ent"][ind] * 0.12 * z * rng.lognormal(0, 0.5, size=n)
        rev_ib = np.minimum(num["rev_ib"][ind] * rng.lognormal(-0.3, 0.7, size=n), 5e6)
        rev_oth = 5e5 * rng.lognormal(0, 0.8, size=n)
        revenue = np.where(kind == ENTERPRISE, rev_ent, np.where(kind == INDIVIDUAL, rev_ib, rev_oth))
    revenue = np.asarray(revenue, dtype=np.float64) * np.ones(n)
    exporter = (kind == ENTERPRISE) & (rng.random(n) < num["export_p"][ind])
    noise = rng.lognormal(0, 0.15, size=(n, 4))
    b2c = np.clip(num["b2c"][ind] * noise[:, 0], 0, 0.98)
    inv_input = np.where(kind == ENTERPRISE, econ.invoiced_input_enterprise, econ.invoiced_input_individual)
    comp = rng.random(n)
    c = world.config.compliance
    compliance = np.where(comp < c.diligent_share, DILIGENT,
                          np.where(comp < c.diligent_share + c.sloppy_share, SLOPPY, DELINQUENT))
    meter_p = np.where(kind == ENTERPRISE, econ.meter_enterprise, econ.meter_individual)
    si_p = np.where(kind == ENTERPRISE, econ.social_insurance_enterprise,
                    np.where(kind == INDIVIDUAL, econ.social_insurance_individual, 0.3))
    return dict(
        kind=kind, ind=ind, town=np.asarray(town) * np.ones(n, dtype=np.int64), est=est, closed=closed,
        status=np.zeros(n), tax_state=np.zeros(n), general=np.zeros(n, dtype=bool), revenue=revenue,
        has_uscc=np.ones(n, dtype=bool), exporter=exporter,
        export_share=np.where(exporter, rng.uniform(0.15, 0.75, size=n), 0.0),
        b2c=b2c, b2c_inv=np.clip(num["b2c_inv"][ind] * noise[:, 1], 0.02, 1.0),
        local=np.clip(econ.local_b2b_share * num["local"][ind] * noise[:, 2], 0.02, 0.9),
        inputs=np.clip(num["inputs"][ind] * noise[:, 3], 0.02, 0.98), inv_input=inv_input,
        employees=np.zeros(n), meter=rng.random(n) < meter_p, si_payer=rng.random(n) < si_p,
        season=np.full(n, -1), compliance=compliance, group=np.full(n, -1), kwh_f=rng.lognormal(0, 0.3, n),
        capital=np.zeros(n), shared_room=np.full(n, -1), scheme=np.full(n, -1),
        margin=np.clip(num["margin"][ind] * rng.lognormal(0, 0.4, size=n), 0.003, 0.4),
        planted=np.zeros(n, dtype=bool),
    )


def add_entities(world: World, kind, ind, stream: str, **fixed) -> np.ndarray:
    """Create entities (drawn like the base population, then ``fixed`` attributes applied)."""
    kind = np.atleast_1d(np.asarray(kind, dtype=np.int8))
    ind = np.atleast_1d(np.asarray(ind, dtype=np.int16))
    if len(ind) == 1 and len(kind) > 1:
        ind = np.repeat(ind, len(kind))
    if len(kind) == 1 and len(ind) > 1:
        kind = np.repeat(kind, len(ind))
    keys = ("est", "closed", "revenue", "town")
    cols = draw(world, kind, ind, stream, **{k: fixed.pop(k) for k in keys if k in fixed})
    n = len(kind)
    for key, value in fixed.items():
        cols[key] = np.full(n, value) if np.ndim(value) == 0 else np.asarray(value)
    idx = world.entities.append(**cols)
    set_employees(world, idx)
    set_general(world, idx)
    for key in ("employees", "general", "si_payer"):  # what the caller fixed wins over the defaults
        if key in fixed:
            column = getattr(world.entities, key)
            column[idx] = cols[key]
            setattr(world.entities, key, column)
    return idx


def set_general(world: World, idx: np.ndarray) -> None:
    econ = world.config.economy
    e = world.entities
    rng = world.rng(f"general:{int(idx[0]) if len(idx) else 0}:{len(idx)}")
    vol = rng.random(len(idx))
    kind = e.kind[idx]
    general = (e.revenue[idx] > econ.general_threshold_yuan) | (
        (kind == ENTERPRISE) & (vol < econ.voluntary_general_enterprise)) | (
        (kind == INDIVIDUAL) & (vol < econ.voluntary_general_individual))
    general &= kind != OTHER
    g = e.general
    g[idx] = general
    e.general = g


def set_employees(world: World, idx: np.ndarray) -> None:
    e, cat = world.entities, world.cat
    rng = world.rng(f"employees:{int(idx[0]) if len(idx) else 0}:{len(idx)}")
    prod = cat.num["prod"][e.ind[idx]]
    raw = e.revenue[idx] / prod * rng.lognormal(0, 0.4, size=len(idx))
    kind = e.kind[idx]
    emp = np.where(kind == ENTERPRISE, np.maximum(1, np.round(raw)),
                   np.where(kind == INDIVIDUAL, np.minimum(rng.poisson(np.minimum(raw, 3)), 6),
                            np.minimum(np.round(raw), 20)))
    out = e.employees
    out[idx] = emp.astype(np.int32)
    e.employees = out
    si = e.si_payer
    si[idx] &= out[idx] > 0
    e.si_payer = si


def populate(world: World) -> None:
    """The base district: counts, industries, places, ages, sizes, entry and exit."""
    cfg, econ, cat = world.config, world.config.economy, world.cat
    rng = world.rng("populate")
    n_total = max(30, round(econ.entities_full_scale * cfg.scale))
    n_other = round(n_total * econ.other_share)
    n_ent = round((n_total - n_other) / (1 + econ.individual_per_enterprise))
    n_ib = n_total - n_other - n_ent
    n_extra = round(n_ib * econ.individual_without_uscc)
    world.summary["base"] = {"entities": n_total, "enterprises": n_ent, "individual_businesses": n_ib,
                             "other": n_other, "individual_without_uscc": n_extra}
    kind = np.concatenate([np.full(n_ent, ENTERPRISE), np.full(n_ib + n_extra, INDIVIDUAL),
                           np.full(n_other, OTHER)]).astype(np.int8)
    local = ~cat.external
    ind = np.empty(len(kind), dtype=np.int16)
    for k, weights in ((ENTERPRISE, cat.w_ent), (INDIVIDUAL, cat.w_ib), (OTHER, cat.w_oth)):
        w = np.where(local, weights, 0.0)
        sel = kind == k
        ind[sel] = rng.choice(cat.n, size=int(sel.sum()), p=w / w.sum())
    # lifecycle: entrants during the span, exits during it, and some closed before it
    n = len(kind)
    years = world.n_months / 12
    r = rng.random(n)
    entrant = r < econ.entry_rate * years
    closed_before = (r >= econ.entry_rate * years) & (r < econ.entry_rate * years + econ.closed_before_span)
    mean_age = np.where(kind == ENTERPRISE, 8.0, np.where(kind == INDIVIDUAL, 6.0, 7.0))
    age = np.clip(rng.exponential(mean_age), 0.3, 30.0)
    est = world.span_start - (age * 365.25).astype(np.int64)
    span_days = world.span_end - world.span_start + 1
    est = np.where(entrant, world.span_start + rng.integers(0, span_days - 20, size=n), est)
    est = np.where(closed_before, est - 365 * 2, est)
    closed = np.full(n, NEVER, dtype=np.int64)
    before_gap = np.maximum(world.span_start - 1 - (est + 180), 1)
    closed = np.where(closed_before, est + 180 + (rng.random(n) * before_gap).astype(np.int64), closed)
    exits = ~closed_before & (rng.random(n) < econ.exit_rate * years)
    lo = np.maximum(est + 60, world.span_start)
    exits &= lo < world.span_end - 10
    closed = np.where(exits, lo + (rng.random(n) * np.maximum(world.span_end - 10 - lo, 1)).astype(np.int64),
                      closed)
    world.entities = _empty()
    cols = draw(world, kind, ind, "base", est=est, closed=closed)
    cols["has_uscc"] = np.arange(n) < n_ent + n_ib
    cols["has_uscc"] |= kind == OTHER
    cols["si_payer"] &= cols["has_uscc"]  # a business known only by its owner's ID number hires no insured staff
    # a few key taxpayers (重点税源企业): large manufacturers, builders and traders
    key_pool = np.flatnonzero((kind == ENTERPRISE) & np.isin(cat.section[ind], ["C", "E", "F"]) & (closed >= NEVER)
                              & (est < world.span_start - 3 * 365))
    n_key = min(len(key_pool), max(1, round(econ.key_taxpayer_share * n_ent)))
    key = rng.choice(key_pool, size=n_key, replace=False) if n_key else np.array([], dtype=np.int64)
    cols["revenue"][key] = rng.uniform(3e8, 2e9, size=n_key) * np.where(cat.section[ind[key]] == "C", 1.0, 0.4)
    idx = world.entities.append(**cols)
    _calibrate(world, idx)
    set_employees(world, idx)
    set_general(world, idx)
    _set_status(world, idx)


def _calibrate(world: World, idx: np.ndarray) -> None:
    """Scale sales by sector so value added matches the configured mix and the district's size."""
    cfg, econ, cat, e = world.config, world.config.economy, world.cat, world.entities
    alive = world.alive_fraction(e.est[idx], e.closed[idx]).mean(axis=1)
    va = e.revenue[idx] * cat.num["va"][e.ind[idx]] * alive
    sector = cat.sector[e.ind[idx]]
    target_total = econ.value_added_full_scale * cfg.scale * world.n_months / 12
    factors = np.ones(4)
    for s, share in zip((1, 2, 3), econ.sector_value_added, strict=True):
        have = va[sector == s].sum()
        if have > 0:
            factors[s] = share * target_total / have
    rev = e.revenue
    rev[idx] = rev[idx] * factors[sector]
    e.revenue = rev
    world.summary["sector_factors"] = [round(float(f), 4) for f in factors[1:]]


def _set_status(world: World, idx: np.ndarray) -> None:
    e = world.entities
    rng = world.rng("status")
    closed = e.closed[idx] < NEVER
    revoked = closed & (rng.random(len(idx)) < 0.15)
    status, state = e.status, e.tax_state
    status[idx] = np.where(revoked, REVOKED, np.where(closed, DEREGISTERED, ACTIVE))
    state[idx] = np.where(revoked, ABNORMAL, np.where(closed, TAX_DEREGISTERED, NORMAL))
    e.status, e.tax_state = status, state


# --- external counterparties ---------------------------------------------------------------------

def make_externals(world: World) -> None:
    """Firms outside the district that sell to and buy from it; two of them supply power and water."""
    econ, cat = world.config.economy, world.cat
    rng = world.rng("externals")
    n_local = len(world.entities)
    n = max(160, round(econ.external_firms_per_entity * n_local))
    weights = np.where(cat.external, 4.0, cat.w_ent / cat.w_ent.sum() * cat.n)
    weights[[UTILITY_POWER, UTILITY_WATER]] = 0
    base = np.repeat(np.flatnonzero(weights > 0), 2)
    rest = rng.choice(cat.n, size=max(n - len(base), 0), p=weights / weights.sum())
    ind = np.concatenate([[UTILITY_POWER, UTILITY_WATER], base, rest]).astype(np.int16)
    n = len(ind)
    siblings = people._siblings(world.district_code) or (world.district_code,)
    elsewhere = people._elsewhere()
    r = rng.random(n)
    region = np.where(r < 0.35, rng.choice(siblings, size=n), rng.choice(elsewhere, size=n))
    region[:2] = f"{world.district_code[:4]}00"
    general = (rng.random(n) < 0.75) | (np.arange(n) < 2)
    trade = names.trade_names(rng, n)
    city_of = {}
    firm_names = []
    for i in range(n):
        code = str(region[i])
        if code not in city_of:
            path = dict(regions.resolve(code).path)
            city = path.get(code[:4], "")
            city_of[code] = path[code[:2]] if city in ("", "市辖区", "县") else city
        words = INDUSTRIES[ind[i]].words or ("商贸",)
        firm_names.append(f"{city_of[code]}{trade[i]}{words[i % len(words)]}有限公司")
    firm_names = names.unique_names(rng, firm_names,
                                    lambda i, a: firm_names[i].replace("有限公司", f"{'新恒华'[a % 3]}有限公司"))
    est = world.span_start - (rng.uniform(1, 15, size=n) * 365).astype(np.int64)
    ids = _usccs(world, np.full(n, "91"), region.astype("U6"), est, rng)
    world.externals = Columns(id=ids, name=np.array(firm_names), ind=ind, general=general,
                              province=np.char.ljust(region.astype("U2"), 2), region=region.astype("U6"),
                              capacity=rng.lognormal(0, 1.0, size=n), fresh=np.zeros(n, dtype=bool))


def _usccs(world: World, head: np.ndarray, region6: np.ndarray, est: np.ndarray,
           rng: np.random.Generator) -> np.ndarray:
    """GB 32100 codes: authority+type, registration region, organisation code (GB 11714), check."""
    n = len(head)
    used: set[str] = world.results.setdefault("uscc", set())
    body = rng.choice(_ORG_ALNUM, size=(n, 8))
    digits = rng.integers(0, 10, size=(n, 8)).astype(str)
    new = est >= _USCC_REFORM
    body[new, 0] = "M"
    body[new, 1] = "A"
    body[~new] = digits[~new]
    out = []
    for i in range(n):
        org = "".join(body[i])
        code = f"{head[i]}{region6[i]}{org}{organisation_code_check_char(org)}"
        while code in used:
            org = org[:2] + "".join(rng.choice(_ORG_ALNUM, size=6))
            code = f"{head[i]}{region6[i]}{org}{organisation_code_check_char(org)}"
        used.add(code)
        out.append(code + uscc_check_char(code))
    return np.array(out, dtype="U18")


# --- identities and people -----------------------------------------------------------------------

def identify(world: World) -> None:
    """USCCs, names, addresses, phones, capital, and the persons and relations of every entity."""
    e = world.entities
    rng = world.rng("identify")
    n = len(e)
    heads = np.where(e.kind == ENTERPRISE, "91", np.where(e.kind == INDIVIDUAL, "92", "93"))
    region6 = np.where(rng.random(n) < 0.08, f"{world.district_code[:4]}00", world.district_code)
    region6 = np.where(e.kind == ENTERPRISE, region6, world.district_code)
    uscc = _usccs(world, heads, region6, e.est, rng)
    uscc = np.where(e.has_uscc, uscc, "")
    # names
    trade = names.trade_names(rng, n)
    short_city = world.city_name[:-1] if world.city_name.endswith("市") else world.city_name
    prefixes = np.array([f"{world.city_name}{world.district_name}", short_city or world.district_name,
                         world.city_name or world.district_name,
                         world.province_name.rstrip("省市") or world.district_name])
    pick = rng.choice(4, size=n, p=[0.42, 0.35, 0.15, 0.08])
    big = e.revenue > np.quantile(e.revenue, 0.995) if n else np.zeros(0, dtype=bool)
    forms = np.where(big & (e.kind == ENTERPRISE), "股份有限公司",
                     np.where(rng.random(n) < 0.72, "有限公司", "有限责任公司"))
    surnames = rng.choice(names.SURNAMES, size=n, p=names.SURNAME_P)
    town_names = [t.name.removesuffix("街道").removesuffix("镇").removesuffix("乡") for t in world.townships]
    base_names = []
    for i in range(n):
        ind = INDUSTRIES[e.ind[i]]
        if e.kind[i] == ENTERPRISE:
            word = ind.words[i % len(ind.words)] if ind.words else "商贸"
            base_names.append(f"{prefixes[pick[i]]}{trade[i]}{word}{forms[i]}")
        elif e.kind[i] == INDIVIDUAL:
            shop = ind.ib_words[i % len(ind.ib_words)] if ind.ib_words else "经营部"
            mark = trade[i] if rng.random() < 0.6 else f"{surnames[i]}记"
            base_names.append(f"{world.city_name}{world.district_name}{mark}{shop}")
        else:
            word = ind.words[0] if ind.words else "农业"
            base_names.append(f"{world.city_name}{world.district_name}{town_names[e.town[i]]}{trade[i]}{word}"
                              "专业合作社")
    extra_rng = world.rng("names:unique")

    def alternative(i: int, attempt: int) -> str:
        a, b = extra_rng.choice(names.TRADE_A), extra_rng.choice(names.TRADE_B)
        name = base_names[i]
        return name.replace(trade[i], f"{trade[i][0]}{a}{b}", 1) if attempt < 6 else f"{name[:-2]}{attempt}{name[-2:]}"

    entity_names = names.unique_names(rng, base_names, alternative)
    # addresses and phones
    town_full = np.array([t.full_name for t in world.townships])[e.town]
    address = names.addresses(rng, town_full).astype(object)
    for i in np.flatnonzero(e.shared_room >= 0):
        address[i] = names.shared_address(town_full[i], int(e.shared_room[i]))
    capital = np.where(e.kind == ENTERPRISE,
                       np.maximum(np.round(e.revenue * rng.uniform(0.05, 0.6, size=n), -4), 1e4),
                       np.where(e.kind == INDIVIDUAL, np.round(rng.uniform(1, 50, size=n)) * 1e4,
                                np.round(rng.uniform(10, 200, size=n)) * 1e4))
    capital = np.where(e.capital > 0, e.capital, capital)
    e.capital = capital
    world.results["entity_id"] = uscc
    world.results["entity_name"] = np.array(entity_names)
    world.results["entity_address"] = address.astype(str)
    _people(world)
    # taxpayer ids of individual businesses without a USCC: the operator's ID number
    rel = world.relations
    reps = rel.person[(rel.role == LEGAL_REP)]
    rep_entity = rel.entity[(rel.role == LEGAL_REP)]
    legal_rep = np.full(n, -1, dtype=np.int64)
    legal_rep[rep_entity[::-1]] = reps[::-1]  # the first legal representative recorded
    world.results["legal_rep"] = legal_rep
    ids = uscc.copy()
    no_uscc = ~e.has_uscc
    ids[no_uscc] = world.persons.id[legal_rep[no_uscc]]
    world.results["taxpayer_id"] = ids
    phones = np.where(e.kind == ENTERPRISE,
                      np.where(rng.random(n) < 0.5, names.landlines(rng, n), world.persons.phone[legal_rep]),
                      world.persons.phone[legal_rep])
    world.results["entity_phone"] = phones
    tax_office = f"国家税务总局{world.city_name}{world.district_name}税务局"
    branch = np.array(["第一税务所", "第二税务所", "第三税务所", "第四税务所"])
    world.results["tax_office"] = np.char.add(tax_office, branch[e.town % 4])
    officer = rng.integers(1, 40, size=n)
    world.results["officer_id"] = np.char.add(f"1{world.district_code}", np.char.zfill(
        (e.town % 4 * 100 + officer).astype(str), 4))


def _people(world: World) -> None:
    """Legal representatives, shareholders, finance heads, tax clerks and insured employees."""
    e = world.entities
    rng = world.rng("people")
    n = len(e)
    people.init_relations(world)
    groups: dict[int, dict] = world.results.setdefault("groups", {})
    # legal representatives: a few people sit behind several entities
    normal = e.group < 0
    reps = np.full(n, -1, dtype=np.int64)
    idx = np.flatnonzero(normal)
    reuse = (rng.random(len(idx)) < 0.07) & e.has_uscc[idx]  # an ID-number taxpayer has its own person
    fresh = idx[~reuse]
    reps[fresh] = make_persons(world, len(fresh), "legal_reps", ages=(24, 66))
    if reuse.any() and len(fresh):
        reps[idx[reuse]] = reps[rng.choice(fresh, size=int(reuse.sum()))]
    # groups controlled by the same people (planted rings, shells, families)
    for g in sorted(groups):
        info = groups[g]
        members = np.flatnonzero(e.group == g)
        if info["kind"] == "family":
            surname = str(rng.choice(names.SURNAMES, p=names.SURNAME_P))
            phone = str(names.mobiles(rng, 1)[0])
            family = make_persons(world, len(members) + 1, f"family:{g}", surname=surname, phone=phone,
                                  ages=(25, 60))
            info["controllers"] = [int(family[0])]
            reps[members] = family[1:]
        else:
            controllers = make_persons(world, info.get("controllers_n", 2), f"controllers:{g}", ages=(28, 55))
            nominees = make_persons(world, len(members), f"nominees:{g}", ages=(20, 70), local_share=0.5)
            info["controllers"] = [int(p) for p in controllers]
            take = rng.random(len(members)) < 0.35
            reps[members] = np.where(take, controllers[np.arange(len(members)) % len(controllers)], nominees)
    relate(world, reps, np.arange(n), LEGAL_REP, e.est, _end(e, np.arange(n)))
    # shareholders of enterprises
    ent = np.flatnonzero((e.kind == ENTERPRISE) & normal)
    k = rng.choice([1, 2, 3], size=len(ent), p=[0.5, 0.35, 0.15])
    holders = []
    for slot in range(3):
        sel = ent[k > slot]
        if slot == 0:
            person = reps[sel].copy()
            other = rng.random(len(sel)) >= 0.85
            person[other] = make_persons(world, int(other.sum()), "shareholders0", ages=(28, 70))
        else:
            person = make_persons(world, len(sel), f"shareholders{slot}", ages=(25, 70))
        holders.append((sel, person))
    weights = rng.dirichlet([2.0, 1.5, 1.0], size=len(ent))
    weights = weights * (np.arange(3)[None, :] < k[:, None])
    weights /= weights.sum(axis=1, keepdims=True)
    bp = np.floor(weights * 10000).astype(np.int64)
    bp[:, 0] += 10000 - bp.sum(axis=1)
    pos = {int(v): j for j, v in enumerate(ent)}
    for slot, (sel, person) in enumerate(holders):
        rows = np.array([pos[int(s)] for s in sel], dtype=np.int64)
        relate(world, person, sel, SHAREHOLDER, e.est[sel], _end(e, sel), share_bp=bp[rows, slot])
    # finance heads and tax clerks; bookkeeping agencies serve many small firms
    clients = ent[(e.revenue[ent] < 3e6) & (rng.random(len(ent)) < 0.3)]
    agencies = np.flatnonzero((world.cat.codes[e.ind] == "L7241") & (e.closed >= world.span_end)
                              & normal)
    clerks = np.array([], dtype=np.int64)
    if len(agencies) and len(clients):
        n_clerks = max(1, len(clients) // 25)
        clerks = make_persons(world, n_clerks, "clerks", ages=(22, 50), male_share=0.3)
        clerk_agency = agencies[np.arange(n_clerks) % len(agencies)]
        relate(world, clerks, clerk_agency, EMPLOYEE, e.est[clerk_agency] + 30, -1, wage=550_000)
        world.results["clerk_agency"] = dict(zip(clerks.tolist(), clerk_agency.tolist(), strict=True))
        # a few agencies serve many clients: the look-alike the bookkeeping scheme records
        served = clerks[np.minimum((rng.random(len(clients)) ** 1.6 * n_clerks).astype(np.int64),
                                   n_clerks - 1)]
        relate(world, served, clients, TAX_AGENT, np.maximum(e.est[clients], world.span_start - 400),
               _end(e, clients))
        world.results["clerk_clients"] = (served, clients)
    own = np.setdiff1d(ent, clients)
    fin = reps[own].copy()
    hired = rng.random(len(own)) >= 0.4
    fin[hired] = make_persons(world, int(hired.sum()), "finance", ages=(23, 58), male_share=0.35)
    relate(world, fin, own, FINANCE, e.est[own], _end(e, own))
    relate(world, fin, own, TAX_AGENT, e.est[own], _end(e, own))
    if len(clients):
        relate(world, reps[clients], clients, FINANCE, e.est[clients], _end(e, clients))
    # individual businesses: a tenth name a family member as tax clerk
    ib = np.flatnonzero((e.kind == INDIVIDUAL) & normal & (rng.random(n) < 0.1))
    relate(world, make_persons(world, len(ib), "ib_clerks", ages=(20, 60)), ib, TAX_AGENT, e.est[ib],
           _end(e, ib))
    # planted groups: controllers hold shares, keep the books and file for every member
    for g in sorted(groups):
        info = groups[g]
        members = np.flatnonzero(e.group == g)
        ctrl = np.array(info["controllers"], dtype=np.int64)
        who = ctrl[np.arange(len(members)) % len(ctrl)]
        if info["kind"] == "family":
            relate(world, who, members, TAX_AGENT, e.est[members], _end(e, members))
            continue
        relate(world, who, members, SHAREHOLDER, e.est[members], _end(e, members), share_bp=10000)
        relate(world, ctrl[(np.arange(len(members)) + 1) % len(ctrl)], members, FINANCE, e.est[members],
               _end(e, members))
        relate(world, ctrl[(np.arange(len(members)) + 1) % len(ctrl)], members, TAX_AGENT, e.est[members],
               _end(e, members))
    _employees(world)


def _end(e: Columns, idx: np.ndarray) -> np.ndarray:
    closed = e.closed[idx]
    return np.where(closed < NEVER, closed, -1)


def _employees(world: World) -> None:
    """Insured employees with hiring and leaving dates; leavers are replaced within a month."""
    e, cat = world.entities, world.cat
    rng = world.rng("employees")
    payers = np.flatnonzero(e.si_payer & (e.employees > 0) & (e.closed >= world.span_start))
    counts = e.employees[payers].astype(np.int64)
    if not len(payers):
        return
    ent = np.repeat(payers, counts)
    m = len(ent)
    persons = make_persons(world, m, "employees", ages=(19, 59), male_share=0.56)
    earliest = np.maximum(e.est[ent] + 10, world.span_start - 8 * 365)
    latest = np.maximum(earliest + 1, np.minimum(e.closed[ent] - 1, world.span_end - 5))
    before = rng.random(m) < 0.85
    start = np.where(before & (earliest < world.span_start),
                     earliest + (rng.random(m) * np.maximum(world.span_start - earliest, 1)).astype(np.int64),
                     earliest + (rng.random(m) * (latest - earliest)).astype(np.int64))
    start = np.minimum(start, latest)
    wage_yuan = np.clip(cat.num["wage"][e.ind[ent]] * rng.lognormal(0, 0.3, size=m), 3_800, 25_000)
    wage = (np.round(wage_yuan) * 100).astype(np.int64)
    leave = rng.random(m) < 0.14 * world.n_months / 12
    end_day = np.maximum(start + 30, world.span_start) + (
        rng.random(m) * np.maximum(world.span_end - np.maximum(start + 30, world.span_start), 1)).astype(np.int64)
    closed = e.closed[ent]
    end = np.where(closed < NEVER, np.minimum(closed, np.where(leave, end_day, closed)),
                   np.where(leave & (end_day < world.span_end), end_day, -1))
    relate(world, persons, ent, EMPLOYEE, start, end, wage=wage)
    repl = (end >= 0) & (end < world.span_end - 20) & (closed >= NEVER)
    if repl.any():
        k = int(repl.sum())
        newcomers = make_persons(world, k, "replacements", ages=(19, 55), male_share=0.56)
        s = end[repl] + rng.integers(1, 30, size=k)
        relate(world, newcomers, ent[repl], EMPLOYEE, s, -1, wage=wage[repl])
