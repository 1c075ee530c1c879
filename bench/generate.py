"""Benchmark ``zhishui generate``: time and peak memory for a full district year (scale 1.0).

    PYTHONPATH=src .venv/bin/python bench/generate.py            # scale 1.0, writes bench/results/generate.json
    PYTHONPATH=src .venv/bin/python bench/generate.py --scale 0.1 --keep /tmp/district

Goal (issue 5): a full district year in under 5 minutes on 2 cores, peak memory under 4 GB.
The output goes to a temporary directory that is removed afterwards unless ``--keep`` is given.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from zhishui.demo.generator import GeneratorConfig, generate  # noqa: E402
from zhishui.demo.generator.progress import Progress  # noqa: E402

GOAL_SECONDS = 300
GOAL_MEMORY_MB = 4096


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict:
    import numpy
    import pyarrow

    mem_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu_model(), "cores": os.cpu_count(), "memory_gb": mem_gb, "python": platform.python_version(),
            "numpy": numpy.__version__, "pyarrow": pyarrow.__version__, "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=610303)
    parser.add_argument("--as-of", default="2026-11-26")
    parser.add_argument("--keep", default="", help="write here and keep the output")
    parser.add_argument("--results", default=str(ROOT / "bench" / "results" / "generate.json"))
    args = parser.parse_args()

    out = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="zhishui-generate-"))
    config = GeneratorConfig(scale=args.scale, seed=args.seed, as_of=date.fromisoformat(args.as_of))
    info = machine()
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    summary = generate(config, out, Progress())
    seconds = time.perf_counter() - started
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    peak_mb = cpu1.ru_maxrss / 1024
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    invoices = summary["rows"]["invoices"]
    result = {
        "benchmark": "zhishui generate",
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": info,
        "command": f"PYTHONPATH=src .venv/bin/python bench/generate.py --scale {args.scale} --seed {args.seed}"
                   f" --as-of {args.as_of}",
        "scale": args.scale, "seed": args.seed, "as_of": args.as_of,
        "seconds": round(seconds, 2),
        "cpu_seconds": {"user": round(cpu1.ru_utime - cpu0.ru_utime, 2), "system": round(cpu1.ru_stime - cpu0.ru_stime, 2)},
        "peak_memory_mb": round(peak_mb, 1),
        "invoices": invoices,
        "invoice_lines": summary["rows"]["invoice_lines"],
        "invoices_per_second": round(invoices / seconds),
        "rows_per_second": round(sum(summary["rows"].values()) / seconds),
        "output_mb": round(size / 1024 / 1024, 1),
        "rows": summary["rows"],
        "stage_seconds": summary["timings"],
        "district": {k: summary[k] for k in ("market_entities", "enterprises", "individual_businesses", "persons",
                                             "external_firms", "sector_value_added", "top1_sales_share",
                                             "median_annual_sales", "flows")},
        "goal": {"seconds": GOAL_SECONDS, "memory_mb": GOAL_MEMORY_MB,
                 "met": seconds < GOAL_SECONDS and peak_mb < GOAL_MEMORY_MB},
    }
    if not args.keep:
        shutil.rmtree(out, ignore_errors=True)
    Path(args.results).parent.mkdir(parents=True, exist_ok=True)
    Path(args.results).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"scale {args.scale}: {seconds:.1f} s, peak {peak_mb:.0f} MB, {invoices:,} invoices "
          f"({result['invoices_per_second']:,}/s), {result['output_mb']} MB written -> {args.results}")


if __name__ == "__main__":
    main()
