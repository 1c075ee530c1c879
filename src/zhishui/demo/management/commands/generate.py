"""``zhishui generate --out DIR``: write a synthetic district in the exchange format.

    zhishui generate --out var/district --scale 0.1 --seed 610303 --as-of 2026-11-26

The same seed, scale, months, district, reference date (``--as-of``) and configuration give
byte-identical files. ``--config FILE.yaml`` overrides any rate or strength (docs/generator.md).
A progress bar is drawn on the terminal; ``--quiet`` suppresses it and the summary.
"""

from __future__ import annotations

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from zhishui.core.errors import ValidationFailure
from zhishui.demo.generator import generate, load_config
from zhishui.demo.generator.progress import Progress


def _as_of(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"--as-of 应为YYYY-MM-DD / --as-of must be YYYY-MM-DD: {text}", returncode=2) from exc


class Command(BaseCommand):
    help = "生成合成区县数据（交换格式）/ generate a synthetic district in the exchange format"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="output directory (created if missing)")
        parser.add_argument("--scale", type=float, default=None, help="1.0 = a full district year (default 1.0)")
        parser.add_argument("--seed", type=int, default=None, help="random seed (default 610303)")
        parser.add_argument("--months", type=int, default=None, help="months of activity, 3 to 36 (default 12)")
        parser.add_argument("--district", default=None, help="six-digit district code (default 610303 金台区)")
        parser.add_argument("--as-of", dest="as_of", default=None,
                            help="reference date YYYY-MM-DD; the span ends with the month before it (default today)")
        parser.add_argument("--config", default=None, help="YAML file overriding rates and strengths")
        parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
        parser.add_argument("--json", dest="as_json", action="store_true", help="print the summary as JSON")

    def handle(self, *args, out, scale, seed, months, district, as_of, config, quiet, as_json, **opts):
        try:
            cfg = load_config(config, scale=scale, seed=seed, months=months, district=district,
                              as_of=_as_of(as_of) if as_of else None)
            progress = Progress(enabled=False if quiet else None)
            summary = generate(cfg, out, progress)
        except ValidationFailure as exc:
            lines = "; ".join(f"{e.field}: {e.message_zh} / {e.message_en}" for e in exc.errors)
            raise CommandError(lines, returncode=2) from exc
        except OSError as exc:
            raise CommandError(f"无法写入 {out} / cannot write {out}: {exc.strerror or exc}", returncode=2) from exc
        if as_json:
            self.stdout.write(_dumps(summary))
        elif not quiet:
            self._print(summary, out)

    def _print(self, s: dict, out: str) -> None:
        w = self.stdout.write
        rows = s["rows"]
        w(f"已生成 / generated {out} in {s['seconds']:.1f} s")
        w(f"  市场主体 market entities {s['market_entities']:,} (企业 enterprises {s['enterprises']:,}, "
          f"个体户 individual businesses {s['individual_businesses']:,})")
        w(f"  发票 invoices {rows['invoices']:,} (红字 red {s['red_invoices']:,}), "
          f"明细 lines {rows['invoice_lines']:,}; 申报 returns {rows['returns']:,}")
        va = s["sector_value_added"]
        w(f"  三次产业增加值 value added 一产 {va[0]:.1%} : 二产 {va[1]:.1%} : 三产 {va[2]:.1%}; "
          f"top 1% of sellers carry {s['top1_sales_share']:.0%} of sales")
        planted = {k: v["schemes"] for k, v in s["schemes"].items() if not v["lookalike"]}
        w(f"  标注 planted schemes (truth/labels.csv): {planted}")


def _dumps(summary: dict) -> str:
    return json.dumps(summary, ensure_ascii=False, indent=2)
