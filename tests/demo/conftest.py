"""A small generated district shared by the generator tests (scale 0.02, fixed seed and date)."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import pytest

from zhishui.demo.generator import GeneratorConfig, generate

AS_OF = date(2026, 11, 26)
SEED = 20261126


@dataclass
class District:
    path: Path
    config: GeneratorConfig
    summary: dict
    _rows: dict = field(default_factory=dict)

    def rows(self, feed: str) -> list[dict[str, str]]:
        if feed not in self._rows:
            name = feed if "/" in feed else f"{feed}.csv"
            with open(self.path / name, encoding="utf-8", newline="") as fh:
                self._rows[feed] = list(csv.DictReader(fh))
        return self._rows[feed]

    @cached_property
    def labels(self) -> list[dict[str, str]]:
        return self.rows("truth/labels.csv")

    @cached_property
    def lookalikes(self) -> list[dict[str, str]]:
        return self.rows("truth/lookalikes.csv")

    @cached_property
    def months(self) -> list[str]:
        """The span: the configured number of full months before the month of the reference date."""
        last = AS_OF.year * 12 + AS_OF.month - 2
        return [f"{k // 12:04d}-{k % 12 + 1:02d}" for k in range(last - self.config.months + 1, last + 1)]

    @cached_property
    def sold(self) -> dict[str, dict[str, Decimal]]:
        """taxpayer -> month -> invoiced amount (blue and red)."""
        out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in self.rows("invoices"):
            out[r["seller_id"]][r["issued_at"][:7]] += Decimal(r["amount"])
        return out

    @cached_property
    def bought(self) -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for r in self.rows("invoices"):
            if r["buyer_id"]:
                out[r["buyer_id"]][r["issued_at"][:7]] += Decimal(r["amount"])
        return out

    @cached_property
    def kwh(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = defaultdict(dict)
        for r in self.rows("utilities"):
            out[r["entity_id"]][r["month"]] = int(r["electricity_kwh"])
        return out

    def returns_of(self, taxpayer: str, tax_type: str = "vat") -> list[dict[str, str]]:
        return [r for r in self.rows("returns") if r["taxpayer_id"] == taxpayer and r["tax_type"] == tax_type]

    def members(self, label: str) -> dict[str, list[dict[str, str]]]:
        """scheme_id -> its label rows."""
        out: dict[str, list] = {}
        for row in self.labels + self.lookalikes:
            if row["label"] == label:
                out.setdefault(row["scheme_id"], []).append(row)
        return out


@pytest.fixture(scope="session")
def district(tmp_path_factory) -> District:
    out = tmp_path_factory.mktemp("district")
    config = GeneratorConfig(scale=0.02, seed=SEED, as_of=AS_OF)
    summary = generate(config, out)
    return District(out, config, summary)
