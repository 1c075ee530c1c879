"""Benchmark: annual IIT reconciliation for 1,000,000 generated people.

Runs, on the same generated population:
  * the NumPy batch engine (zhishui.law.batch.iit_annual, integer fen);
  * the exact per-person Decimal calculator on a sample (default 20,000) — checks the batch to the fen;
  * an equivalent model written for openfisca-core (float32 variables, MarginalRateTaxScale), compared
    with the batch on every person. OpenFisca is not a product dependency: it is imported from this
    interpreter if present, otherwise run in a separate virtualenv given by --openfisca-python
    (default: $ZHISHUI_OPENFISCA_PYTHON or /tmp/ofvenv/bin/python); if neither works it is skipped.

Writes bench/results/law_batch.json.

    .venv/bin/python bench/law_batch.py [--people 1000000] [--sample 20000]
    python3 -m venv /tmp/ofvenv && /tmp/ofvenv/bin/pip install openfisca-core   # optional
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "law_batch.json"
YEAR = "2026"
INPUTS = ("wages", "remuneration", "author", "royalties", "exempt_income", "special_deductions",
          "special_additional_deductions", "other_deductions", "donations", "donations_full")


def generate(n: int, seed: int = 610303) -> dict[str, np.ndarray]:
    """A population in integer fen: most people on wages, some with other income and donations."""
    rng = np.random.default_rng(seed)

    def some(high: int, share: float) -> np.ndarray:
        return (rng.integers(0, high, n) * (rng.random(n) < share)).astype(np.int64)

    wages = np.exp(rng.normal(11.3, 0.7, n)).astype(np.int64) * 100 + rng.integers(0, 100, n)
    return {"wages": wages, "remuneration": some(10_000_000, 0.15), "author": some(5_000_000, 0.02),
            "royalties": some(5_000_000, 0.02), "exempt_income": some(1_000_000, 0.05),
            "special_deductions": (wages * rng.uniform(0.0, 0.225, n)).astype(np.int64),
            "special_additional_deductions": some(9_600_000, 0.6), "other_deductions": some(1_440_000, 0.05),
            "donations": some(5_000_000, 0.05), "donations_full": some(2_000_000, 0.01)}


# --- the OpenFisca model (runs in whichever interpreter has openfisca-core) ------------------------

def write_openfisca_parameters(directory: Path, params) -> None:
    """Export the zhishui parameters in force for YEAR as an OpenFisca parameter tree."""
    from zhishui.core.periods import parse_period

    p = parse_period(YEAR)
    iit = directory / "iit"
    iit.mkdir(parents=True)

    def leaf(name: str, value) -> None:
        (iit / f"{name}.yaml").write_text(f"description: {name}\nvalues:\n  2019-01-01:\n    value: {value}\n",
                                          encoding="utf-8")

    leaf("basic_deduction", params.value("iit.basic_deduction", p))
    leaf("remuneration_ratio", params.value("iit.remuneration_income_ratio", p))
    leaf("author_ratio", params.value("iit.author_income_ratio", p))
    leaf("donation_cap", params.value("iit.donation_cap_ratio", p))
    lines = ["description: comprehensive income scale", "brackets:"]
    lower = 0
    for b in params.value("iit.comprehensive_scale", p).brackets:
        lines += ["  - threshold:", "      2019-01-01:", f"        value: {lower}", "    rate:", "      2019-01-01:",
                  f"        value: {b.rate}"]
        lower = b.upper
    (iit / "scale.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_openfisca(data_path: Path, params_dir: Path, out_path: Path) -> dict:
    """Build the OpenFisca model, simulate everyone, save tax in yuan (float64 of the float32 result)."""
    import openfisca_core
    from openfisca_core.entities import build_entity
    from openfisca_core.model_api import YEAR as OF_YEAR
    from openfisca_core.model_api import Variable, max_, min_
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem

    person = build_entity(key="person", plural="persons", label="Person", is_person=True)

    def variable(name: str, formula=None) -> type:
        attrs = {"value_type": float, "entity": person, "definition_period": OF_YEAR, "label": name}
        if formula:
            attrs["formula"] = formula
        return type(name, (Variable,), attrs)

    def income_amount(p, period, parameters):
        iit = parameters(period).iit
        return (p("wages", period) + p("remuneration", period) * iit.remuneration_ratio
                + p("author", period) * iit.remuneration_ratio * iit.author_ratio
                + p("royalties", period) * iit.remuneration_ratio)

    def taxable_before(p, period, parameters):
        return max_(p("income_amount", period) - p("exempt_income", period) - parameters(period).iit.basic_deduction
                    - p("special_deductions", period) - p("special_additional_deductions", period)
                    - p("other_deductions", period), 0)

    def taxable_income(p, period, parameters):
        before = p("taxable_before", period)
        allowed = min_(p("donations", period), before * parameters(period).iit.donation_cap)
        return before - allowed - min_(p("donations_full", period), before - allowed)

    def tax(p, period, parameters):
        return parameters(period).iit.scale.calc(p("taxable_income", period))

    started = time.perf_counter()
    system = TaxBenefitSystem([person])
    system.load_parameters(str(params_dir))
    for name in INPUTS:
        system.add_variable(variable(name))
    for name, f in (("income_amount", income_amount), ("taxable_before", taxable_before),
                    ("taxable_income", taxable_income), ("tax", tax)):
        system.add_variable(variable(name, f))
    data = np.load(data_path)
    n = len(data["wages"])
    build_started = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(system, count=n)
    for name in INPUTS:
        sim.set_input(name, YEAR, data[name] / 100)
    result = sim.calculate("tax", YEAR)
    done = time.perf_counter()
    np.save(out_path, result.astype(np.float64))
    return {"version": openfisca_core.__version__ if hasattr(openfisca_core, "__version__") else _of_version(),
            "python": platform.python_version(), "numpy": np.__version__, "dtype": str(result.dtype),
            "model_build_s": round(build_started - started, 4), "simulate_s": round(done - build_started, 4)}


def _of_version() -> str:
    from importlib.metadata import version

    return version("openfisca-core")


# --- the benchmark ---------------------------------------------------------------------------------

def machine() -> dict:
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "platform": platform.platform(), "date": datetime.date.today().isoformat()}


def openfisca(data_path: Path, params_dir: Path, out_path: Path, interpreter: str | None) -> dict:
    try:
        import openfisca_core  # noqa: F401
    except ImportError:
        pass
    else:
        return {"where": "in-process", **run_openfisca(data_path, params_dir, out_path)}
    if not interpreter or not Path(interpreter).exists():
        return {"skipped": "openfisca-core is not importable here and no --openfisca-python was found"}
    proc = subprocess.run([interpreter, __file__, "--openfisca-worker", str(data_path), str(params_dir),
                           str(out_path)], capture_output=True, text=True)
    if proc.returncode:
        return {"skipped": f"OpenFisca worker failed: {proc.stderr.strip().splitlines()[-1:]}"}
    return {"where": f"separate interpreter {interpreter}", **json.loads(proc.stdout)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=20_000)
    parser.add_argument("--openfisca-python", default=os.environ.get("ZHISHUI_OPENFISCA_PYTHON",
                                                                      "/tmp/ofvenv/bin/python"))
    parser.add_argument("--openfisca-worker", nargs=3, metavar=("DATA", "PARAMS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.openfisca_worker:
        data, params_dir, out = map(Path, args.openfisca_worker)
        print(json.dumps(run_openfisca(data, params_dir, out)))
        return

    sys.path.insert(0, str(ROOT / "src"))
    from zhishui.law import batch
    from zhishui.law.parameters import default_parameters
    from zhishui.law.registry import get

    params = default_parameters()
    t = time.perf_counter()
    cols = generate(args.people)
    generated_s = time.perf_counter() - t
    batch.iit_annual(YEAR, {k: v[:1000] for k, v in cols.items()}, params)  # warm-up
    runs = []
    for _ in range(3):
        t = time.perf_counter()
        out = batch.iit_annual(YEAR, cols, params)
        runs.append(time.perf_counter() - t)
    tax_fen = out["tax"]
    print(f"batch: {args.people:,} people in {min(runs):.3f} s (best of 3)")

    rng = np.random.default_rng(1)
    sample = np.sort(rng.choice(args.people, size=min(args.sample, args.people), replace=False))
    calc = get("iit_annual")
    t = time.perf_counter()
    max_decimal_diff, mismatches = 0, 0
    for i in sample.tolist():
        payload = {"period": YEAR, **{k: f"{int(cols[k][i]) // 100}.{int(cols[k][i]) % 100:02d}" for k in INPUTS}}
        got = int(calc.calculate(payload, params).amounts["tax"] * 100)
        diff = abs(got - int(tax_fen[i]))
        max_decimal_diff = max(max_decimal_diff, diff)
        mismatches += diff != 0
    decimal_s = time.perf_counter() - t
    print(f"decimal: {len(sample):,} people in {decimal_s:.2f} s; largest batch difference {max_decimal_diff} fen")

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        np.savez(tmpdir / "people.npz", **cols)
        write_openfisca_parameters(tmpdir / "parameters", params)
        of = openfisca(tmpdir / "people.npz", tmpdir / "parameters", tmpdir / "tax.npy", args.openfisca_python)
        if "skipped" in of:
            print(f"openfisca: skipped — {of['skipped']}")
        else:
            of_tax = np.load(tmpdir / "tax.npy")
            diff_yuan = np.abs(of_tax - tax_fen / 100)
            worst = int(np.argmax(diff_yuan))
            of.update({
                "max_abs_diff_vs_batch_yuan": round(float(diff_yuan.max()), 4),
                "mean_abs_diff_vs_batch_yuan": round(float(diff_yuan.mean()), 6),
                "people_off_by_at_least_one_fen": int(np.count_nonzero(np.round(of_tax * 100) != tax_fen)),
                "worst_case": {"batch_tax_yuan": f"{int(tax_fen[worst]) // 100}.{int(tax_fen[worst]) % 100:02d}",
                               "openfisca_tax_yuan": round(float(of_tax[worst]), 4)},
            })
            print(f"openfisca: {args.people:,} people in {of['simulate_s']:.3f} s (+{of['model_build_s']:.3f} s "
                  f"model build); largest difference from the batch {of['max_abs_diff_vs_batch_yuan']} 元, "
                  f"{of['people_off_by_at_least_one_fen']:,} people off by ≥ 1 fen")

    result = {
        "benchmark": "annual IIT reconciliation of comprehensive income (iit_annual), tax year " + YEAR,
        "machine": machine(),
        "people": args.people,
        "generation_s": round(generated_s, 3),
        "batch": {"engine": "zhishui.law.batch.iit_annual (NumPy, int64 fen)", "seconds_best_of_3": round(min(runs), 4),
                  "seconds_all_runs": [round(r, 4) for r in runs],
                  "people_per_second": int(args.people / min(runs))},
        "decimal_sample": {"engine": "zhishui.law registry iit_annual (Decimal, with breakdown and validation)",
                           "people": len(sample), "seconds": round(decimal_s, 3),
                           "microseconds_per_person": round(decimal_s / len(sample) * 1e6, 1),
                           "extrapolated_seconds_per_million": round(decimal_s / len(sample) * 1e6, 1),
                           "max_abs_diff_vs_batch_fen": max_decimal_diff, "people_differing": mismatches},
        "openfisca": of,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
