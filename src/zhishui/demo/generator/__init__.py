"""``zhishui generate``: a synthetic district that behaves like a real one, in the exchange format.

``generate(config, out_dir)`` writes every feed of the data-exchange format (EXCHANGE.md, version 1),
a ``manifest.json``, and the planted truth under ``truth/``. The same configuration (seed, scale,
months, district and reference date) gives byte-identical files. See docs/generator.md.
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import numpy as np

from . import entities, facts, feeds, flows, invoices, people, schemes
from .config import GeneratorConfig, as_dict, load_config
from .progress import Progress
from .world import World, create_world
from .writer import write_json

__all__ = ["GeneratorConfig", "generate", "generate_demo", "load_config"]

SOURCE = "zhishui generate（合成数据 / synthetic data）"


def build(config: GeneratorConfig, progress: Progress | None = None) -> World:
    """Generate the district in memory."""
    progress = progress or Progress(enabled=False)
    world = create_world(config.validate())
    people.init_persons(world)
    entities.populate(world)
    entities.make_externals(world)
    progress.advance("population")
    schemes.plant(world)
    progress.advance("schemes")
    entities.identify(world)
    schemes.after_identify(world)
    progress.advance("identities")
    flows.plan(world)
    parties = flows.Parties(world)
    progress.advance("plan")
    facts.utilities(world)
    facts.social_insurance(world)
    utility_specs = facts.utility_invoices(world, parties)
    progress.advance("utilities")
    property_specs = facts.real_estate(world, parties)
    progress.advance("real estate")
    scheme_specs = schemes.specs(world, parties)
    econ = config.economy
    blue_target = config.economy.invoices_full_scale * config.scale * world.n_months / 12 / (1 + econ.red_rate)
    fixed = len(utility_specs["seller"]) + len(property_specs["seller"]) + len(scheme_specs["seller"])
    free = max(blue_target - fixed, 0.2 * blue_target)
    shares = np.array(econ.flow_shares) / sum(econ.flow_shares)
    b2b, b2c = flows.local_and_consumer(world, parties, (int(free * shares[0]), int(free * shares[1])))
    progress.advance("sales")
    bought = invoices.bought_locally(world, b2b)
    for i in world.override("fresh_suppliers"):
        bought[i] = world.results["plan"]["purchases"][i]  # its inputs come from the scheme alone
    incoming = flows.incoming(world, parties, bought, int(free * shares[2]))
    progress.advance("purchases")
    spec = flows.concat([b2b, b2c, incoming, utility_specs, property_specs, scheme_specs])
    del b2b, b2c, incoming, utility_specs, property_specs, scheme_specs
    inv, lines = invoices.materialize(world, parties, spec)
    del spec
    progress.advance("lines")
    inv, lines = invoices.add_reds(world, parties, inv, lines)
    progress.advance("red invoices")
    province = np.concatenate([np.full(parties.n_local, int(world.district_code[:2])),
                               world.externals.province.astype(np.int64)])
    big = np.concatenate([world.entities.revenue > 1e8, np.zeros(len(world.externals), dtype=bool)])
    channel = np.where(big, 1, 0)
    channel[parties.n_local:parties.n_local + 2] = 2  # the utilities' billing systems
    invoices.number(world, parties, inv, province, channel)
    invoices.confirm(world, parties, inv)
    invoices.aggregate(world, parties, inv)
    world.results["invoices"], world.results["lines"] = inv, lines
    progress.advance("numbers")
    facts.property_holdings(world)
    facts.customs(world)
    facts.returns(world)
    progress.advance("facts")
    _summarise(world)
    return world


def generate(config: GeneratorConfig, out_dir: str | Path, progress: Progress | None = None) -> dict:
    """Generate and write the district; returns the summary also written to truth/generation.json."""
    progress = progress or Progress(enabled=False)
    started = time.monotonic()
    world = build(config, progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = feeds.write_all(world, out, progress)
    truth = feeds.write_truth(world, out)
    manifest = {"source": SOURCE, "extracted_at": f"{world.as_of.isoformat()}T08:00:00+08:00",
                "period": world.month_label(world.n_months - 1),
                "feeds": {name: files[name] for name in feeds.FEEDS}}
    write_json(out / "manifest.json", manifest)
    summary = dict(world.summary)
    summary["rows"] = {name: files[name]["rows"] for name in feeds.FEEDS}
    write_json(out / "truth" / "generation.json", {
        "generator": "zhishui generate", "format": "EXCHANGE.md version 1",
        "span": [world.month_label(0), world.month_label(world.n_months - 1)],
        "as_of": world.as_of.isoformat(), "district": world.district_code,
        "config": as_dict(world.config), "summary": summary, "truth": truth,
    })
    progress.advance("truth")
    progress.finish()
    summary["seconds"] = round(time.monotonic() - started, 2)
    summary["timings"] = dict(progress.timings)
    return summary


def _summarise(world: World) -> None:
    e, cat = world.entities, world.cat
    plan = world.results["plan"]
    sales = plan["sales"].sum(axis=1)
    planted = e.planted | (e.scheme >= 0)
    va = sales * cat.num["va"][e.ind]
    sector = cat.sector[e.ind]
    normal = ~planted
    total_va = va[normal].sum()
    ranked = np.sort(sales[normal & (sales > 0)])[::-1]
    top = max(1, len(ranked) // 100)
    inv = world.results["invoices"]
    world.summary.update({
        "entities": len(e),
        "market_entities": int(e.has_uscc.sum()),
        "enterprises": int(((e.kind == 0) & e.has_uscc).sum()),
        "individual_businesses": int(((e.kind == 1) & e.has_uscc).sum()),
        "external_firms": len(world.externals),
        "persons": len(world.persons),
        "invoices": len(inv["seller"]),
        "red_invoices": int((inv["red_of"] >= 0).sum()),
        "invoice_lines": len(world.results["lines"]["inv"]),
        "sector_value_added": [round(float(va[normal & (sector == s)].sum() / total_va), 4) for s in (1, 2, 3)],
        "top1_sales_share": round(float(ranked[:top].sum() / ranked.sum()), 4) if len(ranked) else 0.0,
        "median_annual_sales": round(float(np.median(ranked)), 2) if len(ranked) else 0.0,
        "schemes": schemes.describe(world),
        "flows": {name: int((inv["flow"] == k).sum()) for k, name in enumerate(flows.FLOW_NAMES)},
    })


def generate_demo(scale: float = 0.1, seed: int = 610303, out_dir: str | Path | None = None,
                  as_of: date | None = None) -> Path:
    """The demo pipeline's step "generate the demo district": writes the feeds (ready for
    ``zhishui import``) and returns the directory, by default ``<ZHISHUI_VAR_DIR>/demo-district``.
    The reference date defaults to today, so the demo's year ends with last month."""
    if out_dir is None:
        from zhishui.config import var_dir

        out_dir = var_dir() / "demo-district"
    out = Path(out_dir)
    generate(GeneratorConfig(scale=scale, seed=seed, as_of=as_of), out)
    return out
